import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { problemStore } from '#runtime/ports/feedback.ts';
import { calendar, catalogue, humanTasks } from '#runtime/ports/registry.ts';
import { vault } from '#runtime/ports/vault.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { problemView, verifyProblem } from '#shared/feedback/problems.ts';
import { closeVerificationTask, problemVerificationKind } from '#shared/feedback/verification-task.ts';
import { registeredKinds } from '#shared/tasks/kinds.ts';
import { feedback } from './context.ts';

/**
 * POST /feedback/problems/{problemId}/verification — the organiser verifies an escalated major problem (R19.3),
 * from the console's form; the open emailed task (ProblemVerification) is decided with the same outcome, so the
 * machine ends and its Record Verification finds the problem verified.
 */
export const handler = http(feedback, 'VerifyQualityProblem', [catalogue, problemStore, mailer, now, appBaseUrl, humanTasks, vault, workflow, calendar], async (req, p) => {
  const cmd = {
    actor: req.principal,
    problemId: req.path.problemId,
    upheld: req.body.upheld,
    note: req.body.note,
    ...(req.body.finding ? { finding: req.body.finding } : {}),
    requestId: req.requestId,
  };
  const out = await verifyProblem(p, cmd);
  await closeVerificationTask({ tasks: p.humanTasks, vault: p.vault, workflow: p.workflow, calendar: p.calendar, now: p.now, kinds: registeredKinds([problemVerificationKind(p)]) }, cmd);
  return { body: { problem: problemView(out.problem), changed: out.changed, ordered: out.ordered } };
});
