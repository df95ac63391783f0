import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { S3CopyIntoCustody, type CopyOutcome } from '#adapters/s3-custody.ts';
import { copyDeadline, copyReserveMs, handler as copyBatchHandler, testCopyBudgetEnv } from '#functions/transfer/copy-custody-batch.ts';
import { custodyObjectKey } from '#shared/custody/keys.ts';
import type { CustodyStore, PartialCopy } from '#shared/ports/custody.ts';
import type { Submission, Version, VersionFile } from '#shared/schemas/submission.ts';
import { FakeCustodyStore, FakeUploads, sha } from './custody-fakes.ts';
import { bytesOf, clientOf, MiB, sha256, WireS3, type Req } from './wire-s3.ts';

/**
 * issue 11: the copy of one big file goes on across invocations (a file near 5 TiB is 10,000 parts; one
 * 900 s Lambda copies a fraction). The real SDK client over the wire-level S3 of ./wire-s3.ts: what is
 * asserted is what the SDK sends (UploadPartCopy ranges, ListParts / ListMultipartUploads pagination,
 * AbortMultipartUpload, the CompleteMultipartUpload body).
 */

const partSize = 5 * MiB;
const source = 'uploads/submissions/S1/v1/dom.tif';
const target = 'custody/results/N1/v1/dom.tif';

/** A 12-part source (11 × 5 MiB + 1 MiB) as the upload plan leaves it, and a copier above a 1 MiB threshold. */
function setUp(opts: { trust?: boolean } = {}) {
  const s3 = new WireS3();
  const bytes = bytesOf(11 * partSize + MiB, 7);
  s3.putMultipart(source, bytes, partSize);
  const copier = new S3CopyIntoCustody('uploads', 'custody', { client: clientOf(s3), trustStoredChecksums: opts.trust ?? true, multipartThreshold: MiB });
  const hash = sha256(bytes).toString('hex');
  const copy = (o: Parameters<S3CopyIntoCustody['copyOnce']>[4] = {}) => copier.copyOnce('submissions/S1/v1/dom.tif', 'results/N1/v1/dom.tif', hash, bytes.length, o);
  return { s3, bytes, copy };
}

const partCopies = (log: readonly Req[]) => log.filter((r) => r.method === 'PUT' && r.query['uploadId'] && r.headers['x-amz-copy-source']);
const rangesOf = (log: readonly Req[]) => partCopies(log).map((r) => r.headers['x-amz-copy-source-range']!);
/** outOfTime that turns true once `n` parts have been sent (a deterministic stand-in for the Lambda clock). */
const afterParts = (s3: WireS3, n: number) => () => partCopies(s3.log).length >= n;

function unfinished(out: CopyOutcome): PartialCopy {
  if (out.way !== 'unfinished') throw new Error(`expected an unfinished copy, got ${out.way}`);
  return out.partial;
}

