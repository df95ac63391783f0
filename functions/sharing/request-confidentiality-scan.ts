import { requestConfidentialityScan } from '#shared/sharing/offline.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharing as sharingStore, sharingDocuments } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/applications/{applicationId}/confidentiality-scan — the scan declared, a presigned write-once PUT issued. */
export const handler = http(sharing, 'RequestConfidentialityScan', [sharingStore, sharingDocuments, now], async (req, p) => ({
  body: await requestConfidentialityScan(p, { actor: req.principal, applicationId: req.path.applicationId, organiserOrg: req.body.organiserOrg, sha256: req.body.sha256.toLowerCase(), size: req.body.size, contentType: req.body.contentType, requestId: req.requestId }),
}));
