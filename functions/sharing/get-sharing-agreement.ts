import { getAgreement } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId}/agreement — the text to sign and its SHA-256. */
export const handler = http(sharing, 'GetSharingAgreement', [sharingRead], async (req, p) => ({
  body: { agreement: await getAgreement(p, { actor: req.principal, grantId: req.path.grantId }) },
}));
