import { http } from '#runtime/http.ts';
import { problemAttachments, problemReader } from '#runtime/ports/feedback.ts';
import { auditTrailPort, catalogue } from '#runtime/ports/registry.ts';
import { attachmentLink } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** GET /feedback/problems/{problemId}/attachments/{n} — 302 to a presigned GET of minutes (no bytes through the function); audited (R19.2). */
export const handler = http(feedback, 'GetProblemAttachment', [catalogue, problemReader, problemAttachments, auditTrailPort], async (req, p) => {
  const { url } = await attachmentLink(p, { actor: req.principal, problemId: req.path.problemId, n: req.path.n, requestId: req.requestId });
  return { status: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
});
