import { scheduled } from '#runtime/schedule.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { selfInspectionCadence, selfInspectionStore } from '#runtime/ports/supervision.ts';
import { openSelfInspections } from '#shared/supervision/self-inspections.ts';
import { supervision } from './context.ts';

/** Monthly (schedule SelfInspectionReminders): opens the period's self-inspection clock for every unit that must file (R20.1); the deadline watch reminds. */
export const handler = scheduled(supervision, 'OpenSelfInspections', [selfInspectionStore, identityRepo, selfInspectionCadence], async (job, p) => {
  const out = await openSelfInspections({ identity: p.identity, inspections: p.inspections, cadence: p.cadence }, { scheduledTime: job.scheduledTime, executionId: job.executionId });
  return { schedule: job.schedule, ...out };
});
