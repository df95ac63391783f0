import type { ScheduleRunLog } from '#shared/ports/platform.ts';
import { withSchedule } from '#runtime/with-schedule.ts';

let logCache: ScheduleRunLog | undefined;
async function defaultLog(): Promise<ScheduleRunLog> {
  if (!logCache) {
    const { scheduleRunLogFromEnv } = await import('#adapters/dynamo-platform.ts');
    logCache = scheduleRunLogFromEnv();
  }
  return logCache;
}

/**
 * Daily deadline watch (R20). For now it proves that it runs: each firing
 * writes SCHEDULE#<name>/LAST_RUN with an audit record. The supervision
 * context fills in the checks of statutory deadlines.
 */
export function makeHandler(runs?: ScheduleRunLog) {
  return withSchedule('DeadlineWatch', async (ctx) => {
    const ranAt = new Date().toISOString();
    const scheduledTime = ctx.scheduledTime.toISOString();
    const { seq } = await (runs ?? (await defaultLog())).recordRun(
      { schedule: ctx.schedule, scheduledTime, ranAt, executionId: ctx.executionId, detail: { checked: 0 } },
      {
        actor: 'system:DeadlineWatch',
        orgCode: 'SYSTEM',
        action: 'supervision.deadlineWatch.run',
        target: `SCHEDULE#${ctx.schedule}`,
        outcome: 'success',
        requestId: ctx.executionId,
        detail: { scheduledTime, attempt: ctx.attempt },
      },
    );
    return { schedule: ctx.schedule, scheduledTime, ranAt, auditSeq: seq };
  });
}

export const handler = makeHandler();
