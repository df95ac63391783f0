import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CopyIntoCustody, copyObjectMaxBytes } from '#adapters/s3-custody.ts';
import { projectRoot } from '#infra/local/cloud.ts';
import { localCredentials } from '#infra/local/dynamodb.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { uploadPlan } from '#shared/submission/upload-plan.ts';
import { cloud } from '../integration/helpers.ts';
import { timer } from './cli-run.ts';

/**
 * A file above CopyObject's 5 GiB copied into custody on the local cloud
 * (`npm run test:big`): 5.5 GiB (CHENGGUO_CUSTODY_COPY_MIB), sparse with a
 * random 1 MiB block every 128 MiB, generated here and never committed. It is
 * uploaded to the cloud's uploads bucket as the CLI uploads (a multipart
 * upload with the upload plan's part size and a SHA-256 per part), then the
 * adapter the CopyCustodyBatch function runs copies it server-side
 * (UploadPartCopy of the upload's own parts, 8 in flight): no byte of it
 * passes through the test process until the custody copy is streamed back
 * and its SHA-256 compared with the generated file's.
 */

const MiB = 1024 * 1024;
const size = Number(process.env['CHENGGUO_CUSTODY_COPY_MIB'] ?? 5632) * MiB;
const timings: Record<string, number> = {};
let dir: string;
let file: string;
let sha256: string;
const sourceKey = `submissions/big-copy-${Date.now()}/v1/maps/dom-5g.tif`;
const custodyKey = `results/BIG-COPY-${Date.now()}/v1/maps/dom-5g.tif`;
const client = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: localCredentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
const uploads = localBucketName('uploads');
const custody = localBucketName('custody');

const timed = timer(timings);

async function hashOf(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chengguo-big-copy-'));
  file = join(dir, 'dom-5g.tif');
  await timed('generate', async () => {
    const fd = openSync(file, 'w');
    ftruncateSync(fd, size);
    const block = Buffer.alloc(MiB);
    for (let at = 0; at + MiB <= size; at += 128 * MiB) writeSync(fd, randomFillSync(block), 0, MiB, at);
    closeSync(fd);
    sha256 = await hashOf(createReadStream(file, { highWaterMark: 4 * MiB }) as AsyncIterable<Uint8Array>);
  });
}, 10 * 60_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await client.send(new DeleteObjectCommand({ Bucket: uploads, Key: sourceKey })).catch(() => undefined);
  await client.send(new DeleteObjectCommand({ Bucket: custody, Key: custodyKey })).catch(() => undefined);
  const report = { bytes: size, timingsMs: timings, copyMiBPerSecond: Math.round(size / MiB / ((timings['copy'] ?? 1) / 1000)) };
  mkdirSync(join(projectRoot, '.test-results'), { recursive: true });
  writeFileSync(join(projectRoot, '.test-results', 'big-custody-copy.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`custody copy over 5 GiB: ${JSON.stringify(report)}`);
});

describe('issue-11 R10.1 a file over 5 GiB copied into custody server-side on the local cloud', () => {
  it('uploads 5.5 GiB in the upload plan’s parts, copies it with UploadPartCopy of those parts, and the custody copy’s SHA-256 is the file’s', async () => {
    // prepare: the multipart upload the CLI would make, a SHA-256 per part
    const plan = uploadPlan(size);
    expect(plan.kind).toBe('multipart');
    const partSize = plan.kind === 'multipart' ? plan.partSize : size;
    const count = Math.ceil(size / partSize);
    await timed('upload', async () => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: uploads, Key: sourceKey, ChecksumAlgorithm: 'SHA256' }));
      const parts: Array<{ PartNumber: number; ETag: string }> = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          const start = i * partSize;
          const end = Math.min(size, start + partSize) - 1;
          const part = Buffer.alloc(end - start + 1);
          const fd = openSync(file, 'r');
          try {
            readSync(fd, part, 0, part.length, start);
          } finally {
            closeSync(fd);
          }
          const out = await client.send(
            new UploadPartCommand({ Bucket: uploads, Key: sourceKey, UploadId, PartNumber: i + 1, Body: part, ContentLength: part.length, ChecksumSHA256: createHash('sha256').update(part).digest('base64') }),
          );
          parts[i] = { PartNumber: i + 1, ETag: out.ETag ?? '' };
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      await client.send(new CompleteMultipartUploadCommand({ Bucket: uploads, Key: sourceKey, UploadId, MultipartUpload: { Parts: parts } }));
    });
    expect((await client.send(new HeadObjectCommand({ Bucket: uploads, Key: sourceKey }))).ContentLength).toBe(size);
    expect(size).toBeGreaterThan(copyObjectMaxBytes);

    // act: the CopyCustodyBatch adapter (the cloud's S3 checksums are not trusted: confirmed by streaming, as on the laptop)
    const copier = new S3CopyIntoCustody(uploads, custody, { client, trustStoredChecksums: false });
    const copied = await timed('copy', () => copier.copyOnce(sourceKey, custodyKey, sha256, size));

    // assess
    expect(copied).toEqual({ way: 'uploadPartCopy', confirmedBy: 'streamed', parts: count });
    const head = await client.send(new HeadObjectCommand({ Bucket: custody, Key: custodyKey }));
    expect(head.ContentLength).toBe(size);
    expect(head.ETag).toMatch(new RegExp(`-${count}"$`));
    const back = await timed('readback', async () => {
      const out = await client.send(new GetObjectCommand({ Bucket: custody, Key: custodyKey }));
      return hashOf(out.Body as AsyncIterable<Uint8Array>);
    });
    expect(back).toBe(sha256);
    const again = await timed('copy-again', () => copier.copyOnce(sourceKey, custodyKey, sha256, size));
    expect(again.way).toBe('present');
  }, 60 * 60_000);
});
