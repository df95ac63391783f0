/**
 * Catalogue search latency at 100,000 entries on DynamoDB Local (the local
 * cloud's database): a DynamoDB Local of its own is started on a scratch
 * folder, the registry table created from infra/tables.ts, and 100,000
 * entries with their index items written through the adapter's own
 * `indexItems` (BatchWriteItem; the load is timed too, with the items
 * written per entry). Each search of the set runs `rounds` times through
 * DynamoCatalogueStore.search, interleaved with the floor: a single GetItem
 * of one entry on the same table (what any read of this table costs at
 * least); p50/p95 of both are reported per search and over all, with the
 * DynamoDB requests one page costs.
 *
 * DynamoDB Local runs with -inMemory here (the local cloud keeps its data on
 * disk): loading 1.6 million items into the on-disk store takes over an hour
 * on a laptop, and the query path measured is the same.
 *
 * CHENGGUO_BENCH_CATALOGUE_ENTRIES overrides the entry count (e.g. 10000 for
 * a quick look); CHENGGUO_BENCH_DDB_PORT the port (default 5390).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { catalogueEntryFixture } from '../test/fixtures/catalogue-entry.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCatalogueStore, DynamoCatalogueTableAccess, indexItems, indexPartitions, type CatalogueTableAccess } from '#adapters/dynamo-catalogue.ts';
import { keys } from '#adapters/dynamo.ts';
import { visibleClassifications } from '#shared/catalogue/catalogue.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import type { CatalogueFilter } from '#shared/ports/catalogue.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { SharingMode } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { dynamoClient, ensureTables } from '#infra/local/dynamodb.ts';
import { localTableName } from '#infra/local/ports.ts';
import { Reaper } from '#infra/local/processes.ts';
import { interleaved, spread } from './compare.ts';
import { spawnInMemoryDynamo } from './ddb-local.ts';
import type { BenchResult } from './run.ts';

const entryCount = Number(process.env['CHENGGUO_BENCH_CATALOGUE_ENTRIES'] ?? 100_000);
const port = Number(process.env['CHENGGUO_BENCH_DDB_PORT'] ?? 5390);
const rounds = 30;

const regions = ['440117', '440305', '440100', '440000', '440106', '350102', '350100', '350000', '440117', '440303'];
const places = ['从化区', '南山区', '广州市', '广东省', '天河区', '鼓楼区', '福州市', '福建省', '从化区', '罗湖区'];
const themes: ThemeId[] = ['landSurvey', 'forest', 'landSurvey', 'wetland', 'landSurvey', 'forest', 'landSurvey', 'wetland', 'landSurvey', 'grassland'];
const themeNames: Record<string, string> = { landSurvey: '国土', forest: '森林资源', wetland: '湿地资源', grassland: '草原资源' };
const levels: Classification[] = ['public', 'internal', 'public', 'secret', 'public', 'internal', 'public', 'confidential', 'public', 'internal'];
const modes: SharingMode[] = ['online', 'conditional', 'offline', 'online'];

function entry(i: number): CatalogueEntry {
  const j = i % 10;
  const theme = themes[j]!;
  const date = new Date(Date.UTC(2026, 5, 30) - Math.floor(i / 10) * 86_400_000).toISOString().slice(0, 10);
  return catalogueEntryFixture({
    custodian: regions[j]!.startsWith('44') ? '440000-CUS' : '350000-CUS',
    sequence: i + 1,
    theme,
    name: `${places[j]}${themeNames[theme]}调查成果`,
    content: '调查数据库与图件',
    format: 'GeoPackage',
    spatialScope: { regionCode: regions[j]!, ...(j % 2 === 0 ? { bbox: [113.3 + (j % 3) * 0.2, 22.5, 114.1, 24.0] as [number, number, number, number] } : {}) },
    timePoint: { from: date, to: date },
    classification: levels[j]!,
    sharingMode: modes[i % 4]!,
    submissionId: `bench-${i}`,
    taskId: 'bench',
    createdAt: '2026-07-01T00:00:00.000Z',
    createdBy: 'bench',
    updatedAt: '2026-07-01T00:00:00.000Z',
    updatedBy: 'bench',
  });
}

const secret = visibleClassifications('secret');
const searches: Array<[string, CatalogueFilter]> = [
  ['province', { regionCode: '440000', classifications: secret }],
  ['province, public reader', { regionCode: '440000', classifications: visibleClassifications('public') }],
  ['city + theme', { regionCode: '440100', theme: 'landSurvey', classifications: secret }],
  ['keyword 国土调查', { keywords: ['国土调查'], classifications: secret }],
  ['time range + theme', { theme: 'forest', from: '2026-04-01', to: '2026-06-15', classifications: secret }],
  ['bbox + province', { regionCode: '440000', bbox: [113.0, 23.0, 113.6, 23.8], classifications: secret }],
];

/** Counts requests while passing them to DynamoDB Local. */
class Counted implements CatalogueTableAccess {
  requests = 0;
  constructor(private readonly inner: DynamoCatalogueTableAccess) {}
  get table() {
    return this.inner.table;
  }
  get: CatalogueTableAccess['get'] = (k) => (this.requests++, this.inner.get(k));
  batchGet: CatalogueTableAccess['batchGet'] = (k) => (this.requests++, this.inner.batchGet(k));
  query: CatalogueTableAccess['query'] = (q) => (this.requests++, this.inner.query(q));
  batchWrite: CatalogueTableAccess['batchWrite'] = (p, d) => (this.requests++, this.inner.batchWrite(p, d));
  write: CatalogueTableAccess['write'] = (i, e) => (this.requests++, this.inner.write(i, e));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Where the items per entry come from: keyword partitions (one per distinct
 * bigram/word of the name and the first 300 characters of the content — an
 * exact two-character keyword search needs every one of them as a partition)
 * and the structural ones (ALL, region and region × theme per level, theme,
 * custodian).
 */
function fanOut(): BenchResult[] {
  let keyword = 0;
  let structural = 0;
  for (let i = 0; i < entryCount; i += 1) {
    for (const p of indexPartitions(entry(i))) {
      if (p.startsWith('KW#')) keyword += 1;
      else structural += 1;
    }
  }
  return [
    { name: 'index items per entry: keyword terms', value: keyword / entryCount, unit: 'items', note: 'KW#<bigram>: distinct terms of name + content[0,300)' },
    { name: 'index items per entry: structural', value: structural / entryCount, unit: 'items', note: 'ALL, REG# and RT# per region level, TH#, CU#' },
  ];
}

async function load(access: DynamoCatalogueTableAccess): Promise<number> {
  let next = 0;
  let items = 0;
  const worker = async () => {
    let batch: Record<string, unknown>[] = [];
    while (next < entryCount) {
      const e = entry(next++);
      for (const item of [{ ...keys.catalogueEntry(e.resultNumber), ...e }, ...indexItems(e)]) {
        batch.push(item);
        if (batch.length === 25) {
          await access.batchWrite(batch, []);
          items += batch.length;
          batch = [];
        }
      }
    }
    if (batch.length > 0) {
      await access.batchWrite(batch, []);
      items += batch.length;
    }
  };
  await Promise.all(Array.from({ length: 12 }, worker));
  return items;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'chengguo-bench-ddb-'));
  const reaper = new Reaper();
  const ddb = await spawnInMemoryDynamo(reaper, 'bench', port, join(dir, 'dynamodb.log'));
  const client = dynamoClient(port);
  try {
    await ensureTables(port);
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const access = new DynamoCatalogueTableAccess(localTableName('registry'), doc);
    const t0 = performance.now();
    const items = await load(access);
    const loadSeconds = (performance.now() - t0) / 1000;
    const counted = new Counted(access);
    const store = new DynamoCatalogueStore(counted);

    const results: BenchResult[] = [
      { name: `load ${entryCount.toLocaleString('en')} entries (${items.toLocaleString('en')} items)`, value: loadSeconds, unit: 's', note: 'BatchWriteItem, 12 writers' },
      { name: 'items written per entry', value: items / entryCount, unit: 'items', note: 'the entry plus its index items (keyword fan-out)' },
      ...fanOut(),
    ];
    const all: number[] = [];
    const floorAll: number[] = [];
    let probe = 0;
    for (const [label, filter] of searches) {
      let requests = 0;
      const times = await interleaved(
        {
          search: async () => {
            counted.requests = 0;
            const page = await store.search(filter, { limit: 20 });
            requests = counted.requests;
            if (page.items.length !== 20) throw new Error(`${label}: expected a full page, got ${page.items.length}`);
          },
          getItem: async () => {
            const e = entry((probe = (probe + 7919) % entryCount));
            if (!(await access.get(keys.catalogueEntry(e.resultNumber)))) throw new Error(`GetItem found no ${e.resultNumber}`);
          },
        },
        { runs: rounds },
      );
      const search = [...times.search].sort((a, b) => a - b);
      const floor = [...times.getItem].sort((a, b) => a - b);
      all.push(...search);
      floorAll.push(...floor);
      const p95 = percentile(search, 95);
      const floor95 = percentile(floor, 95);
      results.push({ name: `search p50: ${label}`, value: percentile(search, 50), unit: 'ms', ...spread(search), note: `${requests} requests/page, 20 per page` });
      results.push({
        name: `search p95 / GetItem p95: ${label}`,
        value: p95 / floor95,
        unit: 'ratio',
        note: `p95 ${p95.toFixed(1)} ms against ${floor95.toFixed(1)} ms, ${rounds} interleaved runs each`,
        comparison: { case: `search p95: ${label}`, baseline: 'GetItem p95 (same table)', caseMedian: p95, baselineMedian: floor95, unit: 'ms', ratio: p95 / floor95, runs: rounds, higherIsBetter: false },
      });
    }
    all.sort((a, b) => a - b);
    floorAll.sort((a, b) => a - b);
    const n = entryCount.toLocaleString('en');
    results.push({ name: `search p50, all (${n} entries)`, value: percentile(all, 50), unit: 'ms', ...spread(all), note: 'DynamoDB Local, first page of 20' });
    results.push({ name: `search p95, all (${n} entries)`, value: percentile(all, 95), unit: 'ms' });
    results.push({ name: `GetItem p95, same table (${n} entries)`, value: percentile(floorAll, 95), unit: 'ms', ...spread(floorAll), note: 'baseline: the floor of any read' });
    results.push({
      name: `search p95 / GetItem p95, all (${n} entries)`,
      value: percentile(all, 95) / percentile(floorAll, 95),
      unit: 'ratio',
      note: 'search cost over the cheapest read, same run',
      comparison: { case: `search p95, all (${n} entries)`, baseline: 'GetItem p95 (same table)', caseMedian: percentile(all, 95), baselineMedian: percentile(floorAll, 95), unit: 'ms', ratio: percentile(all, 95) / percentile(floorAll, 95), runs: all.length, higherIsBetter: false },
    });
    return results;
  } finally {
    client.destroy();
    await ddb.stop();
    await reaper.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
