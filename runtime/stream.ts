/** A table-stream consumer of a context module: `stream(ctx, 'PublishPublicCatalogueOnChange', [ports…], run)`. */
import { resolveFunction, type AnyContext } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';
import { withStream, type StreamContext } from './with-stream.ts';

export type { StreamContext } from './with-stream.ts';

export function stream<X extends AnyContext, K extends keyof X['functions'] & string, const U extends readonly AnyPort[], R>(
  ctx: X,
  name: K,
  uses: U,
  run: (batch: StreamContext, ports: PortsOf<U>) => Promise<R>,
): Entry<unknown, R, PortsOf<U>> {
  return entry(resolveFunction(ctx, name), uses, (ports: PortsOf<U>) => withStream(name, (batch) => run(batch, ports)) as (e: unknown, c: import('aws-lambda').Context) => Promise<R>);
}
