import { describe, expect, it } from 'vitest';
import { handler as createVersionHandler } from '#functions/submission/create-submission-version.ts';
import { handler as getSubmissionHandler } from '#functions/submission/get-submission.ts';
import { handler as timelineHandler } from '#functions/submission/get-submission-timeline.ts';
import { handler as issueUrlsHandler } from '#functions/submission/issue-upload-urls.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { markAwaitingReview, markVerified, recordTimelineEvents, returnVersion } from '#shared/submission/outcomes.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { call, catalogue, portsFor, file, openedSubmission, registeredTask, standardFiles, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

async function verifying(world: SubmissionWorld, custodianOrg?: string) {
  let id: string;
  if (custodianOrg) {
    const task = await registeredTask(world, { custodianOrg });
    const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'o' }, world.ports);
    id = opened.submission.submissionId;
  } else {
    id = (await openedSubmission(world)).submission.submissionId;
  }
  for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
  await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'c1' }, world.ports);
  return id;
}

const defects = [
  { file: 'data/parcels.prj', rule: 'crs.not-cgcs2000', message: '坐标系为 WGS 84，应为 CGCS2000', severity: 'error' as const },
  { file: 'report/survey-report.pdf', rule: 'format.unrecognised', message: '文件不是 PDF', severity: 'warning' as const },
];

describe('R7.2 a failed verification is returned with reasons and a 15 WD resubmission deadline', () => {
  it('returns v1 on 2026-09-28 with resubmission due 2026-10-23 (15 WD across National Day), audited', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    world.setNow('2026-09-28T02:00:00.000Z');
    const audit = world.snapshot().audit;

    const r = await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['坐标系不符合要求'], defects, decidedBy: 'system:AssembleReport', reportKey: `reports/${id}/v1/report.json` });

    expect(r.changed).toBe(true);
    expect(r.resubmissionDue).toMatchObject({ requirement: 'R7.2', start: '2026-09-28', due: '2026-10-23', workingDaysLeft: 15, overdue: false, met: false });
    expect(r.version).toMatchObject({ status: 'returned', decision: 'returned', decidedBy: 'system:AssembleReport', reasons: ['坐标系不符合要求'], defectCount: 2, reportKey: `reports/${id}/v1/report.json` });
    expect(r.submission).toMatchObject({ status: 'returned', resubmissionDue: '2026-10-23' });
    expect(world.snapshot().audit).toBe(audit + 1);
    expect(world.identity.auditRecords().at(-1)).toMatchObject({ action: 'submission.version.return', actor: 'system:AssembleReport', orgCode: '440000-NR' });
  });

  it('treats a repeated return as done, writing nothing', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' });
    const before = world.snapshot();

    const again = await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' });

    expect(again.changed).toBe(false);
    expect(world.snapshot()).toEqual(before);
  });

  it('keeps the first 100 defects on the version and counts them all', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    const many = Array.from({ length: 250 }, (_, i) => ({ ...defects[0]!, file: `data/${i}.shp` }));

    const r = await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['缺陷过多'], defects: many, decidedBy: 'system:AssembleReport' });

    expect(r.version.defects).toHaveLength(100);
    expect(r.version.defectCount).toBe(250);
  });

  it('refuses a new version until the latest one is returned, then opens v2 once', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    const h = createVersionHandler.with(portsFor(world));
    const req = { user: 'li.na', pathParameters: { submissionId: id }, body: { files: [...standardFiles, file('data/fixed.gpkg')] } };

    const early = await call(h, 'POST', `/submissions/${id}/versions`, req);
    await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' });
    const v2 = await call(h, 'POST', `/submissions/${id}/versions`, req);
    const twice = await call(h, 'POST', `/submissions/${id}/versions`, req);

    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'VERSION_NOT_RETURNED' });
    expect(early.body.error.message).toContain('正在核验');
    expect(v2.status).toBe(201);
    expect(v2.body.submission).toMatchObject({ status: 'uploading', currentVersion: 2 });
    expect(v2.body.submission.versions.map((v: { n: number; status: string }) => [v.n, v.status])).toEqual([
      [1, 'returned'],
      [2, 'open'],
    ]);
    expect(twice.status).toBe(409);
  });

  it('counts the R7.2 deadline as met when v2 is sealed, and keeps every round', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    world.setNow('2026-09-28T02:00:00.000Z');
    await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' });
    world.setNow('2026-10-09T02:00:00.000Z');
    await call(createVersionHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions`, { user: 'li.na', pathParameters: { submissionId: id }, body: { files: standardFiles } });
    for (const f of standardFiles) world.objects.putObject(objectKey(id, 2, f.path), f.size);
    await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 2, requestId: 'c2' }, world.ports);

    const r = await call(getSubmissionHandler.with(portsFor(world)), 'GET', `/submissions/${id}`, { user: 'chen.jing', pathParameters: { submissionId: id } });

    expect(r.status).toBe(200);
    expect(r.body.submission.deadlines).toEqual([expect.objectContaining({ requirement: 'R7.2', due: '2026-10-23', met: true, metOn: '2026-10-09', overdue: false })]);
    expect(r.body.submission.versions.map((v: { n: number; status: string }) => [v.n, v.status])).toEqual([
      [1, 'returned'],
      [2, 'verifying'],
    ]);
    expect(world.workflow.starts.map((s) => s.name)).toEqual([`${id}-v1`, `${id}-v2`]);
    expect(r.body.task.deadline).toMatchObject({ requirement: 'R6.1', met: true, metOn: '2026-09-21', overdue: false });
  });

  it('refuses to upload to a returned version: it was sealed', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' });

    const r = await call(issueUrlsHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions/1/upload-urls`, { user: 'li.na', pathParameters: { submissionId: id, n: '1' } });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('VERSION_SEALED');
  });
});

