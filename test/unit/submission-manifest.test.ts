import { describe, expect, it } from 'vitest';
import { handler as createSubmissionVersion } from '#functions/submission/create-submission-version.ts';
import { handler as openSubmission } from '#functions/submission/open-submission.ts';
import { maxFilesPerVersion, maxPathBytes, pathProblems } from '#shared/submission/manifest.ts';
import { call, catalogue, portsFor, file, openedSubmission, registeredTask, sha, standardFiles, submissionWorld } from './submission-fakes.ts';

async function open(files: unknown, catalogueOver: Record<string, unknown> = {}) {
  const world = await submissionWorld();
  const task = await registeredTask(world);
  const before = world.snapshot();
  const r = await call(openSubmission.with(portsFor(world)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
    user: 'li.na',
    pathParameters: { taskId: task.taskId },
    body: { catalogue: { ...catalogue(), ...catalogueOver }, files },
  });
  return { world, task, before, r };
}

describe('R6.1 R9.2 opening a submission with its catalogue and manifest', () => {
  it('stores the submission, v1 and one item per file with its upload plan, in one audited write', async () => {
    const files = [...standardFiles, file('data/imagery/dom.tif', 300 * 1024 * 1024)];

    const { world, before, r } = await open(files);

    expect(r.status).toBe(201);
    const sub = r.body.submission;
    expect(sub).toMatchObject({ status: 'uploading', currentVersion: 1, classification: 'internal', catalogue: { custodian: '440000-CUS' }, sharingModeLabel: '在线共享' });
    expect(sub.versions).toEqual([expect.objectContaining({ n: 1, status: 'open', fileCount: 5, keyPrefix: `submissions/${sub.submissionId}/v1/` })]);
    expect(sub.versions[0].manifestId).toBeUndefined();
    const stored = await world.store.listFiles(sub.submissionId, 1, (await world.store.getVersion(sub.submissionId, 1))!.manifestId);
    expect(stored.map((f) => [f.path, f.upload])).toEqual([
      ['data/imagery/dom.tif', 'multipart'],
      ['data/landuse.gpkg', 'single'],
      ['maps/overview.tif', 'single'],
      ['metadata/metadata.xml', 'single'],
      ['report/survey-report.pdf', 'single'],
    ]);
    expect(world.snapshot()).toEqual({ registry: before.registry + 1 + 1 + 5 + 2, audit: before.audit + 1 });
  });

  it('refuses to open a submission before the completion date is recorded (the R6.1 clock must run)', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world, { completed: false });
    const before = world.snapshot();

    const r = await call(openSubmission.with(portsFor(world)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { catalogue: catalogue(), files: standardFiles },
    });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('COMPLETION_NOT_RECORDED');
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses a submitter of another unit', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world);
    const before = world.snapshot();

    const r = await call(openSubmission.with(portsFor(world)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
      user: 'deng.hui',
      pathParameters: { taskId: task.taskId },
      body: { catalogue: catalogue(), files: standardFiles },
    });

    expect(r.status).toBe(403);
    expect(world.snapshot()).toEqual(before);
  });
});

