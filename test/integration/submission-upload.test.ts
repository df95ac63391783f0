import { createHash } from 'node:crypto';
import { ListExecutionsCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { api, itemsWithPrefix, sfn, signIn } from './helpers.ts';

const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const contents: Record<string, Buffer> = {
  'data/parcels.csv': Buffer.from('id,地类,面积\n1,耕地,1200.5\n2,林地,860.0\n', 'utf8'),
  'report/说明.txt': Buffer.from('调查说明：本包为集成测试的小样本。\n', 'utf8'),
};

const catalogue = {
  name: '集成测试成果包',
  content: '地类统计表与说明',
  format: 'CSV、TXT',
  spatialScope: { regionCode: '440000' },
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'online',
};

async function openPackage() {
  const reviewer = await signIn('chen.jing');
  const submitter = await signIn('li.na');
  const task = await api('POST', '/survey-tasks', {
    token: reviewer,
    body: { name: '集成测试调查任务', theme: 'landSurvey', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
  });
  expect(task.status).toBe(201);
  const taskId = task.body.task.taskId as string;
  const completion = await api('PUT', `/survey-tasks/${taskId}/completion`, { token: submitter, body: { completionDate: '2026-09-18' } });
  expect(completion.status).toBe(200);
  expect(completion.body.task.deadline.due).toBe('2026-11-05');
  const files = Object.entries(contents).map(([path, bytes]) => ({ path, size: bytes.length, sha256: hex(bytes), role: path.startsWith('data/') ? 'data' : 'report' }));
  const opened = await api('POST', `/survey-tasks/${taskId}/submissions`, { token: submitter, body: { catalogue, files } });
  expect(opened.status).toBe(201);
  return { submitter, taskId, submissionId: opened.body.submission.submissionId as string };
}

describe('R6.1 R7.1 R10.1 submission upload on the local cloud', () => {
  it('uploads a two-file package with the signed checksum headers, resumes without re-signing, and verifies once however often completed', async () => {
    const { submitter, submissionId } = await openPackage();
    const version = `/submissions/${submissionId}/versions/1`;

    const urls = await api('POST', `${version}/upload-urls`, { token: submitter });

    expect(urls.status).toBe(200);
    expect(urls.body.urlCount).toBe(2);
    for (const f of urls.body.files as Array<{ path: string; url: string; headers: Record<string, string> }>) {
      const url = new URL(f.url);
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('if-none-match;x-amz-checksum-sha256');
      expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
      expect(f.headers['x-amz-checksum-sha256']).toBe(Buffer.from(hex(contents[f.path]!), 'hex').toString('base64'));
      // fetch sets Content-Length itself, from the body: the same value that was signed.
      const { 'content-length': length, ...headers } = f.headers;
      expect(Number(length)).toBe(contents[f.path]!.length);
      const put = await fetch(f.url, { method: 'PUT', headers, body: contents[f.path] });
      expect(put.status).toBe(200);
    }

    const again = await api('POST', `${version}/upload-urls`, { token: submitter });
    const status = await api('GET', `${version}/uploads`, { token: submitter });

    expect(again.body.urlCount).toBe(0);
    expect(again.body.files.map((f: { status: string; url?: string }) => [f.status, f.url])).toEqual([
      ['uploaded', undefined],
      ['uploaded', undefined],
    ]);
    expect(status.body.summary).toMatchObject({ files: 2, uploadedFiles: 2, remainingFiles: 0, complete: true });

    const first = await api('POST', `${version}/complete`, { token: submitter });
    const second = await api('POST', `${version}/complete`, { token: submitter });

    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ started: true, executionName: `${submissionId}-v1` });
    expect(second.status).toBe(200);
    expect(second.body.started).toBe(false);
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const verification = machines.stateMachines?.find((m) => m.name === 'Verification');
    expect(verification).toBeDefined();
    const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn: verification!.stateMachineArn }));
    expect((executions.executions ?? []).filter((e) => e.name === `${submissionId}-v1`)).toHaveLength(1);

    // The verification run writes in the background now, so the proof that the
    // refusal changed nothing is the file records, which URL issuance would touch.
    const fileRecords = async () =>
      (await itemsWithPrefix(`SUB#${submissionId}`)).filter((i) => String(i['sk']).includes('#F#'));
    const before = await fileRecords();
    const sealed = await api('POST', `${version}/upload-urls`, { token: submitter });
    expect(sealed.status).toBe(409);
    expect(sealed.body.error.code).toBe('VERSION_SEALED');
    expect(await fileRecords()).toEqual(before);

    const timeline = await api('GET', `/submissions/${submissionId}/timeline`, { token: submitter });
    expect(timeline.status).toBe(200);
    const entries = timeline.body.entries as Array<{ type: string; deadline?: { requirement: string; due: string } }>;
    expect(entries.filter((e) => e.type !== 'deadline').map((e) => e.type).slice(0, 5)).toEqual([
      'submissionOpened',
      'versionOpened',
      'uploadUrlsIssued',
      'versionSealed',
      'verificationStarted',
    ]);
    expect(entries.find((e) => e.deadline?.requirement === 'R6.1')?.deadline?.due).toBe('2026-11-05');
  });

  it('uploads a file above 100 MiB in parts signed with their own checksums after aborting a first attempt, and completes it', async () => {
    const MiB = 1024 * 1024;
    const big = Buffer.alloc(100 * MiB + 1);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const reviewer = await signIn('chen.jing');
    const submitter = await signIn('li.na');
    const task = await api('POST', '/survey-tasks', {
      token: reviewer,
      body: { name: '集成测试调查任务（分片上传）', theme: 'landCover', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
    });
    await api('PUT', `/survey-tasks/${task.body.task.taskId}/completion`, { token: submitter, body: { completionDate: '2026-09-18' } });
    const opened = await api('POST', `/survey-tasks/${task.body.task.taskId}/submissions`, {
      token: submitter,
      body: { catalogue, files: [{ path: 'data/landcover.tif', size: big.length, sha256: hex(big), role: 'data' }] },
    });
    const version = `/submissions/${opened.body.submission.submissionId}/versions/1`;

    const abandoned = await api('POST', `${version}/upload-urls`, { token: submitter });
    const aborted = await api('DELETE', `${version}/uploads`, { token: submitter });
    const plan = await api('POST', `${version}/upload-urls`, { token: submitter });
    const { partSize, partCount } = plan.body.files[0] as { partSize: number; partCount: number };
    const slices = Array.from({ length: partCount }, (_, i) => big.subarray(i * partSize, Math.min(big.length, (i + 1) * partSize)));
    const signed = await api('POST', `${version}/upload-urls`, {
      token: submitter,
      body: { files: [{ path: 'data/landcover.tif', parts: slices.map((b, i) => ({ partNumber: i + 1, sha256: hex(b) })) }] },
    });
    const parts: Array<{ partNumber: number; etag: string; sha256: string }> = [];
    for (const p of signed.body.files[0].parts as Array<{ partNumber: number; url: string; headers: Record<string, string> }>) {
      const { 'content-length': _length, ...headers } = p.headers;
      const res = await fetch(p.url, { method: 'PUT', headers, body: slices[p.partNumber - 1] });
      expect(res.status).toBe(200);
      parts.push({ partNumber: p.partNumber, etag: res.headers.get('etag') ?? '', sha256: hex(slices[p.partNumber - 1]!) });
    }
    const midway = await api('GET', `${version}/uploads`, { token: submitter });
    const done = await api('POST', `${version}/files/complete`, { token: submitter, body: { path: 'data/landcover.tif', parts } });
    const after = await api('GET', `${version}/uploads`, { token: submitter });

    expect(aborted.status).toBe(200);
    expect(aborted.body).toEqual({ aborted: 1, paths: ['data/landcover.tif'] });
    expect(plan.body.files[0].uploadId).not.toBe(abandoned.body.files[0].uploadId);
    expect([plan.body.files[0].kind, partSize, partCount]).toEqual(['multipart', 8 * MiB, 13]);
    expect(signed.body.urlCount).toBe(13);
    expect(midway.status).toBe(200);
    expect(midway.body.files[0].status).toBe('partial');
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'uploaded', alreadyComplete: false });
    expect(after.body.summary).toMatchObject({ uploadedFiles: 1, uploadedBytes: big.length, complete: true });
  });

  it('refuses a manifest with a ../ path over HTTP, naming the field in Chinese and storing nothing', async () => {
    const reviewer = await signIn('chen.jing');
    const submitter = await signIn('li.na');
    const task = await api('POST', '/survey-tasks', {
      token: reviewer,
      body: { name: '集成测试调查任务（错误清单）', theme: 'water', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
    });
    await api('PUT', `/survey-tasks/${task.body.task.taskId}/completion`, { token: submitter, body: { completionDate: '2026-09-18' } });
    const r = await api('POST', `/survey-tasks/${task.body.task.taskId}/submissions`, {
      token: submitter,
      body: { catalogue, files: [{ path: '../escape.csv', size: 10, sha256: 'a'.repeat(64), role: 'data' }] },
    });

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('body.files.0.path');
    expect(r.body.error.message).toContain('上级目录');
    // Other tests' verification runs write in the background; what must not exist is a submission of this task.
    expect((await itemsWithPrefix('SUB#')).filter((i) => i['taskId'] === task.body.task.taskId)).toEqual([]);
  });
});
