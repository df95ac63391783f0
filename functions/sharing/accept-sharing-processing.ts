import { acceptProcessing, processingGrantView } from '#shared/sharing/processing.ts';
import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/processing/acceptance — the requester accepts the proposal; the R13.1 clock starts. */
export const handler = http(sharing, 'AcceptSharingProcessing', [sharingStore, mailer, now, appBaseUrl], async (req, p) => {
  const grant = await acceptProcessing(p, { actor: req.principal, grantId: req.path.grantId, requestId: req.requestId });
  return { body: { grant: processingGrantView(grant, p.now()) } };
});
