import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { releaseDownloads } from '#runtime/ports/buckets.ts';
import { catalogue, downloadLog } from '#runtime/ports/registry.ts';
import { requestDownload } from '#shared/publication/publish.ts';
import { publication } from './context.ts';

/** GET /public/downloads/{releaseNumber}/{path+} — 302 to a presigned GET (no bytes through the function); logged and counted. */
export const handler = http(publication, 'DownloadReleaseFile', [catalogue, releaseDownloads, downloadLog, now], async (req, p) => {
  const { location } = await requestDownload(p, {
    releaseNumber: req.path.releaseNumber,
    path: req.path.path,
    requestId: req.requestId,
    ...(req.event.requestContext?.http?.sourceIp ? { ip: req.event.requestContext.http.sourceIp } : {}),
    ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
  });
  return { status: 302, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
});
