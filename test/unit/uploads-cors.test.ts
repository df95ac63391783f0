import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3PackageObjectStore, unhoistableHeaders } from '#adapters/s3-uploads.ts';
import { consoleCspFor } from '#infra/constructs/console-site.ts';
import { custodyDownloadCors, uploadsCors, uploadsEndpoint, type ConsoleCorsRule } from '#infra/constructs/uploads-cors.ts';
import { consoleCsp } from '#infra/local/http-api.ts';
import { cors } from '#infra/local/s3.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const checksum = Buffer.alloc(32, 7).toString('base64');
const consoleOrigin = 'http://127.0.0.1:4100';

/** A request to the local S3 front as a browser sends it, and what the front answered. */
function ask(method: string, headers: Record<string, string>, url?: string, rules?: Record<string, ConsoleCorsRule>): { handled: boolean; status: number; headers: Record<string, unknown> } {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  if (url) req.url = url;
  req.headers = headers;
  const res = new ServerResponse(req);
  // Headers given to writeHead are sent, not kept: record them.
  const written: Record<string, unknown> = {};
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => ServerResponse;
  res.writeHead = ((status: number, headers?: Record<string, unknown>) => {
    Object.assign(written, headers);
    return writeHead(status, headers);
  }) as typeof res.writeHead;
  const handled = rules ? cors(req, res, [consoleOrigin], (bucket) => rules[bucket]) : cors(req, res, [consoleOrigin]);
  return { handled, status: res.statusCode, headers: { ...res.getHeaders(), ...written } };
}

describe('R7.1 issue 13: the browser upload reaches the uploads bucket on AWS (presigned URL origin, signed headers, CORS rule)', () => {
  for (const [region, suffix] of [
    ['ap-southeast-1', 'amazonaws.com'],
    ['cn-north-1', 'amazonaws.com.cn'],
  ] as const) {
    it(`${region}: the real presigner points PUTs and parts at the endpoint the console's CSP allows, signing exactly the headers the CORS rule allows`, async () => {
      const bucket = `chengguo-prod-uploads-123456789012-${region}`;
      const store = new S3PackageObjectStore(new S3Client({ region, credentials }), bucket);

      const put = await store.presignPut('sub/v1/a.tif', { checksumSha256: checksum, size: 10, expiresInSeconds: 600 });
      const part = await store.presignUploadPart('sub/v1/b.tif', 'upload-1', 3, { checksumSha256: checksum, size: 10, expiresInSeconds: 600 });

      for (const signed of [put, part]) {
        const url = new URL(signed.url);
        expect(url.origin).toBe(uploadsEndpoint(bucket, region, suffix));
        const signedHeaders = url.searchParams.get('X-Amz-SignedHeaders')!.split(';');
        // What the browser must be allowed to set: the signed headers but those it sets itself.
        const browserSets = signedHeaders.filter((h) => h !== 'host' && h !== 'content-length');
        expect(browserSets.every((h) => (uploadsCors.allowedHeaders as readonly string[]).includes(h))).toBe(true);
        expect(Object.keys(signed.headers).filter((h) => h !== 'content-length').sort()).toEqual([...browserSets].sort());
      }
      expect([...uploadsCors.allowedHeaders].sort()).toEqual([...unhoistableHeaders].sort());
      expect(consoleCspFor(['https://idp.example.gov.cn'], [uploadsEndpoint(bucket, region, suffix)])).toContain(`connect-src 'self' https://idp.example.gov.cn ${new URL(put.url).origin};`);
    });
  }

  it('lets the hashing workers compile WebAssembly on AWS as on the laptop, and no other eval', () => {
    for (const csp of [consoleCspFor(['https://idp.example.gov.cn'], []), consoleCsp('http://127.0.0.1:4101')]) {
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
      expect(csp).toContain("worker-src 'self';");
      expect(csp).not.toContain("'unsafe-eval'");
    }
  });
});

