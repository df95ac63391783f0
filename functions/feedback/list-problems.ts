import { http } from '#runtime/http.ts';
import { problemReader } from '#runtime/ports/feedback.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { listProblems, problemView } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** GET /feedback/results/{resultNumber}/problems — a result's quality problems (clearance rule on the entry). */
export const handler = http(feedback, 'ListQualityProblems', [catalogue, problemReader], async (req, p) => {
  const out = await listProblems(p, { actor: req.principal, resultNumber: req.path.resultNumber });
  return { body: { problems: out.problems.map(problemView), ...(out.qualityStatus ? { qualityStatus: out.qualityStatus } : {}) }, headers: { 'cache-control': 'no-store' } };
});
