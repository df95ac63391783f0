import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AdminActor } from '#shared/identity/admin.ts';
import { importOnboarding, maxRowsPerImport, onboardingReportSchema, orgColumns, peopleColumns, runOnboarding } from '#shared/identity/onboarding.ts';
import { UnprocessableError } from '#shared/errors.ts';
import { readOnboardingCsv, readOnboardingXlsx, toCsv } from '#shared/identity/onboarding-files.ts';
import { onboardingTemplateXlsx } from '#shared/identity/onboarding-template.ts';
import { exampleDir } from '../../scripts/build-onboarding-template.ts';
import { FakeAccounts, FakeIdentity } from './identity-fakes.ts';

/**
 * R3.1 R4.1 R7.1 issue 12: bulk onboarding — the XLSX and CSV files read with exceljs, a dry run that lists every
 * row's outcome and error (sheet, row, column, message) and writes nothing, then apply, idempotent.
 */
const national: AdminActor = { userId: 'sun.yue', orgCode: '100000-NR', roles: ['administrator'], clearance: 'confidential' };
const provincial: AdminActor = { userId: 'wang.qiang', orgCode: '440000-NR', roles: ['administrator'], clearance: 'confidential' };

const example = {
  organisations: readFileSync(join(exampleDir, 'organisations.csv'), 'utf8'),
  people: readFileSync(join(exampleDir, 'people.csv'), 'utf8'),
};
const csvRows = (text: string) => text.trim().split('\n').slice(1).map((l) => l.split(','));

async function setup() {
  const identity = await FakeIdentity.seeded();
  const accounts = new FakeAccounts();
  const ports = { identity, directory: identity, accounts, admin: identity, trail: identity.trail, now: () => new Date('2026-12-03T08:00:00Z') };
  const records = () => identity.auditRecords().length;
  return { identity, accounts, ports, records };
}

