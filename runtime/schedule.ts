/** A scheduled job of a context module: `scheduled(ctx, 'DeadlineWatch', [ports…], run)`. */
import { resolveFunction, type AnyContext } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';
import { withSchedule, type ScheduleContext } from './with-schedule.ts';

export type { ScheduleContext } from './with-schedule.ts';

export function scheduled<X extends AnyContext, K extends keyof X['functions'] & string, const U extends readonly AnyPort[], R>(
  ctx: X,
  name: K,
  uses: U,
  run: (job: ScheduleContext, ports: PortsOf<U>) => Promise<R>,
): Entry<unknown, R, PortsOf<U>> {
  return entry(resolveFunction(ctx, name), uses, (ports: PortsOf<U>) => withSchedule(name, (job) => run(job, ports)) as (e: unknown, c: import('aws-lambda').Context) => Promise<R>);
}
