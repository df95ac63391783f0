/**
 * `npm run bench [-- <name filter>]`: runs every bench/*.bench.ts (each
 * exports `run(): Promise<BenchResult[]>`), prints one table and writes
 * bench/out/results.json (with the machine it ran on: numbers without their
 * machine mean little).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  /** What was measured, e.g. "CLI SHA-256 (4 streams)". */
  readonly name: string;
  readonly value: number;
  /** "MiB/s", "ratio", "ms", "bytes", … */
  readonly unit: string;
  /** How to read it (one line). */
  readonly note?: string;
  /** Spread over the timed runs (value is the median). */
  readonly min?: number;
  readonly max?: number;
  readonly runs?: number;
  /** A figure computed from assumptions, not measured: the table says MODELLED. */
  readonly modelled?: boolean;
  /** On a ratio row: what was compared (for the summary table). */
  readonly comparison?: {
    readonly case: string;
    readonly baseline: string;
    readonly caseMedian: number;
    readonly baselineMedian: number;
    readonly unit: string;
    readonly ratio: number;
    readonly runs: number;
    readonly higherIsBetter: boolean;
  };
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

const benchDir = dirname(fileURLToPath(import.meta.url));

function formatNumber(value: number | undefined, unit: string): string {
  if (value === undefined) return '';
  if (Number.isNaN(value)) return '—';
  if (unit === 'ratio') return value.toFixed(2);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}
const formatValue = (r: BenchResult) => formatNumber(r.value, r.unit);

/** East Asian characters are two columns wide in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function grid(head: string[], cells: string[][]): string {
  const widths = head.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i] ?? ''))));
  const line = (c: string[]) => c.map((x, i) => pad(x, widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Every figure: the median as value, with min and max where it was run more than once. */
export function table(rows: ReadonlyArray<{ bench: string } & BenchResult>): string {
  return grid(
    ['bench', 'measure', 'min', 'median', 'max', 'unit', 'note'],
    rows.map((r) => [
      r.bench,
      r.modelled ? `MODELLED ${r.name}` : r.name,
      formatNumber(r.min, r.unit),
      formatValue(r),
      formatNumber(r.max, r.unit),
      r.unit,
      `${r.modelled ? 'modelled from assumptions, not measured; ' : ''}${r.note ?? ''}`,
    ]),
  );
}

/** One line per comparison: case and baseline medians and their ratio. */
export function summary(rows: ReadonlyArray<{ bench: string } & BenchResult>): string {
  return grid(
    ['bench', 'case', 'baseline', 'case (median)', 'baseline (median)', 'ratio', 'runs'],
    rows.flatMap((r) =>
      r.comparison
        ? [
            [
              r.bench,
              r.comparison.case,
              r.comparison.baseline,
              `${formatNumber(r.comparison.caseMedian, r.comparison.unit)} ${r.comparison.unit}`,
              `${formatNumber(r.comparison.baselineMedian, r.comparison.unit)} ${r.comparison.unit}`,
              `${r.comparison.ratio.toFixed(2)}${r.comparison.higherIsBetter ? ' (>1 faster)' : ' (<1 faster)'}`,
              String(r.comparison.runs),
            ],
          ]
        : [],
    ),
  );
}

async function main(filter: string | undefined): Promise<number> {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  if (files.length === 0) {
    console.error(`no bench/*.bench.ts${filter ? ` matching “${filter}”` : ''}`);
    return 1;
  }
  const rows: Array<{ bench: string } & BenchResult> = [];
  const loadStart = loadavg();
  let failed = 0;
  for (const file of files) {
    const bench = file.replace(/\.bench\.ts$/, '');
    const started = Date.now();
    process.stdout.write(`running ${bench} …\n`);
    try {
      const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as BenchModule;
      const results = await mod.run();
      rows.push(...results.map((r) => ({ bench, ...r })));
      process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failed += 1;
      console.error(`  ${bench} failed:`, error);
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  const loadEnd = loadavg();
  const machine = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpu} · ${cpus().length} cores · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version} · load average ${loadStart.map((l) => l.toFixed(1)).join('/')} at start, ${loadEnd.map((l) => l.toFixed(1)).join('/')} at end`;
  console.log(`\n${table(rows)}\n`);
  console.log(`summary — case against baseline, interleaved runs, ratio of medians\n${machine}\n\n${summary(rows)}\n`);
  const outDir = join(benchDir, 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'results.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { loadAverageStart: loadStart, loadAverageEnd: loadEnd, node: process.version, platform: platform(), release: release(), arch: arch(), cpu, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
        results: rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results written to ${join('bench', 'out', 'results.json')}`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv[2]);
}
