import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, ListExecutionsCommand, ListStateMachinesCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { fixtureFiles, fixtureManifest, submit, taskIdIn, tokenOf, upload, versionStatus } from './fixture-submission.ts';
import { api, auditHeadSeq, cloud, getItem, sfn, waitForEmail } from './helpers.ts';

const chinese = /[\u4e00-\u9fff]/;

/** The run that a decision resumed has finished writing (its later steps append to the audit chain). */
async function settled(executionArn: string) {
  for (let i = 0; i < 150; i += 1) {
    const run = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (run.status !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`execution still running: ${executionArn}`);
}

/** What a refusal must leave as it was: the task item and the audit chain. */
async function taskState(id: string) {
  return JSON.stringify([await getItem({ pk: `HTASK#${id}`, sk: 'META' }), await auditHeadSeq()]);
}

describe('R7.1 R8.1 verification on the local cloud: a valid package is checked, reviewed from the emailed link and verified', () => {
  it('emails the reviewer a link, shows the package and report to the signed-in assignee, and verifies on approval', async () => {
    const { submissionId, name, since } = await submit('valid');

    const reviewMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
    const id = taskIdIn(reviewMail);
    expect(reviewMail.text).toContain(`${cloud.urls.api}/human-tasks/${id}/page`);
    expect(reviewMail.text).not.toMatch(/AQCE[A-Za-z0-9_-]{20}/);
    await versionStatus(submissionId, 1, ['awaitingReview']);

    const page = await api('GET', `/human-tasks/${id}/page`);
    const view = await api('GET', `/human-tasks/${id}`, { token: await tokenOf('chen.jing') });

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id, status: 'open', canDecide: true, summary: { kind: 'technicalReview', submission: { submissionId, name, taskName: '2026 年度国土变更调查（核验集成测试）' }, version: { n: 1 }, report: { passed: true } } });
    expect(view.body.summary.report.summary.files).toBe((await fixtureFiles('valid')).size);
    // Issue 13: the review task carries the report's map — the region's box and each layer's extent, all inside.
    expect(view.body.summary.report.mapSvg).toMatch(/^<svg [^>]*role="img"/);
    expect(view.body.summary.report.mapSvg).toContain('广东省（440000）省级外包框');
    expect(view.body.summary.report.mapSvg).toContain('data-placement="inside"');
    expect(view.body.summary.report.mapSvg).not.toContain('data-placement="outside"');

    const decided = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });

    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({ decision: 'approve', decidedBy: 'chen.jing' });
    const verified = await versionStatus(submissionId, 1, ['verified']);
    expect(verified['decidedBy']).toBe('chen.jing');
    const sub = (await api('GET', `/submissions/${submissionId}`, { token: await tokenOf('li.na') })).body.submission;
    expect(sub.status).toBe('verified');
    const mail = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【核验通过】${name}`, since, timeoutMs: 15_000 });
    expect(mail.text).toContain(sub.transferDue);
    expect(mail.text).toMatch(/15 个工作日/);
    const report = await api('GET', `/submissions/${submissionId}/versions/1/report`, { token: await tokenOf('li.na') });
    const html = await api<string>('GET', `/submissions/${submissionId}/versions/1/report.html`, { token: await tokenOf('zhang.wei') });
    expect(report.status).toBe(200);
    expect(report.body.passed).toBe(true);
    expect(html.status).toBe(200);
    expect(html.body).toContain('核验结论：通过');
  });
});

describe('R7.1 link attacks on the review task: each refused or harmless, state unchanged', () => {
  it('refuses a forged id, another user’s session and an anonymous call; a mail scanner’s GET and a second decision change nothing', async () => {
    const { submissionId, name, since } = await submit('valid');
    const id = taskIdIn(await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 }));
    await versionStatus(submissionId, 1, ['awaitingReview']);
    const before = await taskState(id);
    const forgedId = randomBytes(16).toString('base64url');

    const scanner = await api<string>('GET', `/human-tasks/${id}/page`, { headers: { 'user-agent': 'MailScanner/1.0' } });
    const scannerHtml = scanner.body;
    const forgedGet = await api('GET', `/human-tasks/${forgedId}`, { token: await tokenOf('chen.jing') });
    const forgedPost = await api('POST', `/human-tasks/${forgedId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve' } });
    // 林峰 reviews at the provincial forestry bureau: no part in this task (郭涛's technical unit, designated by the
    // organiser, now takes part in every new task's review and may read it: R7.1)
    const foreignGet = await api('GET', `/human-tasks/${id}`, { token: await tokenOf('lin.feng') });
    const foreignPost = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('li.na'), body: { decision: 'approve' } });
    const participantGet = await api('GET', `/human-tasks/${id}`, { token: await tokenOf('guo.tao') });
    const participantPost = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('guo.tao'), body: { decision: 'approve' } });
    const anonymousGet = await api('GET', `/human-tasks/${id}`);
    const anonymousPost = await api('POST', `/human-tasks/${id}/decision`, { body: { decision: 'approve' } });

    expect(scanner.status).toBe(200);
    expect(scannerHtml).not.toContain(name);
    expect([forgedGet.status, forgedPost.status]).toEqual([404, 404]);
    expect([foreignGet.status, foreignPost.status]).toEqual([403, 403]);
    expect([participantGet.status, participantPost.status]).toEqual([200, 403]);
    expect([anonymousGet.status, anonymousPost.status]).toEqual([401, 401]);
    for (const res of [forgedGet, forgedPost, foreignGet, foreignPost, participantPost, anonymousGet, anonymousPost]) expect(res.body.error.message).toMatch(chinese);
    expect(await taskState(id)).toBe(before);
    expect((await versionStatus(submissionId, 1, ['awaitingReview']))['status']).toBe('awaitingReview');

    const first = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'return', reasons: '图件比例尺与技术设计书不符，请修改' } });
    await versionStatus(submissionId, 1, ['returned']);
    await settled(String((await getItem({ pk: `HTASK#${id}`, sk: 'META' }))?.['execution']));
    const afterFirst = await taskState(id);
    const second = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve' } });

    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('TASK_ALREADY_DECIDED');
    expect(second.body.error.message).toMatch(chinese);
    expect(await taskState(id)).toBe(afterFirst);
    expect((await versionStatus(submissionId, 1, ['returned']))['reasons']).toEqual(['图件比例尺与技术设计书不符，请修改']);
  });
});

