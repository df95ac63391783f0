import { describe, expect, it } from 'vitest';
import { S3CopyIntoCustody } from '#adapters/s3-custody.ts';
import { bytesOf, clientOf, MiB, sha256, WireS3, type Req } from './wire-s3.ts';

/**
 * The server-side copy into custody through the real AWS SDK client: only
 * the HTTP handler is replaced, by a small in-memory S3 (./wire-s3.ts) that
 * answers on the wire as S3 does. So the headers the SDK really sends —
 * x-amz-copy-source-range, x-amz-copy-source-if-match, If-None-Match, the
 * parts' checksums in the CompleteMultipartUpload body — are what is asserted.
 */

/** A GetObject: bytes read back (ListParts and ListMultipartUploads are GETs too, but read no object). */
const isGetObject = (r: Req) => r.method === 'GET' && !('uploadId' in r.query) && !('uploads' in r.query);

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
    expect(s3.log.some(isGetObject)).toBe(false);
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
    expect(s3.log.some(isGetObject)).toBe(false);
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
    await expect(run).rejects.toMatchObject({ code: 'CUSTODY_SOURCE_CHANGED', name: 'CustodySourceChangedError' });
    expect(s3.log.some((r) => r.method === 'DELETE' && r.query['uploadId'])).toBe(true);
    expect(s3.objects.has('custody/results/N1/v1/c.tif')).toBe(false);
  });
});
