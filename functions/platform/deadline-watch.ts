import { scheduleRuns } from '#runtime/ports/registry.ts';
import { scheduled } from '#runtime/schedule.ts';
import { platform } from './context.ts';

/**
 * Daily deadline watch (R20). For now it proves that it runs: each firing
 * writes SCHEDULE#<name>/LAST_RUN with an audit record. The supervision
 * context fills in the checks of statutory deadlines.
 */
export const handler = scheduled(platform, 'DeadlineWatch', [scheduleRuns], async (job, p) => {
  const ranAt = new Date().toISOString();
  const scheduledTime = job.scheduledTime.toISOString();
  const { seq } = await p.scheduleRuns.recordRun(
    { schedule: job.schedule, scheduledTime, ranAt, executionId: job.executionId, detail: { checked: 0 } },
    {
      actor: 'system:DeadlineWatch',
      orgCode: 'SYSTEM',
      action: 'supervision.deadlineWatch.run',
      target: `SCHEDULE#${job.schedule}`,
      outcome: 'success',
      requestId: job.executionId,
      detail: { scheduledTime, attempt: job.attempt },
    },
  );
  return { schedule: job.schedule, scheduledTime, ranAt, auditSeq: seq };
});
