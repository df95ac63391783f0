/**
 * What every handler module exports as `handler`: a Lambda function that
 * builds its ports once (the composition root, runtime/compose.ts) from
 * validated configuration, plus `with(ports)` — the same handler on fakes, for
 * unit tests — and `init(env)`, which validates and composes eagerly.
 *
 * On Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) `init()` runs at module load, so a
 * missing or malformed variable fails the init phase naming the variable.
 * Elsewhere (unit tests, tools) importing a handler needs no environment; the
 * local cloud calls `init(process.env)` when it loads the module.
 */
import type { Context } from 'aws-lambda';
import type { FunctionDef } from '#infra/manifest.ts';
import { compose } from './compose.ts';
import type { AnyPort } from './port.ts';

export type Invoke<E, R> = (event: E, context: Context) => Promise<R>;

export interface Entry<E, R, P> {
  (event: E, context: Context): Promise<R>;
  readonly fn: FunctionDef;
  readonly uses: readonly AnyPort[];
  /** Validates the environment and builds the ports; throws ConfigurationError naming the variables. */
  init(env?: NodeJS.ProcessEnv): void;
  /** The same handler on the given ports (unit tests pass fakes). */
  with(ports: P): Invoke<E, R>;
}

export function entry<E, R, P>(fn: FunctionDef, uses: readonly AnyPort[], make: (ports: P) => Invoke<E, R>): Entry<E, R, P> {
  let live: Invoke<E, R> | undefined;
  const init = (env: NodeJS.ProcessEnv = process.env) => {
    live = make(compose(uses, fn, env) as P);
  };
  const handler = (async (event: E, context: Context): Promise<R> => {
    if (!live) init();
    return live!(event, context);
  }) as Entry<E, R, P>;
  Object.assign(handler, { fn, uses, init, with: make });
  if (process.env['AWS_LAMBDA_FUNCTION_NAME']) init();
  return handler;
}
