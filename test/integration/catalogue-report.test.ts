import { describe, expect, it } from 'vitest';
import { cataloguedValidResult, taskIdIn, tokenOf } from './fixture-submission.ts';
import { api, auditHeadSeq, auditRecordsSince, eventually, waitForEmail } from './helpers.ts';

/** A verified result of the `valid` fixture, catalogued by its custodian (zhang.wei, 440000-CUS). */
async function cataloguedEntry(): Promise<string> {
  return (await cataloguedValidResult()).resultNumber;
}

describe('R9.1 catalogue report upward on the local cloud: custodian reports → the upper level acknowledges by emailed task', () => {
  it('sends the new entries to 100000-NR, zhao.min acknowledges through the emailed task, and a second report with nothing new is refused', async () => {
    const resultNumber = await cataloguedEntry();
    const seq = await auditHeadSeq();
    const since = new Date();

    const sent = await api('POST', '/catalogue-reports', { token: await tokenOf('zhang.wei') });
    const reportId = String(sent.body.report?.reportId);
    const mail = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: '成果目录上报确认', since, timeoutMs: 30_000 });
    const decided = await api('POST', `/human-tasks/${taskIdIn(mail)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '已接收' } });
    const acknowledged = await eventually(
      async () => {
        const r = await api('GET', `/catalogue-reports/${reportId}`, { token: await tokenOf('zhao.min') });
        return r.status === 200 && r.body.report.status === 'acknowledged' ? r.body : undefined;
      },
      `report ${reportId} to be acknowledged`,
      30_000,
    );
    const again = await api('POST', '/catalogue-reports', { token: await tokenOf('zhang.wei') });
    const listed = await api('GET', '/catalogue-reports?custodianOrg=440000-CUS', { token: await tokenOf('zhang.wei') });
    const received = await api('GET', '/catalogue-reports?recipientOrg=100000-NR', { token: await tokenOf('zhao.min') });

    expect(sent.status).toBe(202);
    expect(sent.body.report).toMatchObject({ custodianOrg: '440000-CUS', recipientOrg: '100000-NR', status: 'sent', overdue: false });
    expect(sent.body.report.resultNumbers).toContain(resultNumber);
    expect(decided.status).toBe(200);
    expect(acknowledged.report.acknowledgement).toMatchObject({ decision: 'approve', decidedBy: 'zhao.min', reasons: '已接收' });
    expect(acknowledged.entries.map((e: { resultNumber: string }) => e.resultNumber)).toContain(resultNumber);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOTHING_TO_REPORT');
    expect(listed.status).toBe(200);
    expect(listed.body.reports[0]).toMatchObject({ reportId, status: 'acknowledged', overdue: false });
    expect(received.body.reports.map((r: { reportId: string }) => r.reportId)).toContain(reportId);
    const actions = (await auditRecordsSince(seq)).filter((r) => r['target'] === `CATREPORT#${reportId}`).map((r) => r['action']);
    expect(actions).toEqual(['catalogue.report.send', 'catalogue.report.acknowledged']);
  }, 180_000);
});
