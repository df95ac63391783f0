import { issueDownload } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { downloadLinks, sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/grants/{grantId}/files/{fileNo} — 302 to a presigned GET of minutes; logged and counted. */
export const handler = http(sharing, 'DownloadSharedFile', [sharingStore, downloadLinks, now], async (req, p) => {
  const sourceIp = req.event.requestContext?.http?.sourceIp ?? req.headers['x-forwarded-for'] ?? 'unknown';
  const { url } = await issueDownload(p, { actor: req.principal, grantId: req.path.grantId, fileNo: req.path.fileNo, sourceIp, requestId: req.requestId });
  return { status: 302, headers: { location: url, 'cache-control': 'no-store' } };
});
