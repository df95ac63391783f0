import { recordHandover } from '#shared/sharing/offline.ts';
import { applicationView } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { sharing as sharingStore, sharingDocuments } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/applications/{applicationId}/handover — the custodian's hand-over record (R17.1). */
export const handler = http(sharing, 'RecordSharingHandover', [sharingStore, sharingDocuments, catalogue, now], async (req, p) => {
  const app = await recordHandover(p, { actor: req.principal, applicationId: req.path.applicationId, input: req.body, requestId: req.requestId });
  return { body: { application: await applicationView(p, req.principal, app) } };
});
