import { withSchedule } from '#runtime/with-schedule.ts';
import type { HumanTaskPorts } from '#shared/tasks/human-tasks.ts';
import { runHumanTaskReminders } from '#shared/tasks/reminders.ts';
import { humanTaskPortsFromEnv } from './deps.ts';

/**
 * Daily (schedule HumanTaskReminders): open human tasks past their due date
 * remind their assignees, once a day; 2 WD overdue escalates to the
 * superior organisation's deciders.
 */
export function makeHandler(ports?: HumanTaskPorts) {
  return withSchedule('HumanTaskReminders', async (ctx) => {
    const run = await runHumanTaskReminders(ports ?? (await humanTaskPortsFromEnv()), { requestId: ctx.executionId, fn: 'HumanTaskReminders' });
    return { schedule: ctx.schedule, ...run };
  });
}

export const handler = makeHandler();
