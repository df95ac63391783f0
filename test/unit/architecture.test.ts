import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rule (issue 9): the core (`shared/`) depends on nothing outside it; the adapters
 * (`adapters/`) implement the core's ports and know nothing of the handler runtime, the handlers or infra.
 * Imports are read with TypeScript's own pre-processor (static, dynamic and type imports, re-exports),
 * `#x/*` aliases resolved from package.json `imports`, relative paths from the file.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const aliases = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports: Record<string, string> }).imports;

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** What a file imports, as the top folder (`shared`, `adapters`, …) for project files or the package name for the rest. */
export function importsOf(file: string, source = readFileSync(join(root, file), 'utf8')): { spec: string; target: string }[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles.map(({ fileName: spec }) => {
    if (spec.startsWith('node:')) return { spec, target: 'node:' };
    if (spec.startsWith('#')) {
      const key = Object.keys(aliases).find((k) => spec.startsWith(k.replace(/\*$/, '')));
      if (!key) return { spec, target: `unresolved alias ${spec}` };
      const path = aliases[key]!.replace(/\*$/, '') + spec.slice(key.length - 1);
      return { spec, target: relative(root, resolve(root, path)).split(sep)[0]! };
    }
    if (spec.startsWith('.')) return { spec, target: relative(root, resolve(root, dirname(file), spec)).split(sep)[0]! };
    const parts = spec.split('/');
    return { spec, target: spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]! };
  });
}

interface Rule {
  readonly folder: string;
  readonly forbidden: (target: string) => boolean;
}

const forbiddenPackages = ['aws-lambda', 'aws-cdk-lib', 'jose', 'nodemailer'];
const rules: Rule[] = [
  {
    folder: 'shared',
    forbidden: (t) => ['infra', 'functions', 'runtime', 'adapters'].includes(t) || t.startsWith('@aws-sdk/') || forbiddenPackages.includes(t),
  },
  { folder: 'adapters', forbidden: (t) => ['runtime', 'functions', 'infra'].includes(t) },
  // Handlers get their ports from the composition root (runtime/ports/*): never an adapter, the SDK or infra.
  { folder: 'functions', forbidden: (t) => ['adapters', 'infra'].includes(t) || t.startsWith('@aws-sdk/') },
];

function breaches(): string[] {
  const found: string[] = [];
  for (const rule of rules) {
    for (const file of tsFiles(rule.folder)) {
      for (const { spec, target } of importsOf(file)) if (rule.forbidden(target)) found.push(`${file} → ${spec}`);
    }
  }
  return found;
}

describe('the dependency rule: the core imports no infra, handler runtime, adapter or AWS SDK; adapters import no runtime, handler or infra (issue 9)', () => {
  it('reads every kind of import: static, type, dynamic, re-export, alias and relative', () => {
    const found = importsOf(
      'shared/example.ts',
      [
        "import { a } from '#infra/manifest.ts';",
        "import type { B } from '@aws-sdk/lib-dynamodb';",
        "export { c } from '../runtime/auth.ts';",
        "const d = await import('#adapters/dynamo.ts');",
        "import { e } from './sibling.ts';",
        "import { z } from 'zod';",
        "import { createHash } from 'node:crypto';",
      ].join('\n'),
    );
    expect(found.map((f) => f.target)).toEqual(['infra', '@aws-sdk/lib-dynamodb', 'runtime', 'adapters', 'shared', 'zod', 'node:']);
  });

  it('finds files to check in shared/ and adapters/', () => {
    expect(tsFiles('shared').length).toBeGreaterThan(50);
    expect(tsFiles('adapters').length).toBeGreaterThan(10);
  });

  it('has no import across the rule (no allow-list), each breach named `file → import`', () => {
    expect(breaches()).toEqual([]);
  });

  it('wires no handler by hand: no deps.ts service locator and no FromEnv( factory call under functions/', () => {
    const files = tsFiles('functions');
    expect(files.filter((f) => f.endsWith('/deps.ts'))).toEqual([]);
    expect(files.filter((f) => readFileSync(join(root, f), 'utf8').includes('FromEnv('))).toEqual([]);
  });
});
