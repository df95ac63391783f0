/**
 * The quality-problem escalation chain's steps on the local cloud (R19.2, R19.3), shared by the integration
 * test (the `valid` fixture) and the big-package run (a correction of several GiB, `npm run test:big`):
 * a version reviewed and transferred, a grant to 罗欣, her 重大 problem confirmed and verified 属实 through the
 * emailed task — the implementer ordered to correct.
 */
import { expect } from 'vitest';
import { taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { api, eventually, waitForEmail, type Email } from './helpers.ts';

export type TimelineEntry = { type: string; n?: number; detail?: Record<string, unknown> };

export async function timelineHas(submissionId: string, type: string, n: number, timeoutMs = 60_000): Promise<TimelineEntry> {
  return eventually(
    async () => {
      const res = await api('GET', `/submissions/${submissionId}/timeline`, { token: await tokenOf('chen.jing') });
      return (res.body.entries as TimelineEntry[] | undefined)?.find((e) => e.type === type && e.n === n);
    },
    `${type} of v${n} on the timeline of ${submissionId}`,
    timeoutMs,
  );
}

/**
 * The organiser starts the transfer; the custodian confirms the receipt from the emailed task. `startedSince`: the
 * transfer was already started then (from the console's 待移交成果), so this call is the idempotent 200.
 */
export async function transferred(submissionId: string, name: string, n: number, timeoutMs = 60_000, startedSince?: Date): Promise<Record<string, any>> {
  const since = startedSince ?? new Date();
  const started = await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('chen.jing') });
  expect(started.status).toBe(startedSince ? 200 : 202);
  const receipt = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${name}`, since, timeoutMs });
  await eventually(async () => ((await api('GET', `/human-tasks/${taskIdIn(receipt)}`, { token: await tokenOf('zhang.wei') })).body?.status === 'open' ? true : undefined), 'receipt task open');
  expect((await api('POST', `/human-tasks/${taskIdIn(receipt)}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'approve' } })).status).toBe(200);
  await timelineHas(submissionId, 'custodyReceived', n, timeoutMs);
  return started.body;
}

/** The technical review of version n approved from the emailed task. */
export async function reviewed(submissionId: string, name: string, n: number, since: Date, timeoutMs = 60_000): Promise<Email> {
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs });
  await versionStatus(submissionId, n, ['awaitingReview'], timeoutMs);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, n, ['verified'], timeoutMs);
  return review;
}

export const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** 罗欣 (广东省水利厅) applies for the result and the organiser approves from the emailed task; resolves once the grant exists. */
export async function grantedToLuoXin(resultNumber: string): Promise<string> {
  const appliedAt = new Date();
  const applied = await api('POST', '/sharing/applications', {
    token: await tokenOf('luo.xin'),
    body: { results: [{ resultNumber }], purpose: '防汛规划叠加土地利用现状', scope: '广东省水利厅内部使用', period: { from: chinaToday(), to: new Date(Date.now() + 8 * 3600_000 + 90 * 86_400_000).toISOString().slice(0, 10) }, contact: { name: '罗欣', phone: '020-83331234' } },
  });
  expect(applied.status).toBe(201);
  const sharingTask = taskIdIn(await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since: appliedAt, timeoutMs: 30_000 }));
  expect((await api('POST', `/human-tasks/${sharingTask}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意共享' } })).status).toBe(200);
  return eventually(async () => (await api('GET', `/sharing/applications/${applied.body.application.applicationId}`, { token: await tokenOf('luo.xin') })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
}

export const responsibilityFinding = { who: '广东省地质测绘院（440000-IMP）', what: '河道图斑地类错误', conclusion: '责令改正，提交更正版本' };

/** The organiser's verification task for a confirmed 重大 problem, open (from its email). */
export async function verificationTask(resultNumber: string, problemId: string, since: Date): Promise<string> {
  const verifyMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `重大质量问题核实：成果 ${resultNumber}（${problemId}）`, since, timeoutMs: 60_000 });
  const verifyTask = taskIdIn(verifyMail);
  await eventually(async () => ((await api('GET', `/human-tasks/${verifyTask}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'verification task open');
  return verifyTask;
}

/** The problem once the implementer is ordered to correct (state correcting). */
export async function orderedToCorrect(resultNumber: string, problemId: string): Promise<Record<string, any>> {
  return eventually(async () => {
    const p = (await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('chen.jing') })).body.problems?.find((x: { problemId: string }) => x.problemId === problemId);
    return p?.state === 'correcting' ? p : undefined;
  }, 'the problem ordered to correct', 60_000);
}
