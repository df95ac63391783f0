import { describe, expect, it } from 'vitest';
import { handler as abortUploadsHandler } from '#functions/submission/abort-uploads.ts';
import { handler as completeFileHandler } from '#functions/submission/complete-file-upload.ts';
import { handler as completeVersionHandler } from '#functions/submission/complete-version.ts';
import { handler as uploadStatusHandler } from '#functions/submission/get-upload-status.ts';
import { handler as issueUrlsHandler } from '#functions/submission/issue-upload-urls.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { MiB } from '#shared/submission/upload-plan.ts';
import { completeVersion, issueUploadUrls } from '#shared/submission/uploads.ts';
import { call, portsFor, file, openedSubmission, sha, standardFiles, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

const big = file('data/imagery/dom.tif', 300 * MiB);
const files = [...standardFiles, big];

async function setup(manifest = files) {
  const world = await submissionWorld();
  const { submission, task } = await openedSubmission(world, manifest);
  const id = submission.submissionId;
  const path = (suffix = '') => ({ pathParameters: { submissionId: id, n: '1' }, rawPath: `/submissions/${id}/versions/1${suffix}` });
  const key = (p: string) => objectKey(id, 1, p);
  return { world, submission, task, id, path, key };
}

function arriveAll(world: SubmissionWorld, id: string, manifest = standardFiles) {
  for (const f of manifest) world.objects.putObject(objectKey(id, 1, f.path), f.size);
}

const partSha = (n: number) => sha(`part-${n}`);

describe('R7.1 R10.1 presigned upload URLs for an open version', () => {
  it('signs one PUT per small file with its checksum, If-None-Match and length, and starts one multipart upload for the large file', async () => {
    const { world, id, path } = await setup();
    const before = world.snapshot();

    const r = await call(issueUrlsHandler.with(portsFor(world)), 'POST', path('/upload-urls').rawPath, { user: 'li.na', ...path() });

    expect(r.status).toBe(200);
    expect(r.body.urlCount).toBe(4);
    expect(r.body.expiresInSeconds).toBeLessThanOrEqual(3600);
    const gpkg = r.body.files.find((f: { path: string }) => f.path === 'data/landuse.gpkg');
    expect(gpkg).toMatchObject({
      kind: 'single',
      status: 'pending',
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': Buffer.from(standardFiles[0]!.sha256, 'hex').toString('base64'), 'if-none-match': '*', 'content-length': '19968' },
    });
    const dom = r.body.files.find((f: { path: string }) => f.path === big.path);
    expect(dom).toMatchObject({ kind: 'multipart', status: 'pending', uploadId: 'upload-1', partSize: 8 * MiB, partCount: 38, parts: [], partsNeedChecksums: true });
    expect(world.objects.calls.filter((c) => c.startsWith('create'))).toEqual([`create ${objectKey(id, 1, big.path)} upload-1`]);
    expect(world.snapshot()).toEqual({ registry: before.registry + 1, audit: before.audit + 1 });
    const stored = await world.store.getFile(id, 1, (await world.store.getVersion(id, 1))!.manifestId, big.path);
    expect(stored?.uploadId).toBe('upload-1');
  });

  it('signs part URLs with each part’s checksum and exact length, reusing the started upload', async () => {
    const { world, path } = await setup();
    const h = issueUrlsHandler.with(portsFor(world));
    await call(h, 'POST', path().rawPath, { user: 'li.na', ...path() });

    const r = await call(h, 'POST', path().rawPath, {
      user: 'li.na',
      ...path(),
      body: { files: [{ path: big.path, parts: [{ partNumber: 1, sha256: partSha(1) }, { partNumber: 38, sha256: partSha(38) }] }] },
    });

    expect(r.status).toBe(200);
    const [dom] = r.body.files;
    expect(dom.uploadId).toBe('upload-1');
    expect(dom.partsNeedChecksums).toBeUndefined();
    expect(dom.parts.map((p: { partNumber: number; size: number }) => [p.partNumber, p.size])).toEqual([
      [1, 8 * MiB],
      [38, 300 * MiB - 37 * 8 * MiB],
    ]);
    expect(dom.parts[1].headers).toEqual({ 'x-amz-checksum-sha256': Buffer.from(partSha(38), 'hex').toString('base64'), 'content-length': String(4 * MiB) });
    expect(world.objects.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
  });

  it('reports files already present as uploaded and signs only the rest (resume)', async () => {
    const { world, id, path } = await setup();
    world.objects.putObject(objectKey(id, 1, 'data/landuse.gpkg'), 19_968);
    world.objects.putObject(objectKey(id, 1, 'maps/overview.tif'), 474);

    const r = await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path(), body: {} });

    const byPath = Object.fromEntries(r.body.files.map((f: { path: string; status: string; url?: string }) => [f.path, [f.status, Boolean(f.url)]]));
    expect(byPath).toMatchObject({
      'data/landuse.gpkg': ['uploaded', false],
      'maps/overview.tif': ['uploaded', false],
      'report/survey-report.pdf': ['pending', true],
      'metadata/metadata.xml': ['pending', true],
    });
    expect(r.body.urlCount).toBe(2);
  });

  it('pages through a large manifest 1,000 URLs at a time', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => file(`tiles/${String(i).padStart(4, '0')}.tif`, 100));
    const { world, path } = await setup(many);
    const h = issueUrlsHandler.with(portsFor(world));

    const first = await call(h, 'POST', path().rawPath, { user: 'li.na', ...path() });
    const second = await call(h, 'POST', path().rawPath, { user: 'li.na', ...path(), body: { cursor: first.body.nextCursor } });

    expect(first.body.urlCount).toBe(1000);
    expect(first.body.nextCursor).toBe('tiles/0999.tif');
    expect(second.body.urlCount).toBe(500);
    expect(second.body.nextCursor).toBeUndefined();
    expect(second.body.files[0].path).toBe('tiles/1000.tif');
  });

  it.each([
    [{ files: [{ path: 'data/unknown.gpkg' }] }, 'body.files.0.path', '不在第 1 版的文件清单中'],
    [{ files: [{ path: 'data/landuse.gpkg', parts: [{ partNumber: 1, sha256: partSha(1) }] }] }, 'body.files.0.parts', '不分片'],
    [{ files: [{ path: big.path, parts: [{ partNumber: 1, sha256: partSha(1) }, { partNumber: 39, sha256: partSha(39) }] }] }, 'body.files.0.parts.1.partNumber', '1–38'],
    [{ files: [{ path: big.path, parts: [{ partNumber: 2, sha256: partSha(2) }, { partNumber: 2, sha256: partSha(2) }] }] }, 'body.files.0.parts.1.partNumber', '重复'],
    [{ files: [{ path: big.path, parts: [{ partNumber: 1, sha256: 'abc' }] }] }, 'body.files.0.parts.0.sha256', '64 位'],
    [{ files: [{ path: 'data/landuse.gpkg' }, { path: 'data/landuse.gpkg' }] }, 'body.files.1.path', '重复'],
  ])('refuses %j with a 400 naming %s, signing and storing nothing', async (body, field, message) => {
    const { world, path } = await setup();
    const before = world.snapshot();

    const r = await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path(), body });

    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(JSON.stringify(r.body.error)).toContain(message);
    expect(world.objects.calls).toEqual([]);
    expect(world.snapshot()).toEqual(before);
  });

  it('issue-10 lists only the key range of the files it is asked for, so asking 100 at a time through 5,000 files stays linear', async () => {
    // prepare: 5,000 files (Chinese folder names: S3 orders keys by UTF-8 bytes), the first 4,000 arrived
    const many = Array.from({ length: 5000 }, (_, i) => file(`data/从化区/F49G${String(i).padStart(5, '0')}_地类图斑.shp`, 524));
    const { world, id, path } = await setup(many);
    for (const f of many.slice(0, 4000)) world.objects.putObject(objectKey(id, 1, f.path), f.size);
    const h = issueUrlsHandler.with(portsFor(world));
    const asked = many.slice(3950, 4050);
    world.objects.listedKeys = 0;

    // act: the CLI's way — the next 100 files by name
    const r = await call(h, 'POST', path().rawPath, { user: 'li.na', ...path(), body: { files: asked.map((f) => ({ path: f.path })) } });

    // assess: the 50 arrived ones are reported uploaded, the 50 others signed; one page of keys listed, not the version's 4,000
    expect(r.status).toBe(200);
    expect(r.body.files.filter((f: { status: string }) => f.status === 'uploaded').map((f: { path: string }) => f.path)).toEqual(asked.slice(0, 50).map((f) => f.path));
    expect(r.body.urlCount).toBe(50);
    expect(world.objects.listedKeys).toBeLessThanOrEqual(1000);
  });

  it('refuses more than 1,000 URLs in one call', async () => {
    const huge = file('data/huge.tif', 20 * 1024 * MiB);
    const { world, path } = await setup([...standardFiles, huge]);
    const h = issueUrlsHandler.with(portsFor(world));
    const parts = Array.from({ length: 998 }, (_, i) => ({ partNumber: i + 1, sha256: partSha(i + 1) }));

    const r = await call(h, 'POST', path().rawPath, { user: 'li.na', ...path(), body: { files: [{ path: 'data/landuse.gpkg' }, { path: 'maps/overview.tif' }, { path: 'report/survey-report.pdf' }, { path: huge.path, parts }] } });

    expect(r.status).toBe(400);
    expect(r.body.error.details.at(-1)).toMatchObject({ field: 'body.files', code: 'TOO_MANY_URLS' });
  });

  it('refuses a submitter of another unit and a reviewer', async () => {
    const { world, path } = await setup();

    const other = await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'deng.hui', ...path() });
    const reviewer = await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'chen.jing', ...path() });

    // deng.hui's clearance (公开) is below the submission's (内部): for him it does not exist (the access rule, R5.1).
    expect(other.status).toBe(404);
    expect(reviewer.status).toBe(403);
    expect(world.objects.calls).toEqual([]);
  });

  it('keeps one multipart upload when two requests start the same file at once, aborting the loser', async () => {
    const { world, id } = await setup();
    const actor = await world.user('li.na');

    const [a, b] = await Promise.all([
      issueUploadUrls({ actor, submissionId: id, n: 1, files: [{ path: big.path }], requestId: 'a' }, world.ports),
      issueUploadUrls({ actor, submissionId: id, n: 1, files: [{ path: big.path }], requestId: 'b' }, world.ports),
    ]);

    expect(a.files[0]!.uploadId).toBe(b.files[0]!.uploadId);
    expect(world.objects.calls.filter((c) => c.startsWith('create'))).toHaveLength(2);
    expect(world.objects.calls.filter((c) => c.startsWith('abort'))).toHaveLength(1);
    expect(world.objects.uploads.size).toBe(1);
  });
});

