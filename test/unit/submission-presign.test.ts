import { describe, expect, it } from 'vitest';
import { S3Client } from '@aws-sdk/client-s3';
import { S3PackageObjectStore } from '#adapters/s3-uploads.ts';
import { hexToBase64, maxParts, MiB, partLength, partSizeFor, singlePutMaxBytes, uploadPlan, urlExpirySeconds } from '#shared/submission/upload-plan.ts';
import { sha } from './submission-fakes.ts';

const TiB = 1024 ** 4;

describe('R7.1 upload plan: single PUT up to 100 MiB, multipart above', () => {
  it('puts a file of exactly 100 MiB in one PUT and one byte more in parts', () => {
    expect(uploadPlan(singlePutMaxBytes)).toEqual({ kind: 'single' });
    expect(uploadPlan(singlePutMaxBytes + 1)).toEqual({ kind: 'multipart', partSize: 8 * MiB, partCount: 13 });
  });

  it('never makes a part smaller than 8 MiB, and grows it in whole MiB', () => {
    expect(partSizeFor(singlePutMaxBytes + 1)).toBe(8 * MiB);
    expect(partSizeFor(80_000 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(80_000 * MiB + 1)).toBe(9 * MiB);
  });

  it('fits a 1 TiB file in at most 10,000 parts of whole MiB (105 MiB, 9,987 parts)', () => {
    const plan = uploadPlan(TiB);

    expect(plan).toEqual({ kind: 'multipart', partSize: 105 * MiB, partCount: 9987 });
    expect(Math.ceil(TiB / (104 * MiB))).toBeGreaterThan(maxParts);
  });

  it('fits the 5 TiB maximum in 10,000 parts', () => {
    const plan = uploadPlan(5 * TiB);

    expect(plan.kind).toBe('multipart');
    expect(plan.kind === 'multipart' ? plan.partCount : Infinity).toBeLessThanOrEqual(maxParts);
  });

  it('gives every part the part size except a shorter last one', () => {
    const size = 300 * MiB;

    expect(partLength(size, 8 * MiB, 1)).toBe(8 * MiB);
    expect(partLength(size, 8 * MiB, 38)).toBe(4 * MiB);
    expect(() => partLength(size, 8 * MiB, 39)).toThrow(RangeError);
  });
});

describe('R7.1 R10.1 presigned URLs keep the checksum and If-None-Match as signed headers', () => {
  // The real SDK presigner with dummy credentials: signing is local, nothing goes on the network.
  const client = new S3Client({ region: 'cn-north-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
  const store = new S3PackageObjectStore(client, 'chengguo-uploads', () => new Date('2026-09-21T02:00:00Z'));
  const checksum = hexToBase64(sha('landuse'));

  it('signs content-length, host, if-none-match and x-amz-checksum-sha256, and puts no checksum in the query string', async () => {
    const signed = await store.presignPut('submissions/s/v1/data/landuse.gpkg', { checksumSha256: checksum, size: 19_968, expiresInSeconds: 3600 });
    const url = new URL(signed.url);

    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host;if-none-match;x-amz-checksum-sha256');
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(url.searchParams.get('X-Amz-Content-Sha256')).toBe('UNSIGNED-PAYLOAD');
    expect(signed.headers).toEqual({ 'x-amz-checksum-sha256': checksum, 'if-none-match': '*', 'content-length': '19968' });
  });

  it('expires within an hour even when asked for longer', async () => {
    const signed = await store.presignPut('submissions/s/v1/a.pdf', { checksumSha256: checksum, size: 10, expiresInSeconds: 7 * 24 * 3600 });
    const url = new URL(signed.url);

    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(urlExpirySeconds);
    expect(signed.expiresAt).toBe('2026-09-21T03:00:00.000Z');
  });

  it('signs each UploadPart with the part’s checksum and length as headers', async () => {
    const signed = await store.presignUploadPart('submissions/s/v1/dom.tif', 'upload-1', 7, { checksumSha256: checksum, size: 8 * MiB, expiresInSeconds: 3600 });
    const url = new URL(signed.url);

    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host;x-amz-checksum-sha256');
    expect(url.searchParams.get('partNumber')).toBe('7');
    expect(url.searchParams.get('uploadId')).toBe('upload-1');
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(signed.headers).toEqual({ 'x-amz-checksum-sha256': checksum, 'content-length': String(8 * MiB) });
  });

  it('puts a Chinese path in the key, percent-encoded', async () => {
    const signed = await store.presignPut('submissions/s/v1/报告/调查报告.pdf', { checksumSha256: checksum, size: 631, expiresInSeconds: 600 });
    const url = new URL(signed.url);

    expect(url.hostname).toBe('chengguo-uploads.s3.cn-north-1.amazonaws.com.cn');
    expect(url.pathname).toBe(`/submissions/s/v1/${encodeURIComponent('报告')}/${encodeURIComponent('调查报告.pdf')}`);
  });
});
