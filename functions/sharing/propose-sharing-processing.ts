import { processingGrantView, proposeProcessing } from '#shared/sharing/processing.ts';
import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/processing/proposal — the custodian proposes the consented processing (R13.1). */
export const handler = http(sharing, 'ProposeSharingProcessing', [sharingStore, mailer, now, appBaseUrl], async (req, p) => {
  const grant = await proposeProcessing(p, { actor: req.principal, grantId: req.path.grantId, input: req.body, requestId: req.requestId });
  return { body: { grant: processingGrantView(grant, p.now()) } };
});
