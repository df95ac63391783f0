import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { problemStore } from '#runtime/ports/feedback.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { problemView, verifyProblem } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** POST /feedback/problems/{problemId}/verification — the organiser verifies an escalated major problem (R19.3). */
export const handler = http(feedback, 'VerifyQualityProblem', [catalogue, problemStore, mailer, now, appBaseUrl], async (req, p) => {
  const out = await verifyProblem(p, {
    actor: req.principal,
    problemId: req.path.problemId,
    upheld: req.body.upheld,
    note: req.body.note,
    ...(req.body.finding ? { finding: req.body.finding } : {}),
    requestId: req.requestId,
  });
  return { body: { problem: problemView(out.problem), changed: out.changed, ordered: out.ordered } };
});
