import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bulletinFilesFromEnv } from '#adapters/s3-bulletins.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { periodBefore, periodOf } from '#shared/supervision/periods.ts';
import { cataloguedValidResult, fixtureFiles, taskIdIn, tokenOf } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, auditHeadSeq, auditRecordsSince, eventually, getItem, listEmails, waitForEmail } from './helpers.ts';

// The test reads the documents bucket as a function would: this process gets the cloud's function environment.
Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

/** The first instant of the quarter after the one containing today (China time): the schedule's firing for this quarter. */
function firingAfterThisQuarter(): { at: string; quarter: string } {
  const quarter = periodOf(chinaDate(new Date()), 'quarter');
  const [y, q] = quarter.id.split('-Q').map(Number) as [number, number];
  const next = q === 4 ? `${y + 1}-01-01` : `${y}-${String(q * 3 + 1).padStart(2, '0')}-01`;
  expect(periodBefore(periodOf(next, 'quarter')).id).toBe(quarter.id);
  return { at: `${next}T00:00:00Z`, quarter: quarter.id };
}

describe('R19.2 the custodian’s quarterly use-and-quality evaluation on the local cloud', () => {
  let resultNumber = '';
  let file = '';
  beforeAll(async () => {
    const r = await cataloguedValidResult();
    resultNumber = r.resultNumber;
    await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId: r.submissionId, n: 1, resultNumber, requestId: `evaluation-test-${r.submissionId}` });
    file = [...(await fixtureFiles('valid')).keys()][0]!;
  }, 180_000);

  it('problems reported and confirmed this quarter; the QuarterlyEvaluations firing writes the custodian × organiser document once (SHA-256), emails the organiser’s reviewer and its 已阅 / 有异议 task; 有异议 with a note is recorded once on the evaluation record (audited); the document link serves the custodian and the reviewer, 404 to others; firing again writes, starts and sends nothing', async () => {
    // prepare
    const custodian = await tokenOf('zhang.wei');
    const body = { resultNumber, file, location: { featureIds: ['F-9'] }, description: '要素 F-9 的面积与台账不符', severity: '一般' };
    const first = await api('POST', '/feedback/problems', { token: custodian, body });
    await api('POST', '/feedback/problems', { token: custodian, body: { ...body, location: { featureIds: ['F-10'] }, description: '要素 F-10 缺少权属字段' } });
    const confirmed = await api('POST', `/feedback/problems/${first.body.problem.problemId}/decision`, { token: custodian, body: { decision: 'confirm', reasons: '核查属实' } });
    const { at, quarter } = firingAfterThisQuarter();
    const since = new Date();

    // act
    const mark = await auditHeadSeq();
    const fired = await api('POST', `/local/schedules/QuarterlyEvaluations/run?at=${encodeURIComponent(at)}`);
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '【成果利用与质量评价】', since, timeoutMs: 30_000 });
    const taskMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果利用与质量评价确认', since, timeoutMs: 30_000 });
    const reviewer = await tokenOf('chen.jing');
    const taskId = taskIdIn(taskMail);
    const task = await api('GET', `/human-tasks/${taskId}`, { token: reviewer });
    const filePath = String(task.body.summary?.evaluation?.filePath);
    const asReviewer = await api('GET', filePath, { token: reviewer });
    const asCustodian = await api('GET', filePath, { token: custodian });
    const asOther = await api('GET', filePath, { token: await tokenOf('luo.xin') });
    const noNote = await api('POST', `/human-tasks/${taskId}/decision`, { token: reviewer, body: { decision: 'return', reasons: '' } });
    const disputed = await api('POST', `/human-tasks/${taskId}/decision`, { token: reviewer, body: { decision: 'return', reasons: '下载次数与本单位台账不符' } });
    const evaluationId = `440000-CUS.440000-NR.${quarter}`;
    const record = await eventually(async () => {
      const item = await getItem({ pk: `EVALUATION#${evaluationId}`, sk: 'META' });
      return item?.['decision'] ? item : undefined;
    }, 'the decision on the evaluation record', 30_000);
    // The first firing may have written other custodian × organiser documents too (the shared test cloud holds other
    // files' activity): their mails arrive through the asynchronous mail hand-over, so wait until none is still coming.
    const evaluationMails = async () => (await listEmails()).filter((e) => e.subject.includes('成果利用与质量评价')).map((e) => e.id);
    let seenBefore: string[] = [];
    for (let stable = 0, tries = 0; stable < 3 && tries < 30; tries += 1) {
      const now = await evaluationMails();
      stable = now.length === seenBefore.length ? stable + 1 : 0;
      seenBefore = now;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const beforeAgain = new Date();
    const again = await api('POST', `/local/schedules/QuarterlyEvaluations/run?at=${encodeURIComponent(at)}`);
    await new Promise((r) => setTimeout(r, 2_000));
    const mailsAfter = (await listEmails()).filter((e) => e.subject.includes('成果利用与质量评价') && !seenBefore.includes(e.id));
    const audits = (await auditRecordsSince(mark)).filter((r) => r['target'] === `EVALUATION#${evaluationId}`).map((r) => r['action']);

    // assess
    expect(first.status).toBe(201);
    expect(confirmed.status).toBe(200);
    expect(fired.status).toBe(200);
    expect(fired.body.result.quarter).toBe(quarter);
    const key = (fired.body.result.written as string[]).find((k) => k.startsWith(`evaluations/440000-CUS/${quarter}/`));
    expect(key).toBeDefined();
    const stored = await bulletinFilesFromEnv().get(key!);
    const html = Buffer.from(stored!).toString('utf8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('成果利用与质量季度评价');
    expect(Number(/<th scope="row">报告质量问题<\/th><td>(\d+)<\/td>/.exec(html)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/<th scope="row">确认质量问题<\/th><td>(\d+)<\/td>/.exec(html)?.[1])).toBeGreaterThanOrEqual(1);
    expect(mail.text).toContain(key!);
    expect(mail.text).toContain(createHash('sha256').update(html, 'utf8').digest('hex'));
    expect(fired.body.result.started).toContain(evaluationId);
    expect(taskMail.subject).toContain('【待处理】成果利用与质量评价确认');
    expect(task.status).toBe(200);
    expect(task.body.kind).toBe('evaluationAck');
    expect(task.body.summary.evaluation).toMatchObject({ evaluationId, key, sha256: createHash('sha256').update(html, 'utf8').digest('hex') });
    expect(task.body.summary.evaluation.figures).toContainEqual({ key: 'R19.2.confirmed', label: '确认质量问题', value: Number(/<th scope="row">确认质量问题<\/th><td>(\d+)<\/td>/.exec(html)?.[1]) });
    expect(filePath).toBe(`/supervision/evaluations/${evaluationId}/file`);
    expect(asReviewer.status).toBe(200);
    expect(asReviewer.body.text).toBe(html);
    expect(asReviewer.body.evaluation.sha256).toBe(createHash('sha256').update(html, 'utf8').digest('hex'));
    expect(asCustodian.status).toBe(200);
    expect(asOther.status).toBe(404);
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body.reasons']);
    expect(disputed.status).toBe(200);
    expect(record['decision']).toMatchObject({ taskId, decision: 'return', reasons: '下载次数与本单位台账不符', decidedBy: 'chen.jing' });
    expect(audits).toEqual(['supervision.evaluation.record', 'supervision.evaluation.ackStarted', 'supervision.evaluation.disputed']);
    expect(again.status).toBe(200);
    expect(again.body.result.written).toEqual([]);
    expect(again.body.result.existing).toContain(key);
    expect(again.body.result.started).toEqual([]);
    expect(mailsAfter.map((m) => `${m.subject} ${m.time} ${m.to.map((t) => t.address).join(',')}`), `again at ${beforeAgain.toISOString()}`).toEqual([]);
  }, 240_000);
});