describe('R7.1 link attacks: an expired review task is refused', () => {
  it('refuses a decision once the workflow no longer waits for it, records the task expired, and decides nothing', async () => {
    const { submissionId, name, since } = await submit('valid');
    const id = taskIdIn(await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 }));
    await versionStatus(submissionId, 1, ['awaitingReview']);
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const arn = machines.stateMachines?.find((m) => m.name === 'Verification')?.stateMachineArn;
    const runs = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    const run = runs.executions?.find((e) => e.name === `${submissionId}-v1`);
    await sfn.send(new StopExecutionCommand({ executionArn: run!.executionArn, cause: 'integration test: the wait is over' }));

    const late = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve' } });
    const again = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve' } });
    const view = await api('GET', `/human-tasks/${id}`, { token: await tokenOf('chen.jing') });

    expect([late.status, again.status]).toEqual([409, 409]);
    expect(late.body.error.code).toBe('TASK_EXPIRED');
    expect(again.body.error.code).toBe('TASK_EXPIRED');
    expect(late.body.error.message).toMatch(chinese);
    expect(view.body).toMatchObject({ id, status: 'expired', canDecide: false });
    expect((await versionStatus(submissionId, 1, ['awaitingReview']))['status']).toBe('awaitingReview');
  });
});

describe('R7.1 R7.2 verification on the local cloud: each broken fixture is returned with the right defect named', () => {
  const cases: Array<[string, string]> = [
    ['wrong-checksum', 'manifest.checksum-mismatch'],
    ['missing-dbf', 'shapefile.missing-dbf'],
    ['wgs84-crs', 'crs.not-cgcs2000'],
    ['truncated-shp', 'format.truncated'],
    ['outside-region', 'extent.outside-region'],
    ['missing-report', 'profile.missing-role'],
    ['extra-file', 'manifest.extra-file'],
  ];

  it.each(cases)('returns %s with %s in the report and in the submitter’s email, with the 15 WD resubmission date', async (fixture, rule) => {
    const { submissionId, name, since } = await submit(fixture);

    const returned = await versionStatus(submissionId, 1, ['returned', 'verified', 'awaitingReview', 'verificationFailed']);
    const report = await api('GET', `/submissions/${submissionId}/versions/1/report`, { token: await tokenOf('li.na') });
    const mail = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【核验退回】${name}`, since, timeoutMs: 15_000 });
    const sub = (await api('GET', `/submissions/${submissionId}`, { token: await tokenOf('li.na') })).body.submission;

    expect(returned['status']).toBe('returned');
    expect(returned['decidedBy']).toBe('system:Verification');
    expect(report.status).toBe(200);
    expect(report.body.passed).toBe(false);
    expect(report.body.defects.find((d: { rule: string }) => d.rule === rule)).toMatchObject({ severity: 'error', message: expect.stringMatching(chinese) });
    expect(mail.text).toContain(rule);
    expect(mail.text).toContain(sub.resubmissionDue);
    expect(sub.deadlines.find((d: { kind: string }) => d.kind === 'resubmission')).toMatchObject({ requirement: 'R7.2', due: sub.resubmissionDue });
  });

  it('verifies the checksum by streaming where the store cannot vouch for it, and says so in the report', async () => {
    const { submissionId } = await submit('wrong-checksum');
    expect((await versionStatus(submissionId, 1, ['returned', 'verificationFailed']))['status']).toBe('returned');

    const report = await api('GET', `/submissions/${submissionId}/versions/1/report`, { token: await tokenOf('li.na') });

    expect(report.body.summary.checksumsStreamed).toBe(report.body.summary.files);
    expect(report.body.defects.find((d: { rule: string }) => d.rule === 'manifest.checksum-mismatch')?.message).toContain('逐字节计算');
  });
});

describe('R7.2 verification on the local cloud: a returned submission is resubmitted as v2 and passes', () => {
  it('opens v2 of the same submission with the valid files, checks it again and verifies it on approval', async () => {
    const { submissionId, name, since } = await submit('missing-report');
    await versionStatus(submissionId, 1, ['returned']);

    const v2 = await api('POST', `/submissions/${submissionId}/versions`, { token: await tokenOf('li.na'), body: { files: await fixtureManifest('valid') } });
    expect(v2.status).toBe(201);
    await upload(submissionId, 2, 'valid');
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}（第 2 版）`, since, timeoutMs: 30_000 });
    await versionStatus(submissionId, 2, ['awaitingReview']);
    const decided = await api('POST', `/human-tasks/${taskIdIn(mail)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve' } });

    expect(decided.status).toBe(200);
    await versionStatus(submissionId, 2, ['verified']);
    const sub = (await api('GET', `/submissions/${submissionId}`, { token: await tokenOf('li.na') })).body.submission;
    expect(sub).toMatchObject({ status: 'verified', currentVersion: 2 });
    expect(sub.versions.map((v: { status: string }) => v.status)).toEqual(['returned', 'verified']);
    const first = await api('GET', `/submissions/${submissionId}/versions/1/report`, { token: await tokenOf('li.na') });
    const second = await api('GET', `/submissions/${submissionId}/versions/2/report`, { token: await tokenOf('li.na') });
    expect([first.body.passed, second.body.passed]).toEqual([false, true]);
    const verifiedMail = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【核验通过】${name}（第 2 版）`, since, timeoutMs: 15_000 });
    expect(verifiedMail.text).toContain(sub.transferDue);
  });
});
