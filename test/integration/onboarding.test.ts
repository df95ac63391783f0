import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleDir } from '../../scripts/build-onboarding-template.ts';
import { api, auditHeadSeq, auditRecordsSince, signIn, type AuditMark } from './helpers.ts';

/**
 * Issue 12 on the local cloud: a province set up from nothing — the XLSX import file (dry run, apply, re-apply), the
 * people then signing in through the local issuer, the standing designations used by a new survey task, deactivation.
 */
const workbook = readFileSync(join(exampleDir, 'zhejiang.xlsx')).toString('base64');
/** Identity records by the administrators of this test (the demo seed may still be writing in the background). */
const identityRecords = async (since: AuditMark) =>
  (await auditRecordsSince(since)).filter((r) => String(r['action']).startsWith('identity.') && String(r['actor']) !== 'system:seed');

describe('R3.1 R4.1 R7.1 issue 12 on the local cloud: a province from nothing through the bulk import', () => {
  it('dry run (nothing written) → apply (13 rows, audited) → re-apply (no change); the people sign in; the task defaults to the designations; deactivation refuses sign-in', async () => {
    // prepare
    const admin = await signIn('sun.yue');
    const seq0 = await auditHeadSeq();
    // act: dry run
    const dry = await api('POST', '/onboarding/imports', { token: admin, body: { format: 'xlsx', workbook, mode: 'dryRun' } });
    const afterDry = await api('GET', '/orgs/330000-NR', { token: admin });
    // assess
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ mode: 'dryRun', applied: false, counts: { create: 13, update: 0, unchanged: 0, error: 0 } });
    expect(dry.body.rows[0]).toMatchObject({ sheet: '组织', row: 2, key: '330000-NR', outcome: 'create', issues: [] });
    expect(afterDry.status).toBe(404);
    expect(await identityRecords(seq0)).toEqual([]);

    // act: apply, then again
    const applied = await api('POST', '/onboarding/imports', { token: admin, body: { format: 'xlsx', workbook, mode: 'apply' } });
    const seq1 = await auditHeadSeq();
    const written = (await identityRecords(seq0)).filter((r) => r['actor'] === 'sun.yue');
    const again = await api('POST', '/onboarding/imports', { token: admin, body: { format: 'xlsx', workbook, mode: 'apply' } });
    // assess
    expect(applied.body).toMatchObject({ applied: true, counts: { create: 13, error: 0 } });
    // 13 rows and the organiser's designations, each its own audit record.
    expect(written.map((r) => r['action']).sort()).toEqual([...Array(7).fill('identity.org.create'), 'identity.org.designations', ...Array(6).fill('identity.user.create')]);
    expect(again.body).toMatchObject({ applied: true, counts: { create: 0, update: 0, unchanged: 13, error: 0 } });
    expect(await identityRecords(seq1)).toEqual([]);
    const zhejiang = await api('GET', '/orgs/330000-NR', { token: admin });
    expect(zhejiang.body.organisation).toMatchObject({ name: '浙江省自然资源厅', custodians: { wetland: '330000-CUS' }, technicalUnits: ['330000-TEC'] });
    expect(zhejiang.body.children.map((c: { code: string }) => c.code)).toEqual(['330000-CUS', '330000-IMP', '330000-TEC', '330100-NR', '330200-NR']);

    // act: the imported people sign in through the local issuer and work
    const me = await api('GET', '/me', { token: await signIn('jiang.wen') });
    const task = await api('POST', '/survey-tasks', {
      token: await signIn('qian.li'),
      body: { name: '【集成测试】2026 年度西湖区湿地资源调查', theme: 'wetland', regionCode: '330106', implementerOrg: '330000-IMP' },
    });
    const foreign = await api('POST', '/survey-tasks', {
      token: await signIn('qian.li'),
      body: { name: '【集成测试】跨省实施单位', theme: 'wetland', regionCode: '330106', implementerOrg: '440000-IMP' },
    });
    // assess
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { userId: 'jiang.wen', orgCode: '330106-NR' }, organisation: { name: '杭州市规划和自然资源局西湖分局' } });
    expect(task.status).toBe(201);
    expect(task.body.task).toMatchObject({ organiserOrg: '330000-NR', custodianOrg: '330000-CUS', technicalUnits: ['330000-TEC'] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details[0]).toMatchObject({ field: 'body.implementerOrg', code: 'OUTSIDE_REGION' });

    // act: the province's own administrator deactivates a person; the province's import is outside a Guangdong administrator's scope
    const jiangToken = await signIn('jiang.wen');
    const off = await api('PATCH', '/users/jiang.wen', { token: await signIn('he.jun'), body: { active: false, reason: '调离' } });
    const refused = await api('GET', '/me', { token: jiangToken });
    const guangdong = await api('POST', '/onboarding/imports', { token: await signIn('wang.qiang'), body: { format: 'xlsx', workbook, mode: 'dryRun' } });
    // assess
    expect(off.status).toBe(200);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'ACCOUNT_DISABLED', message: expect.stringContaining('账号已停用') });
    // Everything exists now, so rows are unchanged for the national administrator but every row is out of wang.qiang's scope.
    expect(guangdong.body.counts.error).toBeGreaterThan(0);
    expect(guangdong.body.rows.find((r: { outcome: string }) => r.outcome === 'error').issues[0].message).toContain('不在您的管理范围内');
  });

  it('an apply of a CSV with a bad row is 422 IMPORT_HAS_ERRORS with the rows’ outcomes and writes nothing (a dry run of it 200); a body without a file is 400 naming the field', async () => {
    // prepare
    const admin = await signIn('sun.yue');
    const seq0 = await auditHeadSeq();
    const organisationsCsv = '组织代码,名称,行政区划代码,类别,上级组织代码\n350000-NR,福建省自然资源厅,350000,自然资源主管部门,100000-NR\n359999-NR,不存在的县,359999,自然资源主管部门,350000-NR\n';
    // act
    const r = await api('POST', '/onboarding/imports', { token: admin, body: { format: 'csv', organisationsCsv, mode: 'apply' } });
    const dryRun = await api('POST', '/onboarding/imports', { token: admin, body: { format: 'csv', organisationsCsv, mode: 'dryRun' } });
    const empty = await api('POST', '/onboarding/imports', { token: admin, body: { format: 'xlsx', mode: 'dryRun' } });
    const fujian = await api('GET', '/orgs/350000-NR', { token: admin });
    // assess
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'IMPORT_HAS_ERRORS', message: expect.stringContaining('未写入任何内容') });
    expect(r.body.error.report).toMatchObject({ mode: 'apply', applied: false, counts: { create: 1, error: 1 } });
    expect(r.body.error.report.rows[1].issues[0]).toMatchObject({ sheet: '组织', row: 3, column: '行政区划代码' });
    expect(r.body.error.details[0]).toMatchObject({ field: '组织!3:行政区划代码' });
    expect(dryRun.status).toBe(200);
    expect(dryRun.body).toMatchObject({ mode: 'dryRun', applied: false, counts: { create: 1, error: 1 } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].field).toBe('body.workbook');
    expect(fujian.status).toBe(404);
    expect(await identityRecords(seq0)).toEqual([]);
  });
});
