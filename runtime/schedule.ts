/**
 * The schedule trigger, one file: `scheduled(ctx, 'DeadlineWatch', [ports…], run)` for a context
 * module's function, and `withSchedule`, the one stack every scheduled run goes through.
 */
import type { Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import type { ScheduleDef } from '#infra/manifest.ts';
import { logger } from '#shared/log.ts';
import { parseOrThrow } from '#shared/validation.ts';
import { eventEntry, logged } from './event-entry.ts';

/**
 * What a scheduled function receives — the same on AWS and locally. On AWS
 * the schedule's target Input is built by `schedulerInput()` below from
 * EventBridge Scheduler's context attributes (which arrive as strings, hence
 * the coercion); the local scheduler sends the same fields.
 */
export const scheduledEventSchema = z.looseObject({
    schedule: z.string().check(z.minLength(1)),
    scheduleArn: z.optional(z.string()),
    scheduledTime: z.iso.datetime({ offset: true }),
    executionId: z.string().check(z.minLength(1)),
    attempt: z._default(z.coerce.number().check(z.int()).check(z.gte(1)), 1),
  });
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** The target Input for a manifest schedule (for the CDK stack): its fixed input plus Scheduler's context attributes. */
export function schedulerInput(def: ScheduleDef): string {
  return JSON.stringify({
    ...(def.input ?? {}),
    schedule: def.name,
    scheduleArn: '<aws.scheduler.schedule-arn>',
    scheduledTime: '<aws.scheduler.scheduled-time>',
    executionId: '<aws.scheduler.execution-id>',
    attempt: '<aws.scheduler.attempt-number>',
  });
}

export interface ScheduleContext {
  readonly schedule: string;
  readonly scheduledTime: Date;
  /** Unique per firing (Scheduler's execution id); audit entries carry it as the request id. */
  readonly executionId: string;
  readonly attempt: number;
  readonly event: ScheduledEvent;
  readonly log: Logger;
  readonly lambda: Context;
}

/**
 * The one middleware stack for scheduled functions: the event parsed, one
 * structured log line per firing (schedule, planned time, attempt), errors
 * logged and rethrown so Scheduler's retry policy and dead-letter queue see
 * the failure.
 */
export function withSchedule<R>(name: string, fn: (ctx: ScheduleContext) => Promise<R>) {
  const base = (event: unknown, context: Context): Promise<R> => {
    const log = logger.createChild({ persistentKeys: { scheduled: name, requestId: context.awsRequestId } });
    return logged(log, 'scheduled run', () => {
      const e = parseOrThrow(scheduledEventSchema, event, 'event');
      log.appendKeys({ schedule: e.schedule, scheduledTime: e.scheduledTime, executionId: e.executionId, attempt: e.attempt });
      return fn({
        schedule: e.schedule,
        scheduledTime: new Date(e.scheduledTime),
        executionId: e.executionId,
        attempt: e.attempt,
        event: e,
        log,
        lambda: context,
      });
    });
  };
  return base;
}

export const scheduled = eventEntry<ScheduleContext>(withSchedule);
