import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '#infra/local/dynamodb.ts';
import { startLocalS3, type LocalS3 } from '#infra/local/s3.ts';
import { S3CopyIntoCustody } from '#adapters/s3-custody.ts';
import { S3PackageObjectStore } from '#adapters/s3-uploads.ts';
import { httpTransport } from '../../cli/transfer.ts';
import { testPortBase } from './global-setup.ts';

/**
 * The local S3 (infra/local/s3.ts: s3rver + a thin front) holds what a real
 * package needs: a single PUT above fauxqs's old 11 MiB limit, multipart with
 * ListParts and S3's InvalidPart check on completion, If-None-Match, and
 * server-side copies by CopyObject and by UploadPartCopy (the custody
 * adapter's path above its multipart threshold, lowered here so the test
 * stays small). Its own port (test base + 20), its own folder.
 */

const MiB = 1024 * 1024;
let s3: LocalS3;
let dir: string;
let client: S3Client;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();

async function bytesOf(bucket: string, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chengguo-local-s3-'));
  const port = testPortBase + 20;
  s3 = await startLocalS3({ port, dir, buckets: ['uploads', 'custody'] });
  client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'cn-north-1',
    credentials: localCredentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue-8 R6.1 R10.1 local S3 holds realistic package files', () => {
  it('takes a 51 MiB presigned single PUT with its signed headers, and refuses to overwrite it (412)', async () => {
    // prepare
    const body = randomBytes(51 * MiB);
    const store = new S3PackageObjectStore(client, 'uploads');
    const signed = await store.presignPut('big/dom.tif', { checksumSha256: sha(body).toString('base64'), size: body.length, expiresInSeconds: 600 });
    const path = join(dir, 'dom.tif');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, body);
    // act
    const first = await httpTransport.putFile(signed, { path, start: 0, length: body.length }, () => undefined);
    const again = await httpTransport.putFile(signed, { path, start: 0, length: body.length }, () => undefined);
    // assess
    expect(first.status).toBe(200);
    expect(again.status).toBe(412);
    expect(sha(await bytesOf('uploads', 'big/dom.tif')).equals(sha(body))).toBe(true);
  });

  it('lists the parts of a multipart upload, refuses a wrong ETag (InvalidPart) and completes with the right ones', async () => {
    // prepare
    const store = new S3PackageObjectStore(client, 'uploads');
    const parts = [randomBytes(8 * MiB), randomBytes(8 * MiB), randomBytes(3 * MiB)];
    const key = 'big/multi.tif';
    const uploadId = await store.createMultipartUpload(key);
    const sent: Array<{ partNumber: number; etag: string; checksumSha256: string }> = [];
    const { writeFileSync } = await import('node:fs');
    for (const [i, part] of parts.entries()) {
      const path = join(dir, `part-${i}`);
      writeFileSync(path, part);
      const signed = await store.presignUploadPart(key, uploadId, i + 1, { checksumSha256: sha(part).toString('base64'), size: part.length, expiresInSeconds: 600 });
      const res = await httpTransport.putFile(signed, { path, start: 0, length: part.length }, () => undefined);
      sent.push({ partNumber: i + 1, etag: res.etag!, checksumSha256: sha(part).toString('base64') });
    }
    // act
    const listed = await store.listParts(key, uploadId);
    const uploads = await store.listMultipartUploads('big/');
    const wrong = store.completeMultipartUpload(key, uploadId, [sent[0]!, { ...sent[1]!, etag: '"0123"' }, sent[2]!], 19 * MiB);
    // assess
    expect(listed).not.toBe('unsupported');
    expect((listed as Array<{ partNumber: number; etag: string; size: number }>).map((p) => [p.partNumber, p.etag, p.size])).toEqual(
      sent.map((p, i) => [p.partNumber, p.etag, parts[i]!.length]),
    );
    expect(uploads).toEqual([{ key, uploadId }]);
    await expect(wrong).rejects.toMatchObject({ code: 'PARTS_REJECTED' });
    await store.completeMultipartUpload(key, uploadId, sent, 19 * MiB);
    expect(sha(await bytesOf('uploads', key)).equals(sha(Buffer.concat(parts)))).toBe(true);
    expect(await store.listParts(key, uploadId)).toBe('noSuchUpload');
    await expect(store.completeMultipartUpload(key, uploadId, sent, 19 * MiB)).rejects.toMatchObject({ code: 'PARTS_REJECTED' });
  });

  it('copies server-side into custody: CopyObject below the threshold, UploadPartCopy above it, each SHA-256 intact', async () => {
    // prepare
    const small = randomBytes(2 * MiB + 17);
    const large = randomBytes(21 * MiB + 5);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'src/small.bin', Body: small }));
    await client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'src/large.bin', Body: large }));
    const copier = new S3CopyIntoCustody('uploads', 'custody', { client, multipartThreshold: 10 * MiB, copyPartSize: 8 * MiB });
    // act
    const a = await copier.copyOnce('src/small.bin', 'results/a/small.bin', sha(small).toString('hex'), small.length);
    const b = await copier.copyOnce('src/large.bin', 'results/a/large.bin', sha(large).toString('hex'), large.length);
    const again = await copier.copyOnce('src/large.bin', 'results/a/large.bin', sha(large).toString('hex'), large.length);
    const other = copier.copyOnce('src/small.bin', 'results/a/large.bin', sha(small).toString('hex'), small.length);
    // assess: the local S3's checksums prove nothing (not trusted), so each copy is confirmed by streaming it
    expect(a).toEqual({ way: 'copyObject', confirmedBy: 'streamed' });
    expect(b).toEqual({ way: 'uploadPartCopy', confirmedBy: 'streamed', parts: 3 });
    expect(again.way).toBe('present');
    await expect(other).rejects.toMatchObject({ code: 'CUSTODY_CONTENT_CONFLICT' });
    expect(sha(await bytesOf('custody', 'results/a/small.bin')).equals(sha(small))).toBe(true);
    expect(sha(await bytesOf('custody', 'results/a/large.bin')).equals(sha(large))).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'custody', Key: 'results/a/large.bin' }));
    expect(head.ContentLength).toBe(large.length);
  });

  it('issue-11 answers UploadPartCopy as S3 does: the range’s SHA-256 in CopyPartResult, and 412 when the source is not the one named by x-amz-copy-source-if-match', async () => {
    // prepare
    const { AbortMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCopyCommand } = await import('@aws-sdk/client-s3');
    const source = randomBytes(6 * MiB + 3);
    await client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'src/ranged.bin', Body: source }));
    const etag = (await client.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'src/ranged.bin' }))).ETag;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'custody', Key: 'results/r/ranged.bin', ChecksumAlgorithm: 'SHA256' }));
    const part = (n: number, range: string, ifMatch: string | undefined) =>
      client.send(new UploadPartCopyCommand({ Bucket: 'custody', Key: 'results/r/ranged.bin', UploadId, PartNumber: n, CopySource: 'uploads/src/ranged.bin', CopySourceRange: range, ...(ifMatch ? { CopySourceIfMatch: ifMatch } : {}) }));
    // act
    const first = await part(1, `bytes=0-${5 * MiB - 1}`, etag);
    const stale = part(2, `bytes=${5 * MiB}-${source.length - 1}`, '"0123456789abcdef0123456789abcdef"');
    // assess
    expect(first.CopyPartResult?.ChecksumSHA256).toBe(sha(source.subarray(0, 5 * MiB)).toString('base64'));
    expect(first.CopyPartResult?.ETag).toBe(`"${createHash('md5').update(source.subarray(0, 5 * MiB)).digest('hex')}"`);
    await expect(stale).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await client.send(new AbortMultipartUploadCommand({ Bucket: 'custody', Key: 'results/r/ranged.bin', UploadId }));
  });

  it('issue-11 tells a completed multipart object’s part layout (HeadObject partNumber), so the custody copy follows the upload’s own parts', async () => {
    // prepare: a 2-part upload (5 MiB + 1 MiB + 9 bytes)
    const { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } = await import('@aws-sdk/client-s3');
    const body = randomBytes(6 * MiB + 9);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'src/parts.bin', ChecksumAlgorithm: 'SHA256' }));
    const parts = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB)];
    const etags = [];
    for (const [i, p] of parts.entries()) etags.push((await client.send(new UploadPartCommand({ Bucket: 'uploads', Key: 'src/parts.bin', UploadId, PartNumber: i + 1, Body: p }))).ETag);
    await client.send(new CompleteMultipartUploadCommand({ Bucket: 'uploads', Key: 'src/parts.bin', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    // act
    const head = await client.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'src/parts.bin', PartNumber: 2 }));
    const copied = await new S3CopyIntoCustody('uploads', 'custody', { client, multipartThreshold: MiB }).copyOnce('src/parts.bin', 'results/p/parts.bin', sha(body).toString('hex'), body.length);
    // assess
    expect(head.ContentLength).toBe(MiB + 9);
    expect(head.PartsCount).toBe(2);
    expect(copied).toEqual({ way: 'uploadPartCopy', confirmedBy: 'streamed', parts: 2 });
    expect(sha(await bytesOf('custody', 'results/p/parts.bin')).equals(sha(body))).toBe(true);
  });

  it('issue-10 lists a version of more than 1,000 objects page by page (ListObjectsV2 continuation), as the upload-URL route does', async () => {
    // prepare: 2,345 objects of a version (a package of thousands of files), and one beside it
    const { PutObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const keys = Array.from({ length: 2345 }, (_, i) => `submissions/many/v1/data/${String(i % 10)}/F49G${String(i).padStart(5, '0')}.shp`);
    let next = 0;
    const put = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await client.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: Buffer.from(key) }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, put));
    await client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'submissions/many/v2/other.shp', Body: Buffer.from('x') }));
    // act
    const listed = await new S3PackageObjectStore(client, 'uploads').listObjects('submissions/many/v1/');
    const first = await client.send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: 'submissions/many/v1/', MaxKeys: 1000 }));
    const bad = await client.send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: 'submissions/many/v1/', ContinuationToken: 'not-a-token' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    const ranged = await new S3PackageObjectStore(client, 'uploads').listObjects('submissions/many/v1/', { startAfter: 'submissions/many/v1/data/5/', through: 'submissions/many/v1/data/5/F49G00095.shp' });
    // assess: every key once, in order, with its size; pages of 1,000 with a token the next page takes
    expect(listed.map((o) => o.key)).toEqual([...keys].sort());
    expect(listed.every((o) => o.size === Buffer.byteLength(o.key))).toBe(true);
    expect(first.IsTruncated).toBe(true);
    expect(first.KeyCount).toBe(1000);
    expect(first.NextContinuationToken).toBeTruthy();
    expect(bad).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    // a key range (what the upload-URL route asks for): one page from data/5/ on, not the version
    expect(ranged[0]?.key).toBe('submissions/many/v1/data/5/F49G00005.shp');
    expect(ranged.length).toBeLessThanOrEqual(1000);
    expect(ranged.map((o) => o.key)).toEqual([...keys].sort().filter((k) => k > 'submissions/many/v1/data/5/').slice(0, ranged.length));
  });
});
