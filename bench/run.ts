/**
 * `npm run bench [-- <name filter>]`: runs every bench/*.bench.ts (each
 * exports `run(): Promise<BenchResult[]>`), prints one table and writes
 * bench/out/results.json (with the machine it ran on: numbers without their
 * machine mean little).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
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
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

const benchDir = dirname(fileURLToPath(import.meta.url));

function formatValue(r: BenchResult): string {
  if (r.unit === 'ratio') return r.value.toFixed(2);
  if (Math.abs(r.value) >= 100) return r.value.toFixed(0);
  return r.value.toFixed(r.value >= 10 ? 1 : 2);
}

/** East Asian characters are two columns wide in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

export function table(rows: ReadonlyArray<{ bench: string } & BenchResult>): string {
  const cells = rows.map((r) => [r.bench, r.name, formatValue(r), r.unit, r.note ?? '']);
  const head = ['bench', 'measure', 'value', 'unit', 'note'];
  const widths = head.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i] ?? ''))));
  const line = (c: string[]) => c.map((x, i) => pad(x, widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
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
  console.log(`\n${table(rows)}\n`);
  const outDir = join(benchDir, 'out');
  mkdirSync(outDir, { recursive: true });
  const cpu = cpus()[0]?.model ?? 'unknown';
  writeFileSync(
    join(outDir, 'results.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { node: process.version, platform: platform(), release: release(), arch: arch(), cpu, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
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
