/**
 * The web console's first screen (issue 13: JS shipped for the first screen, gzip — aim ≤ 350 KB).
 *
 * Builds the console (`npm run build:console`, Vite) and reads Vite's manifest: the first screen after sign-in
 * is the entry chunk (index.html's script), every chunk it imports, and the 待办 page's chunk with its imports
 * (the route `/` loads it at once). Each file gzipped at level 6, the level web servers and CloudFront's
 * compression are near; the stylesheet is reported apart (CSS, not JS). The region table (GB/T 2260) and the
 * other pages are separate chunks loaded when opened.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BenchResult } from './run.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = join(projectRoot, 'dist', 'console');
export const firstScreenAimBytes = 350 * 1024;

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly css?: readonly string[];
  readonly isEntry?: boolean;
}

/** The chunk keys a screen needs: the given ones and everything they import statically. */
function closure(manifest: Record<string, ManifestChunk>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) visit(i);
  };
  roots.forEach(visit);
  return seen;
}

const gzipped = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 6 }).length;

export async function run(): Promise<BenchResult[]> {
  const built = spawnSync('npm', ['run', '--silent', 'build:console'], { cwd: projectRoot, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build:console failed');
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry || !manifest['src/pages/TodoPage.vue']) throw new Error('Vite manifest without the entry or the 待办 page');
  const keys = closure(manifest, [entry, 'src/pages/TodoPage.vue']);
  const js = [...keys].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js'));
  const css = [...new Set([...keys].flatMap((k) => manifest[k]!.css ?? []))];
  const jsBytes = js.reduce((n, f) => n + gzipped(f), 0);
  const jsRaw = js.reduce((n, f) => n + readFileSync(join(dist, f)).length, 0);
  const cssBytes = css.reduce((n, f) => n + gzipped(f), 0);
  const all = Object.values(manifest).filter((c) => c.file.endsWith('.js'));
  const allBytes = all.reduce((n, c) => n + gzipped(c.file), 0);
  return [
    {
      name: 'Console first screen JS (gzip)',
      value: jsBytes / 1024,
      unit: 'KiB',
      note: `${js.length} chunks (${(jsRaw / 1024).toFixed(0)} KiB unzipped): entry + 待办; aim ≤ ${firstScreenAimBytes / 1024} KiB — ${jsBytes <= firstScreenAimBytes ? 'met' : 'MISSED'}`,
    },
    { name: 'Console first screen CSS (gzip)', value: cssBytes / 1024, unit: 'KiB', note: 'Element Plus stylesheet and the app’s' },
    { name: 'Console all JS (gzip)', value: allBytes / 1024, unit: 'KiB', note: `${all.length} chunks, incl. the GB/T 2260 table loaded by the region picker` },
  ];
}
