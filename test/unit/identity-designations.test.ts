import { describe, expect, it } from 'vitest';
import { handler as setDesignationsHandler } from '#functions/identity/set-designations.ts';
import { handler as registerSurveyTask } from '#functions/submission/register-survey-task.ts';
import { createOrganisation, createPerson, setDesignations, type AdminActor } from '#shared/identity/admin.ts';
import { registrationPorts } from './catalogue-fakes.ts';
import { FakeAccounts, FakeIdentity } from './identity-fakes.ts';
import { call, submissionWorld } from './submission-fakes.ts';

/**
 * R4.1 (the organiser designates the custodian), R7.1 (technical units take part in verification), issue 12: the
 * standing designations of an organiser, and a new survey task defaulting to them.
 */
const national: AdminActor = { userId: 'sun.yue', orgCode: '100000-NR', roles: ['administrator'], clearance: 'confidential' };

/** 浙江省 from nothing, as the national administrator would set it up: organiser, custodian, implementer, a reviewer. */
async function zhejiang(identity: FakeIdentity) {
  const ports = { identity, directory: identity, accounts: new FakeAccounts() };
  const org = (code: string, name: string, type: 'naturalResources' | 'custodian' | 'implementer' | 'technicalUnit', parentCode: string, regionCode = code.slice(0, 6)) =>
    createOrganisation({ actor: national, input: { code, name, regionCode, type, parentCode }, requestId: `zj-${code}` }, ports);
  await org('330000-NR', '浙江省自然资源厅', 'naturalResources', '100000-NR');
  await org('330000-CUS', '浙江省自然资源档案馆', 'custodian', '330000-NR');
  await org('330000-IMP', '浙江省第一测绘院', 'implementer', '330000-NR');
  await org('330000-TEC', '浙江省测绘科学技术研究院', 'technicalUnit', '330000-NR');
  await createPerson(
    { actor: national, input: { userId: 'qian.li', name: '钱丽', email: 'qian.li@example.gov.cn', orgCode: '330000-NR', roles: ['reviewer'], clearance: 'internal' }, requestId: 'zj-qian' },
    ports,
  );
}

describe('R4.1 R7.1 issue 12: an organiser’s standing custodian per theme and technical units', () => {
  it('an administrator sets them (audited); the same set again changes nothing', async () => {
    // prepare
    const world = await submissionWorld();
    const identity = world.identity;
    const ports = { verifier: registrationPorts(world).verifier, identity, people: identity, directory: identity };
    const body = { custodians: { wetland: '440000-CUS', forest: '440000-CUS' }, technicalUnits: ['440000-TEC'] };
    const before = identity.auditRecords().length;
    // act
    const first = await call(setDesignationsHandler.with(ports), 'PUT', '/orgs/440000-NR/designations', { user: 'wang.qiang', pathParameters: { code: '440000-NR' }, body });
    const again = await call(setDesignationsHandler.with(ports), 'PUT', '/orgs/440000-NR/designations', { user: 'wang.qiang', pathParameters: { code: '440000-NR' }, body });
    // assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ changed: true, organisation: { custodians: { wetland: '440000-CUS', forest: '440000-CUS' }, technicalUnits: ['440000-TEC'] } });
    expect(again.body.changed).toBe(false);
    expect(identity.auditRecords().length).toBe(before + 1);
    expect(identity.auditRecords().at(-1)).toMatchObject({ action: 'identity.org.designations', actor: 'wang.qiang', detail: { requirement: ['R4.1', 'R7.1'] } });
  });

  it.each([
    ['an implementer as custodian', { custodians: { wetland: '440000-IMP' }, technicalUnits: [] }, 'body.custodians.wetland', 'ORG_TYPE'],
    ['an unknown theme', { custodians: { mining: '440000-CUS' }, technicalUnits: [] }, 'body.custodians.mining', 'UNKNOWN_THEME'],
    ['a custodian of another province', { custodians: { wetland: '330000-CUS' }, technicalUnits: [] }, 'body.custodians.wetland', 'OUTSIDE_REGION'],
    ['a custodian as technical unit', { custodians: {}, technicalUnits: ['440000-CUS'] }, 'body.technicalUnits.0', 'ORG_TYPE'],
    ['a technical unit of another province', { custodians: {}, technicalUnits: ['330000-TEC'] }, 'body.technicalUnits.0', 'OUTSIDE_REGION'],
  ])('refuses %s: 400 naming the field, nothing written', async (_what, body, field, code) => {
    // prepare
    const identity = await FakeIdentity.seeded();
    await zhejiang(identity);
    const before = identity.auditRecords().length;
    // act
    const attempt = setDesignations({ actor: national, code: '440000-NR', input: body, requestId: 'r' }, { identity, directory: identity });
    // assess
    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field, code })] });
    expect(identity.auditRecords().length).toBe(before);
  });

  it('refuses a unit that is not an organiser, and an organiser outside the administrator’s scope (403)', async () => {
    // prepare
    const identity = await FakeIdentity.seeded();
    await zhejiang(identity);
    const provincial: AdminActor = { userId: 'wang.qiang', orgCode: '440000-NR', roles: ['administrator'], clearance: 'confidential' };
    // act
    const notOrganiser = setDesignations({ actor: national, code: '440000-CUS', input: { custodians: {}, technicalUnits: [] }, requestId: 'r' }, { identity, directory: identity });
    const outside = setDesignations({ actor: provincial, code: '330000-NR', input: { custodians: { wetland: '330000-CUS' }, technicalUnits: [] }, requestId: 'r' }, { identity, directory: identity });
    // assess
    await expect(notOrganiser).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('不是组织部门') });
    await expect(outside).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('不在您的管理范围内') });
  });
});

