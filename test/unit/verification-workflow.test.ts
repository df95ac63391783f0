import { afterEach, describe, expect, it } from 'vitest';
import type { HumanTaskDecisionValue } from '#shared/ports/tasks.ts';
import type { Submission, Version } from '#shared/schemas/submission.ts';
import { decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { returnToSubmitter, verifySubmission } from '#shared/verification/outcome.ts';
import { prepareChecks, reportHtmlKey, reportJsonKey } from '#shared/verification/run.ts';
import type { VerificationReport } from '#shared/verification/verify-package.ts';
import { InMemoryDocuments } from './tasks-fakes.ts';
import { resubmitFixture, submitFixture, until, verificationWorld, type VerificationWorld } from './verification-workflow-fakes.ts';

let world: VerificationWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function versionIn(w: VerificationWorld, submissionId: string, n: number, statuses: Version['status'][]): Promise<Version> {
  return until(async () => {
    const v = await w.sub.store.getVersion(submissionId, n);
    return v && statuses.includes(v.status) ? v : undefined;
  }, `v${n} to be ${statuses.join('|')}`);
}

async function reviewTaskId(w: VerificationWorld, submissionId: string, n: number): Promise<string> {
  const v = await versionIn(w, submissionId, n, ['awaitingReview']);
  if (!v.reviewTaskId) throw new Error('no review task id');
  return v.reviewTaskId;
}

async function decideAs(w: VerificationWorld, userId: string, id: string, decision: HumanTaskDecisionValue, reasons = '') {
  return decideHumanTask(w.humanPorts, { actor: await w.sub.user(userId), id, decision, reasons, requestId: `req-${userId}` });
}

describe('R7.1 R8.1 Verification state machine: a valid package is checked, reviewed from the emailed link and verified', () => {
  it('sends the checked package to the organiser’s reviewer, and on approval verifies it and starts the 15 WD transfer clock', async () => {
    world = await verificationWorld();

    const { submissionId, executionArn } = await submitFixture(world, 'valid');
    const taskId = await reviewTaskId(world, submissionId, 1);

    const reviewMail = world.mailer.to('chen.jing@example.gov.cn');
    expect(reviewMail).toHaveLength(1);
    expect(reviewMail[0]?.text).toContain(`/human-tasks/${taskId}/page`);
    expect(reviewMail[0]?.text).toContain('自动核验：通过');
    const report = (await world.documents.getJson(reportJsonKey(submissionId, 1))) as VerificationReport;
    expect(report.passed).toBe(true);
    expect(await world.documents.getText(reportHtmlKey(submissionId, 1))).toContain('核验结论：通过');

    await decideAs(world, 'chen.jing', taskId, 'approve');
    const done = await world.engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    const version = await world.sub.store.getVersion(submissionId, 1);
    expect(version).toMatchObject({ status: 'verified', decidedBy: 'chen.jing', reportKey: reportJsonKey(submissionId, 1) });
    // Verified Monday 2026-09-21: 中秋 (25 Sep) and the National Day break (1–7 Oct) are skipped, Saturday 10 Oct is worked.
    expect(await world.sub.store.getSubmission(submissionId)).toMatchObject({ status: 'verified', transferDue: '2026-10-19', transferRequired: true });
    const verifiedMail = world.mailer.to('li.na@example.gov.cn').find((m) => m.subject.includes('核验通过'));
    expect(verifiedMail?.text).toContain('2026-10-19');
    expect(verifiedMail?.text).toContain('审核人：陈静（chen.jing）');
    expect(verifiedMail?.text).toContain('移交保管单位广东省自然资源技术中心（440000-CUS）');
    const events = (await world.sub.store.listEvents(submissionId)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['versionSealed', 'checksCompleted', 'reviewRequested', 'emailSent', 'verified']));
  });
});

