/**
 * The shape shared by the schedule and stream triggers (runtime/schedule.ts, runtime/stream.ts):
 * a context's function, its ports, one trigger stack; and the one log-and-rethrow of a run.
 */
import type { Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError } from '#shared/errors.ts';
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

/**
 * One run of an event-triggered stack: `<what> done` with its duration, or `<what> refused`
 * (a domain error) / `<what> failed` (logged in full); the error is rethrown so the trigger's
 * own retry (Scheduler, the event source mapping, the local poller) sees it.
 */
export async function logged<R>(log: Logger, what: string, run: () => Promise<R>): Promise<R> {
  const started = Date.now();
  try {
    const out = await run();
    log.info(`${what} done`, { ms: Date.now() - started });
    return out;
  } catch (error) {
    if (error instanceof DomainError) log.warn(`${what} refused`, { error: error.name, code: error.code, reason: error.message });
    else log.error(`${what} failed`, error as Error);
    throw error;
  }
}