describe('R1.1 R6.1 bad manifests are refused with a 400 naming the field, and nothing is stored', () => {
  const longPath = `data/${'图'.repeat(Math.ceil(maxPathBytes / 3))}.tif`;
  const cases: Array<[string, (files: ReturnType<typeof file>[]) => unknown[], string, string]> = [
    ['a ../ segment', (f) => [...f.slice(0, 3), file('data/../../etc/passwd')], 'body.files.3.path', '..'],
    ['a leading slash', (f) => [...f.slice(0, 3), file('/data/x.gpkg')], 'body.files.3.path', '不能以“/”开头'],
    ['a backslash', (f) => [...f.slice(0, 3), file('data\\x.gpkg')], 'body.files.3.path', '反斜杠'],
    ['a control character', (f) => [...f.slice(0, 3), file('data/x\n.gpkg')], 'body.files.3.path', '控制字符'],
    ['an empty segment', (f) => [...f.slice(0, 3), file('data//x.gpkg')], 'body.files.3.path', '空路径段'],
    ['a key longer than 1024 bytes', (f) => [...f.slice(0, 3), file(longPath)], 'body.files.3.path', '路径过长'],
    ['a duplicate path', (f) => [...f.slice(0, 3), f[0]!], 'body.files.3.path', '与第 0 项重复'],
    ['a path differing only in case', (f) => [...f.slice(0, 3), file('DATA/Landuse.GPKG')], 'body.files.3.path', '仅大小写'],
    ['a zero-byte file', (f) => [...f.slice(0, 3), { ...file('data/empty.csv'), size: 0 }], 'body.files.3.size', '空文件'],
    ['a file over 5 TiB', (f) => [...f.slice(0, 3), { ...file('data/huge.tif'), size: 5 * 1024 ** 4 + 1 }], 'body.files.3.size', '5 TiB'],
    ['a fractional size', (f) => [...f.slice(0, 3), { ...file('data/x.csv'), size: 1.5 }], 'body.files.3.size', '整数'],
    ['an unknown role', (f) => [...f.slice(0, 3), { ...file('data/x.csv'), role: 'photo' }], 'body.files.3.role', '文件角色'],
    ['an upper-case or short SHA-256', (f) => [...f.slice(0, 3), { ...file('data/x.csv'), sha256: sha('x').toUpperCase() }], 'body.files.3.sha256', '64 位小写十六进制'],
    ['an empty manifest', () => [], 'body.files', '不能为空'],
  ];

  it.each(cases)('refuses %s', async (_name, make, field, message) => {
    const { world, before, r } = await open(make(standardFiles));

    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(JSON.stringify(r.body.error)).toContain(message);
    expect(world.snapshot()).toEqual(before);
  });

  it(`refuses more than ${maxFilesPerVersion} files`, async () => {
    const files = Array.from({ length: maxFilesPerVersion + 1 }, (_, i) => ({ path: `t/${i}.tif`, size: 1, sha256: 'a'.repeat(64), role: 'data' }));

    const { world, before, r } = await open(files);

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('body.files');
    expect(r.body.error.message).toContain(`最多 ${maxFilesPerVersion} 个文件`);
    expect(world.snapshot()).toEqual(before);
  });

  it(`accepts exactly ${maxFilesPerVersion} files in one request body`, async () => {
    const files = Array.from({ length: maxFilesPerVersion }, (_, i) => ({ path: `tiles/sheet-${String(i).padStart(5, '0')}.tif`, size: 2048, sha256: sha(String(i)), role: 'data' }));

    const { r } = await open(files);

    expect(r.status).toBe(201);
    expect(r.body.submission.versions[0].fileCount).toBe(maxFilesPerVersion);
  });

  it.each([
    [{ sharingMode: 'public' }, 'body.catalogue.sharingMode', '共享方式'],
    [{ custodian: '440000-TEC' }, 'body.catalogue.custodian', '不一致'],
    [{ spatialScope: { regionCode: '350000' } }, 'body.catalogue.spatialScope.regionCode', '不在任务的调查区域'],
    [{ spatialScope: { regionCode: '440000', bbox: [117, 20, 110, 25] } }, 'body.catalogue.spatialScope.bbox', '西边界小于东边界'],
    [{ timePoint: '2026-02-30' }, 'body.catalogue.timePoint', '有效的日历日期'],
    [{ classification: 'restricted' }, 'body.catalogue.classification', 'classification'],
  ])('refuses catalogue %o naming %s', async (over, field, message) => {
    const { world, before, r } = await open(standardFiles, over);

    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    if (field !== 'body.catalogue.classification') expect(JSON.stringify(r.body.error)).toContain(message);
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses a new version with a bad manifest the same way', async () => {
    const world = await submissionWorld();
    const { submission } = await openedSubmission(world);
    const before = world.snapshot();

    const r = await call(createSubmissionVersion.with(portsFor(world)), 'POST', `/submissions/${submission.submissionId}/versions`, {
      user: 'li.na',
      pathParameters: { submissionId: submission.submissionId },
      body: { files: [file('a.gpkg'), file('../b.gpkg')] },
    });

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('body.files.1.path');
    expect(world.snapshot()).toEqual(before);
  });
});

describe('R6.1 manifest path rules', () => {
  it.each([
    ['data/parcels.shp', []],
    ['报告/调查报告.pdf', []],
    ['a/./b', ['不能包含“.”路径段']],
    ['a/b/', ['不能包含空路径段（连续的“/”或以“/”结尾）']],
    ['..', ['不能包含“..”路径段（不得指向上级目录）']],
    ['x\u0085y', ['不能包含控制字符（如换行、制表符）']],
  ])('judges %j', (path, problems) => {
    expect(pathProblems(path)).toEqual(problems);
  });
});
