import { describe, expect, it } from 'vitest';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { S3CopyIntoCustody, S3CustodyStore } from '#adapters/s3-custody.ts';
import { batchMaxFiles, copyBatch, copyFromUploads, finishCopy, planCopy, type CopyPorts } from '#shared/custody/copy.ts';
import { CustodyObjectExistsError } from '#shared/custody/errors.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { decodeManifest } from '#shared/custody/manifest.ts';
import { collect } from '#shared/custody/hash.ts';
import type { Submission, Version, VersionFile } from '#shared/schemas/submission.ts';
import { FakeCustodyStore, FakeUploads, sha } from './custody-fakes.ts';

const submissionId = '0b6c7e36-2a55-4c86-9d0e-6f1f4c3b9a10';
const resultNumber = '440000-CUS-2026-GT-000001';
const files = { 'data/parcels.shp': 'shape bytes', 'report/报告.pdf': '%PDF-1.7 report' };

function ports(status: Version['status'] = 'verified', backup?: FakeCustodyStore): CopyPorts & { custody: FakeCustodyStore; uploads: FakeUploads } {
  const uploads = new FakeUploads();
  const items: VersionFile[] = Object.entries(files).map(([path, body]) => {
    uploads.objects.set(`submissions/${submissionId}/v1/${path}`, Buffer.from(body));
    return { submissionId, n: 1, manifestId: 'm1', path, size: Buffer.byteLength(body), sha256: sha(body), role: 'data', upload: 'single' };
  });
  const submission = { submissionId, organiserOrg: '440000-NR', custodianOrg: '440000-CUS', status: status === 'verified' ? 'verified' : 'verifying' } as Submission;
  const version = { submissionId, n: 1, status, manifestId: 'm1' } as Version;
  return {
    submissions: {
      getSubmission: async (id) => (id === submissionId ? submission : undefined),
      getVersion: async (id, n) => (id === submissionId && n === 1 ? version : undefined),
      listFiles: async (_id, _n, manifestId, page) => items.filter((f) => f.manifestId === manifestId && (!page?.after || f.path > page.after)).slice(0, page?.limit ?? 1000),
    },
    uploads,
    custody: new FakeCustodyStore(),
    ...(backup ? { backup } : {}),
    now: () => new Date('2026-11-02T02:00:00Z'),
  };
}

