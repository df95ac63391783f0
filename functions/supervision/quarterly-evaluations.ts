import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { scheduled } from '#runtime/schedule.ts';
import { bulletinFiles, counterStore, evaluationStore } from '#runtime/ports/supervision.ts';
import { runQuarterlyEvaluations } from '#shared/supervision/evaluation.ts';
import { supervision } from './context.ts';

/** Quarterly (schedule QuarterlyEvaluations, R19.2): each custodian × organiser's use-and-quality evaluation of the last whole quarter, from the counters, write-once, emailed, and the organiser's acknowledgement task started once. */
export const handler = scheduled(supervision, 'QuarterlyEvaluations', [identityRepo, counterStore, bulletinFiles, evaluationStore, workflow, mailer, now], async (job, p) => {
  const out = await runQuarterlyEvaluations(
    { identity: p.identity, counters: p.counters, files: p.files, evaluations: p.evaluations, workflow: p.workflow, mailer: p.mailer, now: p.now },
    { scheduledTime: job.scheduledTime },
  );
  return { schedule: job.schedule, quarter: out.quarter, written: out.written.map((w) => w.key), existing: out.existing, started: out.started };
});