describe('R7.1 R7.2 Verification state machine: each broken fixture is returned with the right defect, without a review', () => {
  const cases: Array<[string, string]> = [
    ['wrong-checksum', 'manifest.checksum-mismatch'],
    ['missing-dbf', 'shapefile.missing-dbf'],
    ['wgs84-crs', 'crs.not-cgcs2000'],
    ['truncated-shp', 'format.truncated'],
    ['outside-region', 'extent.outside-region'],
    ['missing-report', 'profile.missing-role'],
    ['extra-file', 'manifest.extra-file'],
  ];

  it.each(cases)('returns %s naming %s in the report, on the version and in the submitter’s email with the R7.2 due date', async (fixture, rule) => {
    world = await verificationWorld();

    const { submissionId, executionArn } = await submitFixture(world, fixture);
    const done = await world.engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(world.invoked).not.toContain('CreateHumanTask');
    const version = await world.sub.store.getVersion(submissionId, 1);
    expect(version?.status).toBe('returned');
    expect(version?.defects?.map((d) => d.rule)).toContain(rule);
    expect(await world.sub.store.getSubmission(submissionId)).toMatchObject({ status: 'returned', resubmissionDue: '2026-10-19' });
    const report = (await world.documents.getJson(reportJsonKey(submissionId, 1))) as VerificationReport;
    expect(report.passed).toBe(false);
    expect(report.defects.find((d) => d.rule === rule)).toMatchObject({ file: expect.any(String), message: expect.stringMatching(/[\u4e00-\u9fff]/), severity: 'error' });
    const mail = world.mailer.to('li.na@example.gov.cn').find((m) => m.subject.includes('核验退回'));
    expect(mail?.text).toContain(rule);
    expect(mail?.text).toContain('2026-10-19');
    expect(world.mailer.to('chen.jing@example.gov.cn')).toEqual([]);
  });
});

describe('R7.2 Verification state machine: the reviewer returns with reasons; the resubmission is the next version and is verified again', () => {
  it('returns v1 with the reviewer’s reasons, then verifies v2 and keeps both rounds’ reports', async () => {
    world = await verificationWorld();
    const { submissionId, executionArn } = await submitFixture(world, 'valid');
    const firstTask = await reviewTaskId(world, submissionId, 1);

    await decideAs(world, 'chen.jing', firstTask, 'return', '图件比例尺与技术设计书不符\n请补充质量检查报告');
    await world.engine.settled(executionArn);
    const returned = await world.sub.store.getVersion(submissionId, 1);
    const v2 = await resubmitFixture(world, submissionId, 'valid');
    const secondTask = await reviewTaskId(world, submissionId, v2.n);
    await decideAs(world, 'chen.jing', secondTask, 'approve');
    const done = await world.engine.settled(v2.executionArn);

    expect(returned).toMatchObject({ status: 'returned', decidedBy: 'chen.jing', reasons: ['图件比例尺与技术设计书不符', '请补充质量检查报告'] });
    const returnMail = world.mailer.to('li.na@example.gov.cn').find((m) => m.subject.includes('核验退回'));
    expect(returnMail?.text).toContain('图件比例尺与技术设计书不符');
    expect(returnMail?.text).toContain('审核人：陈静（chen.jing）');
    expect(v2.n).toBe(2);
    expect(secondTask).not.toBe(firstTask);
    expect(done?.status).toBe('SUCCEEDED');
    expect(await world.sub.store.getVersion(submissionId, 2)).toMatchObject({ status: 'verified' });
    expect(await world.documents.getJson(reportJsonKey(submissionId, 1))).toBeDefined();
    expect(await world.documents.getJson(reportJsonKey(submissionId, 2))).toBeDefined();
  });
});

