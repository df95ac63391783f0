import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { api, auditHeadSeq, auditRecordsSince, eventually, waitForEmail } from './helpers.ts';

const record = {
  changes: [
    { action: 'shifted', target: 'coordinates', description: '全部要素坐标按规定偏移' },
    { action: 'generalised', target: 'precision', description: '湿地斑块面积概化至 0.1 公顷' },
  ],
  method: '坐标偏移插件 2.1',
  rule: '公开地图内容表示规定',
  basisDocument: '自然资发〔2026〕8 号',
  performedBy: '国家基础地理信息中心',
  performedOn: '2026-09-20',
};

/** A wetland survey organised by 自然资源部 (赵敏) in 广东省, implemented by 广东省地质测绘院, kept by 广东省自然资源技术中心. */
async function nationalWetlandTask(): Promise<string> {
  const task = await api('POST', '/survey-tasks', {
    token: await tokenOf('zhao.min'),
    body: { name: '2026 年度全国湿地资源调查（发布集成测试）', theme: 'wetland', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
  });
  expect(task.status, JSON.stringify(task.body)).toBe(201);
  const taskId = task.body.task.taskId as string;
  expect((await api('PUT', `/survey-tasks/${taskId}/completion`, { token: await tokenOf('li.na'), body: { completionDate: '2026-09-18' } })).status).toBe(200);
  return taskId;
}

/** A package of the task, verified through 自然资源部's emailed technical review (赵敏). */
async function verified(taskId: string, name: string, classification: string): Promise<string> {
  const { submissionId, since } = await submit('valid', { name, classification, taskId });
  const review = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 60_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  const decided = await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '' } });
  expect(decided.status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  return submissionId;
}

/** The request's R11.1 / R12.1 clocks of an organisation (期限监督, read by the administrator 孙悦): open, met and cancelled. */
async function clocksOf(org: string, type: string, requestId: string): Promise<Array<{ subject: string; state: string; ownerOrg: string; due: string }>> {
  const items = [];
  for (const state of ['open', 'met', 'cancelled']) {
    const r = await api('GET', `/supervision/clocks?org=${org}&type=${type}&state=${state}&subordinates=false`, { token: await tokenOf('sun.yue') });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    items.push(...r.body.items.filter((c: { subject: string }) => c.subject.startsWith(`${requestId}#`)));
  }
  return items;
}

async function requestState(requestId: string, wanted: string) {
  return eventually(
    async () => {
      const r = await api('GET', `/publication/requests/${requestId}`, { token: await tokenOf('zhang.wei') });
      return r.status === 200 && r.body.request.status === wanted ? r.body.request : undefined;
    },
    `publication request ${requestId} to be ${wanted}`,
    30_000,
  );
}

