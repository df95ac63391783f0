/**
 * A port recipe: what a handler may ask for (`name`), the configuration it
 * needs (`env`, validated before `build`), and how it is built from today's
 * adapter factory. Recipes live in family files (runtime/ports/*.ts) so a
 * Lambda bundle loads only the SDK clients its handler asks for.
 */
import type { FunctionDef } from '#infra/manifest.ts';
import type { EnvGroup } from './env.ts';

export interface Port<N extends string, T> {
  readonly name: N;
  readonly env: readonly EnvGroup[] | ((fn: FunctionDef) => readonly EnvGroup[]);
  readonly build: (env: NodeJS.ProcessEnv, fn: FunctionDef) => T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPort = Port<string, any>;
export type PortsOf<U extends readonly AnyPort[]> = { readonly [P in U[number] as P['name']]: ReturnType<P['build']> };

export const port = <const N extends string, T>(p: Port<N, T>): Port<N, T> => p;
