import { chinaDate } from '#shared/calendar/dates.ts';
import { grantView, revokeGrant } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/revocation — the organiser ends the grant with reasons. */
export const handler = http(sharing, 'RevokeSharingGrant', [sharingStore, mailer, now], async (req, p) => {
  const grant = await revokeGrant(p, { actor: req.principal, grantId: req.path.grantId, reasons: req.body.reasons, requestId: req.requestId });
  return { body: { grant: grantView(grant, chinaDate(p.now())) } };
});
