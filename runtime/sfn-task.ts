/**
 * The Step Functions task trigger, one file: `sfnTask(ctx, 'MarkVerified', inputSchema, [ports…], run)`
 * for a context module's function, and `withSfnTask`, the one stack every task runs through.
 */
import type { Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod/mini';
import { DomainError } from '#shared/errors.ts';
import { logger } from '#shared/log.ts';
import { parseOrThrow } from '#shared/validation.ts';
import { resolveFunction, type AnyContext } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';

export interface SfnTaskContext {
  /** The Lambda request id; audit entries carry it. */
  readonly requestId: string;
  /** `$$.Execution.Id` when the state machine passes it as `execution` (our ASL files do). */
  readonly execution: string | undefined;
  readonly log: Logger;
  readonly lambda: Context;
}

function executionOf(event: unknown): string | undefined {
  const e = (event as { execution?: unknown } | null)?.execution;
  return typeof e === 'string' ? e : undefined;
}

/**
 * The one middleware stack for Step Functions task handlers: the task input
 * parsed with zod (a bad input is a ValidationError naming the field, e.g.
 * `input.pingId`), one structured log line in and out carrying the function
 * and the execution — never the input itself, which may hold a task token —
 * and errors rethrown by name: the Lambda runtime reports `error.name` as the
 * errorType that Retry/Catch match in the ASL (`ValidationError`,
 * `NotFoundError`, `PreconditionFailedError`, …). Unknown errors are logged
 * in full and rethrown unchanged, so the SDK's own names
 * (`ProvisionedThroughputExceededException`) stay retryable by name.
 */
export function withSfnTask<S extends z.ZodMiniType, R>(
  name: string,
  schema: S,
  fn: (input: z.infer<S>, ctx: SfnTaskContext) => Promise<R>,
) {
  const base = async (event: unknown, context: Context): Promise<R> => {
    const execution = executionOf(event);
    const log = logger.createChild({
      persistentKeys: { task: name, requestId: context.awsRequestId, ...(execution ? { execution } : {}) },
    });
    const started = Date.now();
    try {
      const input = parseOrThrow(schema, event, 'input');
      const out = await fn(input, { requestId: context.awsRequestId, execution, log, lambda: context });
      log.info('task done', { ms: Date.now() - started });
      return out;
    } catch (error) {
      if (error instanceof DomainError) {
        log.warn('task refused', { error: error.name, code: error.code, reason: error.message, ms: Date.now() - started });
      } else {
        log.error('task failed', error as Error);
      }
      throw error;
    }
  };
  return base;
}

export function sfnTask<X extends AnyContext, K extends keyof X['functions'] & string, S extends z.ZodMiniType, const U extends readonly AnyPort[], R>(
  ctx: X,
  name: K,
  input: S,
  uses: U,
  run: (input: z.infer<S>, ports: PortsOf<U>, task: SfnTaskContext) => Promise<R>,
): Entry<unknown, R, PortsOf<U>> {
  return entry(resolveFunction(ctx, name), uses, (ports: PortsOf<U>) => withSfnTask(name, input, (i, task) => run(i, ports, task)));
}
