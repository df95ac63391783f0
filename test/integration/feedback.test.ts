import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { cataloguedValidResult, fixtureFiles, fixtureManifest, submit, taskIdIn, tokenOf, upload, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { grantedToLuoXin, orderedToCorrect, responsibilityFinding, reviewed, timelineHas, transferred, verificationTask } from './fixture-correction.ts';
import { api, auditHeadSeq, auditRecordsSince, cloud, eventually, waitForEmail } from './helpers.ts';

// The copy into custody runs here as the transfer step would: this process gets the cloud's function environment.
Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

describe('R19.2 R19.3 quality feedback on the local cloud: report → custodian confirms → organiser verifies with the responsibility finding → implementer emailed the order → 质量问题处理中', () => {
  let resultNumber = '';
  let file = '';
  beforeAll(async () => {
    const r = await cataloguedValidResult();
    resultNumber = r.resultNumber;
    await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId: r.submissionId, n: 1, resultNumber, requestId: `feedback-test-${r.submissionId}` });
    file = [...(await fixtureFiles('valid')).keys()][0]!;
  }, 180_000);

  it('R19.2 a requester without a grant is refused (403 NO_GRANT); the custodian’s 重大 problem on a file of the custody copy runs the chain, each step audited; an unknown file is 400 naming body.file', async () => {
    const mark = await auditHeadSeq();
    const since = new Date();
    const body = { resultNumber, file, location: { featureIds: ['F-1'] }, description: '要素 F-1 的属性与实地不符', severity: '重大' };

    const noGrant = await api('POST', '/feedback/problems', { token: await tokenOf('huang.wei'), body });
    const unknown = await api('POST', '/feedback/problems', { token: await tokenOf('zhang.wei'), body: { ...body, file: 'nope/missing.shp' } });
    const reported = await api('POST', '/feedback/problems', { token: await tokenOf('zhang.wei'), body });
    const id = String(reported.body.problem?.problemId);
    // R19.2 the attachment: declared, PUT to the presigned URL (write-once), read by the organiser through a 302.
    const photo = Buffer.from(`\x89PNG\r\n\x1a\n 现场核查照片 ${id}`);
    const declared = await api('POST', `/feedback/problems/${id}/attachments`, { token: await tokenOf('zhang.wei'), body: { name: '现场照片.png', contentType: 'image/png', size: photo.byteLength, sha256: createHash('sha256').update(photo).digest('hex') } });
    const put = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body: photo });
    const putAgain = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body: photo });
    const redirect = await fetch(`${cloud.urls.api}/feedback/problems/${id}/attachments/1`, { headers: { authorization: `Bearer ${await tokenOf('chen.jing')}` }, redirect: 'manual' });
    const fetched = Buffer.from(await (await fetch(String(redirect.headers.get('location')))).arrayBuffer());
    const outsider = await fetch(`${cloud.urls.api}/feedback/problems/${id}/attachments/1`, { headers: { authorization: `Bearer ${await tokenOf('li.na')}` }, redirect: 'manual' });
    const confirmed = await api('POST', `/feedback/problems/${id}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'confirm', reasons: '核查属实' } });
    const verified = await api('POST', `/feedback/problems/${id}/verification`, {
      token: await tokenOf('chen.jing'),
      body: { upheld: true, note: '经核实属实', finding: { who: '实施单位 440000-IMP', what: '要素 F-1 属性错误', conclusion: '限期改正并重新汇交' } },
    });
    const listed = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('zhang.wei') });
    const order = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【责令改正】成果 ${resultNumber} 的重大质量问题（${id}）`, since, timeoutMs: 30_000 });

    expect(noGrant.status).toBe(403);
    expect(noGrant.body.error.code).toBe('NO_GRANT');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('body.file');
    expect(reported.status).toBe(201);
    expect(declared.status).toBe(201);
    expect(put.status).toBe(200);
    expect(putAgain.status).toBe(412);
    expect(redirect.status).toBe(302);
    expect(fetched.equals(photo)).toBe(true);
    expect(outsider.status).toBe(403);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.problem.state).toBe('escalated');
    expect(verified.status).toBe(200);
    expect(verified.body.problem).toMatchObject({ state: 'correcting', finding: { conclusion: '限期改正并重新汇交' } });
    expect(verified.body.ordered).toEqual(['li.na@example.gov.cn']);
    expect(JSON.stringify(order)).toContain('限期改正并重新汇交');
    // The result's console page, not GET /feedback/results/{n}/problems (raw JSON in a browser).
    expect(order.text).toContain(`${cloud.urls.api}/console/catalogue/${resultNumber}`);
    expect(order.text).not.toMatch(/\/feedback\/results\/|GET \/|POST \//);
    expect(listed.status).toBe(200);
    expect(listed.body.qualityStatus).toBe('质量问题处理中');
    expect(listed.body.problems.find((p: { problemId: string }) => p.problemId === id).attachments).toEqual([declared.body.attachment]);
    const actions = (await auditRecordsSince(mark)).map((r) => r['action']).filter((a) => String(a).startsWith('feedback.'));
    expect(actions.sort()).toEqual(['feedback.problem.attachment', 'feedback.problem.attachment.read', 'feedback.problem.confirm', 'feedback.problem.order-correction', 'feedback.problem.report']);
  }, 120_000);
});

