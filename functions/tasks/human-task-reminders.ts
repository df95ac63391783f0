import { scheduled } from '#runtime/schedule.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { kinds } from '#runtime/ports/human-task-kinds.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { metrics } from '#runtime/ports/metrics.ts';
import { calendar, humanTasks, identityRepo } from '#runtime/ports/registry.ts';
import { runHumanTaskReminders } from '#shared/tasks/reminders.ts';
import { tasks } from './context.ts';

/**
 * Daily (schedule HumanTaskReminders): open human tasks past their due date
 * remind their assignees, once a day; 2 WD overdue escalates to the
 * superior organisation's deciders.
 */
export const handler = scheduled(tasks, 'HumanTaskReminders', [humanTasks, identityRepo, mailer, calendar, now, appBaseUrl, kinds, metrics], async (job, p) => {
  const run = await runHumanTaskReminders({ ...p, tasks: p.humanTasks }, { requestId: job.executionId, fn: 'HumanTaskReminders' });
  // The level of overdue open tasks each day, and the escalations this run made (issue 11 §2).
  p.metrics.record('TasksOverdue', run.checked);
  p.metrics.record('TasksEscalated', run.escalated);
  return { schedule: job.schedule, ...run };
});
