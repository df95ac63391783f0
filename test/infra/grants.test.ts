/**
 * What the CDK app sets is what the handlers' ports need (issue 9): each
 * synthesised Lambda's Environment holds every variable `requiredEnv` names for
 * its handler's ports, so no function fails its init phase on AWS for a
 * variable the construct forgot (runtime/compose.ts validates them at init).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest, type FunctionDef } from '#infra/manifest.ts';
import { requiredEnv } from '#runtime/compose.ts';
import type { AnyPort } from '#runtime/port.ts';
import { functionsNamed, synthChengguo, type Synthesised } from './synth.ts';

let s: Synthesised;
const handlers = new Map<string, { fn: FunctionDef; uses: readonly AnyPort[] }>();
beforeAll(async () => {
  s = synthChengguo();
  for (const def of manifest.functions) {
    const mod = (await import(`../../${def.entry}`)) as { handler: { fn: FunctionDef; uses: readonly AnyPort[] } };
    handlers.set(def.name, mod.handler);
  }
});

describe('R20.1 least privilege: each Lambda is given the configuration its ports require, from its grants', () => {
  it.each(manifest.functions.map((f) => [f.name] as const))('%s: its Environment holds every variable requiredEnv names', (name) => {
    // prepare
    const handler = handlers.get(name)!;
    const found = functionsNamed(s, name);
    expect(found, name).toHaveLength(1);
    // act
    const variables = (found[0]!.resource.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const missing = requiredEnv(handler.uses, handler.fn).filter((v) => !(v in variables));
    // assess
    expect(missing).toEqual([]);
  });
});
