import { describe, expect, it } from 'vitest';
import { api, auditHeadSeq, auditRecordsSince, signIn } from './helpers.ts';

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Self-inspections and the supervisors' security records on the local cloud
 * (issue 14 §3, R20.1): the real handlers on DynamoDB Local, every response
 * checked against the OpenAPI document by the helpers.
 */
describe('R20.1 issue 14 §3: self-inspections on the local cloud', () => {
  it('a custodian files (its rectification clock and audit record in one transaction), 周红 sees it and the open rectification, closing it meets the clock', async () => {
    // prepare
    const custodian = await signIn('zhang.wei');
    const supervisor = await signIn('zhou.hong');
    const seq = await auditHeadSeq();

    // act
    const filed = await api('POST', '/supervision/self-inspections', {
      token: custodian,
      body: {
        checklist: { storage: { ok: true }, access: { ok: false, note: '1 个离职人员账号未注销' }, media: { ok: true }, training: { ok: true } },
        findings: '1 个离职人员账号未注销',
        rectifications: [{ item: '注销离职人员账号', owner: '张伟', due: inDays(30) }],
      },
    });
    const id = String(filed.body.selfInspection.inspectionId);
    const listed = await api('GET', '/supervision/self-inspections', { token: supervisor });
    const closed = await api('POST', `/supervision/self-inspections/${encodeURIComponent(id)}/rectifications/0/close`, { token: custodian, body: { note: '账号已注销' } });
    const met = await api('GET', '/supervision/clocks?type=R20.1.rect&state=met', { token: supervisor });
    const records = await api('GET', '/supervision/security-records?limit=5', { token: supervisor });

    // assess
    expect([200, 201]).toContain(filed.status);
    expect(filed.body.selfInspection).toMatchObject({ org: '440000-CUS', rectifications: [expect.objectContaining({ owner: '张伟' })] });
    expect(listed.status).toBe(200);
    expect(listed.body.units).toEqual(expect.arrayContaining([expect.objectContaining({ org: '440000-CUS', status: expect.stringMatching(/^filed/) })]));
    expect(closed.status).toBe(200);
    expect(closed.body.selfInspection.rectifications[0]).toMatchObject({ state: 'closed' });
    expect(met.body.items.map((c: { subject: string }) => c.subject)).toContain(`${id}#0`);
    expect(records.status).toBe(200);
    const actions = (await auditRecordsSince(seq)).filter((r) => r['target'] === `SELFINSPECTION#${id}`).map((r) => r['action']);
    expect(actions).toContain('supervision.selfInspection.rectified');
  }, 120_000);
});
