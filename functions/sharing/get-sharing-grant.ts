import { getAgreement, getGrant } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId} — users, files, period, status, and the agreement to sign with its SHA-256. */
export const handler = http(sharing, 'GetSharingGrant', [sharingRead, now], async (req, p) => {
  const cmd = { actor: req.principal, grantId: req.path.grantId };
  return { body: { grant: await getGrant(p, cmd), agreement: await getAgreement(p, cmd) } };
});
