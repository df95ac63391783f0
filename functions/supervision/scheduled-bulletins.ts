import { scheduled } from '#runtime/schedule.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { bulletinReader } from '#runtime/ports/supervision.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { startScheduledBulletins } from '#shared/supervision/bulletin.ts';
import { supervision } from './context.ts';

/** Monthly and quarterly (schedules MonthlyBulletins, QuarterlyBulletins): one Bulletin execution per supervising organiser for the last whole period. */
export const handler = scheduled(supervision, 'ScheduledBulletins', [identityRepo, bulletinReader, workflow], async (job, p) => {
  const out = await startScheduledBulletins(
    { identity: p.identity, bulletins: p.bulletins, workflow: p.workflow },
    { kind: job.schedule === 'QuarterlyBulletins' ? 'quarter' : 'month', scheduledTime: job.scheduledTime },
  );
  return { schedule: job.schedule, ...out };
});
