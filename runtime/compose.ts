/**
 * THE composition root: validate the configuration of every port a handler
 * uses, then build each port once (per cold start: the wrappers call it once).
 * Tests do not call it: they pass fakes to `handler.with(...)`.
 */
import type { FunctionDef } from '#infra/manifest.ts';
import { readEnv, variablesOf, type EnvGroup } from './env.ts';
import type { AnyPort, PortsOf } from './port.ts';

/** One recipe per name (the wrappers add their own, e.g. http()'s verifier). */
export function unique(uses: readonly AnyPort[]): AnyPort[] {
  const byName = new Map<string, AnyPort>();
  for (const p of uses) if (!byName.has(p.name)) byName.set(p.name, p);
  return [...byName.values()];
}

export function envOf(uses: readonly AnyPort[], fn: FunctionDef): EnvGroup[] {
  return unique(uses).flatMap((p) => (typeof p.env === 'function' ? p.env(fn) : p.env));
}

/** Every environment variable the ports need: what the CDK construct and the local cloud must set. */
export function requiredEnv(uses: readonly AnyPort[], fn: FunctionDef): string[] {
  return variablesOf(envOf(uses, fn));
}

export function compose<const U extends readonly AnyPort[]>(uses: U, fn: FunctionDef, env: NodeJS.ProcessEnv = process.env): PortsOf<U> {
  readEnv(envOf(uses, fn), env);
  return Object.fromEntries(unique(uses).map((p) => [p.name, p.build(env, fn)])) as PortsOf<U>;
}
