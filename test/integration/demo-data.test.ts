/**
 * The demo data as `npm start` writes it: a cloud of its own (the shared test
 * cloud runs without demo data, so other tests keep their empty catalogue and
 * their first numbers), started with demo on, restarted once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, startLocalCloud, type LocalCloud } from '#infra/local/cloud.ts';
import { classifiedResult, demoId, historicResults, liveResult, releasedDemo, returnedResult, type DemoSummary } from '#infra/local/demo.ts';
import { publicationDemo } from '#infra/local/demo-publication.ts';
import { testPortBase } from './global-setup.ts';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { api, clientsFor, eventually, listEmails, signIn, waitForEmail } from './helpers.ts';

const portBase = testPortBase + 20;
const dataDir = join(projectRoot, '.test-data', `demo-${portBase}`);
/** The cloud's one-line events (the demo's 就绪 lines among them). */
const logged: string[] = [];
const quiet = (line: string) => void logged.push(line);

let cloud: LocalCloud;
let summary: DemoSummary | undefined;

async function catalogueAs(userId: string, apiUrl: string): Promise<string[]> {
  const res = await api('GET', '/catalogue?region=440000&limit=100', { token: await signIn(userId, apiUrl), apiUrl });
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ name: string }>).map((e) => e.name);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ portBase, dataDir, reset: true, log: quiet, handlerLogLevel: 'ERROR', runSchedules: false, demo: true });
  summary = await cloud.demo;
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('issue-8 R5.1 R20.1 the 秘密 demo result on every route, as the attack found it', () => {
  it('answers li.na and zhou.hong (内部) 404 on the submission, its timeline and reports, lists it not in its task, and keeps security records zhou.hong can query', async () => {
    const apiUrl = cloud.urls.api;
    const taskId = demoId(classifiedResult.key, 1);
    const submissionId = demoId(classifiedResult.key, 2);
    const paths = [`/submissions/${submissionId}`, `/submissions/${submissionId}/timeline`, `/submissions/${submissionId}/versions/1/report`, `/submissions/${submissionId}/versions/1/uploads`];
    const statuses: Record<string, number[]> = {};
    const leaks: string[] = [];
    for (const user of ['li.na', 'zhou.hong']) {
      const token = await signIn(user, apiUrl);
      statuses[user] = [];
      for (const path of paths) {
        const res = await api('GET', path, { token, apiUrl });
        statuses[user].push(res.status);
        if (JSON.stringify(res.body).includes(classifiedResult.name)) leaks.push(`${user} ${path}`);
      }
      const task = await api('GET', `/survey-tasks/${taskId}`, { token, apiUrl });
      if (task.status !== 200 || JSON.stringify(task.body).includes(classifiedResult.name)) leaks.push(`${user} task ${task.status}`);
    }
    const cleared = await api('GET', `/submissions/${submissionId}`, { token: await signIn('chen.jing', apiUrl), apiUrl });
    const records = await api('GET', '/security-records?org=440000-NR&from=2000-01-01&limit=200', { token: await signIn('zhou.hong', apiUrl), apiUrl });
    const byReviewer = await api('GET', '/security-records?org=440000-NR', { token: await signIn('chen.jing', apiUrl), apiUrl });

    expect(statuses).toEqual({ 'li.na': [404, 404, 404, 404], 'zhou.hong': [404, 404, 404, 404] });
    expect(leaks).toEqual([]);
    expect(cleared.status).toBe(200);
    expect(cleared.body.submission.catalogue.name).toBe(classifiedResult.name);
    expect(records.status).toBe(200);
    const items = records.body.items as Array<{ actor: string; kind: string; status: number; records: Array<{ target: string; access: string }> }>;
    expect(items.filter((r) => r.actor === 'li.na' && r.kind === 'refused' && r.records.some((x) => x.target === `SUB#${submissionId}` && x.access === 'hidden')).length).toBeGreaterThanOrEqual(4);
    expect(items.some((r) => r.actor === 'chen.jing' && r.kind === 'read' && r.records.some((x) => x.target === `SUB#${submissionId}`))).toBe(true);
    expect(byReviewer.status).toBe(403);
  });
});