describe('R7.1 upload status, multipart completion and abort', () => {
  it('reports what arrived, with the parts of an unfinished multipart upload and what is missing', async () => {
    const { world, id, path } = await setup();
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path() });
    world.objects.putObject(objectKey(id, 1, 'data/landuse.gpkg'), 19_968);
    world.objects.uploadPart('upload-1', 1, 8 * MiB, partSha(1));
    world.objects.uploadPart('upload-1', 2, 8 * MiB, partSha(2));

    const r = await call(uploadStatusHandler.with(portsFor(world)), 'GET', path('/uploads').rawPath, { user: 'li.na', ...path() });

    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ files: 5, totalBytes: 19_968 + 474 + 631 + 609 + 300 * MiB, uploadedFiles: 1, uploadedBytes: 19_968, remainingFiles: 4, complete: false });
    const dom = r.body.files.find((f: { path: string }) => f.path === big.path);
    expect(dom).toMatchObject({ status: 'partial', partsKnown: true, uploadId: 'upload-1' });
    expect(dom.partsArrived).toEqual([
      { partNumber: 1, etag: '"etag-1"', size: 8 * MiB, sha256: partSha(1) },
      { partNumber: 2, etag: '"etag-2"', size: 8 * MiB, sha256: partSha(2) },
    ]);
    expect(dom.partsMissing).toHaveLength(36);
    expect(dom.partsMissing[0]).toBe(3);
  });

  it('says when the store cannot list parts, so the client resends them', async () => {
    const { world, path } = await setup();
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path() });
    world.objects.listPartsSupported = false;

    const r = await call(uploadStatusHandler.with(portsFor(world)), 'GET', path('/uploads').rawPath, { user: 'zhang.wei', ...path() });

    expect(r.status).toBe(200);
    expect(r.body.files.find((f: { path: string }) => f.path === big.path)).toMatchObject({ status: 'partial', partsKnown: false });
  });

  it('completes a multipart file with the client’s part list once; a repeat changes nothing', async () => {
    const { world, id, path } = await setup();
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path() });
    const parts = Array.from({ length: 38 }, (_, i) => ({ partNumber: i + 1, etag: world.objects.uploadPart('upload-1', i + 1, 8 * MiB, partSha(i + 1)), sha256: partSha(i + 1) }));
    const h = completeFileHandler.with(portsFor(world));

    const first = await call(h, 'POST', path('/files/complete').rawPath, { user: 'li.na', ...path(), body: { path: big.path, parts } });
    const audit = world.snapshot().audit;
    const again = await call(h, 'POST', path('/files/complete').rawPath, { user: 'li.na', ...path(), body: { path: big.path, parts } });

    expect(first.status).toBe(200);
    expect(first.body).toEqual({ path: big.path, status: 'uploaded', alreadyComplete: false });
    expect(world.objects.objects.get(objectKey(id, 1, big.path))?.size).toBe(300 * MiB);
    expect(again.body.alreadyComplete).toBe(true);
    expect(world.snapshot().audit).toBe(audit);
  });

  it('takes part checksums from ListParts when the client leaves them out', async () => {
    const { world, path } = await setup();
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path() });
    const parts = Array.from({ length: 38 }, (_, i) => ({ partNumber: i + 1, etag: world.objects.uploadPart('upload-1', i + 1, 8 * MiB, partSha(i + 1)) }));

    const r = await call(completeFileHandler.with(portsFor(world)), 'POST', path('/files/complete').rawPath, { user: 'li.na', ...path(), body: { path: big.path, parts } });

    expect(r.status).toBe(200);
  });

  it.each([
    ['a missing part', (p: Array<{ partNumber: number }>) => p.slice(0, 37), 'body.parts', 'PART_COUNT'],
    ['parts out of order', (p: Array<{ partNumber: number }>) => [p[1]!, p[0]!, ...p.slice(2)], 'body.parts.0.partNumber', 'PART_ORDER'],
  ])('refuses %s with a 400', async (_name, change, field, code) => {
    const { world, path } = await setup();
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path() });
    const parts = Array.from({ length: 38 }, (_, i) => ({ partNumber: i + 1, etag: world.objects.uploadPart('upload-1', i + 1, 8 * MiB, partSha(i + 1)), sha256: partSha(i + 1) }));

    const r = await call(completeFileHandler.with(portsFor(world)), 'POST', path('/files/complete').rawPath, { user: 'li.na', ...path(), body: { path: big.path, parts: change(parts) } });

    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatchObject({ field, code });
  });

  it('passes on the store’s refusal of a wrong part list as 409 PARTS_REJECTED', async () => {
    const { world, path } = await setup();
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', path().rawPath, { user: 'li.na', ...path() });
    const parts = Array.from({ length: 38 }, (_, i) => ({ partNumber: i + 1, etag: world.objects.uploadPart('upload-1', i + 1, 8 * MiB, partSha(i + 1)), sha256: partSha(i + 1) }));
    parts[5] = { ...parts[5]!, sha256: partSha(99) };
    const before = world.snapshot();

    const r = await call(completeFileHandler.with(portsFor(world)), 'POST', path('/files/complete').rawPath, { user: 'li.na', ...path(), body: { path: big.path, parts } });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('PARTS_REJECTED');
    expect(world.snapshot()).toEqual(before);
  });

  it('aborts every open multipart upload of the version; a later request starts afresh', async () => {
    const { world, id, path } = await setup();
    const urls = issueUrlsHandler.with(portsFor(world));
    await call(urls, 'POST', path().rawPath, { user: 'li.na', ...path() });

    const r = await call(abortUploadsHandler.with(portsFor(world)), 'DELETE', path('/uploads').rawPath, { user: 'li.na', ...path() });
    const again = await call(urls, 'POST', path().rawPath, { user: 'li.na', ...path() });

    expect(r.status).toBe(200);
    expect(r.body).toEqual({ aborted: 1, paths: [big.path] });
    expect(world.objects.calls).toContain(`abort ${objectKey(id, 1, big.path)} upload-1`);
    expect(again.body.files.find((f: { path: string }) => f.path === big.path).uploadId).toBe('upload-2');
  });
});