describe('R10.1 issue-11 a big file’s copy into custody resumes across invocations (real SDK client, mocked HTTP)', () => {
  it('stops starting parts when out of time, returns small state without a part list, and the next call copies only the parts still missing', async () => {
    // prepare
    const { s3, bytes, copy } = setUp();
    // act: the first invocation runs out of time once 10 parts were sent (8 start at once; the parts in flight finish), the second goes on
    const first = unfinished(await copy({ outOfTime: afterParts(s3, 10) }));
    const firstRanges = rangesOf(s3.log);
    const inCustodyAfterFirst = s3.objects.has(target);
    s3.log.length = 0;
    const second = await copy({ outOfTime: () => false, resume: [first] });
    // assess
    expect(first).toMatchObject({ bucket: 'custody', key: 'results/N1/v1/dom.tif', uploadId: 'up1', sourceEtag: s3.objects.get(source)!.etag, parts: 12 });
    expect(first.partsDone).toBe(firstRanges.length);
    expect(first.partsDone).toBeGreaterThanOrEqual(10);
    expect(first.partsDone).toBeLessThan(12);
    expect(JSON.stringify(first).length).toBeLessThan(300);
    expect(inCustodyAfterFirst).toBe(false);
    expect(second).toEqual({ way: 'uploadPartCopy', confirmedBy: 'compositeChecksum', parts: 12, resumed: first.partsDone });
    const secondRanges = rangesOf(s3.log);
    expect(secondRanges).toHaveLength(12 - first.partsDone);
    expect(new Set([...firstRanges, ...secondRanges]).size).toBe(12);
    expect(s3.log.some((r) => r.method === 'POST' && 'uploads' in r.query)).toBe(false);
    const complete = s3.log.find((r) => r.method === 'POST' && r.query['uploadId'])!;
    expect(complete.headers['if-none-match']).toBe('*');
    expect(String(complete.body).match(/<ChecksumSHA256>/g)).toHaveLength(12);
    expect(s3.objects.get(target)!.bytes.equals(bytes)).toBe(true);
  });

  it('always copies at least one part, so a call that starts out of time still makes progress', async () => {
    // prepare
    const { s3, copy } = setUp();
    // act
    const out = unfinished(await copy({ outOfTime: () => true }));
    // assess
    expect(out.partsDone).toBeGreaterThanOrEqual(1);
    expect(partCopies(s3.log)).toHaveLength(out.partsDone);
  });

  it('after a crash (no state returned) finds the upload by ListMultipartUploads — the earliest begun after the source — aborts the strays, and skips the parts ListParts names across pages', async () => {
    // prepare: a stale upload from before the source was written, the crashed invocation's upload with 5 parts, a later stray
    const { s3, bytes, copy } = setUp();
    s3.listPartsPage = 2;
    s3.listUploadsPage = 1;
    const stale = s3.openUpload('custody/results/N1/v1/dom.tif');
    s3.objects.get(source)!.lastModified = new Date(s3.clock + 10_000);
    s3.clock += 20_000;
    const crashed = s3.openUpload('custody/results/N1/v1/dom.tif', { bytes, partSize, partNumbers: [1, 2, 5, 6, 9] });
    s3.clock += 20_000;
    const stray = s3.openUpload('custody/results/N1/v1/dom.tif');
    // act: the Retry's input carries no resume state
    const out = await copy();
    // assess
    expect(out).toEqual({ way: 'uploadPartCopy', confirmedBy: 'compositeChecksum', parts: 12, resumed: 5 });
    expect(s3.aborted.sort()).toEqual([stale, stray].sort());
    expect(rangesOf(s3.log).map((r) => Number(/^bytes=(\d+)-/.exec(r)![1]) / partSize + 1).sort((a, b) => a - b)).toEqual([3, 4, 7, 8, 10, 11, 12]);
    expect(s3.log.filter((r) => r.method === 'GET' && 'uploadId' in r.query).length).toBe(3);
    expect(s3.log.filter((r) => r.method === 'GET' && 'uploads' in r.query).length).toBe(3);
    expect(s3.log.find((r) => r.method === 'POST' && r.query['uploadId'])?.query['uploadId']).toBe(crashed);
    expect(s3.objects.get(target)!.bytes.equals(bytes)).toBe(true);
  });

  it('does not adopt an upload begun before the source’s last change: its parts may be of the old version', async () => {
    // prepare: the crashed upload holds 4 parts, then the source is replaced (new bytes, later Last-Modified)
    const { s3, bytes } = setUp();
    const old = s3.openUpload('custody/results/N1/v1/dom.tif', { bytes, partSize, partNumbers: [1, 2, 3, 4] });
    s3.clock += 60_000;
    const replaced = bytesOf(bytes.length, 8);
    s3.putMultipart(source, replaced, partSize);
    const copier = new S3CopyIntoCustody('uploads', 'custody', { client: clientOf(s3), trustStoredChecksums: true, multipartThreshold: MiB });
    // act
    const out = await copier.copyOnce('submissions/S1/v1/dom.tif', 'results/N1/v1/dom.tif', sha256(replaced).toString('hex'), replaced.length);
    // assess
    expect(out).toEqual({ way: 'uploadPartCopy', confirmedBy: 'compositeChecksum', parts: 12 });
    expect(s3.aborted).toEqual([old]);
    expect(partCopies(s3.log)).toHaveLength(12);
    expect(s3.objects.get(target)!.bytes.equals(replaced)).toBe(true);
  });

  it('refuses to resume when the source’s ETag is not the one the parts were copied from (CUSTODY_SOURCE_CHANGED): the upload is aborted, custody untouched', async () => {
    // prepare
    const { s3, copy } = setUp();
    const first = unfinished(await copy({ outOfTime: afterParts(s3, 2) }));
    s3.clock += 60_000;
    s3.putMultipart(source, bytesOf(12 * partSize, 9), partSize);
    // act
    const resumed = copy({ resume: [first] });
    // assess
    await expect(resumed).rejects.toMatchObject({ name: 'CustodySourceChangedError', code: 'CUSTODY_SOURCE_CHANGED' });
    await expect(resumed).rejects.toThrow(/上传桶中的对象 .* 在复制入保管库期间被替换/);
    expect(s3.aborted).toEqual([first.uploadId]);
    expect(s3.uploads.size).toBe(0);
    expect(s3.objects.has(target)).toBe(false);
  });

  it('checks the parts’ composite SHA-256 against the source’s before CompleteMultipartUpload: a wrong part aborts, custody never holds the bytes', async () => {
    // prepare: the crashed upload holds part 3 with other bytes of the right size
    const { s3, bytes, copy } = setUp();
    s3.clock += 5_000;
    const forged = Buffer.from(bytes);
    forged.fill(0x5a, 2 * partSize, 3 * partSize);
    const id = s3.openUpload('custody/results/N1/v1/dom.tif', { bytes: forged, partSize, partNumbers: [3] });
    // act
    const run = copy();
    // assess
    await expect(run).rejects.toMatchObject({ code: 'CUSTODY_CONTENT_CONFLICT' });
    expect(s3.aborted).toEqual([id]);
    expect(s3.log.some((r) => r.method === 'POST' && r.query['uploadId'])).toBe(false);
    expect(s3.objects.has(target)).toBe(false);
  });

  it('confirms a file another invocation completed (a crash after Complete) without a second upload', async () => {
    // prepare
    const { s3, copy } = setUp();
    await copy();
    const requests = s3.log.length;
    // act
    const again = await copy({ resume: [{ bucket: 'custody', key: 'results/N1/v1/dom.tif', uploadId: 'up1', sourceEtag: s3.objects.get(source)!.etag, partsDone: 12, parts: 12 }] });
    // assess
    expect(again).toEqual({ way: 'present', confirmedBy: 'compositeChecksum' });
    expect(partCopies(s3.log.slice(requests))).toHaveLength(0);
  });
});

