import { grantManifest } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId}/manifest — BagIt manifest-sha256.txt. */
export const handler = http(sharing, 'GetSharingManifest', [sharingRead], async (req, p) => ({
  body: await grantManifest(p, { actor: req.principal, grantId: req.path.grantId }),
  headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment; filename="manifest-sha256.txt"' },
}));
