/** A Step Functions task of a context module: `sfnTask(ctx, 'MarkVerified', inputSchema, [ports…], run)`. */
import type { z } from 'zod';
import { resolveFunction, type AnyContext } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';
import { withSfnTask, type SfnTaskContext } from './with-sfn-task.ts';

export type { SfnTaskContext } from './with-sfn-task.ts';

export function sfnTask<X extends AnyContext, K extends keyof X['functions'] & string, S extends z.ZodType, const U extends readonly AnyPort[], R>(
  ctx: X,
  name: K,
  input: S,
  uses: U,
  run: (input: z.infer<S>, ports: PortsOf<U>, task: SfnTaskContext) => Promise<R>,
): Entry<unknown, R, PortsOf<U>> {
  return entry(resolveFunction(ctx, name), uses, (ports: PortsOf<U>) => withSfnTask(name, input, (i, task) => run(i, ports, task)));
}