describe('R7.1 R7.2 issue 11 §2: the verification outcomes are counted as domain metrics, once each, however often a step is retried', () => {
  it('records one SubmissionsReturned for v1 and one SubmissionsVerified for v2; a retried Return/MarkVerified step adds nothing', async () => {
    world = await verificationWorld();
    const { submissionId, executionArn } = await submitFixture(world, 'valid');
    await decideAs(world, 'chen.jing', await reviewTaskId(world, submissionId, 1), 'return', '请补充质量检查报告');
    await world.engine.settled(executionArn);
    const v2 = await resubmitFixture(world, submissionId, 'valid');
    await decideAs(world, 'chen.jing', await reviewTaskId(world, submissionId, v2.n), 'approve');
    await world.engine.settled(v2.executionArn);
    const before = [...world.metrics.values];

    const ports = { store: world.sub.store, identity: world.sub.identity, calendar: world.sub.ports.calendar, now: world.sub.ports.now, mailer: world.mailer, documents: world.documents, appBaseUrl: 'http://localhost', metrics: world.metrics };
    await returnToSubmitter(ports, { submissionId, n: 1, review: { decision: 'return', reasons: '请补充质量检查报告', decidedBy: 'chen.jing', source: 'review' }, requestId: 'retry-1' });
    await verifySubmission(ports, { submissionId, n: 2, decidedBy: 'chen.jing', requestId: 'retry-2' });

    expect(before).toEqual([['SubmissionsReturned', 1], ['SubmissionsVerified', 1]]);
    expect(world.metrics.values).toEqual(before);
  });
});

describe('R7.1 Verification state machine: a failing step is recorded on the version, not left looking busy', () => {
  it('records verificationFailed with the error on the version and the timeline when the package cannot be read', async () => {
    world = await verificationWorld();
    world.packages.failing = Object.assign(new Error('S3 不可用'), { name: 'AccessDenied' });

    const { submissionId, executionArn } = await submitFixture(world, 'valid');
    const done = await world.engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'Verification.Failed' });
    expect(world.invoked).toContain('RecordVerificationFailure');
    expect(await world.sub.store.getVersion(submissionId, 1)).toMatchObject({ status: 'verificationFailed' });
    const failed = (await world.sub.store.listEvents(submissionId)).find((e) => e.type === 'verificationFailed');
    expect(failed?.detail).toMatchObject({ error: 'AccessDenied' });
  });
});

describe('R7.1 Verification state machine: thousands of files are checked in batches that keep the state small', () => {
  it('plans 10,000 files into batches of at most 200 without splitting a shapefile set, passing only keys and counts to the Map', async () => {
    const paths = Array.from({ length: 9_996 }, (_, i) => `tiles/t${String(i).padStart(5, '0')}.tif`);
    for (const stem of ['a', 'b', 'c']) paths.push(`vector/${stem}.shp`, `vector/${stem}.shx`, `vector/${stem}.dbf`, `vector/${stem}.prj`);
    const files = paths.map((path) => ({ path, size: 1, sha256: '0'.repeat(64), role: 'data' as const }));
    const documents = new InMemoryDocuments();
    const version = { submissionId: 's', n: 1, status: 'sealed', manifestId: 'm', catalogue: { spatialScope: { regionCode: '440000' } } } as unknown as Version;
    const ports = {
      store: {
        getSubmission: async () => ({ theme: 'landSurvey' }) as unknown as Submission,
        getVersion: async () => version,
        listFiles: async () => files.map((f) => ({ ...f, submissionId: 's', n: 1, manifestId: 'm', upload: 'single' as const })),
      },
      packages: { list: async (prefix: string) => paths.map((p) => ({ key: `${prefix}${p}`, size: 1 })), open: async () => { throw new Error('not read while planning'); } },
      documents,
      now: () => new Date('2026-09-21T02:00:00Z'),
    };

    const plan = await prepareChecks(ports, { submissionId: 's', n: 1 });

    expect(plan.presentFiles).toBe(10_008);
    expect(plan.batches.length).toBe(Math.ceil(10_008 / 200));
    expect(Math.max(...plan.batches.map((b) => b.files))).toBeLessThanOrEqual(200);
    expect(plan.batches.reduce((n, b) => n + b.files, 0)).toBe(10_008);
    expect(Buffer.byteLength(JSON.stringify(plan))).toBeLessThan(16 * 1024);
    const sets = await Promise.all(plan.batches.map(async (b) => ((await documents.getJson(b.key)) as { units: string[][] }).units));
    const shapefileUnits = sets.flat().filter((u) => u.some((p) => p.endsWith('.shp')));
    expect(shapefileUnits.map((u) => u.length)).toEqual([4, 4, 4]);
  });
});
