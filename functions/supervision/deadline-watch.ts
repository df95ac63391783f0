import { scheduled } from '#runtime/schedule.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar, identityRepo, scheduleRuns } from '#runtime/ports/registry.ts';
import { clockStore, reminderDays } from '#runtime/ports/supervision.ts';
import { runDeadlineWatch } from '#shared/supervision/watch.ts';
import { supervision } from './context.ts';

/**
 * Daily deadline watch (issue 14 §1): the clocks due soon or overdue, read by
 * one key query on the due-date index, emailed once per clock × day; then the
 * run itself is recorded (SCHEDULE#<name>/LAST_RUN, audited).
 */
export const handler = scheduled(supervision, 'DeadlineWatch', [clockStore, identityRepo, mailer, calendar, now, reminderDays, scheduleRuns], async (job, p) => {
  const result = await runDeadlineWatch(
    { clocks: p.clocks, identity: p.identity, mailer: p.mailer, calendar: p.calendar, now: p.now, reminderDays: p.reminderDays },
    { executionId: job.executionId },
  );
  const ranAt = new Date().toISOString();
  const scheduledTime = job.scheduledTime.toISOString();
  const { seq } = await p.scheduleRuns.recordRun(
    { schedule: job.schedule, scheduledTime, ranAt, executionId: job.executionId, detail: { ...result } },
    {
      actor: 'system:DeadlineWatch',
      orgCode: 'SYSTEM',
      action: 'supervision.deadlineWatch.run',
      target: `SCHEDULE#${job.schedule}`,
      outcome: 'success',
      requestId: job.executionId,
      detail: { scheduledTime, attempt: job.attempt, ...result },
    },
  );
  return { schedule: job.schedule, scheduledTime, ranAt, auditSeq: seq, ...result };
});
