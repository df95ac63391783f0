import { randomFillSync, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyObjectKey } from '#shared/custody/keys.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { uploadPlan } from '#shared/submission/upload-plan.ts';
import { copyThroughTheMap, MiB, openUploads, s3, sha256Of, storedSha256, uploadInParts } from '../integration/custody-copy-loop.ts';
import { timer } from './cli-run.ts';

/**
 * issue 11 at GiB scale (`npm run test:big -- test/big/custody-copy-resume.test.ts`): a sparse file of
 * CHENGGUO_RESUME_COPY_MIB (default 2048) MiB with a random 1 MiB block every 64 MiB, generated here and never
 * committed, uploaded in the upload plan's 8 MiB parts, then copied into custody and backup by the real Copy
 * Files map and CopyCustodyBatch handler with a 2 s tests-only budget per invocation
 * (CHENGGUO_TEST_COPY_BUDGET_MS) and multipart above 1 MiB (CHENGGUO_TEST_COPY_MULTIPART_MIB), the first
 * invocation "killed": the copy takes many invocations, each going on from the parts S3 holds.
 * Writes .test-results/big-custody-copy-resume.json.
 */

const size = Number(process.env['CHENGGUO_RESUME_COPY_MIB'] ?? 2048) * MiB;
const budgetMs = 2000;
const timings: Record<string, number> = {};
let dir: string;
let file: string;
let sha256: string;
let invocations = 0;

const timed = timer(timings);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chengguo-big-resume-'));
  file = join(dir, 'dom.tif');
  await timed('generate', async () => {
    const fd = openSync(file, 'w');
    ftruncateSync(fd, size);
    const block = Buffer.alloc(MiB);
    for (let at = 0; at + MiB <= size; at += 64 * MiB) writeSync(fd, randomFillSync(block), 0, MiB, at);
    closeSync(fd);
    sha256 = await sha256Of(createReadStream(file, { highWaterMark: 4 * MiB }) as AsyncIterable<Uint8Array>);
  });
}, 10 * 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  const report = { bytes: size, budgetMs, invocations, timingsMs: timings };
  mkdirSync(join(projectRoot, '.test-results'), { recursive: true });
  writeFileSync(join(projectRoot, '.test-results', 'big-custody-copy-resume.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`resumable custody copy: ${JSON.stringify(report)}`);
});

describe('R10.1 issue-11 a GiB file copied into custody over many invocations on the local cloud', () => {
  it('copies the sparse file in many time-boxed invocations (the first killed), and custody and backup hold its SHA-256', async () => {
    // prepare
    const submissionId = randomUUID();
    const resultNumber = `BIG-RESUME-${Date.now()}`;
    const path = 'maps/dom.tif';
    const plan = uploadPlan(size);
    const partSize = plan.kind === 'multipart' ? plan.partSize : size;
    const parts = await timed('upload', () =>
      uploadInParts(objectKey(submissionId, 1, path), size, partSize, (start, end) => {
        const part = Buffer.alloc(end - start);
        const fd = openSync(file, 'r');
        try {
          readSync(fd, part, 0, part.length, start);
        } finally {
          closeSync(fd);
        }
        return part;
      }),
    );
    // act
    const run = await timed('copy', () => copyThroughTheMap({ submissionId, path, resultNumber, size, sha256, budgetMs, multipartMiB: 1, crashFirst: true }));
    invocations = run.results.length;
    // assess
    expect(run.execution?.status, run.execution?.cause).toBe('SUCCEEDED');
    expect(run.results.length).toBeGreaterThanOrEqual(3);
    expect(run.results.at(-1)).toMatchObject({ continue: false, resume: { uploads: [] } });
    const custody = (i: number) => run.results[i]!.resume.uploads.find((u) => u.bucket === localBucketName('custody'));
    const first = custody(0)!;
    expect(first.partsDone).toBeGreaterThan(0);
    expect(first.partsDone).toBeLessThan(parts);
    if (custody(1)) expect(custody(1)!.uploadId).toBe(first.uploadId);
    for (const r of run.results) expect(JSON.stringify(r.resume).length).toBeLessThan(1000);
    const key = custodyObjectKey(resultNumber, 1, path);
    await timed('readback', async () => {
      for (const bucket of ['custody', 'backup']) {
        expect(await storedSha256(bucket, key), bucket).toBe(sha256);
        const head = await s3.send(new HeadObjectCommand({ Bucket: localBucketName(bucket), Key: key }));
        expect(head.ContentLength, bucket).toBe(size);
        expect(head.ETag, bucket).toMatch(new RegExp(`-${parts}"$`));
        expect(await openUploads(bucket, key), bucket).toEqual([]);
      }
    });
  }, 60 * 60_000);
});