describe('R4.1 R7.1 R3.1 issue 12: a new survey task defaults to the designations; units outside its jurisdiction are refused with the reason', () => {
  const task = { name: '2026 年度西湖区湿地资源调查', theme: 'wetland', regionCode: '330106', implementerOrg: '330000-IMP' };

  it('takes the organiser’s standing custodian for the theme and its technical units when the task names none', async () => {
    // prepare
    const world = await submissionWorld();
    await zhejiang(world.identity);
    await setDesignations(
      { actor: national, code: '330000-NR', input: { custodians: { wetland: '330000-CUS' }, technicalUnits: ['330000-TEC'] }, requestId: 'd' },
      { identity: world.identity, directory: world.identity },
    );
    // act
    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'qian.li', body: task });
    // assess
    expect(r.status).toBe(201);
    expect(r.body.task).toMatchObject({ organiserOrg: '330000-NR', custodianOrg: '330000-CUS', technicalUnits: ['330000-TEC'], regionCode: '330106' });
  });

  it('with no designation for the theme and none named: 400 naming body.custodianOrg and how to designate', async () => {
    // prepare
    const world = await submissionWorld();
    await zhejiang(world.identity);
    // act
    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'qian.li', body: task });
    // assess
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatchObject({ field: 'body.custodianOrg', code: 'NO_CUSTODIAN', message: expect.stringContaining('/orgs/330000-NR/designations') });
  });

  it('refuses a Guangdong implementer or custodian for a Zhejiang task, saying why', async () => {
    // prepare
    const world = await submissionWorld();
    await zhejiang(world.identity);
    // act
    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', {
      user: 'qian.li',
      body: { ...task, implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
    });
    // assess
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { field: string; code: string }) => `${d.field} ${d.code}`)).toEqual(['body.implementerOrg OUTSIDE_REGION', 'body.custodianOrg OUTSIDE_REGION']);
    expect(r.body.error.details[0].message).toContain('其所在行政区不包含该区域');
  });

  it('refuses a deactivated implementer', async () => {
    // prepare
    const world = await submissionWorld();
    await zhejiang(world.identity);
    const imp = (await world.identity.getOrganisation('330000-IMP'))!;
    await world.identity.replaceOrganisation(imp, { ...imp, deactivatedAt: '2026-12-01T00:00:00.000Z' }, { actor: 't', orgCode: '100000-NR', action: 'identity.org.update', target: 'ORG#330000-IMP', outcome: 'success', requestId: 't', detail: {} });
    // act
    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'qian.li', body: { ...task, custodianOrg: '330000-CUS' } });
    // assess
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatchObject({ field: 'body.implementerOrg', code: 'ORG_INACTIVE' });
  });
});

