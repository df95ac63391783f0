/**
 * Catalogue search latency at 100,000 entries on DynamoDB Local (the local
 * cloud's database), against the floor: a single GetItem of one entry on the
 * same table, in the same run, interleaved (search, GetItem, then GetItem,
 * search, …).
 *
 * The load is NOT the registration path: the items registration writes (the
 * entry and its index items, the adapter's own `indexItems`) are put
 * directly with BatchWriteItem, 12 writers — registering 100,000 entries
 * through the API took 11 minutes and did not finish under load. The load is
 * timed and printed with the items written per entry; the search is what is
 * measured, through DynamoCatalogueStore.search (the route's own code), first
 * page of 20.
 *
 * Each search of the set (a two-character keyword, region + theme, a time
 * range, …) runs CHENGGUO_BENCH_RUNS (≥ 5) timed runs after a warm-up; a run
 * is 40 searches interleaved with 40 GetItems, and gives one p95 of each.
 * Printed: min / median / max of the per-run p95 (and p50) and the ratio of
 * the medians of p95, per search and over all searches, with the DynamoDB
 * requests one page costs.
 *
 * DynamoDB Local runs with -inMemory here (the local cloud keeps its data on
 * disk): loading 2.4 million items into the on-disk store takes over an hour
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
import { comparison, defaultRuns, spread } from './compare.ts';
import { spawnInMemoryDynamo } from './ddb-local.ts';
import type { BenchResult } from './run.ts';

const entryCount = Number(process.env['CHENGGUO_BENCH_CATALOGUE_ENTRIES'] ?? 100_000);
const port = Number(process.env['CHENGGUO_BENCH_DDB_PORT'] ?? 5390);
const runs = Math.max(5, defaultRuns);
/** Searches (and GetItems) per run: one p95 per run. */
const perRun = 40;

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
/** The searches measured; the first three are the ones issue 10 names (a two-character keyword, region + theme, a time range). */
const searches: Array<[string, CatalogueFilter]> = [
  ['keyword 森林 (two characters)', { keywords: ['森林'], classifications: secret }],
  ['region 440100 + theme landSurvey', { regionCode: '440100', theme: 'landSurvey', classifications: secret }],
  ['time range 2026-04-01..2026-06-15', { from: '2026-04-01', to: '2026-06-15', classifications: secret }],
  ['province 440000', { regionCode: '440000', classifications: secret }],
  ['province 440000, public reader', { regionCode: '440000', classifications: visibleClassifications('public') }],
  ['keyword 国土调查 (four characters)', { keywords: ['国土调查'], classifications: secret }],
  ['time range + theme forest', { theme: 'forest', from: '2026-04-01', to: '2026-06-15', classifications: secret }],
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
  const started = performance.now();
  const progress = setInterval(() => process.stdout.write(`  loaded ${next.toLocaleString('en')} of ${entryCount.toLocaleString('en')} entries (${items.toLocaleString('en')} items) in ${((performance.now() - started) / 1000).toFixed(0)} s\n`), 30_000);
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
  try {
    await Promise.all(Array.from({ length: 12 }, worker));
  } finally {
    clearInterval(progress);
  }
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
      {
        name: `load ${entryCount.toLocaleString('en')} entries (${items.toLocaleString('en')} items)`,
        value: loadSeconds,
        unit: 's',
        note: 'NOT the registration path: the items registration writes, put with BatchWriteItem (12 writers); the search below is what is measured',
      },
      { name: 'items written per entry', value: items / entryCount, unit: 'items', note: 'the entry plus its index items (keyword fan-out)' },
      ...fanOut(),
    ];
    const n = entryCount.toLocaleString('en');
    // samples[search][run] = the run's times (ms)
    const searchTimes = searches.map(() => [] as number[][]);
    const floorTimes = searches.map(() => [] as number[][]);
    const requests = searches.map(() => 0);
    let probe = 0;
    const getItem = async () => {
      const e = entry((probe = (probe + 7919) % entryCount));
      if (!(await access.get(keys.catalogueEntry(e.resultNumber)))) throw new Error(`GetItem found no ${e.resultNumber}`);
    };
    for (let run = -1; run < runs; run += 1) {
      for (const [i, [label, filter]] of searches.entries()) {
        const search = async () => {
          counted.requests = 0;
          const page = await store.search(filter, { limit: 20 });
          requests[i] = counted.requests;
          if (page.items.length !== 20) throw new Error(`${label}: expected a full page, got ${page.items.length}`);
        };
        const s: number[] = [];
        const g: number[] = [];
        for (let k = 0; k < perRun; k += 1) {
          const pair: Array<[() => Promise<void>, number[]]> = (k + run) % 2 === 0 ? [[search, s], [getItem, g]] : [[getItem, g], [search, s]];
          for (const [work, into] of pair) {
            const t0 = performance.now();
            await work();
            into.push(performance.now() - t0);
          }
        }
        // run -1 warms up (JIT, DynamoDB Local's caches) and is not counted
        if (run >= 0) {
          searchTimes[i]!.push(s);
          floorTimes[i]!.push(g);
        }
      }
    }
    const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);
    for (const [i, [label]] of searches.entries()) {
      const rowsOf = comparison({
        caseName: `search p95: ${label}`,
        baselineName: `GetItem p95 beside: ${label}`,
        caseMs: searchTimes[i]!.map((xs) => p(xs, 95)),
        baselineMs: floorTimes[i]!.map((xs) => p(xs, 95)),
        note: `${requests[i]} DynamoDB requests/page, first page of 20; p95 of ${perRun} searches per run`,
        baselineNote: `single GetItem, same table, interleaved, p95 of ${perRun} per run`,
        ratioName: `search p95 / GetItem p95: ${label}`,
      });
      results.push({ name: `search p50: ${label}`, value: spread(searchTimes[i]!.map((xs) => p(xs, 50))).median, unit: 'ms', ...spread(searchTimes[i]!.map((xs) => p(xs, 50))), note: 'median of the per-run p50' }, ...rowsOf);
    }
    const perRunAll = (times: number[][][]) => Array.from({ length: runs }, (_, r) => p(times.flatMap((t) => t[r]!), 95));
    results.push(
      ...comparison({
        caseName: `search p95, all searches (${n} entries)`,
        baselineName: `GetItem p95, same table (${n} entries)`,
        caseMs: perRunAll(searchTimes),
        baselineMs: perRunAll(floorTimes),
        note: `DynamoDB Local in memory, ${searches.length} searches × ${perRun} per run`,
        baselineNote: 'the floor of any read of this table, interleaved',
        ratioName: `search p95 / GetItem p95, all (${n} entries)`,
      }),
    );
    return results;
  } finally {
    client.destroy();
    await ddb.stop();
    await reaper.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
