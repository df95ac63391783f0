import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, contexts, manifest } from '#infra/manifest.ts';
import { defineContext, flatten } from '#runtime/define.ts';
import { contextSlice } from '../../scripts/manifest-snapshot.ts';

const fixtures = new URL('../fixtures/manifest/', import.meta.url);

/**
 * The flat manifest that CDK and the local cloud read, held as one snapshot per context
 * (test/fixtures/manifest/<context>.json): an unintended change to a function's grants, a route's auth, a
 * machine's placeholders or a schedule fails here, naming the context. A deliberate change regenerates the
 * context's file (`npm run manifest:snapshot`) in the same commit, and the diff of that file is the review.
 * (Issue 9 began this as one snapshot of the manifest before the wiring redesign; with every new route it had
 * become a changelog that every branch edited, so it is split by context.)
 */
describe('Issue 9: the manifest derived from the context modules equals its snapshot, context by context', () => {
  it('has one snapshot per context and none for a context that does not exist', () => {
    // act
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    // assess
    expect(files).toEqual(contexts.map((ctx) => ctx.name).sort());
  });

  for (const ctx of contexts) {
    it(`deep-equals the snapshot of context ${ctx.name}`, () => {
      // prepare
      const before = JSON.parse(readFileSync(new URL(`${ctx.name}.json`, fixtures), 'utf8'));
      // act
      const after = JSON.parse(JSON.stringify(contextSlice(manifest, ctx)));
      // assess
      expect(after).toEqual(before);
    });
  }

  it('places every function in the folder of its context', () => {
    for (const ctx of contexts) {
      for (const name of Object.keys(ctx.functions)) {
        expect(manifest.functions.find((f) => f.name === name)?.entry.startsWith(`functions/${ctx.name}/`)).toBe(true);
      }
    }
  });

  it('checked() names a duplicate function and a route to an unknown function', () => {
    // prepare
    const twice = defineContext({ name: 'identity', functions: { GetMe: { entry: './x.ts', description: 'again' } } });
    const stray = { ...twice, name: 'stray', routes: { Nope: { method: 'GET', path: '/nope', auth: 'any', summary: 'x', contract: {} } } } as const;
    // act + assess
    expect(() => checked(flatten([...contexts, twice]), [...contexts, twice])).toThrow(/duplicate function GetMe/);
    expect(() => checked(flatten([stray]), [stray])).toThrow(/route for unknown function Nope/);
  });
});
