/**
 * `npm run bench -- bulletin` (issue 14 §2): the bulletin's cost does not grow
 * with history.
 *
 * 1. DynamoDB items read for one provincial bulletin (广东省, the demo tree)
 *    after 10,000 and after 1,000,000 recorded events. Each event adds one to a
 *    counter of a random unit × month × metric over two years. The counters are
 *    written DIRECTLY (aggregated) for both volumes — replaying a million events
 *    through the audited transactions would take hours on a laptop and measures
 *    nothing the bulletin reads. The bulletin reads through the real adapter
 *    (DynamoSupervisionStore: key queries on SUPCOUNT#<org>) over an in-memory
 *    registry; items read are what its queries return.
 * 2. Build time of a national bulletin over 3,000 county-level units (31
 *    provinces, 12 months of counters each): figures, SVG charts, HTML and the
 *    exceljs workbook, against writing the same workbook alone (the ratio).
 */
import { performance } from 'node:perf_hooks';
import { bulletinRenderers, bulletinWorkbook } from '#adapters/bulletin-render.ts';
import { DynamoSupervisionStore, supervisionKeys } from '#adapters/dynamo-supervision.ts';
import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { seedOrganisations } from '#infra/local/seed.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Organisation, User } from '#shared/schemas/identity.ts';
import { bulletinData, bulletinSheets, issueBulletin } from '#shared/supervision/bulletin.ts';
import { parsePeriod } from '#shared/supervision/periods.ts';
import type { BenchResult } from './run.ts';

type Item = Record<string, unknown>;

/** Base-table key queries over a Map (no GSI items are written here: the bench has no clocks). */
class MapRegistry implements RegistryAccess {
  readonly table = 'registry';
  readonly parts = new Map<string, Map<string, Item>>();
  async get(key: { pk: string; sk: string }) {
    return this.parts.get(key.pk)?.get(key.sk);
  }
  async query(q: Parameters<RegistryAccess['query']>[0]) {
    if (q.index) return { items: [] };
    const part = this.parts.get(q.pk);
    const items = part ? [...part.entries()].filter(([sk]) => !q.skPrefix || sk.startsWith(q.skPrefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, i]) => i) : [];
    return { items: q.forward === false ? items.reverse() : items };
  }
  async batchPut(items: Item[]) {
    for (const i of items) this.put(i);
  }
  async write(items: Parameters<RegistryAccess['write']>[0]) {
    for (const { item } of items) if (item.Put?.Item) this.put(item.Put.Item as Item);
  }
  put(item: Item) {
    const pk = String(item['pk']);
    if (!this.parts.has(pk)) this.parts.set(pk, new Map());
    this.parts.get(pk)!.set(String(item['sk']), item);
  }
}

