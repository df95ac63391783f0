import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * A small in-memory S3 behind the real AWS SDK client: only the HTTP handler
 * is replaced, and it answers on the wire as S3 does (XML bodies, ETag /
 * checksum / parts-count / Last-Modified headers, 412 on If-None-Match and
 * x-amz-copy-source-if-match, COMPOSITE checksums of multipart objects,
 * FULL_OBJECT SHA-256 computed over a CopyObject's bytes, ListParts and
 * ListMultipartUploads with their pagination). So the headers and bodies the
 * SDK really sends are what the custody-copy tests assert
 * (test/unit/custody-copy-sdk.test.ts, test/unit/custody-copy-resume.test.ts).
 */
export const MiB = 1024 * 1024;
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

interface Stored {
  bytes: Buffer;
  etag: string;
  checksum?: string;
  type?: 'FULL_OBJECT' | 'COMPOSITE';
  parts?: number[];
  lastModified: Date;
}

export interface Req {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export class WireS3 {
  readonly objects = new Map<string, Stored>();
  readonly uploads = new Map<string, { key: string; initiated: Date; parts: Map<number, { bytes: Buffer; etag: string; checksum: string }> }>();
  readonly log: Req[] = [];
  readonly aborted: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** The S3 clock (ms): Last-Modified (whole seconds, as S3 sends it) and Initiated are read from it; tests move it on. */
  clock = Date.parse('2026-12-01T08:00:00Z');
  /** Page sizes, small so a test can prove the client follows the pagination. */
  listPartsPage = 1000;
  listUploadsPage = 1000;
  private uploadCount = 0;

  private get second(): Date {
    return new Date(Math.floor(this.clock / 1000) * 1000);
  }

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
      lastModified: this.second,
    });
  }

  putSingle(key: string, bytes: Buffer): void {
    this.objects.set(key, { bytes, etag: `"${createHash('md5').update(bytes).digest('hex')}"`, checksum: sha256(bytes).toString('base64'), type: 'FULL_OBJECT', lastModified: this.second });
  }

  /** A multipart upload begun now (as a crashed invocation leaves it), with the given ranges of `source` as its parts. */
  openUpload(key: string, source?: { bytes: Buffer; partSize: number; partNumbers: number[] }): string {
    const id = `up${++this.uploadCount}`;
    const parts = new Map<number, { bytes: Buffer; etag: string; checksum: string }>();
    for (const n of source?.partNumbers ?? []) {
      const bytes = source!.bytes.subarray((n - 1) * source!.partSize, n * source!.partSize);
      parts.set(n, { bytes, etag: `"${createHash('md5').update(bytes).digest('hex')}"`, checksum: sha256(bytes).toString('base64') });
    }
    this.uploads.set(id, { key, initiated: new Date(this.clock), parts });
    return id;
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
        'last-modified': o.lastModified.toUTCString(),
        ...(part && o.parts ? { 'x-amz-mp-parts-count': String(o.parts.length) } : {}),
        ...(h['x-amz-checksum-mode'] === 'ENABLED' && o.checksum && !part ? { 'x-amz-checksum-sha256': o.checksum, 'x-amz-checksum-type': o.type ?? 'FULL_OBJECT' } : {}),
      });
    }
    if (req.method === 'GET' && 'uploads' in q && rest.join('/') === '') {
      const prefix = String(q['prefix'] ?? '');
      const after = q['key-marker'] ? `${String(q['key-marker'])}\u0000${String(q['upload-id-marker'] ?? '')}` : '';
      const all = [...this.uploads.entries()]
        .filter(([, u]) => u.key.startsWith(`${bucket}/${prefix}`))
        .map(([id, u]) => ({ id, key: u.key.slice(bucket!.length + 1), initiated: u.initiated }))
        .sort((a, b) => (`${a.key}\u0000${a.id}` < `${b.key}\u0000${b.id}` ? -1 : 1))
        .filter((u) => `${u.key}\u0000${u.id}` > after);
      const page = all.slice(0, this.listUploadsPage);
      const last = page[page.length - 1];
      const truncated = all.length > page.length;
      return xml(
        `<ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>${truncated}</IsTruncated>` +
          (truncated && last ? `<NextKeyMarker>${last.key}</NextKeyMarker><NextUploadIdMarker>${last.id}</NextUploadIdMarker>` : '') +
          page.map((u) => `<Upload><Key>${u.key}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`).join('') +
          `</ListMultipartUploadsResult>`,
      );
    }
    if (req.method === 'GET' && 'uploadId' in q) {
      const up = this.uploads.get(String(q['uploadId']));
      if (!up || up.key !== key) return error(404, 'NoSuchUpload');
      const marker = Number(q['part-number-marker'] ?? 0);
      const max = Math.min(Number(q['max-parts'] ?? 1000), this.listPartsPage);
      const all = [...up.parts.entries()].filter(([n]) => n > marker).sort(([a], [b]) => a - b);
      const page = all.slice(0, max);
      const truncated = all.length > page.length;
      return xml(
        `<ListPartsResult><Bucket>${bucket}</Bucket><UploadId>${String(q['uploadId'])}</UploadId><IsTruncated>${truncated}</IsTruncated>` +
          (truncated ? `<NextPartNumberMarker>${page[page.length - 1]![0]}</NextPartNumberMarker>` : '') +
          page
            .map(([n, p]) => `<Part><PartNumber>${n}</PartNumber><ETag>${p.etag.replace(/"/g, '&quot;')}</ETag><ChecksumSHA256>${p.checksum}</ChecksumSHA256><Size>${p.bytes.length}</Size></Part>`)
            .join('') +
          `</ListPartsResult>`,
      );
    }
    if (req.method === 'GET' && !('uploadId' in q)) {
      const o = this.objects.get(key);
      if (!o) return error(404, 'NoSuchKey');
      return reply(200, { 'content-length': String(o.bytes.length), etag: o.etag }, o.bytes);
    }
    if (req.method === 'POST' && 'uploads' in q) {
      const id = `up${++this.uploadCount}`;
      this.uploads.set(id, { key, initiated: new Date(this.clock), parts: new Map() });
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
        lastModified: this.second,
      });
      this.uploads.delete(String(q['uploadId']));
      return xml(`<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${rest.join('/')}</Key><ETag>&quot;mpu-${all.length}&quot;</ETag></CompleteMultipartUploadResult>`);
    }
    if (req.method === 'DELETE' && q['uploadId']) {
      this.aborted.push(String(q['uploadId']));
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

export function clientOf(s3: WireS3): S3Client {
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

export function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}

