import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { problemStore } from '#runtime/ports/feedback.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { decideProblem, problemView } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** POST /feedback/problems/{problemId}/decision — the custodian confirms or rejects (R19.2; major → escalated, R19.3). */
export const handler = http(feedback, 'DecideQualityProblem', [catalogue, problemStore, now, workflow], async (req, p) => {
  const out = await decideProblem(p, { actor: req.principal, problemId: req.path.problemId, decision: req.body.decision, reasons: req.body.reasons, requestId: req.requestId });
  return { body: { problem: problemView(out.problem), changed: out.changed } };
});
