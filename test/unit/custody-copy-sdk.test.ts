import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3CopyIntoCustody } from '#adapters/s3-custody.ts';

/**
 * The server-side copy into custody through the real AWS SDK client: only
 * the HTTP handler is replaced, by a small in-memory S3 that answers on the
 * wire as S3 does (XML bodies, ETag / checksum / parts-count headers, 412 on
 * If-None-Match and x-amz-copy-source-if-match, COMPOSITE checksums of
 * multipart objects, FULL_OBJECT SHA-256 computed over a CopyObject's bytes).
 * So the headers the SDK really sends — x-amz-copy-source-range,
 * x-amz-copy-source-if-match, If-None-Match, the parts' checksums in the
 * CompleteMultipartUpload body — are what is asserted.
 */

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

interface Stored {
  bytes: Buffer;
  etag: string;
  checksum?: string;
  type?: 'FULL_OBJECT' | 'COMPOSITE';
  parts?: number[];
}

interface Req {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

class WireS3 {
  readonly objects = new Map<string, Stored>();
  readonly uploads = new Map<string, { key: string; parts: Map<number, { bytes: Buffer; etag: string; checksum: string }> }>();
  readonly log: Req[] = [];
  inFlight = 0;
  maxInFlight = 0;

  /** A source as a multipart upload with ChecksumAlgorithm SHA256 leaves it: parts of `partSize`, COMPOSITE checksum. */
  putMultipart(key: string, bytes: Buffer, partSize: number): void {
    const parts: Buffer[] = [];
    for (let o = 0; o < bytes.length; o += partSize) parts.push(bytes.subarray(o, o + partSize));
    const digests = parts.map(sha256);
    this.objects.set(key, {
      bytes,
      etag: `"${createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-${parts.length}"`,
      checksum: `${sha256(Buffer.concat(digests)).toString('base64')}-${parts.length}`,
      type: 'COMPOSITE',
      parts: parts.map((p) => p.length),
    });
  }

  putSingle(key: string, bytes: Buffer): void {
    this.objects.set(key, { bytes, etag: `"${createHash('md5').update(bytes).digest('hex')}"`, checksum: sha256(bytes).toString('base64'), type: 'FULL_OBJECT' });
  }

  readonly handler = {
    handle: async (request: Req) => {
      this.log.push({ ...request, headers: { ...request.headers } });
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await new Promise((r) => setTimeout(r, 2));
        return { response: await this.answer(request) };
      } finally {
        this.inFlight -= 1;
      }
    },
  };

