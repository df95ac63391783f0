import { deliverProduct, processingGrantView } from '#shared/sharing/processing.ts';
import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { sharing as sharingStore, sharingDocuments } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/processing/delivery — the product checked and recorded as a file of the grant (R13.1). */
export const handler = http(sharing, 'DeliverSharingProcessing', [sharingStore, sharingDocuments, mailer, now, appBaseUrl], async (req, p) => {
  const grant = await deliverProduct(p, { actor: req.principal, grantId: req.path.grantId, requestId: req.requestId });
  return { body: { grant: processingGrantView(grant, p.now()) } };
});