describe('R19.3 the escalation chain end to end on the local cloud: report → confirm → verify via the emailed task → correction v2 verified → custody and catalogue updated → grant holders emailed', () => {
  it('a 公开 result in custody with a grant to 罗欣: her 重大 problem ends with v2 as the entry’s current version (v1 kept), 质量问题处理中 shown then cleared, 罗欣 emailed', async () => {
    // prepare: v1 verified and transferred through the Transfer machine; 罗欣 (广东省水利厅) granted the result
    const { submissionId, name, since } = await submit('valid', { classification: 'public' });
    await reviewed(submissionId, name, 1, since);
    await transferred(submissionId, name, 1);
    const resultNumber = String((await timelineHas(submissionId, 'numberAssigned', 1)).detail?.['resultNumber']);
    const appliedAt = new Date();
    await grantedToLuoXin(resultNumber);
    const mark = await auditHeadSeq();

    // act: report → confirm → verify (order to correct)
    const file = [...(await fixtureFiles('valid')).keys()][0]!;
    const reported = await api('POST', '/feedback/problems', {
      token: await tokenOf('luo.xin'),
      body: { resultNumber, file, location: { bbox: [113.2, 23.0, 113.4, 23.2] }, description: '河道范围内图斑地类与实地不符', severity: '重大' },
    });
    const problemId = String(reported.body.problem?.problemId);
    const confirmed = await api('POST', `/feedback/problems/${problemId}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'confirm', reasons: '核查属实' } });
    // R19.3 the organiser verifies through the emailed task (属实 with the finding); without the finding → 400 naming it.
    const verifyTask = await verificationTask(resultNumber, problemId, appliedAt);
    const taskPage = await api('GET', `/human-tasks/${verifyTask}`, { token: await tokenOf('chen.jing') });
    const noFinding = await api('POST', `/human-tasks/${verifyTask}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '经核实属实' } });
    const finding = responsibilityFinding;
    const decidedTask = await api('POST', `/human-tasks/${verifyTask}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '经核实属实', conditions: { finding } } });
    const ordered = { body: { problem: await orderedToCorrect(resultNumber, problemId) } };
    const whileOrdered = await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') });
    // R19.3 the public catalogue (the registry stream republishes it): the row and the STAC item say 质量问题处理中.
    const publicRow = async () => ((await (await fetch(`${cloud.urls.api}/public/search-index.json`)).json()) as { entries: Array<{ n: string; href: string; quality?: string }> }).entries.find((e) => e.n === resultNumber);
    const shownOpen = await eventually(async () => ((await publicRow())?.quality ? await publicRow() : undefined), '质量问题处理中 on the public page', 60_000);
    const stacOpen = (await (await fetch(`${cloud.urls.api}/public/${shownOpen!.href}`)).json()) as { properties: Record<string, unknown> };
    // act: the correction, v2, through the normal upload and verification path
    const v2since = new Date();
    const opened = await api('POST', `/submissions/${submissionId}/versions`, { token: await tokenOf('li.na'), body: { files: await fixtureManifest('valid') } });
    expect(opened.status).toBe(201);
    await upload(submissionId, 2, 'valid');
    const whileVerifying = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('luo.xin') });
    const v2Review = await reviewed(submissionId, name, 2, v2since);
    const second = await transferred(submissionId, name, 2);
    await timelineHas(submissionId, 'correctionRecorded', 2);
    const afterEntry = await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') });
    const afterProblems = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('luo.xin') });
    const shownFixed = await eventually(async () => { const r = await publicRow(); return r && !r.quality ? r : undefined; }, 'the public page cleared', 60_000);
    const stacFixed = (await (await fetch(`${cloud.urls.api}/public/${shownFixed.href}`)).json()) as { properties: Record<string, unknown> };
    const told = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: `【成果更正】成果 ${resultNumber} 已有更正版本（第 2 版）`, since: v2since, timeoutMs: 30_000 });

    // assess
    expect(reported.status).toBe(201);
    expect(confirmed.body.problem.state).toBe('escalated');
    // the console's task page uses the kind's own words, and sends this kind (a finding with 属实) to the task page
    expect(taskPage.body).toMatchObject({ decisionWords: { approve: '属实', ret: '不属实' }, needsTaskPage: true });
    expect(taskPage.body).toMatchObject({ kind: 'problemVerification', kindLabel: '重大质量问题核实', summary: { problem: { problemId, resultNumber } } });
    expect(noFinding.status).toBe(400);
    expect(JSON.stringify(noFinding.body)).toContain('body.conditions.finding');
    expect(decidedTask.status).toBe(200);
    expect(ordered.body.problem).toMatchObject({ state: 'correcting', finding, timeline: expect.arrayContaining([expect.objectContaining({ state: 'correcting', by: 'chen.jing' })]) });
    expect(whileOrdered.body.entry.qualityStatus).toBe('质量问题处理中');
    expect(opened.body.submission).toMatchObject({ status: 'uploading', currentVersion: 2 });
    expect(whileVerifying.body).toMatchObject({ qualityStatus: '质量问题处理中', problems: [{ problemId, state: 'correctionSubmitted', correction: { submissionId, n: 2 } }] });
    expect(second).toMatchObject({ started: true, attempt: 2, executionName: `transfer-${submissionId}-2` });
    // the reviewer is told this version is the correction of the problem
    expect(v2Review.subject).toContain('（第 2 版）（更正版本）');
    expect(v2Review.text).toContain(`更正版本：本版是组织单位责令改正重大质量问题（${problemId}）后提交的更正`);
    expect(afterEntry.status).toBe(200);
    expect(afterEntry.body.entry).toMatchObject({ packageVersion: 2, packageVersions: [{ n: 1 }, { n: 2, correctionOf: [problemId] }] });
    expect(afterEntry.body.entry.qualityStatus).toBeUndefined();
    expect(shownOpen?.quality).toBe('质量问题处理中');
    expect(stacOpen.properties['chengguo:quality_status']).toBe('质量问题处理中');
    expect(stacFixed.properties['chengguo:quality_status']).toBeUndefined();
    expect(afterProblems.body.qualityStatus).toBeUndefined();
    expect(afterProblems.body.problems[0]).toMatchObject({ problemId, state: 'fixed', finding: { conclusion: '责令改正，提交更正版本' }, fixed: { n: 2, notified: ['luo.xin@example.gov.cn'] } });
    expect(told.text).toContain('原版本仍予保留');
    expect(told.text).toContain(`/console/catalogue/${resultNumber}`);
    for (const n of [1, 2]) expect((await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(resultNumber, n)}`)).status).toBe(200);
    const actions = (await auditRecordsSince(mark)).map((r) => String(r['action']));
    for (const a of ['feedback.problem.report', 'feedback.problem.confirm', 'feedback.problem.order-correction', 'submission.version.correction.open', 'catalogue.entry.correct', 'feedback.problem.fixed']) expect(actions).toContain(a);
  }, 420_000);
});