describe('R11.1 R12.1 R12.2 R12.3 R21.1 publication approval on the local cloud, through the emailed links of the reviewer and both approvers', () => {
  it('a national wetland release: 保密审查 by 自然资源部, then 自然资源部 and 国家林业和草原局 in parallel (each page shows the other\'s decision); approved only after both; an outsider 403, a second decision 409', async () => {
    const tag = randomBytes(3).toString('hex');
    const taskId = await nationalWetlandTask();
    const source = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: await verified(taskId, `全国湿地资源调查成果 ${tag}`, 'internal') } });
    expect(source.status).toBe(201);
    const n = source.body.entry.resultNumber as string;
    const pkg = await verified(taskId, `全国湿地资源调查成果（公开版）${tag}`, 'public');
    const zhang = await tokenOf('zhang.wei');
    const release = await api('POST', `/catalogue/${n}/releases`, { token: zhang, body: { submissionId: pkg, classification: 'public', desensitisation: record } });
    expect(release.status).toBe(201);
    const releaseNumber = `${n}-R1`;
    const mark = await auditHeadSeq();
    const since = new Date();

    const requested = await api('POST', '/publication/requests', { token: zhang, body: { releaseNumber } });
    const again = await api('POST', '/publication/requests', { token: zhang, body: { releaseNumber } });
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    expect(requested.body.request).toMatchObject({ status: 'review', resolution: { ruleId: 'national-wetland-joint', joint: true }, approvals: [{ orgCode: '100000-NR' }, { orgCode: '100000-FG' }] });
    expect(again.status).toBe(409);
    const requestId = requested.body.request.requestId as string;

    // 保密审查: 自然资源部's 发布审批人 (赵敏) from the emailed link.
    const reviewMail = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: `发布版本保密审查：`, since, timeoutMs: 30_000 });
    expect(reviewMail.text).toContain('审查通过');
    const reviewTask = await api('GET', `/human-tasks/${taskIdIn(reviewMail)}`, { token: await tokenOf('zhao.min') });
    expect(reviewTask.body.summary).toMatchObject({ desensitisation: record, release: { releaseNumber } });
    expect(reviewTask.body.summary.files.listed.length).toBeGreaterThan(0);
    // R11.1: the review's clock started with the request (期限监督 lists it for 自然资源部).
    expect(await clocksOf('100000-NR', 'R11.1', requestId)).toEqual([expect.objectContaining({ subject: `${requestId}#r1`, state: 'running', ownerOrg: '100000-NR' })]);
    expect((await api('POST', `/human-tasks/${taskIdIn(reviewMail)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);

    // Joint approval: one emailed task each.
    const mnrMail = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: `成果发布审批：`, since, timeoutMs: 30_000 });
    const nfgaMail = await waitForEmail({ to: 'wu.jing@example.gov.cn', subject: `成果发布审批：`, since, timeoutMs: 30_000 });
    // The review's clock met in the decision's transaction; one R12.1 clock per approving department started.
    expect(await clocksOf('100000-NR', 'R11.1', requestId)).toEqual([expect.objectContaining({ state: 'met' })]);
    expect(await clocksOf('100000-NR', 'R12.1', requestId)).toEqual([expect.objectContaining({ subject: `${requestId}#r1#a0`, state: 'running' })]);
    expect(await clocksOf('100000-FG', 'R12.1', requestId)).toEqual([expect.objectContaining({ subject: `${requestId}#r1#a1`, state: 'running' })]);
    expect(nfgaMail.text).toContain('同意发布');
    const outsider = await api('POST', `/human-tasks/${taskIdIn(nfgaMail)}/decision`, { token: await tokenOf('liu.yang'), body: { decision: 'approve', reasons: '' } });
    expect(outsider.status).toBe(403);
    expect((await api('POST', `/human-tasks/${taskIdIn(mnrMail)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '同意' } })).status).toBe(200);
    const twice = await api('POST', `/human-tasks/${taskIdIn(mnrMail)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'return', reasons: '再次决定试试' } });
    expect(twice.status).toBe(409);
    const nfgaPage = await eventually(
      async () => {
        const t = await api('GET', `/human-tasks/${taskIdIn(nfgaMail)}`, { token: await tokenOf('wu.jing') });
        return t.body.summary?.otherDecisions?.[0]?.decided ? t.body : undefined;
      },
      "自然资源部's decision on 国家林业和草原局's page",
    );
    expect(nfgaPage.summary.otherDecisions[0]).toMatchObject({ orgCode: '100000-NR', decisionLabel: '同意发布', decidedBy: 'zhao.min' });
    expect((await api('GET', `/publication/requests/${requestId}`, { token: zhang })).body.request.status).toBe('approval');
    expect((await api('GET', `/catalogue/${releaseNumber}`, { token: zhang })).body.entry.release.state).toBe('pending');

    expect((await api('POST', `/human-tasks/${taskIdIn(nfgaMail)}/decision`, { token: await tokenOf('wu.jing'), body: { decision: 'approve', reasons: '同意' } })).status).toBe(200);
    const done = await requestState(requestId, 'approved');

    expect(done.approvals.map((a: { decisionLabel: string }) => a.decisionLabel)).toEqual(['同意发布', '同意发布']);
    expect(done.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['requested', 'reviewPassed', 'approvalGiven', 'approved']));
    // PublishRelease (the machine's last step) then releases it.
    const released = await eventually(
      async () => {
        const e = (await api('GET', `/catalogue/${releaseNumber}`, { token: zhang })).body.entry;
        return e?.release?.state === 'released' ? e : undefined;
      },
      `${releaseNumber} released`,
      30_000,
    );
    expect(released.release.approval).toMatchObject({ ruleId: 'national-wetland-joint', approvers: [{ userId: 'zhao.min', orgCode: '100000-NR' }, { userId: 'wu.jing', orgCode: '100000-FG' }] });
    const actions = (await auditRecordsSince(mark)).map((r) => r['action']);
    expect(actions).toEqual(expect.arrayContaining(['publication.request.create', 'publication.review.pass', 'publication.approval.approve', 'publication.release.approve', 'publication.approved']));

    // A second release version of the same result: 国家林业和草原局 refuses → refused with its reasons, emailed; nothing approved.
    const pkg2 = await verified(taskId, `全国湿地资源调查成果（公开版二）${tag}`, 'public');
    expect((await api('POST', `/catalogue/${n}/releases`, { token: zhang, body: { submissionId: pkg2, classification: 'public', desensitisation: record } })).status).toBe(201);
    const since2 = new Date();
    const second = await api('POST', '/publication/requests', { token: zhang, body: { releaseNumber: `${n}-R2` } });
    expect(second.status).toBe(202);
    const review2 = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: `发布版本保密审查：`, since: since2, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(review2)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    const nfga2 = await waitForEmail({ to: 'wu.jing@example.gov.cn', subject: `成果发布审批：`, since: since2, timeoutMs: 30_000 });
    const mnr2 = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: `成果发布审批：`, since: since2, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(nfga2)}/decision`, { token: await tokenOf('wu.jing'), body: { decision: 'return', reasons: '湿地边界与林草湿数据尚未对接' } })).status).toBe(200);
    const secondId = second.body.request.requestId as string;
    const refused = await requestState(secondId, 'refused');
    // R12.2: 自然资源部's still-open task is closed: its page says why, its assignee is told, it cannot be decided (409).
    const closedMail = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: `发布审批已关闭：${n}-R2`, since: since2, timeoutMs: 15_000 });
    expect(closedMail.text).toContain('湿地边界与林草湿数据尚未对接');
    const closedPage = await api('GET', `/human-tasks/${taskIdIn(mnr2)}`, { token: await tokenOf('zhao.min') });
    expect(closedPage.body).toMatchObject({ status: 'expired', canDecide: false, summary: { closed: { reason: expect.stringContaining('100000-FG 已决定不予发布') } } });
    expect(closedPage.body.details.join('\n')).toContain('此审批已关闭');
    expect((await api('POST', `/human-tasks/${taskIdIn(mnr2)}/decision`, { token: await tokenOf('zhao.min'), body: { decision: 'approve', reasons: '' } })).status).toBe(409);
    expect(refused.approvals[0]).toMatchObject({ orgCode: '100000-NR', closed: { reason: expect.stringContaining('不予发布') } });
    // R21.1: 自然资源部's clock ended by the other department's refusal is cancelled (已取消), neither met nor late.
    expect(await clocksOf('100000-NR', 'R12.1', secondId)).toEqual([expect.objectContaining({ state: 'cancelled', cancelReason: expect.stringContaining('100000-FG 不予发布') })]);
    expect(await clocksOf('100000-FG', 'R12.1', secondId)).toEqual([expect.objectContaining({ state: 'met' })]);
    const told = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `发布申请不予发布：${n}-R2`, since: since2, timeoutMs: 15_000 });

    expect(refused.approvals[1]).toMatchObject({ orgCode: '100000-FG', decisionLabel: '不予发布', decision: { reasons: '湿地边界与林草湿数据尚未对接' } });
    expect(told.text).toContain('湿地边界与林草湿数据尚未对接');
    expect((await api('GET', `/catalogue/${n}-R2`, { token: zhang })).body.entry.release.state).toBe('pending');
  }, 400_000);
});