describe('issue-4 R9.2 R9.3 R5.1 R7.2 demo data on a fresh local cloud', () => {
  const releasedName = `${historicResults.find((r) => r.key === releasedDemo.source)!.name}（公开发布版）`;

  it('shows each reader the catalogue entries their clearance allows', async () => {
    // Issue 15: the 内部 wetland result's released 公开 version is an entry of its own, readable by all; the publication
    // demo's 内部 sources and their 公开 release versions (pending approval).
    const releases = Object.values(publicationDemo).map((r) => `${r.name}（公开发布版）`);
    const publicNames = [...historicResults.filter((r) => r.classification === 'public').map((r) => r.name), releasedName, ...releases];
    const readable = [...historicResults.map((r) => r.name), releasedName, ...Object.values(publicationDemo).map((r) => r.name), ...releases];

    const custodian = await catalogueAs('zhang.wei', cloud.urls.api);
    const submitter = await catalogueAs('li.na', cloud.urls.api);
    const requester = await catalogueAs('luo.xin', cloud.urls.api);

    expect(summary?.created).toBe(true);
    expect(custodian.sort()).toEqual([...readable, classifiedResult.name].sort());
    expect(submitter.sort()).toEqual([...readable].sort());
    expect(requester.sort()).toEqual([...publicNames].sort());
    // what `npm start` prints once the demo is written: each demo user's count, as the API answers them
    expect(logged.find((l) => l.startsWith('演示数据已就绪'))).toContain(`张伟（秘密）见 ${custodian.length} 条，李娜（内部）${submitter.length} 条，罗欣（公开）${requester.length} 条`);
  });

  it('serves the public entries, and only those, at /public/', async () => {
    const page = await fetch(`${cloud.urls.api}/public/search-index.json`);
    const full = await page.text();
    // The released version's name contains its 内部 source's: it is public, the source is not.
    const text = full.split(releasedName).join('');

    expect(page.status).toBe(200);
    expect(full).toContain(releasedName);
    for (const r of historicResults) {
      if (r.classification === 'public') expect(text).toContain(r.name);
      else expect(text).not.toContain(r.name);
    }
    expect(text).not.toContain(classifiedResult.name);
  });

  it('mails 陈静 a technical review task and 李娜 the return with its R7.2 date, from the real verification', async () => {
    const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${liveResult.name}`, inboxUrl: cloud.urls.inbox, timeoutMs: 30_000 });
    const returned = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【核验退回】${returnedResult.name}`, inboxUrl: cloud.urls.inbox, timeoutMs: 30_000 });

    expect(review.text).toMatch(/\/human-tasks\/[A-Za-z0-9_-]{22}\/page/);
    expect(returned.subject).toMatch(/请于 \d{4}-\d{2}-\d{2} 前修改后重新汇交/);
  });

  it('R11.1 R12.2 gives 刘洋 a confidentiality review of the 广东省 land-cover release, and 赵敏 and 吴静 the joint approval of the national wetland release', async () => {
    const open = async (userId: string) =>
      eventually(
        async () => {
          const res = await api('GET', '/human-tasks', { token: await signIn(userId, cloud.urls.api), apiUrl: cloud.urls.api });
          const titles = (res.body.items as Array<{ kind: string; title: string }>).map((t) => `${t.kind} ${t.title}`);
          return titles.some((t) => t.startsWith('publication')) ? titles : undefined;
        },
        `${userId}'s publication task`,
        60_000,
      );

    expect(await open('liu.yang')).toContainEqual(expect.stringMatching(new RegExp(`^publicationReview 发布版本保密审查：${publicationDemo.landCover.name}`)));
    expect(await open('zhao.min')).toContainEqual(expect.stringMatching(new RegExp(`^publicationApproval 成果发布审批：${publicationDemo.wetland.name}`)));
    expect(await open('wu.jing')).toContainEqual(expect.stringMatching(new RegExp(`^publicationApproval 成果发布审批：${publicationDemo.wetland.name}`)));
  });

  it('R10.1 records every demo custody copy in the registry (manifest SHA-256, root hash), so the integrity audit checks all six and passes', async () => {
    const { sfn } = clientsFor(cloud.urls);
    const fired = await api('POST', '/local/schedules/WeeklyIntegrityAudit/run', { apiUrl: cloud.urls.api });
    const done = await eventually(
      async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: String(fired.body.result.executionArn) }));
        return d.status === 'RUNNING' ? undefined : d;
      },
      'the integrity audit to finish',
      60_000,
    );

    expect(done.status, done.cause ?? '').toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? '{}') as { run: { manifests: number }; report: { passed: boolean } };
    expect(output.run.manifests).toBe(historicResults.length);
    expect(output.report.passed).toBe(true);
  });

  it('R19.2 R19.3 罗欣’s confirmed 重大 quality problem: ordered to correct, the correction v2 under verification, the entry shows 质量问题处理中', async () => {
    const apiUrl = cloud.urls.api;
    const resultNumber = summary!.resultNumbers[0]!;

    const problems = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await signIn('luo.xin', apiUrl), apiUrl });
    const entry = await api('GET', `/catalogue/${resultNumber}`, { token: await signIn('zhang.wei', apiUrl), apiUrl });
    const order = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【责令改正】成果 ${resultNumber}`, inboxUrl: cloud.urls.inbox, timeoutMs: 30_000 });
    // The real Verification machine runs v2: its review task reaches 陈静 (before the restart below counts the inbox).
    const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${historicResults[0]!.name}`, inboxUrl: cloud.urls.inbox, timeoutMs: 60_000 });

    expect(problems.status).toBe(200);
    expect(problems.body.qualityStatus).toBe('质量问题处理中');
    expect(problems.body.problems).toEqual([expect.objectContaining({ reportedBy: 'luo.xin', severity: '重大', state: 'correctionSubmitted', correction: expect.objectContaining({ n: 2 }) })]);
    expect(entry.body.entry.qualityStatus).toBe('质量问题处理中');
    expect(order.text).toContain('责令实施单位改正');
    expect(review.subject).toContain(historicResults[0]!.name);
  }, 90_000);

  it('adds nothing when the cloud restarts on the same data', async () => {
    await waitForEmail({ to: 'li.na@example.gov.cn', subject: returnedResult.name, inboxUrl: cloud.urls.inbox, timeoutMs: 30_000 });
    const before = await catalogueAs('zhang.wei', cloud.urls.api);
    const mails = (await listEmails(cloud.urls.inbox)).length;
    await cloud.stop();

    cloud = await startLocalCloud({ portBase, dataDir, reset: false, log: quiet, handlerLogLevel: 'ERROR', runSchedules: false, demo: true });
    const after = await catalogueAs('zhang.wei', cloud.urls.api);

    expect(cloud.demo).toBeUndefined();
    expect(after.sort()).toEqual(before.sort());
    expect((await listEmails(cloud.urls.inbox)).length).toBe(mails);
  });
});

