import { processingGrantView, requestProductUpload } from '#shared/sharing/processing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharing as sharingStore, sharingDocuments } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/processing/upload — the product declared; a write-once presigned PUT (R13.1). */
export const handler = http(sharing, 'RequestProcessingUpload', [sharingStore, sharingDocuments, now], async (req, p) => {
  const { upload, grant } = await requestProductUpload(p, { actor: req.principal, grantId: req.path.grantId, input: req.body, requestId: req.requestId });
  return { body: { upload, grant: processingGrantView(grant, p.now()) } };
});