  private async answer(req: Req) {
    const [, bucket, ...rest] = decodeURIComponent(req.path).split('/');
    const key = `${bucket}/${rest.join('/')}`;
    const h = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const q = req.query;
    if (req.method === 'HEAD') {
      const o = this.objects.get(key);
      if (!o) return reply(404, {});
      const part = q['partNumber'] ? Number(q['partNumber']) : undefined;
      const size = part ? (o.parts?.[part - 1] ?? o.bytes.length) : o.bytes.length;
      return reply(200, {
        'content-length': String(size),
        etag: o.etag,
        ...(part && o.parts ? { 'x-amz-mp-parts-count': String(o.parts.length) } : {}),
        ...(h['x-amz-checksum-mode'] === 'ENABLED' && o.checksum && !part ? { 'x-amz-checksum-sha256': o.checksum, 'x-amz-checksum-type': o.type ?? 'FULL_OBJECT' } : {}),
      });
    }
    if (req.method === 'GET' && !('uploadId' in q)) {
      const o = this.objects.get(key);
      if (!o) return error(404, 'NoSuchKey');
      return reply(200, { 'content-length': String(o.bytes.length), etag: o.etag }, o.bytes);
    }
    if (req.method === 'POST' && 'uploads' in q) {
      const id = `up${this.uploads.size + 1}`;
      this.uploads.set(id, { key, parts: new Map() });
      return xml(`<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${rest.join('/')}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    }
    const source = h['x-amz-copy-source'] ? this.objects.get(decodeURIComponent(h['x-amz-copy-source']).replace(/^\//, '')) : undefined;
    if (h['x-amz-copy-source'] && !source) return error(404, 'NoSuchKey');
    if (req.method === 'PUT' && source && q['uploadId']) {
      if (h['x-amz-copy-source-if-match'] && h['x-amz-copy-source-if-match'] !== source.etag) return error(412, 'PreconditionFailed');
      const m = /^bytes=(\d+)-(\d+)$/.exec(h['x-amz-copy-source-range'] ?? '');
      const bytes = m ? source.bytes.subarray(Number(m[1]), Number(m[2]) + 1) : source.bytes;
      const up = this.uploads.get(String(q['uploadId']));
      if (!up) return error(404, 'NoSuchUpload');
      const part = { bytes, etag: `"${createHash('md5').update(bytes).digest('hex')}"`, checksum: sha256(bytes).toString('base64') };
      up.parts.set(Number(q['partNumber']), part);
      return xml(`<CopyPartResult><ETag>${part.etag.replace(/"/g, '&quot;')}</ETag><ChecksumSHA256>${part.checksum}</ChecksumSHA256></CopyPartResult>`);
    }
    if (req.method === 'PUT' && source) {
      if (h['if-none-match'] === '*' && this.objects.has(key)) return error(412, 'PreconditionFailed');
      // CopyObject with x-amz-checksum-algorithm: S3 computes a FULL_OBJECT checksum over the copied bytes.
      this.putSingle(key, source.bytes);
      const o = this.objects.get(key)!;
      return xml(`<CopyObjectResult><ETag>${o.etag.replace(/"/g, '&quot;')}</ETag><ChecksumSHA256>${o.checksum}</ChecksumSHA256></CopyObjectResult>`);
    }
    if (req.method === 'POST' && q['uploadId']) {
      const up = this.uploads.get(String(q['uploadId']));
      if (!up) return error(404, 'NoSuchUpload');
      if (h['if-none-match'] === '*' && this.objects.has(key)) return error(412, 'PreconditionFailed');
      const body = String(req.body);
      const listed = [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]),
        checksum: /<ChecksumSHA256>([^<]+)<\/ChecksumSHA256>/.exec(m[1]!)?.[1],
      }));
      const parts = listed.map((l) => up.parts.get(l.n));
      if (parts.some((p, i) => !p || p.checksum !== listed[i]!.checksum)) return error(400, 'InvalidPart');
      const all = parts as Array<{ bytes: Buffer; checksum: string }>;
      const bytes = Buffer.concat(all.map((p) => p.bytes));
      this.objects.set(key, {
        bytes,
        etag: `"mpu-${all.length}"`,
        checksum: `${sha256(Buffer.concat(all.map((p) => Buffer.from(p.checksum, 'base64')))).toString('base64')}-${all.length}`,
        type: 'COMPOSITE',
        parts: all.map((p) => p.bytes.length),
      });
      this.uploads.delete(String(q['uploadId']));
      return xml(`<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${rest.join('/')}</Key><ETag>&quot;mpu-${all.length}&quot;</ETag></CompleteMultipartUploadResult>`);
    }
    if (req.method === 'DELETE' && q['uploadId']) {
      this.uploads.delete(String(q['uploadId']));
      return reply(204, {});
    }
    return error(501, 'NotImplemented');
  }
}

function reply(statusCode: number, headers: Record<string, string>, body: Buffer = Buffer.alloc(0)) {
  return { statusCode, headers, body: Readable.from([body]) };
}
const xml = (text: string) => reply(200, { 'content-type': 'application/xml' }, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`));
const error = (status: number, code: string) => reply(status, { 'content-type': 'application/xml' }, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`));

