/**
 * Lambda cold start (issue 10): each bundle built exactly as CDK deploys it
 * (scripts/bundle-lambdas.ts → infra/constructs/bundling.ts) is imported in a
 * fresh Node process, against the baseline a user would otherwise ship: a bare
 * handler that imports the same AWS SDK packages the bundle imports and does
 * nothing else. Both run from the same folder, so both resolve the SDK from the
 * project's node_modules (on Lambda: the runtime's). Measured inside the child
 * process, from just before `import()` to just after, so Node's own start-up
 * (the same for both) is left out. Interleaved, ≥ 5 runs each (compare.ts).
 *
 * A second comparison decides bundled vs runtime-provided SDK: the same
 * function with the SDK bundled in (esbuild `external: []`) against the
 * deployed bundle (SDK external), both imported the same way.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions, lambdaBundling } from '#infra/constructs/bundling.ts';
import { functionByName } from '#infra/manifest.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';
import { bundleLambdas, kib } from '../scripts/bundle-lambdas.ts';
import { comparison, interleaved } from './compare.ts';
import type { BenchResult } from './run.ts';

// PingWait: a mail sender, which now imports the Lambda client to hand its mail to SendMail (issue 10).
// RenderBulletin: the bulletin's charts and workbook writers (d3 and write-excel-file since session 8).
export const coldStartFunctions = ['HealthCheck', 'GetSubmission', 'DecideHumanTask', 'PingWait', 'RenderBulletin'] as const;

/** Milliseconds to import one module in a fresh process (its own clock, Node start-up excluded). */
export function coldImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`cold import of ${file}: no time printed (${out})`);
  return ms;
}

export async function run(): Promise<BenchResult[]> {
  // Inside the project, so the bundles resolve the SDK from its node_modules as Lambda resolves the runtime's.
  const dir = join(projectRoot, 'bench', 'out', 'cold-start');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bundled = await bundleLambdas('ses', { names: [...coldStartFunctions], outdir: dir });
  const rows: BenchResult[] = [];
  for (const name of coldStartFunctions) {
    const file = bundled.sizes.find((s) => s.name === name)?.file;
    if (!file) throw new Error(`cold-start: ${name} was not bundled`);
    const out = Object.values(bundled.metafile.outputs).find((o) => o.entryPoint === functionByName(name).entry)!;
    const sdk = [...new Set(out.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
    const bare = join(dir, `${name}.bare.mjs`);
    writeFileSync(bare, `${sdk.map((p, i) => `import * as sdk${i} from '${p}';`).join('\n')}\nexport const handler = async () => ({ statusCode: 200, body: String(${sdk.length ? sdk.map((_, i) => `Object.keys(sdk${i}).length`).join(' + ') : 0}) });\n`);
    // The same function with the SDK inside the bundle instead of left to the runtime.
    const inlined = join(dir, `${name}.sdk-bundled.mjs`);
    await build({ ...esbuildOptions(lambdaBundling('ses')), external: [], absWorkingDir: projectRoot, entryPoints: [functionByName(name).entry], outfile: inlined, write: true });

    const times = await interleaved({ bundle: () => coldImportMs(file), bare: () => coldImportMs(bare), inlined: () => coldImportMs(inlined) });
    rows.push(
      ...comparison({
        caseName: `${name} cold import (${kib(out.bytes)}, SDK from the runtime)`,
        baselineName: `bare handler importing ${sdk.length ? sdk.join(', ') : 'no SDK'}`,
        caseMs: times.bundle,
        baselineMs: times.bare,
        ratioName: `${name} cold import / bare handler`,
        note: 'import() in a fresh node process, Node start-up excluded; goal ≤ 2',
      }),
      ...comparison({
        caseName: `${name} cold import, SDK bundled in (${kib(statSync(inlined).size)})`,
        baselineName: `${name} cold import, SDK from the runtime`,
        caseMs: times.inlined,
        baselineMs: times.bundle,
        ratioName: `${name} SDK bundled / SDK external`,
        note: 'decides bundled vs runtime-provided SDK (docs/performance.md)',
      }),
    );
  }
  return rows;
}