describe('issue 16 R15.1 R16.1 R16.2 R17.1 R19.1 the sharing demo: 罗欣’s applications', () => {
  it('罗欣 has one active grant with a logged download, one OFFLINE application waiting at 陈静 (task emailed), one not approved with reasons', async () => {
    const apiUrl = cloud.urls.api;
    const token = await signIn('luo.xin', apiUrl);

    const mine = await api('GET', '/sharing/applications', { token, apiUrl });
    const reviews = (mine.body.items as Array<{ reviews: Array<{ status: string; grantId?: string; decision?: { reasons: string } }> }>).map((a) => a.reviews[0]!);
    const grantId = reviews.find((r) => r.status === 'approved')?.grantId;
    const grant = await api('GET', `/sharing/grants/${grantId}`, { token, apiUrl });
    const task = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', timeoutMs: 30_000, inboxUrl: cloud.urls.inbox });
    const refusal = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: '共享申请未获同意', timeoutMs: 30_000, inboxUrl: cloud.urls.inbox });
    const usage = await api('GET', `/sharing/usage/${summary!.resultNumbers[0]}`, { token: await signIn('zhang.wei', apiUrl), apiUrl });

    expect(mine.status).toBe(200);
    expect(reviews.map((r) => r.status).sort()).toEqual(['approved', 'pending', 'rejected']);
    expect(grant.body.grant).toMatchObject({ status: 'active', signature: { by: 'luo.xin' } });
    expect(task.subject).toContain('广东省水利厅');
    expect((mine.body.items as Array<{ channel: string; reviews: Array<{ status: string }> }>).find((x) => x.reviews[0]!.status === 'pending')).toMatchObject({ channel: 'offline', status: 'reviewing' });
    expect(refusal.text).toContain('用途说明过于笼统');
    expect(usage.body.usage.rows).toEqual([expect.objectContaining({ requesterOrg: '440000-WR', downloads: 1, distinctUsers: 1 })]);
    // R19.1 (issue 17): the organiser set 罗欣's use report due in three working days.
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const due = await api('GET', `/calendar/deadline?start=${today}&days=3`, { token, apiUrl });
    expect(grant.body.grant.useReports).toEqual([expect.objectContaining({ due: due.body.due, kind: 'end', status: 'due', statusLabel: '待提交' })]);
    expect(grant.body.grant.notice).toMatchObject({ path: '用途声明.txt' });
  });

  it('R16.3 a public disclosure application waits for 广东省自然资源厅’s answer, its 20-working-day clock running in 期限监督', async () => {
    const apiUrl = cloud.urls.api;
    const chen = await signIn('chen.jing', apiUrl);

    const list = await api('GET', '/sharing/public-applications', { token: chen, apiUrl });
    const waiting = (list.body.items as Array<{ applicationId: string; kind: string; status: string; due?: string; subject: string }>).filter((a) => a.subject.includes('【演示数据】'));
    const clocks = await api('GET', '/supervision/clocks?type=R16.3', { token: chen, apiUrl });

    expect(list.status).toBe(200);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ kind: 'disclosure', status: 'open' });
    expect(clocks.body.items).toContainEqual(expect.objectContaining({ type: 'R16.3', subject: waiting[0]!.applicationId, due: waiting[0]!.due }));
  });
});
