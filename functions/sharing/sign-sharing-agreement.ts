import { chinaDate } from '#shared/calendar/dates.ts';
import { signAgreementLogged } from '#shared/sharing/grant-log.ts';
import { grantView } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharing as sharingStore, sharingLog } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/agreement/signature — who, when, SHA-256 of the text; the grant becomes active; the call is logged (R16.1). */
export const handler = http(sharing, 'SignSharingAgreement', [sharingStore, sharingLog, now], async (req, p) => {
  const sourceIp = req.event.requestContext?.http?.sourceIp ?? req.headers['x-forwarded-for'] ?? 'unknown';
  const grant = await signAgreementLogged(p, { actor: req.principal, grantId: req.path.grantId, sha256: req.body.sha256, sourceIp, requestId: req.requestId });
  return { body: { grant: grantView(grant, chinaDate(p.now())) } };
});
