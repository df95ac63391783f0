import { describe, expect, it } from 'vitest';
import { api, auditHeadSeq, auditRecordsSince, eventually, signIn, waitForEmail } from './helpers.ts';

/**
 * The Bulletin state machine on the local cloud (issue 14, R21.1): the real
 * ASL file on the local Step Functions engine, the real step handlers, the
 * documents bucket and MailDev.
 */
describe('R21.1 issue 14: POST /supervision/bulletins runs the Bulletin state machine on the local cloud', () => {
  it('202, then the machine stores HTML, XLSX and JSON, records the bulletin (audited) and emails 周红; asking again is 200 with the same bulletin', async () => {
    // prepare
    const token = await signIn('zhou.hong');
    const since = new Date();
    const seq = await auditHeadSeq();

    // act
    const asked = await api('POST', '/supervision/bulletins', { token, body: { period: '2026-Q1' } });
    const bulletinId = String(asked.body.bulletinId);
    const listed = await eventually(
      async () => {
        const r = await api('GET', '/supervision/bulletins', { token });
        return r.body.items?.find((b: { bulletinId: string }) => b.bulletinId === bulletinId);
      },
      `bulletin ${bulletinId} to be listed`,
      90_000,
    );
    const mail = await waitForEmail({ to: 'zhou.hong@example.gov.cn', subject: '2026年第一季度', since, timeoutMs: 30_000 });
    const html = await api('GET', `/supervision/bulletins/${encodeURIComponent(bulletinId)}/files/html`, { token });
    const xlsx = await api('GET', `/supervision/bulletins/${encodeURIComponent(bulletinId)}/files/xlsx`, { token });
    const again = await api('POST', '/supervision/bulletins', { token, body: { period: '2026-Q1' } });

    // assess
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ bulletinId: '440000-NR.2026-Q1', state: 'issuing' });
    expect(listed).toMatchObject({ org: '440000-NR', period: '2026-Q1', trigger: 'request', createdBy: 'zhou.hong' });
    expect(mail.text).toContain(`/supervision/bulletins/${bulletinId}/page`);
    expect(html.status).toBe(200);
    expect(html.body.text).toContain('<h1>通报</h1>');
    expect(html.body.text).toMatch(/<div class="chart" id="trend-chart"><svg/);
    expect(Buffer.from(String(xlsx.body.base64), 'base64').subarray(0, 2).toString()).toBe('PK');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ state: 'issued', bulletin: { bulletinId, createdAt: listed.createdAt } });
    const actions = (await auditRecordsSince(seq)).filter((r) => r['target'] === `BULLETIN#${bulletinId}`).map((r) => r['action']);
    expect(actions).toEqual(['supervision.bulletin.issue']);
  }, 180_000);
});
