/**
 * Bundles every manifest function the way CDK deploys it (infra/constructs/bundling.ts)
 * and reports each bundle's size: used by test/infra/bundle-size.test.ts (every bundle
 * ≤ 250 KB), by bench/cold-start.bench.ts (which imports the written bundles) and by hand:
 *
 *   node --import tsx scripts/bundle-lambdas.ts [ses|smtp] [outdir]
 *
 * One esbuild call for all functions (each entry point its own complete bundle, no
 * shared chunks, exactly as CDK's one-function-per-call builds).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions, lambdaBundling, maxBundleBytes, type MailTransport } from '#infra/constructs/bundling.ts';
import { manifest } from '#infra/manifest.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';

export interface BundleSize {
  readonly name: string;
  /** index.mjs, minified, without its source map. */
  readonly bytes: number;
  /** The written bundle (when an outdir was given). */
  readonly file?: string;
}

export interface Bundled {
  readonly mail: MailTransport;
  readonly sizes: readonly BundleSize[];
  readonly metafile: Metafile;
}

export async function bundleLambdas(mail: MailTransport, opts: { readonly outdir?: string; readonly names?: readonly string[] } = {}): Promise<Bundled> {
  const fns = manifest.functions.filter((f) => !opts.names || opts.names.includes(f.name));
  const outdir = opts.outdir ?? mkdtempSync(join(tmpdir(), 'chengguo-bundles-'));
  const result = await build({
    ...esbuildOptions(lambdaBundling(mail)),
    absWorkingDir: projectRoot,
    entryPoints: Object.fromEntries(fns.map((f) => [f.name, f.entry])),
    outdir,
    outExtension: { '.js': '.mjs' },
    write: opts.outdir !== undefined,
    metafile: true,
  });
  const sizes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, out]) => ({ name: basename(file, '.mjs'), bytes: out.bytes, ...(opts.outdir ? { file: join(projectRoot, file) } : {}) }))
    .sort((a, b) => a.bytes - b.bytes);
  return { mail, sizes, metafile: result.metafile };
}

/** The largest inputs of one bundle, by package or project folder, to say why it is big. */
export function largestInputs(bundled: Bundled, name: string, top = 6): string {
  const out = Object.entries(bundled.metafile.outputs).find(([file]) => basename(file) === `${name}.mjs`)?.[1];
  if (!out) return '';
  const groups = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(out.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
    const key = pkg ?? file.split('/').slice(0, 2).join('/');
    groups.set(key, (groups.get(key) ?? 0) + bytesInOutput);
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, b]) => `${k} ${(b / 1024).toFixed(0)} KB`).join(', ');
}

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mail = (process.argv[2] ?? 'ses') as MailTransport;
  const bundled = await bundleLambdas(mail, process.argv[3] ? { outdir: process.argv[3] } : {});
  for (const s of bundled.sizes) console.log(`${s.bytes > maxBundleBytes ? 'OVER ' : '     '}${kib(s.bytes).padStart(9)}  ${s.name}`);
  const bytes = bundled.sizes.map((s) => s.bytes);
  console.log(`${bytes.length} functions (${mail}): min ${kib(bytes[0] ?? 0)}, median ${kib(bytes[bytes.length >> 1] ?? 0)}, max ${kib(bytes[bytes.length - 1] ?? 0)}; limit ${kib(maxBundleBytes)}`);
}
