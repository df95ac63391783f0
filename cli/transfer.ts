import { createReadStream } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { apiErrorFrom } from './errors.ts';
import { sendChunkBytes } from './hash.ts';

/**
 * Sends bytes of a file to a presigned URL. node:http rather than fetch: the
 * signed headers (Content-Length among them) must go exactly as issued, and
 * S3 refuses a chunked PUT to a presigned URL; the body is streamed from the
 * file range, never held in memory.
 */

export interface PutTarget {
  readonly url: string;
  /** Sent exactly as given: they are part of the signature (checksum, If-None-Match, Content-Length). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface PutResult {
  readonly status: number;
  readonly etag?: string;
  /** Base64, when the store echoes it. */
  readonly checksumSha256?: string;
}

/** What the caller plugs in to send bytes (tests pass a fake). */
export interface Transport {
  putFile(target: PutTarget, source: { path: string; start: number; length: number }, onBytes: (n: number) => void): Promise<PutResult>;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/** Seconds without a byte moving before a request is given up (and retried). */
const idleTimeoutMs = Number(process.env['CHENGGUO_IDLE_TIMEOUT_MS'] ?? 120_000);

export const httpTransport: Transport = {
  putFile(target, source, onBytes) {
    return new Promise<PutResult>((resolve, reject) => {
      const url = new URL(target.url);
      const secure = url.protocol === 'https:';
      const request = secure ? httpsRequest : httpRequest;
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const req = request(url, { method: 'PUT', headers: { ...target.headers }, agent: secure ? agents.https : agents.http }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const status = res.statusCode ?? 0;
          const etag = header(res, 'etag');
          const checksumSha256 = header(res, 'x-amz-checksum-sha256');
          if (status >= 200 && status < 300) resolve({ status, ...(etag ? { etag } : {}), ...(checksumSha256 ? { checksumSha256 } : {}) });
          else if (status === 412) resolve({ status });
          else reject(apiErrorFrom(status, Buffer.concat(chunks).toString('utf8'), `PUT ${url.host}${url.pathname}`));
        });
      });
      req.setTimeout(idleTimeoutMs, () => req.destroy(Object.assign(new Error(`no progress for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', fail);
      if (source.length === 0) {
        req.end();
        return;
      }
      const file = createReadStream(source.path, { start: source.start, end: source.start + source.length - 1, highWaterMark: sendChunkBytes });
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          onBytes(chunk.length);
          done(null, chunk);
        },
      });
      file.on('error', (error) => {
        req.destroy(error);
        fail(error);
      });
      file.pipe(count).pipe(req);
    });
  },
};

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
