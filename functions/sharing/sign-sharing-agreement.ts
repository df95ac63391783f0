import { chinaDate } from '#shared/calendar/dates.ts';
import { grantView, signAgreement } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/agreement/signature — who, when, SHA-256 of the text; the grant becomes active. */
export const handler = http(sharing, 'SignSharingAgreement', [sharingStore, now], async (req, p) => {
  const grant = await signAgreement(p, { actor: req.principal, grantId: req.path.grantId, sha256: req.body.sha256, requestId: req.requestId });
  return { body: { grant: grantView(grant, chinaDate(p.now())) } };
});