const months = Array.from({ length: 24 }, (_, i) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
const metrics = ['clock.R6.1.due', 'clock.R6.1.onTime', 'clock.R6.1.late', 'R7.rounds', 'R7.firstRounds', 'R7.firstRoundPass', 'clock.R8.1.due', 'clock.R8.1.onTime', 'clock.R9.1.due', 'clock.R9.1.late'];

/** `events` counter increments spread over the units × months × metrics, aggregated into the counter items. */
function recordEvents(db: MapRegistry, orgs: readonly string[], events: number, seed = 7): void {
  // mulberry32: a small seeded generator whose low bits are not periodic (an LCG's are).
  let a = seed;
  const rand = (n: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
  const sums = new Map<string, Map<string, number>>();
  for (let e = 0; e < events; e += 1) {
    const k = `${orgs[rand(orgs.length)]}\u0000${months[rand(months.length)]}`;
    const row = sums.get(k) ?? new Map<string, number>();
    const m = metrics[rand(metrics.length)]!;
    row.set(m, (row.get(m) ?? 0) + 1);
    sums.set(k, row);
  }
  for (const [k, row] of sums) {
    const [org, month] = k.split('\u0000') as [string, string];
    const item: Item = { ...supervisionKeys.counters(org, month), org, month };
    for (const [m, v] of row) item[`m:${m}`] = v;
    db.put(item);
  }
}

function identityOf(orgs: readonly Organisation[], users: readonly User[] = []): Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations' | 'listUsers'> {
  const byCode = new Map(orgs.map((o) => [o.code, o]));
  const children = new Map<string, Organisation[]>();
  for (const o of orgs) children.set(o.parentCode ?? 'ROOT', [...(children.get(o.parentCode ?? 'ROOT') ?? []), o]);
  return {
    getOrganisation: async (c) => byCode.get(c),
    listOrganisations: async (p) => children.get(p ?? 'ROOT') ?? [],
    listUsers: async (c) => users.filter((u) => u.orgCode === c),
  };
}

async function provincialItemsRead(events: number): Promise<{ itemsRead: number; ms: number; units: number }> {
  const db = new MapRegistry();
  recordEvents(db, seedOrganisations.map((o) => o.code), events);
  const identity = identityOf(seedOrganisations);
  const store = new DynamoSupervisionStore(db);
  const t0 = performance.now();
  const data = await bulletinData({ identity, counters: store, clocks: store, now: () => new Date('2026-12-03T02:00:00Z') }, seedOrganisations.find((o) => o.code === '440000-NR')!, parsePeriod('2026-11')!);
  return { itemsRead: data.itemsRead, ms: performance.now() - t0, units: data.units.length };
}

function nationalTree(): Organisation[] {
  const orgs: Organisation[] = [{ code: '100000-NR', name: '自然资源部', regionCode: '100000', level: 'national', type: 'naturalResources' }];
  const provinces = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65'];
  let county = 0;
  for (const p of provinces) {
    orgs.push({ code: `${p}0000-NR`, name: `${p} 省级自然资源主管部门`, regionCode: `${p}0000`, level: 'provincial', type: 'naturalResources', parentCode: '100000-NR' });
    for (let c = 0; c < 10 && county < 3000; c += 1) {
      const city = `${p}${String(c + 1).padStart(2, '0')}00`;
      orgs.push({ code: `${city}-NR`, name: `${city} 市级自然资源主管部门`, regionCode: city, level: 'municipal', type: 'naturalResources', parentCode: `${p}0000-NR` });
      for (let k = 0; k < 10 && county < 3000; k += 1, county += 1) {
        const code = `${p}${String(c + 1).padStart(2, '0')}${String(k + 1).padStart(2, '0')}`;
        orgs.push({ code: `${code}-NR`, name: `${code} 县级自然资源主管部门`, regionCode: code, level: 'county', type: 'naturalResources', parentCode: `${city}-NR` });
      }
    }
  }
  return orgs;
}

export async function run(): Promise<BenchResult[]> {
  const small = await provincialItemsRead(10_000);
  const large = await provincialItemsRead(1_000_000);

  const orgs = nationalTree();
  const counties = orgs.filter((o) => o.level === 'county').length;
  const db = new MapRegistry();
  recordEvents(db, orgs.map((o) => o.code), 300_000);
  const identity = identityOf(orgs, [{ userId: 'sun.yue', name: '孙悦', email: 'sun.yue@example.gov.cn', orgCode: '100000-NR', roles: ['supervisor'], clearance: 'confidential' }]);
  const builds: number[] = [];
  const workbooks: number[] = [];
  let itemsRead = 0;
  for (let r = 0; r < 3; r += 1) {
    const store = new DynamoSupervisionStore(db);
    const files = new Map<string, unknown>();
    const t0 = performance.now();
    const out = await issueBulletin(
      {
        identity,
        counters: () => new DynamoSupervisionStore(db),
        clocks: store,
        renderers: bulletinRenderers,
        files: { putOnce: async (k, b) => (files.set(k, b), true), get: async () => undefined },
        bulletins: { get: async () => undefined, list: async () => [], record: async () => true },
        mailer: { send: async () => ({ messageId: 'm' }) },
        now: () => new Date('2026-12-03T02:00:00Z'),
        appBaseUrl: 'https://bench.invalid',
      },
      { actor: { system: 'bench' }, org: '100000-NR', period: '2026-11', requestId: `bench-${r}` },
    );
    builds.push(performance.now() - t0);
    itemsRead = out.bulletin.itemsRead;
    const data = await bulletinData({ identity, counters: new DynamoSupervisionStore(db), clocks: store, now: () => new Date('2026-12-03T02:00:00Z') }, orgs[0]!, parsePeriod('2026-11')!);
    const sheets = bulletinSheets(data);
    const t1 = performance.now();
    await bulletinWorkbook(sheets, { title: 'bench', creator: 'bench' });
    workbooks.push(performance.now() - t1);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const build = median(builds);
  const xlsx = median(workbooks);
  return [
    { name: '省级通报读取条目（1 万条事件）', value: small.itemsRead, unit: 'items', note: `广东省自然资源厅及所属 ${small.units - 1} 个单位，近 12 期计数器（按年份键查询）；${small.ms.toFixed(0)} ms` },
    { name: '省级通报读取条目（100 万条事件）', value: large.itemsRead, unit: 'items', note: `同上；计数器直接写入（见文件说明）；${large.ms.toFixed(0)} ms；与 1 万条相等即不随历史增长` },
    { name: '全国通报生成时间（3,000 个县级单位）', value: build, unit: 'ms', min: Math.min(...builds), max: Math.max(...builds), runs: builds.length, note: `${counties} 个县级、${orgs.length} 个单位；读取 ${itemsRead} 条计数器；含 SVG 图表、HTML、XLSX` },
    { name: '仅写 XLSX 的时间（同一工作簿）', value: xlsx, unit: 'ms', min: Math.min(...workbooks), max: Math.max(...workbooks), runs: workbooks.length },
    { name: '全国通报 ÷ 仅写 XLSX', value: build / xlsx, unit: 'ratio', note: '生成一份通报的总时间相对于单独写出其 Excel 工作簿的倍数' },
  ];
}
