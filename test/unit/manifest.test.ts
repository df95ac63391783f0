import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifest } from '#infra/manifest.ts';

const source = (entry: string) => readFileSync(new URL(`../../${entry}`, import.meta.url), 'utf8');

describe('foundation: the one manifest is consistent with the code it names', () => {
  it('names, for every route, a function that exists, and every function entry is a file exporting handler', () => {
    const names = new Set(manifest.functions.map((f) => f.name));
    expect(manifest.routes.filter((r) => !names.has(r.function))).toEqual([]);
    for (const fn of manifest.functions) expect(source(fn.entry), fn.entry).toMatch(/export const handler\b|export \{[^}]*\bhandler\b/);
  });

  it('has no duplicate function names, routes or state machines', () => {
    const dupes = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
    expect(dupes(manifest.functions.map((f) => f.name))).toEqual([]);
    expect(dupes(manifest.routes.map((r) => `${r.method} ${r.path}`))).toEqual([]);
    expect(dupes(manifest.stateMachines.map((s) => s.name))).toEqual([]);
  });

  it('keeps every routed function within the 30 s API Gateway limit', () => {
    const routed = new Set(manifest.routes.map((r) => r.function));
    const slow = manifest.functions.filter((f) => routed.has(f.name) && (f.timeoutSeconds ?? 10) > 29).map((f) => f.name);
    expect(slow).toEqual([]);
  });

  // sendsEmail ↔ mailer port: test/unit/grants.test.ts (reads handler.uses, not the entry file's text).

  it('names, in every state machine, functions that exist, and every ASL placeholder is mapped', () => {
    const names = new Set(manifest.functions.map((f) => f.name));
    for (const sm of manifest.stateMachines) {
      expect(Object.values(sm.functions).filter((f) => !names.has(f)), sm.name).toEqual([]);
      const placeholders = [...source(sm.file).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
      expect(placeholders.filter((p) => !(p in sm.functions)), sm.name).toEqual([]);
    }
  });
});
