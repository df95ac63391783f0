/** The shape shared by the schedule and stream wrappers: a context's function, its ports, one trigger stack. */
import type { Context } from 'aws-lambda';
import { resolveFunction, type AnyContext } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';

type Stack<C> = <R>(name: string, fn: (ctx: C) => Promise<R>) => (event: unknown, context: Context) => Promise<R>;

export function eventEntry<C>(stack: Stack<C>) {
  return <X extends AnyContext, K extends keyof X['functions'] & string, const U extends readonly AnyPort[], R>(
    ctx: X,
    name: K,
    uses: U,
    run: (trigger: C, ports: PortsOf<U>) => Promise<R>,
  ): Entry<unknown, R, PortsOf<U>> => entry(resolveFunction(ctx, name), uses, (ports: PortsOf<U>) => stack(name, (trigger: C) => run(trigger, ports)));
}
