import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 10: two ways of writing an import make every Lambda bundle far larger, and
 * neither shows until the bundles are measured (test/infra/bundle-size.test.ts).
 * This test names the file at once, in the folders that go into the Lambdas.
 */
const folders = ['functions', 'runtime', 'adapters', 'shared'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative('.', join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

const files = folders.flatMap(tsFiles).map((file) => ({ file, source: readFileSync(file, 'utf8') }));

describe('issue 10: imports that keep Lambda bundles small', () => {
  it('reads the Lambda folders', () => {
    expect(files.length).toBeGreaterThan(150);
  });

  it("imports zod as a namespace (`import * as z from 'zod'`): `import { z }` bundles all of zod, its 64 locales included (~450 KB)", () => {
    const named = files.filter(({ source }) => /^import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*'zod';/m.test(source)).map(({ file }) => file);

    expect(named).toEqual([]);
  });

  it("uses zod/mini, not zod's classic API (`from 'zod'`): classic schemas carry every method, ~104 KB in every bundle against 35–45 KB", () => {
    const classic = files.filter(({ source }) => /^import\s[^;]*\sfrom\s*'zod(\/v4)?';/m.test(source) && !/^import\s+type\s/m.test(source.match(/^import\s[^;]*\sfrom\s*'zod(\/v4)?';/m)![0])).map(({ file }) => file);

    expect(classic).toEqual([]);
  });

  it("names no zod namespace at run time (`z.core.…`, `z.util.…`, `z.locales`): esbuild then keeps all of zod's core (~300 KB)", () => {
    const namespaces = files
      .flatMap(({ file, source }) => source.split('\n').map((line, i) => ({ file, line, i })))
      .filter(({ line }) => /instanceof\s+z\.(core|util)\./.test(line) || /\bz\.(core|util|locales|regexes)\.(?!\$Zod[A-Za-z]*\b(?!\s*[.(]))/.test(line.replace(/(:|<|extends|as|type [A-Za-z]+ =)\s*z\.core\.\$[A-Za-z]+/g, '')) && !/^\s*(\/\/|\*)/.test(line))
      .map(({ file, i, line }) => `${file}:${i + 1} ${line.trim()}`);

    expect(namespaces).toEqual([]);
  });

  it('imports project modules statically: an `await import()` makes esbuild wrap that module graph and keep all of it (zod included)', () => {
    const dynamic = files
      .flatMap(({ file, source }) => [...source.matchAll(/(?<!typeof )\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => `${file} → ${m[1]}`))
      .filter((hit) => /→ (#|\.)/.test(hit));

    expect(dynamic).toEqual([]);
  });

  it("imports another context module as a type only (`import type { verification }`, `refTo<typeof verification>(…)`): a value import puts that context's contracts and human-task kinds in every bundle of this one (≈ 15–30 KB)", () => {
    const crossContext = files
      .filter(({ file }) => /^functions\/[^/]+\/context\.ts$/.test(file))
      .flatMap(({ file, source }) => [...source.matchAll(/^import\s+(?!type\s)[^;]*from\s*'(\.\.\/[^/]+\/context\.ts|#functions\/[^/]+\/context\.ts)';/gm)].map((m) => `${file} → ${m[1]}`));

    expect(crossContext).toEqual([]);
  });
});