describe('R8.1 verification passed starts the 15 WD transfer clock', () => {
  it('marks v1 verified on 2026-09-28 with transfer due 2026-10-23, once', async () => {
    const world = await submissionWorld();
    const id = await verifying(world);
    await markAwaitingReview(world.ports, { submissionId: id, n: 1, reviewTaskId: 'htask-1', actor: 'system:TechnicalReview' });
    world.setNow('2026-09-28T02:00:00.000Z');

    const r = await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });
    const before = world.snapshot();
    const again = await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });

    expect(r.changed).toBe(true);
    expect(r.submission).toMatchObject({ status: 'verified', transferRequired: true, transferDue: '2026-10-23' });
    expect(r.transferDue).toMatchObject({ requirement: 'R8.1', due: '2026-10-23' });
    expect(again.changed).toBe(false);
    expect(world.snapshot()).toEqual(before);
  });

  it('starts no transfer clock when the implementer is its own custodian', async () => {
    const world = await submissionWorld();
    const id = await verifying(world, '440000-IMP');

    const r = await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });

    expect(r.submission.transferRequired).toBe(false);
    expect(r.submission.transferDue).toBeUndefined();
    expect(r.transferDue).toBeNull();
  });

  it('refuses to change a decision: verified cannot be returned, returned cannot be verified', async () => {
    const world = await submissionWorld();
    const a = await verifying(world);
    await markVerified(world.ports, { submissionId: a, n: 1, decidedBy: 'chen.jing' });
    const b = await verifying(world);
    await returnVersion(world.ports, { submissionId: b, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' });

    await expect(returnVersion(world.ports, { submissionId: a, n: 1, reasons: ['x'], defects, decidedBy: 'chen.jing' })).rejects.toMatchObject({ code: 'VERSION_ALREADY_DECIDED' });
    await expect(markVerified(world.ports, { submissionId: b, n: 1, decidedBy: 'chen.jing' })).rejects.toMatchObject({ code: 'VERSION_ALREADY_DECIDED' });
  });

  it('refuses an outcome for a version still open', async () => {
    const world = await submissionWorld();
    const { submission } = await openedSubmission(world);

    await expect(markVerified(world.ports, { submissionId: submission.submissionId, n: 1, decidedBy: 'chen.jing' })).rejects.toMatchObject({ code: 'VERSION_ALREADY_DECIDED' });
  });
});

describe('R7.1 R7.2 the timeline of a submission', () => {
  it('lists versions, uploads, seals, checks, decisions, emails and deadlines in time order', async () => {
    const world = await submissionWorld();
    const { submission } = await openedSubmission(world);
    const id = submission.submissionId;
    world.setNow('2026-09-21T03:00:00.000Z');
    await call(issueUrlsHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions/1/upload-urls`, { user: 'li.na', pathParameters: { submissionId: id, n: '1' } });
    for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
    world.setNow('2026-09-21T04:00:00.000Z');
    await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'c' }, world.ports);
    world.setNow('2026-09-21T05:00:00.000Z');
    await recordTimelineEvents(world.ports, { submissionId: id, actor: 'system:AssembleReport', events: [{ type: 'checksCompleted', n: 1, detail: { errors: 1 } }] });
    world.setNow('2026-09-22T02:00:00.000Z');
    await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['坐标系不符合要求'], defects, decidedBy: 'system:AssembleReport' });
    await recordTimelineEvents(world.ports, { submissionId: id, actor: 'system:ReturnToSubmitter', events: [{ type: 'emailSent', n: 1, detail: { to: ['li.na@example.gov.cn'], subject: '成果核验未通过' } }] });

    const r = await call(timelineHandler.with(portsFor(world)), 'GET', `/submissions/${id}/timeline`, { user: 'zhao.min', pathParameters: { submissionId: id } });

    expect(r.status).toBe(200);
    const entries = r.body.entries as Array<{ at: string; type: string; label: string; deadline?: { requirement: string; due: string } }>;
    expect(entries.map((e) => e.type)).toEqual([
      'submissionOpened',
      'versionOpened',
      'uploadUrlsIssued',
      'versionSealed',
      'verificationStarted',
      'checksCompleted',
      'returned',
      'emailSent',
      'deadline',
      'deadline',
    ]);
    expect(entries.filter((e) => e.deadline).map((e) => [e.deadline!.requirement, e.deadline!.due])).toEqual([
      ['R7.2', '2026-10-20'],
      ['R6.1', '2026-11-05'],
    ]);
    expect(entries.at(-1)!.at).toBe('2026-11-05T15:59:59.999Z');
    expect([...entries].map((e) => e.at)).toEqual([...entries].map((e) => e.at).sort());
    expect(entries[6]!.label).toBe('核验未通过，退回');
  });

  it('refuses the timeline to an organisation not involved, and hides it from a reader below its classification', async () => {
    const world = await submissionWorld();
    const { submission } = await openedSubmission(world);
    const path = `/submissions/${submission.submissionId}/timeline`;
    const pathParameters = { submissionId: submission.submissionId };

    const other = await call(timelineHandler.with(portsFor(world)), 'GET', path, { user: 'lin.feng', pathParameters });
    const uncleared = await call(timelineHandler.with(portsFor(world)), 'GET', path, { user: 'luo.xin', pathParameters });

    // 广东省林业局 is not involved (403); luo.xin (公开) is below the submission's 内部: for her it does not exist (404).
    expect(other.status).toBe(403);
    expect(uncleared.status).toBe(404);
    expect(uncleared.body.error.message).toBe(`汇交 ${submission.submissionId} 不存在`);
  });
});
