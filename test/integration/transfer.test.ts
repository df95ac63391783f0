import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { chinaDay } from '#shared/submission/deadlines.ts';
import { fixtureManifest, taskIdIn, tokenOf, upload, versionStatus } from './fixture-submission.ts';
import { api, cloud, eventually, waitForEmail } from './helpers.ts';

type Entry = { type: string; detail?: Record<string, unknown> };

/** A `valid` fixture package taken to verified through HTTP and the inbox, organised by `organiser` (a reviewer). */
async function verified(organiser: string, theme: string, custodianOrg = '440000-CUS'): Promise<{ submissionId: string; name: string; since: Date }> {
  const since = new Date();
  const task = await api('POST', '/survey-tasks', {
    token: await tokenOf(organiser),
    body: { name: `2026 年度移交集成测试任务 ${theme}`, theme, regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg },
  });
  expect(task.status).toBe(201);
  const taskId = task.body.task.taskId as string;
  expect((await api('PUT', `/survey-tasks/${taskId}/completion`, { token: await tokenOf('li.na'), body: { completionDate: '2026-09-18' } })).status).toBe(200);
  const name = `移交集成测试成果 ${randomBytes(3).toString('hex')}`;
  const opened = await api('POST', `/survey-tasks/${taskId}/submissions`, {
    token: await tokenOf('li.na'),
    body: {
      catalogue: { name, content: '调查数据库、图件、报告与元数据', format: 'Shapefile、GeoPackage、GeoTIFF、PDF、XML', spatialScope: { regionCode: '440000' }, timePoint: '2026-06-30', classification: 'internal', sharingMode: 'online' },
      files: await fixtureManifest('valid'),
    },
  });
  expect(opened.status).toBe(201);
  const submissionId = opened.body.submission.submissionId as string;
  await upload(submissionId, 1, 'valid');
  const review = await waitForEmail({ to: `${organiser}@example.gov.cn`, subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  const decided = await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf(organiser), body: { decision: 'approve' } });
  expect(decided.status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  return { submissionId, name, since };
}

async function timelineHas(submissionId: string, type: string, timeoutMs = 30_000): Promise<Entry> {
  return eventually(
    async () => {
      const res = await api('GET', `/submissions/${submissionId}/timeline`, { token: await tokenOf('chen.jing') });
      return (res.body.entries as Entry[] | undefined)?.find((e) => e.type === type);
    },
    `${type} on the timeline of ${submissionId}`,
    timeoutMs,
  );
}

describe('R4.1 R8.1 R9.1 transfer on the local cloud (issue 4)', () => {
  it('transfers a verified result: numbered and catalogued, copied into custody, receipt confirmed from the emailed link, catalogue report due shown', async () => {
    const { submissionId, name, since } = await verified('chen.jing', 'landSurvey');

    const started = await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('chen.jing') });
    const repeated = await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('chen.jing') });
    const foreign = await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('huang.wei') });

    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ executionName: `transfer-${submissionId}`, started: true, transferRequired: true });
    expect(repeated.status).toBe(200);
    expect(foreign.status).toBe(403);
    const receiptMail = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${name}`, since, timeoutMs: 30_000 });
    const numbered = await timelineHas(submissionId, 'numberAssigned');
    const resultNumber = String(numbered.detail?.['resultNumber']);
    await timelineHas(submissionId, 'custodyCopied');

    const confirmed = await api('POST', `/human-tasks/${taskIdIn(receiptMail)}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'approve' } });

    expect(confirmed.status).toBe(200);
    const received = await timelineHas(submissionId, 'custodyReceived');
    expect(received.detail).toMatchObject({ resultNumber, implicit: false, requirement: 'R9.1', catalogueReportDue: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const entry = await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') });
    expect(entry.status).toBe(200);
    expect(entry.body.entry).toMatchObject({ resultNumber, submissionId, custodian: '440000-CUS', name, createdBy: 'system:Transfer' });
    const manifest = await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(resultNumber, 1)}`);
    expect(manifest.status).toBe(200);
    const organiserMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `已接收入库（${resultNumber}）`, since, timeoutMs: 30_000 });
    expect(organiserMail.text).toContain(String(received.detail?.['catalogueReportDue']));
  });
});

describe('R8.1 R9.1 transfer to catalogue report on the local cloud (issue 4)', () => {
  it('reports a transferred result upward due 30 WD from the custodian\'s receipt, the upper level acknowledges, and the R8.1 deadline shows met', async () => {
    const { submissionId, name, since } = await verified('chen.jing', 'landSurvey');
    expect((await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('chen.jing') })).status).toBe(202);
    const receiptMail = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${name}`, since, timeoutMs: 30_000 });
    await timelineHas(submissionId, 'custodyCopied');
    expect((await api('POST', `/human-tasks/${taskIdIn(receiptMail)}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'approve' } })).status).toBe(200);
    const received = await timelineHas(submissionId, 'custodyReceived');
    const resultNumber = String(received.detail?.['resultNumber']);
    const receivedOn = chinaDay(String(received.detail?.['receivedAt']));
    const catalogued = await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') });
    expect(catalogued.status).toBe(200);
    const reportSince = new Date();

    const sent = await api('POST', '/catalogue-reports', { token: await tokenOf('zhang.wei') });

    expect(sent.status).toBe(202);
    const reportId = String(sent.body.report.reportId);
    expect(sent.body.report.resultNumbers).toContain(resultNumber);
    const due = (sent.body.report.entryDues as Array<{ resultNumber: string }>).find((e) => e.resultNumber === resultNumber);
    expect(due).toEqual({ resultNumber, dueBasis: 'receipt', dueFrom: receivedOn, dueDate: String(received.detail?.['catalogueReportDue']) });
    const ackMail = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: '成果目录上报确认', since: reportSince, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(ackMail)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '已接收' } })).status).toBe(200);
    const acknowledged = await eventually(
      async () => {
        const r = await api('GET', `/catalogue-reports/${reportId}`, { token: await tokenOf('zhao.min') });
        return r.status === 200 && r.body.report.status === 'acknowledged' ? r.body : undefined;
      },
      `report ${reportId} to be acknowledged`,
      30_000,
    );
    expect(acknowledged.entries.map((e: { resultNumber: string }) => e.resultNumber)).toContain(resultNumber);
    const submission = await api('GET', `/submissions/${submissionId}`, { token: await tokenOf('chen.jing') });
    const transfer = (submission.body.submission.deadlines as Array<{ kind: string }>).find((d) => d.kind === 'transfer');
    expect(transfer).toMatchObject({ requirement: 'R8.1', met: true, metOn: receivedOn, overdue: false });
  }, 180_000);
});

describe('R8.1 same unit on the local cloud (issue 4)', () => {
  it('skips the transfer step when the implementer is its own custodian, saying why, and still numbers, copies and starts the catalogue clock', async () => {
    const { submissionId } = await verified('chen.jing', 'landSurvey', '440000-IMP');

    const started = await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('chen.jing') });

    expect(started.status).toBe(202);
    expect(started.body.transferRequired).toBe(false);
    const received = await timelineHas(submissionId, 'custodyReceived');
    const skipped = await timelineHas(submissionId, 'transferNotRequired');
    expect(skipped.detail).toMatchObject({ requirement: 'R8.1', custodianOrg: '440000-IMP', reason: expect.stringContaining('无需移交') });
    expect(received.detail).toMatchObject({ implicit: true, catalogueReportDue: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const timeline = await api('GET', `/submissions/${submissionId}/timeline`, { token: await tokenOf('chen.jing') });
    expect((timeline.body.entries as Entry[]).map((e) => e.type)).not.toContain('receiptRequested');
    const manifest = await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(String(received.detail?.['resultNumber']), 1)}`);
    expect(manifest.status).toBe(200);
  });
});

describe('R8.2 forestry copy on the local cloud (issue 4)', () => {
  it('sends a forestry-organised result\'s copy to 440000-NR, whose reviewer acknowledges it from the emailed link', async () => {
    const { submissionId, name, since } = await verified('lin.feng', 'forest');

    const started = await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('lin.feng') });
    expect(started.status).toBe(202);
    const receiptMail = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${name}`, since, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(receiptMail)}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'approve' } })).status).toBe(200);
    const copyMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `林草成果副本接收确认：${name}`, since, timeoutMs: 30_000 });
    const sent = await timelineHas(submissionId, 'forestryCopySent');

    const ack = await api('POST', `/human-tasks/${taskIdIn(copyMail)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve' } });

    expect(sent.detail).toMatchObject({ requirement: 'R8.2', targetOrg: '440000-NR', due: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(ack.status).toBe(200);
    const acknowledged = await timelineHas(submissionId, 'forestryCopyAcknowledged');
    expect(acknowledged.detail).toMatchObject({ decision: 'approve', decidedBy: 'chen.jing' });
  });
});
