import { viewGrant } from '#shared/sharing/grant-log.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharingLog, sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId} — users, files, period, status, and the agreement to sign with its SHA-256; the view is logged (R16.1). */
export const handler = http(sharing, 'GetSharingGrant', [sharingRead, sharingLog, now], async (req, p) => {
  const sourceIp = req.event.requestContext?.http?.sourceIp ?? req.headers['x-forwarded-for'] ?? 'unknown';
  return { body: await viewGrant(p, { actor: req.principal, grantId: req.path.grantId, sourceIp, requestId: req.requestId }) };
});
