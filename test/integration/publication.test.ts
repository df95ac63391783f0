import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registeredTask, tokenOf, verifiedResult } from './fixture-submission.ts';
import { api, auditHeadSeq, auditRecordsSince, getItem } from './helpers.ts';

const record = {
  changes: [
    { action: 'shifted', target: 'coordinates', description: '全部要素坐标按规定偏移' },
    { action: 'removed', target: 'attributes', description: '删除权属人姓名字段' },
  ],
  method: '坐标偏移插件 2.1',
  rule: '公开地图内容表示规定',
  basisDocument: '粤自然资发〔2026〕12 号',
  performedBy: '广东省国土资源测绘院',
  performedOn: '2026-09-20',
};

describe('R11.1 R12.1 R12.3 publication on the local cloud: release version, authority table, resolution', () => {
  it('registers a desensitised release of an 内部 result under <number>-R1 (pending), resolves its approver, and a provincial rule entered by 王强 takes over', async () => {
    const tag = randomBytes(3).toString('hex');
    const taskId = await registeredTask();
    const sourceSubmission = await verifiedResult({ name: `广东省国土变更调查成果 ${tag}`, classification: 'internal', taskId });
    const source = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: sourceSubmission } });
    expect(source.status).toBe(201);
    const n = source.body.entry.resultNumber as string;
    const pkg = await verifiedResult({ name: `广东省国土变更调查成果（公开版）${tag}`, classification: 'public', taskId });
    const liu = await tokenOf('liu.yang');
    const mark = await auditHeadSeq();

    const without = await api('POST', `/catalogue/${n}/releases`, { token: liu, body: { submissionId: pkg, classification: 'public' } });
    const created = await api('POST', `/catalogue/${n}/releases`, { token: liu, body: { submissionId: pkg, classification: 'public', desensitisation: record } });
    const again = await api('POST', `/catalogue/${n}/releases`, { token: liu, body: { submissionId: pkg, classification: 'public', desensitisation: record } });

    expect(without.status).toBe(409);
    expect(without.body.error.code).toBe('DESENSITISATION_RECORD_MISSING');
    expect(created.status).toBe(201);
    expect(created.body.release).toMatchObject({ releaseNumber: `${n}-R1`, submissionId: pkg, desensitisation: record });
    expect(again.status).toBe(409);
    const entry = await api('GET', `/catalogue/${n}-R1`, { token: await tokenOf('luo.xin') });
    expect(entry.status).toBe(200);
    expect(entry.body.entry).toMatchObject({ classification: 'public', release: { sourceNumber: n, state: 'pending' } });
    expect((await getItem({ pk: `RELEASE#${n}`, sk: 'R#001' }))?.['submissionId']).toBe(pkg);
    expect((await api('GET', `/catalogue/${n}/releases`, { token: liu })).body.releases).toHaveLength(1);
    expect((await auditRecordsSince(mark)).map((r) => r['action'])).toContain('publication.release.create');

    const resolved = await api('GET', `/catalogue/${n}-R1/publication-authority`, { token: liu });
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolution).toMatchObject({ approvers: [{ orgCode: '440000-NR', role: 'publisher' }], joint: false });

    // R12.3: 广东省's own rule, entered by its administrator without a release of the system.
    const current = (await api('GET', '/publication/authorities', { token: liu })).body.table;
    const ownRuleId = `gd-landsurvey-${tag}`;
    const rules = [
      ...current.rules.filter((r: { level: string; theme: string; organiserType: string; province: string }) => !(r.level === 'provincial' && r.theme === 'landSurvey' && r.organiserType === '*' && r.province === '440000')),
      { ruleId: ownRuleId, level: 'provincial', theme: 'landSurvey', organiserType: '*', province: '440000', approvers: [{ org: { kind: 'organiser' }, role: 'publisher' }], basis: '广东省国土调查成果发布审批规定（集成测试）' },
    ];
    const national = await api('PUT', '/publication/authorities', { token: await tokenOf('wang.qiang'), body: { rules: rules.map((r: { ruleId: string; basis: string }) => (r.ruleId === 'national-default' ? { ...r, basis: `${r.basis}（改）` } : r)), expectedVersion: current.version, reason: '试改部级规则' } });
    const put = await api('PUT', '/publication/authorities', { token: await tokenOf('wang.qiang'), body: { rules, expectedVersion: current.version, reason: '广东省规定施行' } });
    const stale = await api('PUT', '/publication/authorities', { token: await tokenOf('wang.qiang'), body: { rules, expectedVersion: current.version, reason: '广东省规定施行' } });

    expect(national.status).toBe(403);
    expect(put.status).toBe(200);
    expect(put.body.table.version).toBe(current.version + 1);
    expect(stale.status).toBe(409);
    const after = await api('GET', `/catalogue/${n}-R1/publication-authority`, { token: liu });
    expect(after.body.resolution.rule.ruleId).toBe(ownRuleId);
    expect(after.body.resolution.tableVersion).toBe(current.version + 1);
    expect((await api('GET', `/publication/authorities?version=${current.version}`, { token: liu })).body.table.version).toBe(current.version);
  }, 240_000);
});