describe('R3.1 R4.1 R7.1 issue 12: bulk onboarding from XLSX and CSV — dry run, apply, re-apply', () => {
  it('reads the shipped XLSX example (docs/examples/onboarding/zhejiang.xlsx) exactly as its CSV twins', async () => {
    // act
    const xlsx = await readOnboardingXlsx(readFileSync(join(exampleDir, 'zhejiang.xlsx')));
    const csv = await readOnboardingCsv(example);
    // assess
    expect(xlsx.fileIssues).toEqual([]);
    expect(xlsx).toEqual(csv);
    expect(xlsx.organisations[0]).toEqual({ row: 2, cells: expect.objectContaining({ [orgColumns.code]: '330000-NR', [orgColumns.regionCode]: '330000', [orgColumns.technicalUnits]: '330000-TEC' }) });
    expect(xlsx.people).toHaveLength(6);
  });

  it('dry run lists every row as create and writes nothing; apply creates all (audited, invitations); re-apply changes nothing', async () => {
    // prepare
    const { ports, identity, accounts, records } = await setup();
    const sheets = await readOnboardingXlsx(readFileSync(join(exampleDir, 'zhejiang.xlsx')));
    const before = records();
    // act
    const dry = await runOnboarding({ actor: national, sheets, mode: 'dryRun', requestId: 'dry' }, ports);
    const afterDry = records();
    const applied = await runOnboarding({ actor: national, sheets, mode: 'apply', requestId: 'apply' }, ports);
    const afterApply = records();
    const again = await runOnboarding({ actor: national, sheets, mode: 'apply', requestId: 'again' }, ports);
    // assess
    expect(onboardingReportSchema.parse(dry)).toEqual(dry);
    expect(dry).toMatchObject({ mode: 'dryRun', applied: false, counts: { create: 13, update: 0, unchanged: 0, error: 0 } });
    expect(afterDry).toBe(before);
    expect(accounts.calls).toEqual(['invite he.jun', 'invite qian.li', 'invite zheng.hao', 'invite fang.ying', 'invite xu.tao', 'invite jiang.wen']);
    expect(applied).toMatchObject({ applied: true, counts: { create: 13, error: 0 } });
    expect(applied.rows.map((r) => r.outcome)).toEqual(dry.rows.map((r) => r.outcome));
    // 13 rows + the organiser's designations.
    expect(afterApply).toBe(before + 14);
    expect(await identity.getOrganisation('330000-NR')).toMatchObject({ custodians: { landSurvey: '330000-CUS', wetland: '330000-CUS', forest: '330000-CUS' }, technicalUnits: ['330000-TEC'] });
    expect(await identity.getUser('jiang.wen')).toMatchObject({ orgCode: '330106-NR', roles: ['submitter'], clearance: 'public' });
    expect(again).toMatchObject({ applied: true, counts: { create: 0, update: 0, unchanged: 13, error: 0 } });
    expect(records()).toBe(afterApply);
  });

  it('a changed file updates only what changed (name, roles, clearance), each audited', async () => {
    // prepare
    const { ports, identity, records } = await setup();
    await runOnboarding({ actor: national, sheets: await readOnboardingCsv(example), mode: 'apply', requestId: 'first' }, ports);
    const changed = {
      organisations: example.organisations.replace('浙江省第一测绘院', '浙江省第一测绘院（浙江省测绘大队）'),
      people: example.people.replace('zheng.hao,郑浩,zheng.hao@example.gov.cn,330000-IMP,成果汇交人,内部', 'zheng.hao,郑浩,zheng.hao@example.gov.cn,330000-IMP,成果汇交人；成果需求人,秘密'),
    };
    const before = records();
    // act
    const r = await runOnboarding({ actor: national, sheets: await readOnboardingCsv(changed), mode: 'apply', requestId: 'second' }, ports);
    // assess
    expect(r.counts).toEqual({ create: 0, update: 2, unchanged: 11, error: 0 });
    expect(r.rows.filter((x) => x.outcome === 'update')).toEqual([
      expect.objectContaining({ sheet: '组织', row: 4, key: '330000-IMP', changes: [orgColumns.name] }),
      expect.objectContaining({ sheet: '人员', row: 4, key: 'zheng.hao', changes: [peopleColumns.roles, peopleColumns.clearance] }),
    ]);
    expect(records()).toBe(before + 3);
    expect(await identity.getUser('zheng.hao')).toMatchObject({ roles: ['submitter', 'requester'], clearance: 'secret' });
  });

  it('lists every bad row with sheet, row, column and a Chinese message; apply then writes nothing at all', async () => {
    // prepare
    const { ports, records, identity } = await setup();
    const orgs = csvRows(example.organisations);
    const people = csvRows(example.people);
    const bad = {
      organisations: [
        ...orgs,
        ['339999-NR', '不存在的区', '339999', '县级', '自然资源主管部门', '330100-NR', '', ''], // unknown region code
        ['330300-NR', '温州市自然资源和规划局', '330300', '市级', '自然资源主管部门', '330106-NR', '', ''], // parent of a lower level
        ['330000-CUS', '另一个档案馆', '330000', '省级', '成果保管单位', '330000-NR', '', ''], // duplicate code in the file
        ['330400-NR', '嘉兴市自然资源和规划局', '330400', '市级', '规划局', '330000-NR', '', ''], // unknown type
      ],
      people: [
        ...people,
        ['qian.li', '钱丽', 'qian.li@example.gov.cn', '330200-NR', '技术审核人', '秘密', ''], // the same person in a second organisation
        ['qian.l2', '钱丽', 'QIAN.LI@example.gov.cn', '330200-NR', '技术审核人', '秘密', ''], // the same email again
        ['li.na', '李娜', 'li.na@example.gov.cn', '330000-IMP', '成果汇交人', '内部', ''], // already in 广东省地质测绘院
        ['zhu.bo', '朱波', 'zhu.bo@example.gov.cn', '330000-NR', '技术审核人', '绝密', ''], // above the importer's clearance
      ],
    };
    const sheets = await readOnboardingXlsx(await onboardingTemplateXlsx(bad));
    const before = records();
    // act
    const dry = await runOnboarding({ actor: national, sheets, mode: 'dryRun', requestId: 'dry' }, ports);
    const apply = await runOnboarding({ actor: national, sheets, mode: 'apply', requestId: 'apply' }, ports);
    // assess
    const errors = dry.rows.filter((r) => r.outcome === 'error').flatMap((r) => r.issues.map((i) => `${i.sheet}!${i.row} ${i.column}`));
    expect(errors).toEqual([
      '组织!9 行政区划代码',
      '组织!10 上级组织代码',
      '组织!11 组织代码',
      '组织!12 类别',
      '人员!8 用户名',
      '人员!9 邮箱',
      '人员!10 用户名',
      '人员!11 密级权限',
    ]);
    for (const r of dry.rows.filter((x) => x.outcome === 'error')) for (const i of r.issues) expect(i.message).toMatch(/[\u4e00-\u9fff]/);
    expect(dry.rows.find((r) => r.row === 10 && r.sheet === '人员')?.issues[0]?.message).toContain('440000-IMP');
    expect(dry.counts).toMatchObject({ create: 13, error: 8 });
    expect(apply).toMatchObject({ mode: 'apply', applied: false, counts: { error: 8 } });
    expect(records()).toBe(before);
    expect(await identity.getOrganisation('330000-NR')).toBeUndefined();
  });

  it('the import route: an apply with errors is refused as a whole (422 IMPORT_HAS_ERRORS) carrying the dry run’s report; a dry run answers its report', async () => {
    // prepare
    const { ports, records } = await setup();
    const sheets = await readOnboardingCsv({ organisations: `${Object.values(orgColumns).join(',')}\n339999-NR,不存在的区,339999,县级,自然资源主管部门,100000-NR,,\n` });
    const before = records();
    // act
    const dry = await importOnboarding({ actor: national, sheets, mode: 'dryRun', requestId: 'dry' }, ports);
    const refused = await importOnboarding({ actor: national, sheets, mode: 'apply', requestId: 'apply' }, ports).catch((e: unknown) => e);
    // assess
    expect(dry).toMatchObject({ mode: 'dryRun', applied: false, counts: { error: 1 } });
    expect(refused).toBeInstanceOf(UnprocessableError);
    const error = refused as UnprocessableError;
    expect(error.code).toBe('IMPORT_HAS_ERRORS');
    expect(error.message).toMatch(/^导入文件有 1 处错误，未写入任何内容（首个：“组织”表第 2 行“行政区划代码”列：/);
    expect(onboardingReportSchema.parse(error.report)).toMatchObject({ mode: 'apply', applied: false, counts: { error: 1 } });
    expect(error.details?.[0]).toMatchObject({ field: `组织!2:${orgColumns.regionCode}` });
    expect(records()).toBe(before);
    expect(await ports.identity.getOrganisation('339999-NR')).toBeUndefined();
  });

  it('an administrator outside the rows’ organisations gets every row refused with the reason (403 message), nothing written', async () => {
    // prepare
    const { ports, records } = await setup();
    const before = records();
    // act
    const r = await runOnboarding({ actor: provincial, sheets: await readOnboardingCsv(example), mode: 'apply', requestId: 'x' }, ports);
    // assess
    expect(r.applied).toBe(false);
    expect(r.counts.error).toBe(13);
    expect(r.rows[0]?.issues[0]).toMatchObject({ sheet: '组织', row: 2, column: orgColumns.code, code: 'FORBIDDEN', message: expect.stringContaining('不在您的管理范围内') });
    expect(records()).toBe(before);
  });

  it('refuses more rows than one call can apply in time, writing nothing', async () => {
    // prepare
    const { ports, records } = await setup();
    const people = Array.from({ length: maxRowsPerImport }, (_, i) => [`zj.p${i}`, `人员${i}`, `zj.p${i}@example.gov.cn`, '330000-NR', '成果汇交人', '内部', '']);
    const sheets = await readOnboardingCsv({ organisations: example.organisations, people: toCsv(Object.values(peopleColumns), people) });
    const before = records();
    // act
    const r = await runOnboarding({ actor: national, sheets, mode: 'apply', requestId: 'big' }, ports);
    // assess
    expect(r).toMatchObject({ applied: false, rows: [], fileIssues: [expect.objectContaining({ code: 'TOO_MANY_ROWS', message: expect.stringContaining('分批导入') })] });
    expect(records()).toBe(before);
  });

  it('reports a file without a sheet or a header column, and an unreadable file, as file issues', async () => {
    // act
    const missing = await readOnboardingCsv({ organisations: toCsv(['组织代码', '名称'], [['330000-NR', '浙江省自然资源厅']]) });
    const broken = await readOnboardingXlsx(Buffer.from('not a workbook'));
    // assess
    expect(missing.fileIssues.map((i) => i.column)).toEqual([orgColumns.regionCode, orgColumns.type]);
    expect(broken.fileIssues[0]).toMatchObject({ code: 'UNREADABLE' });
  });
});