describe('R10.1 custody store: write once, no delete, no overwrite', () => {
  it('refuses a second putOnce on a key with CUSTODY_OBJECT_EXISTS in Chinese and keeps the first bytes', async () => {
    const store = new FakeCustodyStore();
    await store.putOnce('results/x/v1/a.txt', Buffer.from('first'), sha('first'), 5);

    const second = store.putOnce('results/x/v1/a.txt', Buffer.from('other'), sha('other'), 5);

    await expect(second).rejects.toBeInstanceOf(CustodyObjectExistsError);
    await expect(second).rejects.toMatchObject({ code: 'CUSTODY_OBJECT_EXISTS', message: expect.stringMatching(/不得覆盖或删除/) });
    expect(Buffer.from(await collect(store.read('results/x/v1/a.txt'))).toString()).toBe('first');
  });

  it('gives the S3 adapter no method that deletes, copies over or replaces an object', () => {
    const methods = Object.getOwnPropertyNames(S3CustodyStore.prototype).filter((m) => m !== 'constructor' && m !== 'client');

    expect(methods.sort()).toEqual(['copyOnceFrom', 'head', 'list', 'putOnce', 'read']);
  });

  it('issue-8 copies server-side only onto a free key: CopyObject up to the threshold, UploadPartCopy ranges above it, each with If-None-Match: *', async () => {
    // prepare
    const body = Buffer.from('0123456789abcdefghij');
    const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
    const there = new Set<string>();
    const client = {
      send: async (c: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: c.constructor.name, input: c.input });
        const where = `${String(c.input['Bucket'])}/${String(c.input['Key'])}`;
        if (c.constructor.name === 'CreateMultipartUploadCommand') return { UploadId: 'u1' };
        if (c.constructor.name === 'UploadPartCopyCommand') return { CopyPartResult: { ETag: `"e${String(c.input['PartNumber'])}"` } };
        if (c.constructor.name === 'CopyObjectCommand' || c.constructor.name === 'CompleteMultipartUploadCommand') there.add(where);
        if (c.constructor.name === 'HeadObjectCommand') {
          if (c.input['Bucket'] === 'custody' && !there.has(where)) throw Object.assign(new Error('nf'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
          return { ContentLength: body.length, ETag: '"src"' };
        }
        if (c.constructor.name === 'GetObjectCommand') return { Body: (async function* () { yield body; })() };
        return {};
      },
    };
    const whole = new S3CopyIntoCustody('uploads', 'custody', { client: client as never, multipartThreshold: body.length });
    const ranged = new S3CopyIntoCustody('uploads', 'custody', { client: client as never, multipartThreshold: body.length - 1, copyPartSize: 8 });
    // act
    const first = await whole.copyOnce('src/a', 'dst/a', sha(body.toString()), body.length);
    const copyObject = sent.find((c) => c.name === 'CopyObjectCommand')?.input;
    sent.length = 0;
    const second = await ranged.copyOnce('src/b b', 'dst/b', sha(body.toString()), body.length);
    // assess
    expect(first).toEqual({ way: 'copyObject', confirmedBy: 'streamed' });
    expect(copyObject).toMatchObject({ Bucket: 'custody', Key: 'dst/a', CopySource: 'uploads/src/a', IfNoneMatch: '*', ChecksumAlgorithm: 'SHA256' });
    expect(second).toEqual({ way: 'uploadPartCopy', confirmedBy: 'streamed', parts: 3 });
    expect(sent.some((c) => c.name === 'CopyObjectCommand')).toBe(false);
    const copies = sent.filter((c) => c.name === 'UploadPartCopyCommand').map((c) => c.input['CopySourceRange']);
    expect(copies.sort()).toEqual(['bytes=0-7', 'bytes=16-19', 'bytes=8-15']);
    expect(sent.find((c) => c.name === 'UploadPartCopyCommand')?.input).toMatchObject({ CopySource: 'uploads/src/b%20b', CopySourceIfMatch: '"src"' });
    expect(sent.find((c) => c.name === 'CompleteMultipartUploadCommand')?.input['IfNoneMatch']).toBe('*');
  });

  it('issue-8 confirms a taken key instead of writing over it: the same content is “present”, other content CUSTODY_CONTENT_CONFLICT', async () => {
    // prepare
    const holding = (bytes: string) => ({
      send: async (c: { constructor: { name: string } }) => {
        if (c.constructor.name === 'CopyObjectCommand') throw Object.assign(new Error('pf'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
        if (c.constructor.name === 'HeadObjectCommand') return { ContentLength: 3 };
        if (c.constructor.name === 'GetObjectCommand') return { Body: (async function* () { yield Buffer.from(bytes); })() };
        return {};
      },
    });
    // act
    const same = await new S3CopyIntoCustody('uploads', 'custody', { client: holding('abc') as never }).copyOnce('s', 'k', sha('abc'), 3);
    const onOther = new S3CopyIntoCustody('uploads', 'custody', { client: holding('xyz') as never }).copyOnce('s', 'k', sha('abc'), 3);
    // assess
    expect(same.way).toBe('present');
    await expect(onOther).rejects.toMatchObject({ code: 'CUSTODY_CONTENT_CONFLICT' });
  });

  it('refuses in the S3 adapter on HeadObject (the local guard) without sending a PUT', async () => {
    const sent: unknown[] = [];
    const client = { send: async (c: unknown) => (sent.push(c), { ContentLength: 3 }) };
    const store = new S3CustodyStore('custody', { client: client as never, trustStoredChecksums: false });

    await expect(store.putOnce('k', Buffer.from('abc'), sha('abc'), 3)).rejects.toMatchObject({ code: 'CUSTODY_OBJECT_EXISTS' });

    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(HeadObjectCommand);
  });

  it('sends If-None-Match: * and the SHA-256 on the PUT, and maps S3’s 412 to CUSTODY_OBJECT_EXISTS', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (c: unknown) => {
        sent.push(c);
        if (c instanceof HeadObjectCommand) throw Object.assign(new Error('nf'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
        throw Object.assign(new Error('pf'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      },
    };
    const store = new S3CustodyStore('custody', { client: client as never, trustStoredChecksums: false });

    await expect(store.putOnce('k', Buffer.from('abc'), sha('abc'), 3)).rejects.toMatchObject({ code: 'CUSTODY_OBJECT_EXISTS' });

    const put = sent[1] as PutObjectCommand;
    expect(put).toBeInstanceOf(PutObjectCommand);
    expect(put.input).toMatchObject({ Bucket: 'custody', Key: 'k', IfNoneMatch: '*', ChecksumSHA256: Buffer.from(sha('abc'), 'hex').toString('base64'), ContentLength: 3 });
  });
});

describe('R8.1 R10.1 copy of a verified package into custody', () => {
  it('copies each file under results/<number>/v<n>/<path>, then the manifest with path, size and SHA-256', async () => {
    const p = ports();

    const out = await copyFromUploads(p, { submissionId, n: 1, resultNumber });

    expect(out).toMatchObject({ files: 2, written: 3, manifestKey: custodyManifestKey(resultNumber, 1) });
    expect(Buffer.from(await collect(p.custody.read(custodyObjectKey(resultNumber, 1, 'report/报告.pdf')))).toString()).toBe(files['report/报告.pdf']);
    const manifest = decodeManifest(await collect(p.custody.read(out.manifestKey)));
    expect(manifest).toMatchObject({ resultNumber, n: 1, submissionId, custodianOrg: '440000-CUS', organiserOrg: '440000-NR' });
    expect(manifest.files).toContainEqual({ path: 'data/parcels.shp', key: custodyObjectKey(resultNumber, 1, 'data/parcels.shp'), size: 11, sha256: sha('shape bytes') });
    expect(p.custody.puts.at(-1)).toBe(out.manifestKey);
  });

  it('writes the backup bucket too when given one (the local stand-in for replication)', async () => {
    const backup = new FakeCustodyStore();
    const p = ports('verified', backup);

    await copyFromUploads(p, { submissionId, n: 1, resultNumber });

    expect([...backup.objects.keys()].sort()).toEqual([...p.custody.objects.keys()].sort());
  });

  it('writes nothing the second time (idempotent) and stops on other bytes under the same key without touching them', async () => {
    const p = ports();
    await copyFromUploads(p, { submissionId, n: 1, resultNumber });

    const again = await copyFromUploads(p, { submissionId, n: 1, resultNumber });
    p.uploads.objects.set(`submissions/${submissionId}/v1/data/parcels.shp`, Buffer.from('other bytes'));

    expect(again.written).toBe(0);
    await expect(
      copyFromUploads(
        { ...p, submissions: { ...p.submissions, listFiles: async () => [{ submissionId, n: 1, manifestId: 'm1', path: 'data/parcels.shp', size: 11, sha256: sha('other bytes'), role: 'data', upload: 'single' }] } },
        { submissionId, n: 1, resultNumber },
      ),
    ).rejects.toMatchObject({ code: 'CUSTODY_CONTENT_CONFLICT' });
    expect(Buffer.from(await collect(p.custody.read(custodyObjectKey(resultNumber, 1, 'data/parcels.shp')))).toString()).toBe('shape bytes');
  });

  it('refuses a version that is not verified and stores nothing', async () => {
    const p = ports('awaitingReview');

    await expect(copyFromUploads(p, { submissionId, n: 1, resultNumber })).rejects.toMatchObject({ code: 'SUBMISSION_NOT_VERIFIED' });

    expect(p.custody.objects.size).toBe(0);
  });
});

describe('R8.1 R10.1 issue-11 the copy in batches for a Distributed Map: plan, one batch per child, finish', () => {
  function many(count: number, size: (i: number) => number): CopyPorts & { custody: FakeCustodyStore } {
    const p = ports();
    const items: VersionFile[] = Array.from({ length: count }, (_, i) => {
      const path = `tiles/${String(i).padStart(5, '0')}.tif`;
      p.uploads.objects.set(`submissions/${submissionId}/v1/${path}`, Buffer.from(path));
      return { submissionId, n: 1, manifestId: 'm1', path, size: size(i), sha256: sha(path), role: 'data', upload: 'single' };
    });
    return { ...p, submissions: { ...p.submissions, listFiles: async (_id, _n, _m, page) => items.filter((f) => !page?.after || f.path > page.after).slice(0, page?.limit ?? 1000) } };
  }

  it('cuts the files into batches of at most 100 files or 16 GiB, each named by the path before it, and copies nothing itself', async () => {
    // prepare: 250 small files, then two 10 GiB files
    const p = many(252, (i) => (i >= 250 ? 10 * 1024 ** 3 : 10));
    // act
    const plan = await planCopy(p, { submissionId, n: 1, resultNumber });
    // assess
    expect(plan.batches.map((b) => b.limit)).toEqual([batchMaxFiles, 100, 52]);
    expect(plan.batches.map((b) => b.after)).toEqual([undefined, 'tiles/00099.tif', 'tiles/00199.tif']);
    expect(plan.files).toBe(252);
    expect(p.custody.objects.size).toBe(0);
    const big = await planCopy(many(3, () => 10 * 1024 ** 3), { submissionId, n: 1, resultNumber });
    expect(big.batches.map((b) => b.limit)).toEqual([2, 1]);
  });

  it('copies exactly the files of its batch; the finish step writes the manifest only when every batch is in, and refuses before', async () => {
    // prepare
    const p = many(150, () => 10);
    const input = { submissionId, n: 1, resultNumber };
    const plan = await planCopy(p, input);
    // act
    const first = await copyBatch(p, { ...input, limit: plan.batches[0]!.limit });
    const early = finishCopy(p, input);
    await expect(early).rejects.toMatchObject({ code: 'CUSTODY_COPY_INCOMPLETE' });
    const second = await copyBatch(p, { ...input, after: plan.batches[1]!.after!, limit: plan.batches[1]!.limit });
    const done = await finishCopy(p, input);
    // assess
    expect([first.files, second.files]).toEqual([100, 50]);
    expect(p.custody.objects.has(custodyObjectKey(resultNumber, 1, 'tiles/00099.tif'))).toBe(true);
    expect(done).toMatchObject({ files: 150, written: 1 });
    expect(p.custody.puts.at(-1)).toBe(custodyManifestKey(resultNumber, 1));
    expect(p.custody.objects.size).toBe(151);
  });

  it('refuses a batch list that would not fit the state machine payload (CUSTODY_COPY_TOO_MANY_BATCHES)', async () => {
    const p = many(1, () => 10);
    const long = 'x'.repeat(900);
    const items: VersionFile[] = Array.from({ length: 30_000 }, (_, i) => ({ submissionId, n: 1, manifestId: 'm1', path: `${long}/${String(i).padStart(6, '0')}`, size: 1, sha256: sha('x'), role: 'data', upload: 'single' }));

    const plan = planCopy({ ...p, submissions: { ...p.submissions, listFiles: async (_i, _n, _m, page) => items.filter((f) => !page?.after || f.path > page.after).slice(0, page?.limit ?? 1000) } }, { submissionId, n: 1, resultNumber });

    await expect(plan).rejects.toMatchObject({ code: 'CUSTODY_COPY_TOO_MANY_BATCHES' });
  });
});