// ---- the CopyCustodyBatch handler over fakes: the loop's contract with the state machine

const submissionId = '0b6c7e36-2a55-4c86-9d0e-6f1f4c3b9a10';
const resultNumber = '440000-CUS-2026-GT-000001';

/** A custody store that copies server-side a part at a time: `parts` per file, stopping when out of time (after at least one). */
class PartwiseStore extends FakeCustodyStore {
  readonly calls: Array<{ key: string; resume: readonly PartialCopy[] }> = [];
  constructor(
    private readonly uploads: FakeUploads,
    private readonly partsOf: (key: string) => number,
    readonly bucket = 'custody',
  ) {
    super();
  }
  readonly copyOnceFrom: NonNullable<CustodyStore['copyOnceFrom']> = async (sourceKey, key, hash, _size, opts = {}) => {
    this.calls.push({ key, resume: opts.resume ?? [] });
    if (this.objects.has(key)) return 'present';
    const parts = this.partsOf(key);
    const from = opts.resume?.find((r) => r.bucket === this.bucket && r.key === key);
    let done = from?.partsDone ?? 0;
    do done += 1;
    while (done < parts && !opts.outOfTime?.());
    if (done < parts) return { bucket: this.bucket, key, uploadId: from?.uploadId ?? `u-${key}`, sourceEtag: '"e"', partsDone: done, parts };
    const bytes = this.uploads.objects.get(sourceKey)!;
    if (sha(bytes) !== hash) throw new Error('wrong bytes');
    this.objects.set(key, bytes);
    return 'copied';
  };
}

function handlerPorts(partsOf: (key: string) => number, backupPartsOf?: (key: string) => number) {
  const uploads = new FakeUploads();
  const paths = ['a/small.txt', 'b/dom.tif', 'c/other.txt'];
  const items: VersionFile[] = paths.map((path) => {
    uploads.objects.set(`submissions/${submissionId}/v1/${path}`, Buffer.from(path));
    return { submissionId, n: 1, manifestId: 'm1', path, size: path.length, sha256: sha(path), role: 'data', upload: 'single' };
  });
  const custody = new PartwiseStore(uploads, partsOf);
  const backup = backupPartsOf ? new PartwiseStore(uploads, backupPartsOf, 'backup') : undefined;
  const ports = {
    submissions: {
      getSubmission: async () => ({ submissionId, organiserOrg: '440000-NR', custodianOrg: '440000-CUS', status: 'verified' }) as Submission,
      getVersion: async () => ({ submissionId, n: 1, status: 'verified', manifestId: 'm1' }) as Version,
      listFiles: async (_i: string, _n: number, _m: string, page?: { after?: string; limit?: number }) => items.filter((f) => !page?.after || f.path > page.after).slice(0, page?.limit ?? 1000),
    },
    uploadsSource: uploads,
    custody,
    backup,
    now: () => new Date('2026-12-01T08:00:00Z'),
  };
  return { custody, backup, invoke: copyBatchHandler.with(ports as never) };
}

/** A Lambda context with `ms` left beyond the copy's reserve. */
const lambdaWith = (ms: number) => ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => copyReserveMs + ms }) as unknown as Context;
const item = { submissionId, n: 1, resultNumber, batch: { batch: 1, limit: 3, bytes: 30 }, resume: { invocation: 0, uploads: [] } };
type Out = { batch: number; files: number; continue: boolean; resume: { invocation: number; uploads: PartialCopy[] } };

