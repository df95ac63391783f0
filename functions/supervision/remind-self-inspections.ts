import { scheduled } from '#runtime/schedule.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { selfInspectionCadence, selfInspectionStore } from '#runtime/ports/supervision.ts';
import { remindSelfInspections } from '#shared/supervision/self-inspections.ts';
import { supervision } from './context.ts';

/** Monthly (schedule SelfInspectionReminders): reminders before a self-inspection is due, late notices after (R20.1). */
export const handler = scheduled(supervision, 'RemindSelfInspections', [selfInspectionStore, identityRepo, mailer, selfInspectionCadence, appBaseUrl, now], async (job, p) => {
  const out = await remindSelfInspections(
    { identity: p.identity, inspections: p.inspections, mailer: p.mailer, cadence: p.cadence, appBaseUrl: p.appBaseUrl, now: p.now },
    { scheduledTime: job.scheduledTime, executionId: job.executionId },
  );
  return { schedule: job.schedule, ...out };
});
