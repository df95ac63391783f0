import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { problemAttachments, problemStore } from '#runtime/ports/feedback.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { declareAttachment, problemView } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** POST /feedback/problems/{problemId}/attachments — the reporter declares a file; listed on the problem, a presigned write-once PUT issued (R19.2). */
export const handler = http(feedback, 'DeclareProblemAttachment', [catalogue, problemStore, problemAttachments, now], async (req, p) => {
  const out = await declareAttachment(p, { actor: req.principal, problemId: req.path.problemId, ...req.body, requestId: req.requestId });
  return { status: out.changed ? 201 : 200, body: { problem: problemView(out.problem), attachment: out.attachment, upload: out.upload, changed: out.changed } };
});
