/**
 * Case against baseline, the way every bench measures: both run in the same
 * process and the same minutes, interleaved (A B, then B A, …: whatever load
 * the machine has hits both alike), at least 5 timed runs each after a
 * warm-up; min / median / max of each and the ratio of the medians.
 */
import { performance } from 'node:perf_hooks';
import type { BenchResult } from './run.ts';

export const defaultRuns = Math.max(5, Number(process.env['CHENGGUO_BENCH_RUNS'] ?? 5));

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: number;
}

export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number, runs: s.length };
}

/**
 * Times each contender `runs` times (ms), alternating the order each round;
 * `warmup` untimed rounds first. A contender may return a check that throws
 * (digests differ, a page is short): a wrong answer fast is no result.
 */
export async function interleaved<K extends string>(
  contenders: Record<K, () => unknown>,
  opts: { runs?: number; warmup?: number } = {},
): Promise<Record<K, number[]>> {
  const names = Object.keys(contenders) as K[];
  const runs = Math.max(5, opts.runs ?? defaultRuns);
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = -(opts.warmup ?? 1); round < runs; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const t0 = performance.now();
      await contenders[name]();
      const ms = performance.now() - t0;
      if (round >= 0) times[name].push(ms);
    }
  }
  return times;
}

/**
 * Rows for one comparison: the case, the baseline (min/median/max each) and
 * the ratio of medians. `per` turns a run's milliseconds into the unit shown
 * (e.g. MiB/s); `higherIsBetter` says which way the unit points, and the
 * ratio is always "case relative to baseline" in that unit's sense:
 * for times case/baseline (<1 = case faster), for rates case/baseline
 * (>1 = case faster).
 */
export function comparison(opts: {
  caseName: string;
  baselineName: string;
  caseMs: readonly number[];
  baselineMs: readonly number[];
  unit?: string;
  per?: (ms: number) => number;
  higherIsBetter?: boolean;
  note?: string;
  baselineNote?: string;
  ratioName?: string;
}): BenchResult[] {
  const per = opts.per ?? ((ms: number) => ms);
  const unit = opts.unit ?? 'ms';
  const c = spread(opts.caseMs.map(per));
  const b = spread(opts.baselineMs.map(per));
  const ratio = c.median / b.median;
  const sense = opts.higherIsBetter ? '>1 = case faster' : '<1 = case faster';
  return [
    { name: opts.caseName, value: c.median, unit, ...c, ...(opts.note ? { note: opts.note } : {}) },
    { name: opts.baselineName, value: b.median, unit, ...b, note: `baseline${opts.baselineNote ? `: ${opts.baselineNote}` : ''}` },
    {
      name: opts.ratioName ?? `${opts.caseName} / ${opts.baselineName}`,
      value: ratio,
      unit: 'ratio',
      note: `ratio of medians (${unit}), ${sense}, ${c.runs} interleaved runs each`,
      comparison: { case: opts.caseName, baseline: opts.baselineName, caseMedian: c.median, baselineMedian: b.median, unit, ratio, runs: c.runs, higherIsBetter: Boolean(opts.higherIsBetter) },
    },
  ];
}
