/**
 * Public catalogue rebuild (R9.3), against a baseline measured in the same run.
 * - build: buildPublicCatalogue over N public provincial/national entries
 *   (N = 1,000, 10,000, 50,000): time, files and bytes produced; baseline =
 *   writing the same bytes: JSON.stringify of the very documents the build
 *   put in its files (the other files' text encoded as is), so case and
 *   baseline produce the same bytes (checked). Interleaved, ≥ 5 runs.
 * - publish: publishPublicCatalogue end to end (N = 1,000, 10,000) over the
 *   catalogue store the unit tests use (DynamoCatalogueStore over the
 *   in-memory registry table) and in-memory files: the CPU the publisher
 *   itself spends, with the DynamoDB queries and S3 PUT rounds it would make.
 *   The network is not measured; a MODELLED row turns the counts into an
 *   estimate for the 300 s publisher Lambdas and the 29 s refresh route
 *   (assumed latencies, said so in the output).
 */
import { performance } from 'node:perf_hooks';
import { catalogueEntryFixture } from '../test/fixtures/catalogue-entry.ts';
import { indexItems, DynamoCatalogueStore } from '#adapters/dynamo-catalogue.ts';
import { keys } from '#adapters/dynamo.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { buildPublicCatalogue, isPublishable, type PublicFile } from '#shared/catalogue/public/build.ts';
import { publishPublicCatalogue, writeConcurrency, type PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import { publisherMemoryMb } from '#infra/manifest.ts';
import { catalogueEntrySchema, type CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { SharingMode } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { CountingCatalogueTable } from '../test/unit/catalogue-fakes.ts';
import { comparison, interleaved, spread } from './compare.ts';
import type { BenchResult } from './run.ts';

// Provincial (xx0000) and national (100000) custodians: every entry below is published.
const custodians = ['440000-CUS', '440000-CUS', '350000-CUS', '100000-CUS', '440000-CUS', '350000-CUS', '440000-CUS', '100000-CUS', '440000-CUS', '350000-CUS'];
const regions = ['440117', '440305', '350102', '100000', '440000', '350100', '440100', '100000', '440106', '350000'];
const places = ['从化区', '南山区', '鼓楼区', '全国', '广东省', '福州市', '广州市', '全国', '天河区', '福建省'];
const themes: ThemeId[] = ['landSurvey', 'forest', 'landSurvey', 'wetland', 'landSurvey', 'forest', 'grassland', 'landSurvey', 'wetland', 'landCover'];
const themeNames: Record<string, string> = { landSurvey: '国土', forest: '森林资源', wetland: '湿地资源', grassland: '草原资源', landCover: '地表覆盖' };
const modes: SharingMode[] = ['online', 'conditional', 'offline', 'online'];
const orgNames = new Map([
  ['440000-CUS', '广东省自然资源技术中心'],
  ['350000-CUS', '福建省自然资源信息中心'],
  ['100000-CUS', '自然资源部信息中心'],
  ['440000-IMP', '广东省国土资源测绘院'],
]);

function entry(i: number): CatalogueEntry {
  const j = i % 10;
  const custodian = custodians[j]!;
  const theme = themes[j]!;
  const day = new Date(Date.UTC(2026, 5, 30) - Math.floor(i / 10) * 86_400_000).toISOString().slice(0, 10);
  return catalogueEntryFixture({
    custodian,
    sequence: i + 1,
    theme,
    name: `${places[j]}${themeNames[theme]}调查成果（公开版）第${i + 1}号`,
    spatialScope: { regionCode: regions[j]!, ...(j % 2 === 0 ? { bbox: [113.3 + (j % 3) * 0.2, 22.5, 114.1, 24.0] as [number, number, number, number] } : {}) },
    timePoint: j % 3 === 0 ? { from: `${day.slice(0, 4)}-01-01`, to: day } : { from: day, to: day },
    sharingMode: modes[i % 4]!,
    provider: j % 4 === 0 ? custodian : '440000-IMP',
    submissionId: `bench-${i}`,
    taskId: 'bench',
    createdAt: '2026-07-01T00:00:00.000Z',
    createdBy: 'bench',
    updatedAt: '2026-07-01T00:00:00.000Z',
    updatedBy: 'bench',
  });
}

function entries(n: number): CatalogueEntry[] {
  const out = Array.from({ length: n }, (_, i) => entry(i));
  for (const e of out) {
    catalogueEntrySchema.parse(e);
    if (!isPublishable(e)) throw new Error(`${e.resultNumber} would not be published`);
  }
  return out;
}

/** The published prefix in memory (as the unit tests' files port): every PUT kept, LastModified from a clock. */
class MemoryFiles implements PublicCatalogueFiles {
  readonly objects = new Map<string, { file: PublicFile; at: Date }>();
  puts = 0;
  async list() {
    return [...this.objects].map(([key, o]) => ({ key, lastModified: o.at }));
  }
  async put(key: string, file: PublicFile) {
    this.puts += 1;
    this.objects.set(key, { file, at: new Date() });
  }
  async delete(keyList: readonly string[]) {
    for (const k of keyList) this.objects.delete(k);
  }
}

const fmt = (n: number) => n.toLocaleString('en');
const generatedAt = new Date('2026-11-28T18:00:00.000Z');

async function benchBuild(n: number): Promise<BenchResult[]> {
  const list = entries(n);
  let files = buildPublicCatalogue(list, { generatedAt, orgNames });
  const items = [...files.keys()].filter((k) => k.includes('/items/')).length;
  if (items !== n) throw new Error(`build of ${n} entries wrote ${items} items`);
  let bytes = 0;
  for (const f of files.values()) bytes += Buffer.byteLength(f.body);
  // The same documents, to write out again: JSON files parsed back, the others (HTML) as text.
  // Each JSON document is written back in its own layout (compact or indented), so the baseline writes the very same bytes.
  const docs = [...files.values()].map((f) => {
    if (!f.contentType.includes('json')) return { text: f.body };
    const json = JSON.parse(f.body) as unknown;
    const indent = [undefined, 2, '\t'].find((i) => JSON.stringify(json, null, i) === f.body || `${JSON.stringify(json, null, i)}\n` === f.body);
    return { json, indent, newline: f.body.endsWith('\n') };
  });
  let floorBytes = 0;
  const times = await interleaved({
    build: () => {
      files = buildPublicCatalogue(list, { generatedAt, orgNames });
    },
    floor: () => {
      floorBytes = 0;
      for (const d of docs) floorBytes += Buffer.byteLength('json' in d ? `${JSON.stringify(d.json, null, d.indent)}${d.newline ? '\n' : ''}` : d.text);
    },
  });
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  return comparison({
    caseName: `build, ${fmt(n)} entries`,
    baselineName: `writing the same bytes, ${fmt(n)} entries`,
    caseMs: times.build,
    baselineMs: times.floor,
    note: `${fmt(files.size)} files, ${mib(bytes)} MiB`,
    baselineNote: `JSON.stringify of the same documents (${mib(floorBytes)} MiB${floorBytes === bytes ? ', same bytes' : `; the build's ${mib(bytes)} MiB differ only in layout`})`,
    ratioName: `build / writing the same bytes, ${fmt(n)} entries`,
  });
}

/**
 * Lambda CPU is proportional to memory (1,769 MB = one vCPU); the publishers
 * run at the manifest's memory (publisherMemoryMb). S3 PUT ≈ 30 ms
 * and a DynamoDB Query page ≈ 10 ms are typical same-region latencies; the
 * PUTs go in rounds of `writeConcurrency`. Assumptions, not measurements.
 */
const lambdaCpuFactor = 1769 / Math.min(publisherMemoryMb, 1769);
const putRoundMs = 30;
const queryMs = 10;

async function benchPublish(n: number, rounds = 5): Promise<BenchResult[]> {
  const table = new CountingCatalogueTable(new InMemoryTables());
  table.load(entries(n).flatMap((e) => [{ ...keys.catalogueEntry(e.resultNumber), ...e }, ...indexItems(e)]));
  const store = new DynamoCatalogueStore(table);
  const ports = (files: MemoryFiles) => ({ catalogue: store, orgName: async (code: string) => orgNames.get(code), files, now: () => new Date() });
  const times: number[] = [];
  let queries = 0;
  let puts = 0;
  for (let r = 0; r <= rounds; r++) {
    const files = new MemoryFiles();
    table.resetCounts();
    const t = performance.now();
    const result = await publishPublicCatalogue(ports(files));
    if (r > 0) times.push(performance.now() - t); // round 0 warms up
    if (result.entries !== n) throw new Error(`published ${result.entries} of ${n} entries`);
    queries = table.total();
    puts = files.puts;
  }
  const measured = spread(times);
  const cpu = measured.median;
  const putRounds = Math.ceil((puts - 3) / writeConcurrency) + 3;
  const estimate = (cpu * lambdaCpuFactor + putRounds * putRoundMs + queries * queryMs) / 1000;
  // A 2× margin: the network figures are typical, not worst case, and the SDK's own CPU per PUT is not counted.
  const verdict =
    estimate * 2 < 29 ? 'fits the 29 s refresh route and the 300 s publishers' : estimate * 2 < 300 ? 'fits the 300 s publishers; the 29 s refresh route is at risk' : 'the 300 s publishers are at risk';
  return [
    { name: `publish end to end, ${fmt(n)} entries`, value: cpu, unit: 'ms', ...measured, note: `in-memory store + files; ${fmt(queries)} table requests, ${fmt(puts)} PUTs` },
    { name: `est. on Lambda ${publisherMemoryMb} MB, ${fmt(n)} entries`, value: estimate, unit: 's', modelled: true, note: `CPU ×${lambdaCpuFactor.toFixed(1)} + ${fmt(putRounds)} PUT rounds ×${putRoundMs} ms + requests ×${queryMs} ms: ${verdict}` },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const started = performance.now();
  const results: BenchResult[] = [...(await benchBuild(1_000)), ...(await benchBuild(10_000))];
  // 50,000 only while the whole bench stays short: a 10k build predicts a 50k one (×5 or worse).
  const tenK = results.find((r) => r.name === 'build, 10,000 entries')!.value;
  if (tenK * 5 * 12 < 60_000) results.push(...(await benchBuild(50_000)));
  else results.push({ name: 'build, 50,000 entries', value: Number.NaN, unit: 'ms', note: `skipped: 10,000 took ${tenK.toFixed(0)} ms` });
  results.push(...(await benchPublish(1_000)), ...(await benchPublish(10_000)));
  results.push({ name: 'whole public-catalogue bench', value: (performance.now() - started) / 1000, unit: 's' });
  return results;
}
