/**
 * Audited writes under load (issue 10): 1, 10 and 50 concurrent writers,
 * each from a different organisation (spread over the provinces), each
 * writing new registry items one after another. Contenders, interleaved in
 * the same run on one in-memory DynamoDB Local (bench/ddb-local.ts):
 *  - plain: the same domain item in a TransactWriteItems call of its own,
 *    no audit record (the floor);
 *  - audited: auditedWrite as the handlers call it (the chain of the
 *    writer's province, shared/audit/shards.ts);
 *  - audited, one chain: auditedWrite with every shard mapped onto the one
 *    national chain (the design before sharding), for the comparison.
 * Per run: audited writes per second (successes / wall time), per-write
 * latency p95 (retries included), writes refused as AUDIT_CHAIN_BUSY.
 * Rounds alternate the contenders' order; min / median / max over the runs.
 *
 * The AWS ceiling is MODELLED, not measured (no AWS account here): DynamoDB
 * allows ≈1,000 write units per second on one partition and a transactional
 * write of an item ≤ 1 KB costs 2 units, so one head item caps the whole
 * country at ≈500 audited writes/s even without contention; with contention
 * only one writer per head version can win, so a chain advances at most
 * once per read-and-commit round trip.
 *
 * CHENGGUO_BENCH_AUDIT_WRITES (writes per run per concurrency level, default
 * 120) and CHENGGUO_BENCH_AUDIT_DDB_PORT (default 5392).
 */
import { performance } from 'node:perf_hooks';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditChainStore } from '#adapters/audited-write.ts';
import { DynamoAuditChainStore } from '#adapters/dynamo-audit.ts';
import { localTableName } from '#infra/local/ports.ts';
import { nationalShard, provinceShards } from '#shared/audit/shards.ts';
import { defaultRuns, spread } from './compare.ts';
import { startBenchDynamo } from './ddb-local.ts';
import type { BenchResult } from './run.ts';

const port = Number(process.env['CHENGGUO_BENCH_AUDIT_DDB_PORT'] ?? 5392);
const writesPerRun = Number(process.env['CHENGGUO_BENCH_AUDIT_WRITES'] ?? 120);
const levels = (process.env['CHENGGUO_BENCH_AUDIT_WRITERS'] ?? '1,10,50').split(',').map(Number);

interface Trial {
  readonly ok: number;
  readonly busy: number;
  readonly seconds: number;
  readonly latencies: number[];
}

function p95(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] ?? NaN;
}

/** Every shard onto the one national chain: the single-head design, for comparison in the same run. */
function oneChain(store: AuditChainStore): AuditChainStore {
  return {
    logsTable: store.logsTable,
    shardOf: () => nationalShard,
    readHead: (shard) => store.readHead(shard),
    readRecords: (after, shard) => store.readRecords(after, shard),
    transactWrite: (items) => store.transactWrite(items),
    ...(store.getItem ? { getItem: store.getItem.bind(store) } : {}),
  };
}

export async function run(): Promise<BenchResult[]> {
  const ddb = await startBenchDynamo(port, 'audit');
  const registry = localTableName('registry');
  const store = new DynamoAuditChainStore(localTableName('logs'), () => ddb.doc);
  const single = oneChain(store);
  let serial = 0;
  const item = (writer: number) => ({
    Put: {
      TableName: registry,
      Item: { pk: `BENCH#${writer}#${(serial += 1)}`, sk: 'META', writer, payload: 'x'.repeat(200) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const org = (writer: number) => `${provinceShards[writer % provinceShards.length]}0000-B${String(writer).padStart(3, '0')}`;

  const contenders: Record<string, (writer: number) => Promise<void>> = {
    plain: async (w) => void (await ddb.doc.send(new TransactWriteCommand({ TransactItems: [item(w)] }))),
    audited: async (w) =>
      void (await auditedWrite({ items: [{ item: item(w) }], entry: { actor: `bench.${w}`, orgCode: org(w), action: 'bench.write', target: `BENCH#${w}`, outcome: 'success', requestId: `r${serial}` }, store })),
    'audited, one chain': async (w) =>
      void (await auditedWrite({ items: [{ item: item(w) }], entry: { actor: `bench.${w}`, orgCode: org(w), action: 'bench.write', target: `BENCH#${w}`, outcome: 'success', requestId: `r${serial}` }, store: single })),
  };
  const names = Object.keys(contenders);

  async function trial(write: (w: number) => Promise<void>, writers: number): Promise<Trial> {
    const each = Math.max(2, Math.ceil(writesPerRun / writers));
    const latencies: number[] = [];
    let ok = 0;
    let busy = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < each; i += 1) {
          const s = performance.now();
          try {
            await write(w);
            ok += 1;
            latencies.push(performance.now() - s);
          } catch (error) {
            if ((error as { code?: string }).code === 'AUDIT_CHAIN_BUSY') busy += 1;
            else throw error;
          }
        }
      }),
    );
    return { ok, busy, seconds: (performance.now() - t0) / 1000, latencies };
  }

  const results: BenchResult[] = [];
  try {
    for (const writers of levels) {
      const trials = Object.fromEntries(names.map((n) => [n, [] as Trial[]])) as Record<string, Trial[]>;
      for (let round = -1; round < defaultRuns; round += 1) {
        const order = round % 2 === 0 ? names : [...names].reverse();
        for (const name of order) {
          const t = await trial(contenders[name]!, writers);
          if (round >= 0) trials[name]!.push(t);
        }
      }
      const rate = (n: string) => spread(trials[n]!.map((t) => t.ok / t.seconds));
      const lat = (n: string) => spread(trials[n]!.map((t) => p95(t.latencies)));
      const busy = (n: string) => trials[n]!.reduce((a, t) => a + t.busy, 0);
      const attempted = (n: string) => trials[n]!.reduce((a, t) => a + t.busy + t.ok, 0);
      const base = rate('plain');
      for (const n of names) {
        const r = rate(n);
        const l = lat(n);
        results.push({ name: `${writers} writer(s), ${n}: writes/s`, value: r.median, unit: 'writes/s', ...r, note: n === 'plain' ? 'baseline: same items, no audit record' : `${busy(n)} of ${attempted(n)} refused AUDIT_CHAIN_BUSY` });
        results.push({ name: `${writers} writer(s), ${n}: p95 latency`, value: l.median, unit: 'ms', ...l, note: 'per write, retries included' });
        if (n !== 'plain') {
          results.push({
            name: `${writers} writer(s), ${n} / plain`,
            value: r.median / base.median,
            unit: 'ratio',
            note: `ratio of median writes/s, >1 = case faster, ${r.runs} interleaved runs each`,
            comparison: { case: `${writers} writer(s), ${n}`, baseline: `${writers} writer(s), plain`, caseMedian: r.median, baselineMedian: base.median, unit: 'writes/s', ratio: r.median / base.median, runs: r.runs, higherIsBetter: true },
          });
        }
      }
    }
  } finally {
    await ddb.close();
  }
  results.push(
    { name: 'AWS ceiling, one head item', value: 500, unit: 'writes/s', modelled: true, note: 'MODELLED: 1,000 WCU/s per partition ÷ 2 WCU per transactional write of the head' },
    { name: 'AWS ceiling, per-province chains', value: 500 * (provinceShards.length + 1), unit: 'writes/s', modelled: true, note: `MODELLED: ${provinceShards.length + 1} heads (provinces + national), each ≤ 500/s; one province still ≤ 500/s` },
  );
  return results;
}
