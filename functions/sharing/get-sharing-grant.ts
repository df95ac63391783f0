import { getGrant } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId} — users, files, period, status. */
export const handler = http(sharing, 'GetSharingGrant', [sharingRead, now], async (req, p) => ({
  body: { grant: await getGrant(p, { actor: req.principal, grantId: req.path.grantId }) },
}));
