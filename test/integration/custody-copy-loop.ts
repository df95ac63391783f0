/**
 * issue 11: one big file copied into custody over several CopyCustodyBatch invocations on the local cloud —
 * the Transfer machine's real "Copy Files" map (statemachines/transfer.asl.json: Copy Batch → Batch Copied? →
 * Continue Batch, with its Retry) on the local engine, invoking the real CopyCustodyBatch handler over the
 * real S3 adapters and the cloud's S3 (uploads → custody, and the backup bucket as the local cloud copies it).
 * Only the registry is a fake here (the one verified file); a short time budget
 * (CHENGGUO_TEST_COPY_BUDGET_MS) and a low multipart threshold (CHENGGUO_TEST_COPY_MULTIPART_MIB), both
 * tests-only variables, make the copy take several invocations.
 * Used by test/integration/custody-copy-resume.test.ts (tens of MiB, in `npm test`) and
 * test/big/custody-copy-resume.test.ts (GiB, sparse).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { testCopyMultipartEnv } from '#adapters/s3-custody.ts';
import { copyUses } from '#functions/transfer/copy-into-custody.ts';
import { handler as copyBatchHandler, testCopyBudgetEnv } from '#functions/transfer/copy-custody-batch.ts';
import { localEnvironment, projectRoot } from '#infra/local/cloud.ts';
import { localCredentials } from '#infra/local/dynamodb.ts';
import { localBucketName, localPorts } from '#infra/local/ports.ts';
import { LocalStepFunctions, type ExecutionRecord } from '#infra/local/sfn-engine.ts';
import { functionArn } from '#infra/local/lambda-runtime.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import type { PartialCopy } from '#shared/ports/custody.ts';
import type { Submission, Version, VersionFile } from '#shared/schemas/submission.ts';
import { testPortBase } from './global-setup.ts';
import { cloud } from './helpers.ts';


export const MiB = 1024 * 1024;
export const s3 = new S3Client({
  endpoint: cloud.urls.s3,
  region: cloud.region,
  forcePathStyle: true,
  credentials: localCredentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

export async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/** The object's SHA-256 as the local S3 streams it back. */
export async function storedSha256(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: localBucketName(bucket), Key: key }));
  return sha256Of(out.Body as AsyncIterable<Uint8Array>);
}

/** Uploads as the CLI does: a multipart upload with ChecksumAlgorithm SHA256 and a SHA-256 per part (`read` gives each part's bytes). */
export async function uploadInParts(key: string, size: number, partSize: number, read: (start: number, end: number) => Buffer): Promise<number> {
  const count = Math.ceil(size / partSize);
  const bucket = localBucketName('uploads');
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
  const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256: string }> = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const body = read(i * partSize, Math.min(size, (i + 1) * partSize));
      const checksum = createHash('sha256').update(body).digest('base64');
      const out = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ContentLength: body.length, ChecksumSHA256: checksum }));
      parts[i] = { PartNumber: i + 1, ETag: out.ETag ?? '', ChecksumSHA256: checksum };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
  return count;
}

/** Open multipart uploads under a key (none is left after a finished copy). */
export async function openUploads(bucket: string, key: string): Promise<string[]> {
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: localBucketName(bucket), Prefix: key }));
  return (out.Uploads ?? []).filter((u) => u.Key === key).map((u) => u.UploadId ?? '');
}

/** The Transfer machine's "Copy Files" map alone (its real states), as a machine of its own. */
function copyFilesMachine(): string {
  const asl = JSON.parse(readFileSync(join(projectRoot, 'statemachines', 'transfer.asl.json'), 'utf8')) as { States: Record<string, Record<string, unknown>> };
  const { Next: _next, Catch: _catch, ...map } = asl.States['Copy Files']!;
  const text = JSON.stringify({ StartAt: 'Copy Files', States: { 'Copy Files': { ...map, End: true } } });
  return text.replaceAll('${CopyCustodyBatchFunctionArn}', functionArn('CopyCustodyBatch'));
}

export interface CopyLoopRun {
  readonly execution: ExecutionRecord | undefined;
  /** Every CopyCustodyBatch result, in order (a crashed one included: it was not returned to the machine). */
  readonly results: Array<{ continue: boolean; resume: { invocation: number; uploads: PartialCopy[] }; crashed: boolean; ms: number }>;
  readonly ms: number;
}

/**
 * Copies one verified file (`sourceKey` in uploads, its size and SHA-256) of a one-file batch into custody
 * through the map, with the given tests-only time budget. `crashFirst`: the first invocation's result is
 * thrown away and Sandbox.Timedout reported instead, as when Lambda kills a function mid-copy.
 */
export async function copyThroughTheMap(opts: {
  submissionId: string;
  path: string;
  resultNumber: string;
  size: number;
  sha256: string;
  budgetMs: number;
  multipartMiB: number;
  crashFirst?: boolean;
}): Promise<CopyLoopRun> {
  const saved = { ...process.env };
  Object.assign(process.env, localEnvironment(localPorts(testPortBase)), { [testCopyBudgetEnv]: String(opts.budgetMs), [testCopyMultipartEnv]: String(opts.multipartMiB) });
  try {
    const file: VersionFile = { submissionId: opts.submissionId, n: 1, manifestId: 'm1', path: opts.path, size: opts.size, sha256: opts.sha256, role: 'data', upload: 'multipart' } as VersionFile;
    const registry = {
      getSubmission: async () => ({ submissionId: opts.submissionId, organiserOrg: '440000-NR', custodianOrg: '440000-CUS', status: 'verified' }) as Submission,
      getVersion: async () => ({ submissionId: opts.submissionId, n: 1, status: 'verified', manifestId: 'm1' }) as Version,
      listFiles: async (_i: string, _n: number, _m: string, page?: { after?: string }) => (page?.after && page.after >= file.path ? [] : [file]),
    };
    const ports = { ...(compose(copyUses, functionByName('CopyCustodyBatch')) as Record<string, unknown>), submissions: registry };
    const run = copyBatchHandler.with(ports as never);
    const results: Array<CopyLoopRun['results'][number]> = [];
    const invoke = async (fn: string, payload: unknown) => {
      if (fn !== 'CopyCustodyBatch') throw new Error(`unexpected function ${fn}`);
      const started = Date.now();
      const deadline = started + 900_000;
      const context = { awsRequestId: `copy-${results.length + 1}`, getRemainingTimeInMillis: () => deadline - Date.now() } as unknown as Context;
      const out = (await run(JSON.parse(JSON.stringify(payload)), context)) as unknown as { continue: boolean; resume: { invocation: number; uploads: PartialCopy[] } };
      const crashed = Boolean(opts.crashFirst) && results.length === 0;
      results.push({ continue: out.continue, resume: out.resume, crashed, ms: Date.now() - started });
      if (crashed) throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
      return JSON.parse(JSON.stringify(out)) as unknown;
    };
    const engine = new LocalStepFunctions({ machines: [{ name: 'CopyFiles', definition: copyFilesMachine() }], invoke });
    try {
      const started = Date.now();
      const { executionArn } = engine.startExecution({
        stateMachineArn: engine.stateMachineArn('CopyFiles'),
        name: `copy-${opts.resultNumber}`,
        input: JSON.stringify({ submissionId: opts.submissionId, assigned: { n: 1, resultNumber: opts.resultNumber }, plan: { batches: [{ batch: 1, limit: 1, bytes: opts.size }] } }),
      });
      const execution = await engine.settled(executionArn);
      return { execution, results, ms: Date.now() - started };
    } finally {
      await engine.close();
    }
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