describe('R7.1 abort also clears multipart uploads no record names', () => {
  it('aborts an upload a crashed request started but never recorded', async () => {
    const { world, id } = await setup();
    await world.objects.createMultipartUpload(objectKey(id, 1, big.path));

    const r = await call(abortUploadsHandler.with(portsFor(world)), 'DELETE', `/submissions/${id}/versions/1/uploads`, { user: 'li.na', pathParameters: { submissionId: id, n: '1' } });

    expect(r.status).toBe(200);
    expect(r.body).toEqual({ aborted: 1, paths: [] });
    expect(world.objects.uploads.size).toBe(0);
  });
});

describe('R7.1 R10.1 completing a version: seal once, verify once', () => {
  it('refuses to seal while files are missing, naming them, and stores nothing', async () => {
    const { world, id, path } = await setup(standardFiles);
    world.objects.putObject(objectKey(id, 1, 'data/landuse.gpkg'), 19_968);
    const before = world.snapshot();

    const r = await call(completeVersionHandler.with(portsFor(world)), 'POST', path('/complete').rawPath, { user: 'li.na', ...path() });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('UPLOAD_INCOMPLETE');
    expect(r.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['maps/overview.tif', 'metadata/metadata.xml', 'report/survey-report.pdf']);
    expect(world.workflow.starts).toEqual([]);
    expect(world.snapshot()).toEqual(before);
  });

  it('seals, starts Verification named <submissionId>-v1, and a second call returns the same execution without starting another', async () => {
    const { world, id, path, task } = await setup(standardFiles);
    arriveAll(world, id);
    const h = completeVersionHandler.with(portsFor(world));

    const first = await call(h, 'POST', path('/complete').rawPath, { user: 'li.na', ...path() });
    const second = await call(h, 'POST', path('/complete').rawPath, { user: 'li.na', ...path() });

    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'verifying', started: true, executionName: `${id}-v1` });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'verifying', started: false, executionArn: first.body.executionArn });
    expect(world.workflow.starts).toEqual([{ stateMachine: 'Verification', name: `${id}-v1`, input: { submissionId: id, n: 1, taskId: task.taskId } }]);
    expect((await world.store.getSubmission(id))?.status).toBe('verifying');
    expect((await world.store.getTask(task.taskId))?.submittedAt).toBeDefined();
  });

  it('starts one execution when two completions race', async () => {
    const { world, id } = await setup(standardFiles);
    arriveAll(world, id);
    const actor = await world.user('li.na');

    const results = await Promise.all([1, 2, 3].map((i) => completeVersion({ actor, submissionId: id, n: 1, requestId: `r${i}` }, world.ports)));

    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(world.workflow.starts).toHaveLength(1);
  });

  it('recovers a version sealed by a call that died before starting: the next call starts it, once', async () => {
    const { world, id } = await setup(standardFiles);
    arriveAll(world, id);
    const actor = await world.user('li.na');
    const submission = (await world.store.getSubmission(id))!;
    await world.store.sealVersion({ submission, n: 1, at: world.now.toISOString(), by: 'li.na', executionName: `${id}-v1`, events: [] }, {
      actor: 'li.na', orgCode: '440000-IMP', action: 'submission.version.seal', target: `SUB#${id}/V#1`, outcome: 'success', requestId: 'crashed',
    });

    const first = await completeVersion({ actor, submissionId: id, n: 1, requestId: 'retry-1' }, world.ports);
    const second = await completeVersion({ actor, submissionId: id, n: 1, requestId: 'retry-2' }, world.ports);

    expect(first).toMatchObject({ started: true, status: 'verifying' });
    expect(second).toMatchObject({ started: false, status: 'verifying' });
    expect(world.workflow.starts).toHaveLength(1);
  });

  it('treats ExecutionAlreadyExists after a crash as the verification already running', async () => {
    const { world, id } = await setup(standardFiles);
    arriveAll(world, id);
    await world.workflow.start('Verification', `${id}-v1`, { started: 'by an earlier attempt with other input' });
    const actor = await world.user('li.na');

    const r = await completeVersion({ actor, submissionId: id, n: 1, requestId: 'x' }, world.ports);

    expect(r).toMatchObject({ started: true, status: 'verifying', executionName: `${id}-v1` });
    expect((await world.store.getVersion(id, 1))?.status).toBe('verifying');
  });

  it.each([
    ['upload-urls', issueUrlsHandler, 'POST', '/upload-urls', {}],
    ['files/complete', completeFileHandler, 'POST', '/files/complete', { path: big.path, parts: [{ partNumber: 1, etag: 'x' }] }],
    ['abort', abortUploadsHandler, 'DELETE', '/uploads', undefined],
  ] as const)('refuses %s on a sealed version with 409 VERSION_SEALED, signing and storing nothing', async (_name, make, method, suffix, body) => {
    const { world, id, path } = await setup();
    arriveAll(world, id, files);
    await call(completeVersionHandler.with(portsFor(world)), 'POST', path('/complete').rawPath, { user: 'li.na', ...path() });
    const calls = world.objects.calls.length;
    const before = world.snapshot();

    const r = await call(make.with(portsFor(world)), method, path(suffix).rawPath, { user: 'li.na', ...path(), ...(body ? { body } : {}) });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('VERSION_SEALED');
    expect(r.body.error.message).toContain('已封存');
    expect(world.objects.calls.length).toBe(calls);
    expect(world.snapshot()).toEqual(before);
  });
});
