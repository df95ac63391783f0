import { viewManifest } from '#shared/sharing/grant-log.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharingLog, sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId}/manifest — BagIt manifest-sha256.txt; the call is logged (R16.1). */
export const handler = http(sharing, 'GetSharingManifest', [sharingRead, sharingLog, now], async (req, p) => {
  const sourceIp = req.event.requestContext?.http?.sourceIp ?? req.headers['x-forwarded-for'] ?? 'unknown';
  return {
    body: await viewManifest(p, { actor: req.principal, grantId: req.path.grantId, sourceIp, requestId: req.requestId }),
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment; filename="manifest-sha256.txt"' },
  };
});
