import { scheduled } from '#runtime/schedule.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { bulletinFiles, bulletinIndex, clockReader, counterStore, renderers } from '#runtime/ports/supervision.ts';
import { runScheduledBulletins } from '#shared/supervision/bulletin.ts';
import { supervision } from './context.ts';

/** Monthly and quarterly (schedules MonthlyBulletins, QuarterlyBulletins): the last whole period's bulletin of every supervising organiser. */
export const handler = scheduled(supervision, 'ScheduledBulletins', [identityRepo, counterStore, clockReader, renderers, bulletinFiles, bulletinIndex, mailer, now, appBaseUrl], async (job, p) => {
  const out = await runScheduledBulletins(
    { identity: p.identity, counters: p.counters, clocks: p.clocks, renderers: p.renderers, files: p.files, bulletins: p.bulletins, mailer: p.mailer, now: p.now, appBaseUrl: p.appBaseUrl },
    { kind: job.schedule === 'QuarterlyBulletins' ? 'quarter' : 'month', scheduledTime: job.scheduledTime, executionId: job.executionId },
  );
  return { schedule: job.schedule, ...out };
});
