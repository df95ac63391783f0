import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyObjectKey } from '#shared/custody/keys.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { copyThroughTheMap, MiB, openUploads, s3, storedSha256, uploadInParts } from './custody-copy-loop.ts';

/**
 * issue 11 on the local cloud, small enough for `npm test`: a 61 MiB file uploaded in 5 MiB parts (13) is copied
 * into custody and the backup bucket by the real Copy Files map and CopyCustodyBatch handler with a 40 ms
 * budget per invocation, so the copy takes several invocations; the first is "killed" (Sandbox.Timedout) after
 * copying some parts, and its retry finds the upload by ListMultipartUploads. The GiB version:
 * test/big/custody-copy-resume.test.ts.
 */

const size = 61 * MiB;
const partSize = 5 * MiB;
const bytes = randomBytes(size);

describe('R10.1 issue-11 one file copied into custody over several invocations on the local cloud (real map, handler and S3)', () => {
  it('loops Copy Batch until done, resumes the killed first invocation’s upload without recopying its parts, and custody and backup hold the file’s SHA-256', async () => {
    // prepare
    const submissionId = randomUUID();
    const resultNumber = `RESUME-${Date.now()}`;
    const path = 'maps/dom.tif';
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const parts = await uploadInParts(objectKey(submissionId, 1, path), size, partSize, (start, end) => bytes.subarray(start, end));
    // act
    const run = await copyThroughTheMap({ submissionId, path, resultNumber, size, sha256, budgetMs: 40, multipartMiB: 1, crashFirst: true });
    console.log(`resumable custody copy (${size / MiB} MiB, 40 ms budget): ${run.results.length} invocations in ${run.ms} ms, parts done per invocation ${JSON.stringify(run.results.map((r) => r.resume.uploads.map((u) => u.partsDone)))}`);
    // assess
    expect(run.execution?.status, run.execution?.cause).toBe('SUCCEEDED');
    expect(parts).toBe(13);
    expect(run.results.length).toBeGreaterThanOrEqual(3);
    expect(run.results.slice(0, -1).every((r) => r.continue)).toBe(true);
    expect(run.results.at(-1)).toMatchObject({ continue: false, crashed: false, resume: { uploads: [] } });
    // The killed invocation's upload is the one the retry went on with (found by ListMultipartUploads, not begun again).
    const killed = run.results[0]!;
    expect(killed.crashed).toBe(true);
    const custodyUpload = killed.resume.uploads.find((u) => u.bucket === localBucketName('custody'))!;
    expect(custodyUpload.partsDone).toBeGreaterThan(0);
    const retry = run.results[1]!.resume.uploads.find((u) => u.bucket === localBucketName('custody'));
    if (retry) {
      expect(retry.uploadId).toBe(custodyUpload.uploadId);
      expect(retry.partsDone).toBeGreaterThan(custodyUpload.partsDone);
    }
    for (const r of run.results) expect(JSON.stringify(r.resume).length).toBeLessThan(1000);
    const key = custodyObjectKey(resultNumber, 1, path);
    for (const bucket of ['custody', 'backup']) {
      expect(await storedSha256(bucket, key), bucket).toBe(sha256);
      const head = await s3.send(new HeadObjectCommand({ Bucket: localBucketName(bucket), Key: key }));
      expect(head.ETag, bucket).toMatch(/-13"$/);
      expect(await openUploads(bucket, key), bucket).toEqual([]);
    }
  }, 300_000);
});