function clientOf(s3: WireS3): S3Client {
  return new S3Client({
    region: 'cn-north-1',
    endpoint: 'http://s3.test',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: s3.handler as never,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}

describe('R10.1 issue-11 multipart copy into custody through the real SDK client (mocked HTTP)', () => {
  it('copies a multipart upload part for part with UploadPartCopy in parallel, and confirms it by the composite SHA-256 without reading a byte', async () => {
    // prepare: a 3 × 5 MiB + 1 MiB multipart upload, copied as if it were above CopyObject's 5 GiB (threshold lowered)
    const s3 = new WireS3();
    const bytes = bytesOf(16 * MiB, 1);
    s3.putMultipart('uploads/submissions/S1/v1/dom.tif', bytes, 5 * MiB);
    const copy = new S3CopyIntoCustody('uploads', 'custody', { client: clientOf(s3), trustStoredChecksums: true, multipartThreshold: MiB });
    // act
    const out = await copy.copyOnce('submissions/S1/v1/dom.tif', 'results/N1/v1/dom.tif', sha256(bytes).toString('hex'), bytes.length);
    // assess
    expect(out).toEqual({ way: 'uploadPartCopy', confirmedBy: 'compositeChecksum', parts: 4 });
    const parts = s3.log.filter((r) => r.method === 'PUT' && r.query['uploadId']);
    expect(parts.map((r) => r.headers['x-amz-copy-source-range']).sort()).toEqual(['bytes=0-5242879', 'bytes=10485760-15728639', 'bytes=15728640-16777215', 'bytes=5242880-10485759']);
    for (const r of parts) {
      expect(r.headers['x-amz-copy-source']).toBe('uploads/submissions/S1/v1/dom.tif');
      expect(r.headers['x-amz-copy-source-if-match']).toBe(s3.objects.get('uploads/submissions/S1/v1/dom.tif')!.etag);
    }
    expect(s3.maxInFlight).toBeGreaterThan(1);
    const complete = s3.log.find((r) => r.method === 'POST' && r.query['uploadId'])!;
    expect(complete.headers['if-none-match']).toBe('*');
    expect(String(complete.body).match(/<ChecksumSHA256>/g)).toHaveLength(4);
    expect(s3.log.some((r) => r.method === 'GET')).toBe(false);
    const stored = s3.objects.get('custody/results/N1/v1/dom.tif')!;
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(stored.checksum).toBe(s3.objects.get('uploads/submissions/S1/v1/dom.tif')!.checksum);
  });

  it('confirms a CopyObject copy by the FULL_OBJECT SHA-256 S3 computed, and refuses one that differs from the manifest without reading a byte', async () => {
    // prepare
    const s3 = new WireS3();
    const bytes = bytesOf(3 * MiB, 2);
    s3.putMultipart('uploads/a.shp', bytes, 2 * MiB);
    const copy = new S3CopyIntoCustody('uploads', 'custody', { client: clientOf(s3), trustStoredChecksums: true });
    // act
    const out = await copy.copyOnce('a.shp', 'results/N1/v1/a.shp', sha256(bytes).toString('hex'), bytes.length);
    const wrong = copy.copyOnce('a.shp', 'results/N2/v1/a.shp', sha256(Buffer.from('other')).toString('hex'), bytes.length);
    // assess
    expect(out).toEqual({ way: 'copyObject', confirmedBy: 'fullObjectSha256' });
    const put = s3.log.find((r) => r.method === 'PUT')!;
    expect(put.headers['if-none-match']).toBe('*');
    expect(put.headers['x-amz-checksum-algorithm']).toBe('SHA256');
    await expect(wrong).rejects.toMatchObject({ code: 'CUSTODY_CONTENT_CONFLICT' });
    expect(s3.log.some((r) => r.method === 'GET')).toBe(false);
  });

  it('confirms a key already in custody instead of writing over it (a retried batch), and streams only where the layout cannot be followed', async () => {
    // prepare: a source in 7 MiB parts copied in 5 MiB ranges, so the copy's composite cannot equal the source's
    const s3 = new WireS3();
    const bytes = bytesOf(12 * MiB, 3);
    s3.putMultipart('uploads/b.tif', bytes, 7 * MiB);
    const copy = new S3CopyIntoCustody('uploads', 'custody', { client: clientOf(s3), trustStoredChecksums: true, multipartThreshold: MiB, copyPartSize: 5 * MiB });
    // act
    const first = await copy.copyOnce('b.tif', 'results/N1/v1/b.tif', sha256(bytes).toString('hex'), bytes.length);
    const puts = s3.log.filter((r) => r.method === 'PUT').length;
    const again = await copy.copyOnce('b.tif', 'results/N1/v1/b.tif', sha256(bytes).toString('hex'), bytes.length);
    // assess
    expect(first).toEqual({ way: 'uploadPartCopy', confirmedBy: 'streamed', parts: 3 });
    expect(again.way).toBe('present');
    expect(s3.log.filter((r) => r.method === 'PUT')).toHaveLength(puts);
  });

  it('stops when the source changes during the copy (copy-source-if-match) and aborts the multipart upload', async () => {
    // prepare
    const s3 = new WireS3();
    const bytes = bytesOf(11 * MiB, 4);
    s3.putMultipart('uploads/c.tif', bytes, 5 * MiB);
    const original = s3.handler.handle;
    s3.handler.handle = async (r: Req) => {
      if (r.method === 'POST' && 'uploads' in r.query) s3.objects.get('uploads/c.tif')!.etag = '"replaced"';
      return original(r);
    };
    const copy = new S3CopyIntoCustody('uploads', 'custody', { client: clientOf(s3), trustStoredChecksums: true, multipartThreshold: MiB });
    // act
    const run = copy.copyOnce('c.tif', 'results/N1/v1/c.tif', sha256(bytes).toString('hex'), bytes.length);
    // assess
    await expect(run).rejects.toThrow(/changed during the copy/);
    expect(s3.log.some((r) => r.method === 'DELETE' && r.query['uploadId'])).toBe(true);
    expect(s3.objects.has('custody/results/N1/v1/c.tif')).toBe(false);
  });
});