describe('R10.1 issue-11 CopyCustodyBatch: one invocation per stretch of time, small state between them', () => {
  it('returns continue:true with the unfinished upload (no part list) when its time is up, and goes on from it until the batch is done', async () => {
    // prepare: dom.tif is 6 parts; no time beyond the reserve, so each call copies as little as it may
    const { custody, invoke } = handlerPorts((key) => (key.endsWith('dom.tif') ? 6 : 1));
    const outs: Out[] = [];
    // act: the state machine's loop (Batch Copied? → Continue Batch → Copy Batch)
    let input: Record<string, unknown> = item;
    for (let i = 0; i < 20; i += 1) {
      const out = (await invoke(input, lambdaWith(0))) as Out;
      outs.push(out);
      if (!out.continue) break;
      input = { ...item, resume: out.resume };
    }
    // assess
    const last = outs.at(-1)!;
    expect(last).toMatchObject({ batch: 1, files: 3, continue: false, resume: { uploads: [] } });
    expect(outs.length).toBeGreaterThan(2);
    expect(outs.map((o) => o.resume.invocation)).toEqual(outs.map((_, i) => i + 1));
    for (const o of outs.slice(0, -1)) {
      expect(o.continue).toBe(true);
      expect(JSON.stringify(o).length).toBeLessThan(600);
      for (const u of o.resume.uploads) expect(Object.keys(u).sort()).toEqual(['bucket', 'key', 'parts', 'partsDone', 'sourceEtag', 'uploadId']);
    }
    const partsDone = outs.flatMap((o) => o.resume.uploads.filter((u) => u.key.endsWith('dom.tif')).map((u) => u.partsDone));
    expect(partsDone).toEqual([...partsDone].sort((a, b) => a - b));
    expect(new Set(partsDone).size).toBe(partsDone.length);
    const resumedWith = custody.calls.filter((c) => c.key.endsWith('dom.tif')).map((c) => c.resume.find((r) => r.key === c.key)?.partsDone ?? 0);
    expect(resumedWith.slice(1, partsDone.length + 1)).toEqual(partsDone);
    expect([...custody.objects.keys()].sort()).toEqual(['a/small.txt', 'b/dom.tif', 'c/other.txt'].map((p) => custodyObjectKey(resultNumber, 1, p)));
  });

  it('does not confirm a file in custody again while later calls go on with its unfinished backup copy', async () => {
    // prepare: dom.tif is 2 parts in custody and 6 in the backup; each call copies as little as it may
    const { custody, backup, invoke } = handlerPorts((key) => (key.endsWith('dom.tif') ? 2 : 1), (key) => (key.endsWith('dom.tif') ? 6 : 1));
    // act
    let input: Record<string, unknown> = item;
    let calls = 0;
    for (; calls < 30; calls += 1) {
      const out = (await invoke(input, lambdaWith(0))) as Out;
      if (!out.continue) break;
      input = { ...item, resume: out.resume };
    }
    // assess: custody was asked for dom.tif while its own copy ran, never by a call going on with dom.tif's backup copy
    const domCalls = (s: PartwiseStore) => s.calls.filter((c) => c.key.endsWith('dom.tif'));
    const backupPending = (c: { resume: readonly PartialCopy[] }) => c.resume.some((r) => r.bucket === 'backup' && r.key.endsWith('dom.tif'));
    expect(domCalls(backup!).filter(backupPending).length).toBeGreaterThanOrEqual(4);
    expect(domCalls(custody).filter(backupPending)).toEqual([]);
    expect(backup!.objects.size).toBe(3);
    expect(custody.objects.size).toBe(3);
  });

  it('copies the whole batch in one invocation when time allows (continue:false at once)', async () => {
    // prepare
    const { custody, invoke } = handlerPorts((key) => (key.endsWith('dom.tif') ? 6 : 1));
    // act
    const out = (await invoke(item, lambdaWith(600_000))) as Out;
    // assess
    expect(out).toMatchObject({ batch: 1, files: 3, continue: false, resume: { invocation: 1, uploads: [] } });
    expect(custody.objects.size).toBe(3);
  });

  it('stops starting copies at the remaining time less the reserve, or earlier under the tests-only budget CHENGGUO_TEST_COPY_BUDGET_MS', () => {
    const now = 1_000_000;
    const lambda = { getRemainingTimeInMillis: () => 900_000 };

    expect(copyDeadline(lambda, {}, now)).toBe(now + 900_000 - copyReserveMs);
    expect(copyDeadline(lambda, { [testCopyBudgetEnv]: '2500' }, now)).toBe(now + 2500);
    expect(copyDeadline({ getRemainingTimeInMillis: () => 1000 }, { [testCopyBudgetEnv]: '2500' }, now)).toBe(now + 1000 - copyReserveMs);
  });
});