describe('R7.1 issue 13: the local S3 front answers CORS by the uploads bucket rule of AWS (infra/constructs/uploads-cors.ts)', () => {
  it('answers the console\'s preflight for a PUT with the signed headers: the origin, the methods, the headers, ETag exposed, cached 10 minutes', () => {
    const answer = ask('OPTIONS', { origin: consoleOrigin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-amz-checksum-sha256,if-none-match' });

    expect(answer).toMatchObject({ handled: true, status: 200 });
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': consoleOrigin,
      'access-control-allow-methods': 'PUT, GET, HEAD',
      'access-control-allow-headers': 'x-amz-checksum-sha256, if-none-match',
      'access-control-max-age': '600',
    });
    expect(String(answer.headers['access-control-expose-headers'])).toContain('ETag');
  });

  it('refuses, as S3 does (403), a preflight from another origin, for another method or with a header the rule does not name', () => {
    const preflight = { 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-amz-checksum-sha256' };

    expect(ask('OPTIONS', { ...preflight, origin: 'http://127.0.0.1:9999' })).toMatchObject({ handled: true, status: 403 });
    expect(ask('OPTIONS', { ...preflight, origin: consoleOrigin, 'access-control-request-method': 'DELETE' })).toMatchObject({ handled: true, status: 403 });
    expect(ask('OPTIONS', { ...preflight, origin: consoleOrigin, 'access-control-request-headers': 'x-amz-checksum-sha256, x-amz-acl' })).toMatchObject({ handled: true, status: 403 });
  });

  it('lets the console read the answer to its PUT and its ETag, and gives another origin no CORS header; the request goes on to S3 either way', () => {
    const mine = ask('PUT', { origin: consoleOrigin });
    const theirs = ask('PUT', { origin: 'https://elsewhere.example' });

    expect(mine.handled).toBe(false);
    expect(mine.headers['access-control-allow-origin']).toBe(consoleOrigin);
    expect(String(mine.headers['access-control-expose-headers'])).toContain('ETag');
    expect(theirs.handled).toBe(false);
    expect(theirs.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('R16.1 issue 13: a grant download in the console — the local S3 front answers by each bucket\'s rule, as AWS does (custody GET/HEAD only, other buckets none)', () => {
  const rules = { 'chengguo-local-uploads': uploadsCors, 'chengguo-local-custody': custodyDownloadCors };
  const key = '/chengguo-local-custody/440000-CUS-2026-GT-000001/v1/data/a.gpkg?X-Amz-Signature=abc';

  it('lets the console read a presigned GET of a custody copy (the 302 followed): its origin allowed, ETag and Content-Range readable', () => {
    const answer = ask('GET', { origin: consoleOrigin }, key, rules);

    expect(answer.handled).toBe(false);
    expect(answer.headers['access-control-allow-origin']).toBe(consoleOrigin);
    expect(String(answer.headers['access-control-expose-headers'])).toContain('Content-Range');
    expect(ask('OPTIONS', { origin: consoleOrigin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' }, key, rules)).toMatchObject({ handled: true, status: 200 });
  });

  it('refuses a PUT or DELETE preflight on custody, another origin, and any cross-origin call to a bucket without a rule (published, documents)', () => {
    expect(ask('OPTIONS', { origin: consoleOrigin, 'access-control-request-method': 'PUT' }, key, rules)).toMatchObject({ handled: true, status: 403 });
    expect(ask('OPTIONS', { origin: consoleOrigin, 'access-control-request-method': 'DELETE' }, key, rules)).toMatchObject({ handled: true, status: 403 });
    expect(ask('GET', { origin: 'https://elsewhere.example' }, key, rules).headers['access-control-allow-origin']).toBeUndefined();
    expect(ask('PUT', { origin: consoleOrigin }, key, rules).headers['access-control-allow-origin']).toBeUndefined();
    expect(ask('GET', { origin: consoleOrigin }, '/chengguo-local-documents/x.html', rules).headers['access-control-allow-origin']).toBeUndefined();
    expect(ask('OPTIONS', { origin: consoleOrigin, 'access-control-request-method': 'GET' }, '/chengguo-local-published/releases/x', rules)).toMatchObject({ handled: true, status: 403 });
  });

  it('keeps the uploads bucket\'s rule for the browser upload beside it', () => {
    expect(ask('OPTIONS', { origin: consoleOrigin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-amz-checksum-sha256' }, '/chengguo-local-uploads/k?partNumber=1', rules)).toMatchObject({ handled: true, status: 200 });
  });
});
