import { describe, expect, it } from 'vitest';
import { handler as applyHandler } from '#functions/sharing/apply-for-sharing.ts';
import { handler as downloadHandler } from '#functions/sharing/download-shared-file.ts';
import { handler as getApplicationHandler } from '#functions/sharing/get-sharing-application.ts';
import { handler as getGrantHandler } from '#functions/sharing/get-sharing-grant.ts';
import { handler as listHandler } from '#functions/sharing/list-sharing-applications.ts';
import { handler as manifestHandler } from '#functions/sharing/get-sharing-manifest.ts';
import { handler as revokeHandler } from '#functions/sharing/revoke-sharing-grant.ts';
import { handler as signHandler } from '#functions/sharing/sign-sharing-agreement.ts';
import { handler as usageHandler } from '#functions/sharing/get-sharing-usage.ts';
import { handler as usersHandler } from '#functions/sharing/change-grant-users.ts';
import { handler as useReportHandler } from '#functions/sharing/file-use-report.ts';
import { noticeKey, useReportSlots } from '#shared/sharing/purpose.ts';
import { grantAccess, rejectSharing, sha256Hex, type SharingDecision } from '#shared/sharing/sharing.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { seedUsers } from '#infra/local/seed.ts';
import { FakeSharingStore } from './sharing-fakes.ts';
import { handler as registerDerivedHandler } from '#functions/sharing/register-derived-product.ts';
import { handler as getDerivedHandler } from '#functions/sharing/get-derived-product.ts';
import { derivedProductReviewKind, recordDerivedReview } from '#shared/sharing/derived.ts';
import { handler as derivedPublicationHandler } from '#functions/sharing/record-derived-publication.ts';
import { InMemoryDocuments } from './tasks-fakes.ts';
import { call } from './submission-fakes.ts';
import { sharingWorld } from './sharing-world.ts';

/** The world's clock: 2026-09-21 (China). */
const period = { from: '2026-09-22', to: '2027-03-31' };
const contact = { name: '罗欣', phone: '020-83331234' };
const body = (resultNumbers: string[], extra: Record<string, unknown> = {}) => ({
  results: resultNumbers.map((resultNumber) => ({ resultNumber })),
  purpose: '编制全省水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period,
  contact,
  ...extra,
});
const approve = (by = 'chen.jing'): SharingDecision => ({ taskId: 'T'.repeat(22), decision: 'approve', reasons: '', decidedBy: by, decidedAt: '2026-09-21T06:00:00.000Z' });

const setup = () => sharingWorld({ name: '共享测试成果', idPrefix: '5a', documents: new InMemoryDocuments() });
type World = Awaited<ReturnType<typeof setup>>;

const apply = (w: World, b: unknown, user = 'luo.xin') => call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user, body: b });

/** Applied online by 罗欣, approved by the organiser (the Grant Access step), signed. */
async function granted(w: World, sign = true) {
  const res = await apply(w, body([w.numbers.public]));
  const applicationId = res.body.application.applicationId as string;
  const grant = await grantAccess(w.ports, { applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'grant' });
  const path = `/sharing/grants/${grant.grantId}`;
  const pp = { grantId: grant.grantId };
  if (sign) {
    const agreement = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp });
    const signed = await call(signHandler.with(w.ports), 'POST', `${path}/agreement/signature`, { user: 'luo.xin', pathParameters: pp, body: { sha256: agreement.body.agreement.sha256 } });
    expect(signed.status).toBe(200);
  }
  return { applicationId, grant, path, pp };
}

describe('R14.1 R15.1 sharing applications: POST /sharing/applications', () => {
  it('stores an online application (the default) and starts one SharingReview per organiser; the application is the requester’s and the organiser’s to read', async () => {
    const w = await setup();

    const res = await apply(w, body([w.numbers.public]));

    expect(res.status).toBe(201);
    const app = res.body.application;
    expect(app).toMatchObject({ channel: 'online', channelLabel: '在线共享', status: 'reviewing', requesterOrg: '440000-WR', users: ['luo.xin'] });
    expect(app.reviews).toEqual([{ organiserOrg: '440000-NR', resultNumbers: [w.numbers.public], status: 'pending', statusLabel: '待审核' }]);
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'SharingReview')).toEqual([
      { stateMachine: 'SharingReview', name: `${app.applicationId}-440000-NR`, input: { applicationId: app.applicationId, organiserOrg: '440000-NR' } },
    ]);
    expect(w.sharing.audits.map((a) => a.action)).toEqual(['sharing.application.submit']);
    expect(w.sharing.audits[0]!.detail?.['supervision']).toMatchObject({
      count: [{ org: '440000-NR', metric: 'R15.applications' }, { org: '440000-CUS', metric: 'eval:440000-NR:R15.applications' }],
      // The R15.1 review clock: 10 working days from 2026-09-21 (the National Day week is no working week).
      start: [{ type: 'R15.1', subject: `${app.applicationId}#440000-NR`, ownerOrg: '440000-NR', start: '2026-09-21', due: (await w.ports.calendar()).deadline('2026-09-21', 10).due }],
    });
    const mine = await call(listHandler.with(w.ports), 'GET', '/sharing/applications', { user: 'luo.xin', query: {} });
    const addressed = await call(listHandler.with(w.ports), 'GET', '/sharing/applications', { user: 'chen.jing', query: { side: 'addressed' } });
    expect(mine.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([app.applicationId]);
    expect(addressed.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([app.applicationId]);
  });

  it('refuses bad input with a 400 naming each field, and stores nothing, starts nothing', async () => {
    const w = await setup();
    const cases: Array<[unknown, string]> = [
      [body(['440000-CUS-2026-GT-999999']), 'body.results[0].resultNumber'],
      [body([w.numbers.public], { period: { from: '2026-09-22', to: '2027-12-31' } }), 'body.period.to'],
      [body([w.numbers.public], { period: { from: '2026-01-01', to: '2026-12-31' } }), 'body.period.from'],
      [body([w.numbers.public], { channel: 'offline' }), 'body.offlineReason'],
      [{ ...body([w.numbers.public]), contact: undefined }, 'body.contact'],
      [body([w.numbers.public], { contact: { name: '', phone: '020-1' } }), 'body.contact.name'],
      [body([w.numbers.public], { users: ['li.na'] }), 'body.users[0]'],
    ];

    const answers = [];
    for (const [b] of cases) answers.push(await apply(w, b));

    expect(answers.map((a) => a.status)).toEqual(cases.map(() => 400));
    answers.forEach((a, i) => expect(a.body.error.details.map((d: { field: string }) => d.field), `case ${i}`).toContain(cases[i]![1]));
    expect(answers[0]!.body.error.message).toContain('成果目录中没有统一编号');
    expect(w.sharing.apps.size).toBe(0);
    expect(w.sharing.audits).toEqual([]);
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'SharingReview')).toEqual([]);
  });

  it('forces offline for a 秘密 result and sends it to the organiser’s review like any other (R17.1: the letter and hand-over follow); a result above the applicant’s clearance is applied for by number, its details not shown (R5.1)', async () => {
    const w = await setup();

    const res = await apply(w, body([w.numbers.public, w.numbers.secret]));

    expect(res.status).toBe(201);
    const app = res.body.application;
    expect(app).toMatchObject({ channel: 'offline', status: 'reviewing' });
    expect(app.offlineReason).toContain('秘密');
    expect(app.timeline.map((e: { type: string }) => e.type)).toEqual(['submitted', 'offlineRecorded', 'reviewOpened']);
    expect(app.timeline[1].note).toContain('审批函');
    expect(app.items[1]).toEqual({ resultNumber: w.numbers.secret, hidden: true, content: '（超出本人密级权限，详情不显示）' });
    expect(JSON.stringify(app)).not.toContain('共享测试成果（secret）');
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'SharingReview').map((s) => s.name)).toEqual([`${app.applicationId}-440000-NR`]);
    // The organiser, cleared for 秘密, sees the result.
    const asOrganiser = await call(getApplicationHandler.with(w.ports), 'GET', `/sharing/applications/${app.applicationId}`, { user: 'chen.jing', pathParameters: { applicationId: app.applicationId } });
    expect(asOrganiser.body.application.items[1]).toMatchObject({ hidden: false, name: '共享测试成果（secret）', classificationLabel: '秘密' });
  });

  it('accepts offline with a reason for an unclassified result', async () => {
    const w = await setup();

    const res = await apply(w, body([w.numbers.public], { channel: 'offline', offlineReason: '处内网络与互联网物理隔离，只能以光盘接收' }));

    expect(res.status).toBe(201);
    expect(res.body.application).toMatchObject({ channel: 'offline', offlineReason: '处内网络与互联网物理隔离，只能以光盘接收', status: 'reviewing' });
  });

  it('R3.1: an application is read by its organisation, its results’ organiser and custodian; every other user gets 404', async () => {
    const w = await setup();
    const app = (await apply(w, body([w.numbers.public]))).body.application;
    const mismatches: string[] = [];

    for (const u of seedUsers) {
      const res = await call(getApplicationHandler.with(w.ports), 'GET', `/sharing/applications/${app.applicationId}`, { user: u.userId, pathParameters: { applicationId: app.applicationId } });
      const want = ['440000-WR', '440000-NR', '440000-CUS'].includes(u.orgCode) ? 200 : 404;
      if (res.status !== want) mismatches.push(`${u.userId}: want ${want}, got ${res.status}`);
    }

    expect(mismatches).toEqual([]);
  });
});

describe('R15.1 R16.2 the organiser’s review: one grant per approval, rejection with reasons emailed', () => {
  it('20 concurrent approvals of one review make one grant', async () => {
    const w = await setup();
    const app = (await apply(w, body([w.numbers.public]))).body.application;

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => grantAccess(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'g' })));

    expect(w.sharing.grants.size).toBe(1);
    // Each of the 20 answers with the one grant (a retried step must succeed, not fail on the grant it made).
    expect(results.map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));
    const ids = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.grantId] : [])));
    expect(ids).toEqual(new Set([`${app.applicationId}-440000-NR`]));
    expect(w.sharing.audits.filter((a) => a.action === 'sharing.review.approve').map((a) => (a.detail?.['supervision'] as { meet: unknown }).meet)).toEqual([[{ type: 'R15.1', subject: `${app.applicationId}#440000-NR` }]]);
    const grant = [...w.sharing.grants.values()][0]!;
    expect(grant).toMatchObject({ status: 'awaitingSignature', users: ['luo.xin'], from: period.from, to: period.to, requesterOrg: '440000-WR' });
    expect(grant.files.map((f) => f.path).sort()).toEqual(Object.keys(w.files).sort());
    const approved = w.mailer.sent.filter((m) => m.subject.includes('请签署共享使用协议'));
    expect(approved).toHaveLength(1);
    // The organiser by name (code), and the console's grant page (sign there, download there) — no API recipe.
    expect(approved[0]!.text).toContain('组织单位广东省自然资源厅（440000-NR）已同意共享');
    expect(approved[0]!.text).toContain(`https://chengguo.example.gov.cn/console/sharing/grants/${grant.grantId}`);
    expect(approved[0]!.text).toContain(`chengguo download ${grant.grantId}`);
    expect(approved[0]!.text).not.toMatch(/GET \/|POST \/|agreement\/signature/);
  });

  it('grants only the files asked for when the application names some', async () => {
    const w = await setup();
    const app = (await apply(w, { ...body([]), results: [{ resultNumber: w.numbers.public, files: ['data/landuse.gpkg'] }] })).body.application;

    const grant = await grantAccess(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'g' });

    expect(grant.files.map((f) => f.path)).toEqual(['data/landuse.gpkg']);
  });

  it('不予共享: the review closes with the reasons on the timeline and the requester is emailed them; no grant', async () => {
    const w = await setup();
    const app = (await apply(w, body([w.numbers.public]))).body.application;
    const reasons = '申请用途与成果内容不符，请补充说明具体使用范围';

    await rejectSharing(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: { ...approve(), decision: 'return', reasons }, requestId: 'r' });

    const view = await call(getApplicationHandler.with(w.ports), 'GET', `/sharing/applications/${app.applicationId}`, { user: 'luo.xin', pathParameters: { applicationId: app.applicationId } });
    expect(view.body.application).toMatchObject({ status: 'decided', reviews: [{ status: 'rejected', statusLabel: '不予共享', decision: { reasons } }] });
    expect(view.body.application.timeline.map((e: { type: string }) => e.type)).toEqual(['submitted', 'reviewOpened', 'rejected', 'rejectionEmailed']);
    const mail = w.mailer.sent.find((m) => m.to.includes('luo.xin@example.gov.cn'));
    expect(mail?.subject).toContain('未获同意');
    expect(mail?.text).toContain(reasons);
    expect(mail?.text).toContain('广东省自然资源厅（440000-NR） 决定不予共享');
    expect(mail?.text).toContain(`https://chengguo.example.gov.cn/console/sharing/applications/${app.applicationId}`);
    expect(mail?.text).not.toMatch(/GET \/|POST \//);
    expect(w.sharing.grants.size).toBe(0);
    expect(w.sharing.audits.find((a) => a.action === 'sharing.review.reject')?.detail?.['supervision']).toMatchObject({ meet: [{ type: 'R15.1', subject: `${app.applicationId}#440000-NR` }] });
    await expect(grantAccess(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'late' })).rejects.toMatchObject({ code: 'REVIEW_CLOSED' });
  });

  it('the review task shows the application, the requester organisation and its earlier grants', async () => {
    const w = await setup();
    await granted(w, false);
    const second = (await apply(w, body([w.numbers.public]))).body.application;
    const kind = sharingReviewKind({ catalogue: w.cat.store, sharing: w.sharing, identity: w.world.identity });

    const described = await kind.describe({ applicationId: second.applicationId, organiserOrg: '440000-NR' });
    const summary = (await kind.summary({ subject: { applicationId: second.applicationId, organiserOrg: '440000-NR' } } as never)) as { history: { approved: number; grants: string[] } };

    expect(described.assigneeOrg).toBe('440000-NR');
    expect(described.details.join('\n')).toContain('此前获准共享 1 次');
    expect(summary.history.approved).toBe(1);
    expect(summary.history.grants).toHaveLength(1);
  });
});

describe('R16.1 R13.1 agreement, grant and logged downloads', () => {
  it('nothing is handed out before the agreement is signed; signing records who, when and the SHA-256 of the exact text', async () => {
    const w = await setup();
    const { grant, path, pp } = await granted(w, false);

    const early = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '1' } });
    const agreement = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp });
    const wrong = await call(signHandler.with(w.ports), 'POST', `${path}/agreement/signature`, { user: 'luo.xin', pathParameters: pp, body: { sha256: '0'.repeat(64) } });
    const signed = await call(signHandler.with(w.ports), 'POST', `${path}/agreement/signature`, { user: 'luo.xin', pathParameters: pp, body: { sha256: agreement.body.agreement.sha256 } });
    const again = await call(signHandler.with(w.ports), 'POST', `${path}/agreement/signature`, { user: 'luo.xin', pathParameters: pp, body: { sha256: agreement.body.agreement.sha256 } });

    expect(early.status).toBe(403);
    expect(early.body.error.message).toContain('请先签署共享使用协议');
    const text: string = agreement.body.agreement.text;
    expect(agreement.body.agreement.sha256).toBe(sha256Hex(text));
    for (const part of [grant.resultNumbers[0]!, '编制全省水资源综合规划', '广东省水利厅规划计划处内部使用', '2026-09-22 至 2027-03-31', '密级：公开', '广东省水利厅', '广东省自然资源厅', '不收取任何费用', '不得向第三方提供']) expect(text).toContain(part);
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('AGREEMENT_CHANGED');
    expect(signed.body.grant).toMatchObject({ status: 'active', signature: { by: 'luo.xin', name: '罗欣', sha256: sha256Hex(text), at: w.world.now.toISOString() } });
    expect(again.status).toBe(409);
  });

  it('a named user gets a 302 to a presigned URL of minutes; every URL issued is logged and counted per result × organisation × month', async () => {
    const w = await setup();
    const { grant, path, pp } = await granted(w);
    const early = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '1' } });
    w.world.setNow('2026-09-25T02:00:00.000Z');

    const first = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '1' }, requestId: 'dl-1' });
    const second = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/2`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '2' }, requestId: 'dl-2' });
    const missing = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/9`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '9' } });

    expect(early.status).toBe(403);
    expect(early.body.error.message).toContain('自 2026-09-22 起生效');
    expect(first.status).toBe(302);
    expect(first.headers['location']).toBe(w.links.issued[0]);
    expect(first.headers['location']).toContain(`${grant.files[0]!.key}?X-Amz-Expires=300`);
    expect(first.body).toBeUndefined();
    expect(missing.status).toBe(404);
    expect(w.sharing.log.map((l) => [l.userId, l.path, l.applicationId, l.requestId])).toEqual([
      ['luo.xin', grant.files[0]!.path, grant.applicationId, 'dl-1'],
      ['luo.xin', grant.files[1]!.path, grant.applicationId, 'dl-2'],
    ]);
    const usage = await call(usageHandler.with(w.ports), 'GET', `/sharing/usage/${w.numbers.public}`, { user: 'zhang.wei', pathParameters: { resultNumber: w.numbers.public } });
    expect(usage.body.usage.rows).toEqual([{ resultNumber: w.numbers.public, requesterOrg: '440000-WR', month: '2026-09', downloads: 2, bytes: grant.files[0]!.size + grant.files[1]!.size, distinctUsers: 1 }]);
    expect((await call(usageHandler.with(w.ports), 'GET', `/sharing/usage/${w.numbers.public}`, { user: 'luo.xin', pathParameters: { resultNumber: w.numbers.public } })).status).toBe(403);
    expect(w.sharing.audits.filter((a) => a.action === 'sharing.download.issue').map((a) => (a.detail?.['supervision'] as { count: unknown }).count)).toEqual([
      [{ org: '440000-NR', metric: 'R16.downloads' }, { org: '440000-CUS', metric: 'eval:440000-NR:R16.downloads' }],
      [{ org: '440000-NR', metric: 'R16.downloads' }, { org: '440000-CUS', metric: 'eval:440000-NR:R16.downloads' }],
    ]);
  });

  it('R18.1 the BagIt manifest lists every file of the grant, and the 用途声明 last, with its SHA-256', async () => {
    const w = await setup();
    const { grant, path, pp } = await granted(w);

    const res = await call(manifestHandler.with(w.ports), 'GET', `${path}/manifest`, { user: 'luo.xin', pathParameters: pp });

    expect(res.status).toBe(200);
    expect(res.body).toBe([...grant.files.map((f) => `${f.sha256}  data/${f.resultNumber}/${f.path}\n`), `${grant.notice!.sha256}  data/用途声明.txt\n`].join(''));
    expect(res.body).toContain(sha256Hex(w.files['data/landuse.gpkg']));
  });

  it('expired → 403 naming the end date; revoked → 403 with the reasons; another organisation 404; the custodian, who reads the grant, is no named user: 403', async () => {
    const w = await setup();
    const { path, pp } = await granted(w);
    const get = (user: string) => call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user, pathParameters: { ...pp, fileNo: '1' } });

    const other = await get('huang.wei');
    const notNamed = await get('zhang.wei');
    w.world.setNow('2027-04-01T01:00:00.000Z');
    const expired = await get('luo.xin');
    w.world.setNow('2026-10-01T01:00:00.000Z');
    const revokedBy = await call(revokeHandler.with(w.ports), 'POST', `${path}/revocation`, { user: 'chen.jing', pathParameters: pp, body: { reasons: '发现超范围使用，撤销授权' } });
    const afterRevoke = await get('luo.xin');
    const view = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp });

    expect(other.status).toBe(404);
    expect(notNamed.status).toBe(403);
    expect(expired.status).toBe(403);
    expect(expired.body.error.message).toContain('2027-03-31');
    expect(revokedBy.status).toBe(200);
    expect(afterRevoke.status).toBe(403);
    expect(afterRevoke.body.error.message).toContain('发现超范围使用');
    expect(view.body.grant).toMatchObject({ status: 'revoked', revocation: { by: 'chen.jing', reasons: '发现超范围使用，撤销授权' } });
    expect(w.sharing.log).toHaveLength(0);
  });
});

describe('R15.1 the organiser approves with conditions: a shorter period, fewer files, a narrower scope', () => {
  async function reviewTask(opts: { files?: string[] } = {}) {
    const { taskWorld, fakeTaskToken, testKind } = await import('./tasks-fakes.ts');
    const sharing = new FakeSharingStore();
    const app = {
      applicationId: '5a000000-0000-4000-8000-00000000c0de',
      requesterOrg: '440000-WR',
      requestedBy: 'luo.xin',
      requestedAt: '2026-09-21T01:00:00.000Z',
      items: [{ resultNumber: '440000-CUS-2026-GT-000001', organiserOrg: '440000-NR', custodianOrg: '440000-CUS', classification: 'public' as const, ...(opts.files ? { files: opts.files } : {}) }],
      purpose: '编制全省水资源综合规划',
      scope: '规划计划处',
      period,
      contact,
      channel: 'online' as const,
      users: ['luo.xin'],
      reviews: [{ organiserOrg: '440000-NR', resultNumbers: ['440000-CUS-2026-GT-000001'], status: 'pending' as const }],
      status: 'reviewing' as const,
      timeline: [],
      version: 1,
    };
    await sharing.createApplication(app, { actor: 'luo.xin', orgCode: '440000-WR', action: 'test', target: 'x', outcome: 'success', requestId: 't' });
    let world: Awaited<ReturnType<typeof taskWorld>>;
    world = await taskWorld({ kinds: [testKind(), sharingReviewKind({ catalogue: { getEntry: async () => undefined }, sharing, identity: { getOrganisation: (c) => world.identity.getOrganisation(c), getUser: (u) => world.identity.getUser(u) } })] });
    const { createHumanTask, decideHumanTask } = await import('#shared/tasks/human-tasks.ts');
    const create = (kind: string, subject: Record<string, string>) =>
      createHumanTask(world.ports, { taskToken: fakeTaskToken(), kind, subject, timeoutSeconds: 1_814_400, escalationLevel: 0, execution: 'arn:x', requestId: 'c', fn: 'CreateHumanTask' });
    const decide = async (id: string, conditions: Record<string, unknown>) =>
      decideHumanTask(world.ports, { actor: await world.user('chen.jing'), id, decision: 'approve', reasons: '', conditions, requestId: 'd' }).then(
        () => 'ok',
        (e: { details?: Array<{ field: string }> }) => e.details?.map((d) => d.field).join(',') ?? String(e),
      );
    return { world, sharing, app, create, decide };
  }

  it('refuses conditions on a task kind that takes none, and conditions outside the application, naming the field; passes valid ones on to the workflow', async () => {
    const r = await reviewTask({ files: ['data/landuse.gpkg'] });
    const other = await r.create('testApproval', { name: '样例', org: '440000-NR' });
    const review = await r.create('sharingReview', { applicationId: r.app.applicationId, organiserOrg: '440000-NR' });

    const onOther = await r.decide(other.task.id, { to: '2026-12-31' });
    const tooLong = await r.decide(review.task.id, { to: '2027-12-31' });
    const notAsked = await r.decide(review.task.id, { files: ['doc/说明.pdf'] });
    const ok = await r.decide(review.task.id, { to: '2026-12-31', scope: '规划计划处水资源科', files: ['data/landuse.gpkg'] });

    expect(onOther).toBe('body.conditions');
    expect(tooLong).toBe('body.conditions.to');
    expect(notAsked).toBe('body.conditions.files[0]');
    expect(ok).toBe('ok');
    expect(r.world.workflow.successes.map((s) => (s.output as { conditions?: unknown }).conditions)).toEqual([{ to: '2026-12-31', scope: '规划计划处水资源科', files: ['data/landuse.gpkg'] }]);
  });

  it('Grant Access applies the conditions: the grant ends earlier, holds only the files kept, names the narrower scope (and the agreement says so)', async () => {
    const w = await setup();
    const app = (await apply(w, body([w.numbers.public]))).body.application;

    const grant = await grantAccess(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: { ...approve(), conditions: { to: '2026-12-31', files: ['data/landuse.gpkg'], scope: '规划计划处水资源科' } }, requestId: 'g' });
    const agreement = await call(getGrantHandler.with(w.ports), 'GET', `/sharing/grants/${grant.grantId}`, { user: 'luo.xin', pathParameters: { grantId: grant.grantId } });

    expect(grant).toMatchObject({ from: period.from, to: '2026-12-31', scope: '规划计划处水资源科' });
    expect(grant.files.map((f) => f.path)).toEqual(['data/landuse.gpkg']);
    expect(agreement.body.agreement.text).toContain('使用期限：2026-09-22 至 2026-12-31');
    expect(agreement.body.agreement.text).toContain('使用范围：规划计划处水资源科');
  });
});

/** A second active user of 广东省水利厅 (the requester organisation), for the named-user changes. */
function addColleague(w: World, userId = 'he.ping', orgCode = '440000-WR') {
  w.world.identity.tables.put('registry', { pk: `USER#${userId}`, sk: 'META', userId, name: '何平', email: `${userId}@example.gov.cn`, orgCode, roles: ['requester'], clearance: 'public' });
}

describe('R18.1 purpose binding: every download carries the purpose, the grant is the requester organisation’s alone', () => {
  it('the grant’s 用途声明 is written once to the documents bucket, listed as the last file and served like the files (302, logged with the purpose)', async () => {
    // prepare
    const w = await setup();
    const { grant, path, pp } = await granted(w);
    w.world.setNow('2026-09-25T02:00:00.000Z');

    // act
    const view = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp });
    const noticeNo = grant.files.length + 1;
    const notice = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/${noticeNo}`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: String(noticeNo) } });
    const file = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '1' } });

    // assess
    const stored = w.documents.objects.get(noticeKey(grant.grantId));
    expect(stored?.contentType).toBe('text/plain; charset=utf-8');
    for (const words of [`授权编号：${grant.grantId}`, '广东省水利厅', `用途：${grant.purpose}`, `使用范围：${grant.scope}`, `使用期限：${period.from} 至 ${period.to}`, '密级：公开', '不得向第三方提供']) expect(stored?.body).toContain(words);
    expect(view.body.grant.notice).toEqual({ fileNo: noticeNo, path: '用途声明.txt', size: Buffer.byteLength(stored!.body), sha256: sha256Hex(stored!.body) });
    expect(notice.status).toBe(302);
    expect(notice.headers.location).toMatch(new RegExp(`^https://documents\\.example/sharing/${grant.grantId}/`));
    expect(file.headers.location).toMatch(/^https:\/\/custody\.example\//);
    // Every log line names the purpose reference (the application), the purpose, the scope and the notice.
    expect(w.sharing.log.map((l) => ({ path: l.path, applicationId: l.applicationId, purpose: l.purpose, scope: l.scope, noticeSha256: l.noticeSha256 }))).toEqual([
      { path: '用途声明.txt', applicationId: grant.applicationId, purpose: grant.purpose, scope: grant.scope, noticeSha256: sha256Hex(stored!.body) },
      { path: grant.files[0]!.path, applicationId: grant.applicationId, purpose: grant.purpose, scope: grant.scope, noticeSha256: sha256Hex(stored!.body) },
    ]);
    // The notice is not a result download: R16.downloads counts the file only.
    const counted = w.sharing.audits.filter((a) => a.action === 'sharing.download.issue').map((a) => (a.detail?.['supervision'] as { count?: unknown } | undefined)?.count);
    expect(counted).toEqual([undefined, [{ org: '440000-NR', metric: 'R16.downloads' }, { org: '440000-CUS', metric: 'eval:440000-NR:R16.downloads' }]]);
  });

  it('another department applies itself: its review task shows the organiser who already holds a grant on the result (never the applicant’s own)', async () => {
    // prepare: 罗欣 (广东省水利厅) holds a grant on the result
    const w = await setup();
    const { grant } = await granted(w);
    const kind = sharingReviewKind({ catalogue: w.cat.store, sharing: w.sharing, identity: w.world.identity });

    // act: 黄伟 (广州市规划和自然资源局) applies for the same result; 罗欣 applies again
    const other = (await apply(w, body([w.numbers.public]), 'huang.wei')).body.application;
    const again = (await apply(w, body([w.numbers.public]))).body.application;
    const otherTask = await kind.describe({ applicationId: other.applicationId, organiserOrg: '440000-NR' });
    const otherSummary = (await kind.summary({ subject: { applicationId: other.applicationId, organiserOrg: '440000-NR' } } as never)) as { otherGrants: unknown };
    const ownSummary = (await kind.summary({ subject: { applicationId: again.applicationId, organiserOrg: '440000-NR' } } as never)) as { otherGrants: unknown };

    // assess
    expect(otherSummary.otherGrants).toEqual([{ resultNumber: w.numbers.public, holders: [{ org: '440000-WR', name: '广东省水利厅', grantId: grant.grantId }] }]);
    expect(otherTask.details.join('\n')).toContain(`成果 ${w.numbers.public} 已有其他单位获准共享：广东省水利厅（440000-WR）（授权 ${grant.grantId}）；授权不得转让，本申请单位须自行申请（R18.1）`);
    expect(ownSummary.otherGrants).toEqual([]);
  });

  it('a grant cannot be used by another organisation: 404 to download, to change users, to file a use report; its users are its own organisation’s', async () => {
    // prepare
    const w = await setup();
    const { path, pp } = await granted(w);
    addColleague(w, 'gao.lin', '440100-NR');

    // act
    const download = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'huang.wei', pathParameters: { ...pp, fileNo: '1' } });
    const users = await call(usersHandler.with(w.ports), 'POST', `${path}/users`, { user: 'huang.wei', pathParameters: pp, body: { add: ['huang.wei'] } });
    const report = await call(useReportHandler.with(w.ports), 'POST', `${path}/use-reports`, { user: 'huang.wei', pathParameters: pp, body: { application: '用于本市规划编制的底图叠加分析', projects: ['广州市水资源规划'], outcomes: '完成叠加分析', problems: '' } });
    const passOn = await call(usersHandler.with(w.ports), 'POST', `${path}/users`, { user: 'luo.xin', pathParameters: pp, body: { add: ['gao.lin'] } });

    // assess
    expect([download.status, users.status, report.status]).toEqual([404, 404, 404]);
    expect(passOn.status).toBe(400);
    expect(passOn.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body.add[0]']);
    expect(passOn.body.error.message).toContain('不得转给其他单位');
    expect((await w.sharing.getGrant(pp.grantId))!.users).toEqual(['luo.xin']);
    expect(w.sharing.audits.filter((a) => a.action === 'sharing.grant.users')).toEqual([]);
  });

  it('a named user adds and removes its own organisation’s users (audited, on the timeline); the removed one can no longer download; the organiser may not', async () => {
    // prepare
    const w = await setup();
    const { grant, path, pp } = await granted(w);
    addColleague(w);
    w.world.setNow('2026-09-25T02:00:00.000Z');

    // act
    const add = await call(usersHandler.with(w.ports), 'POST', `${path}/users`, { user: 'luo.xin', pathParameters: pp, body: { add: ['he.ping'] } });
    const byColleague = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'he.ping', pathParameters: { ...pp, fileNo: '1' } });
    const remove = await call(usersHandler.with(w.ports), 'POST', `${path}/users`, { user: 'luo.xin', pathParameters: pp, body: { remove: ['he.ping'] } });
    const afterRemoval = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'he.ping', pathParameters: { ...pp, fileNo: '1' } });
    const organiser = await call(usersHandler.with(w.ports), 'POST', `${path}/users`, { user: 'chen.jing', pathParameters: pp, body: { add: ['he.ping'] } });
    const last = await call(usersHandler.with(w.ports), 'POST', `${path}/users`, { user: 'luo.xin', pathParameters: pp, body: { remove: ['luo.xin'] } });

    // assess
    expect(add.status).toBe(200);
    expect(add.body.grant.users).toEqual(['luo.xin', 'he.ping']);
    expect(byColleague.status).toBe(302);
    expect(remove.body.grant.users).toEqual(['luo.xin']);
    expect(remove.body.grant.userChanges.map((c: { added: string[]; removed: string[] }) => [c.added, c.removed])).toEqual([[['he.ping'], []], [[], ['he.ping']]]);
    expect(afterRemoval.status).toBe(403);
    expect(organiser.status).toBe(403);
    expect(last.status).toBe(400);
    expect(last.body.error.details[0].field).toBe('body.remove');
    expect(w.sharing.audits.filter((a) => a.action === 'sharing.grant.users').map((a) => [a.actor, a.target, a.detail?.['added'], a.detail?.['removed']])).toEqual([
      ['luo.xin', `SHAREGRANT#${grant.grantId}`, ['he.ping'], []],
      ['luo.xin', `SHAREGRANT#${grant.grantId}`, [], ['he.ping']],
    ]);
    const app = await w.sharing.getApplication(grant.applicationId);
    expect(app!.timeline.filter((e) => e.type === 'grantUsersChanged').map((e) => e.note)).toEqual([expect.stringContaining('增加 he.ping'), expect.stringContaining('移除 he.ping')]);
  });
});

const useReport = { application: '叠加土地利用现状，测算各流域农业和生活用水需求', projects: ['广东省水资源综合规划（2026—2035年）'], outcomes: '形成分流域用水需求测算成果，纳入规划送审稿', problems: '部分图斑更新时间较早' };

describe('R19.1 R21.1 use reports: due per grant, filed by the requester, clocked, overdue ones shown on its next application', () => {
  it('due at the end of the period, or on the organiser’s date; a grant longer than a year is due yearly too', () => {
    expect(useReportSlots('2026-09-22', '2027-03-31')).toEqual([{ due: '2027-03-31', kind: 'end' }]);
    expect(useReportSlots('2026-01-01', '2027-01-01')).toEqual([{ due: '2026-12-31', kind: 'yearly' }, { due: '2027-01-01', kind: 'end' }]);
    expect(useReportSlots('2028-02-29', '2029-03-01')).toEqual([{ due: '2029-02-27', kind: 'yearly' }, { due: '2029-03-01', kind: 'end' }]);
    expect(useReportSlots('2026-09-22', '2027-03-31', '2026-12-31')).toEqual([{ due: '2026-12-31', kind: 'end' }]);
  });

  it('the grant starts the R19.1 clock of the requester (and counts R19.1.due for the organiser); the organiser’s date at approval replaces the end of the period', async () => {
    // prepare
    const w = await setup();
    const first = (await apply(w, body([w.numbers.public]))).body.application;
    const second = (await apply(w, body([w.numbers.internal]))).body.application;

    // act
    const plain = await grantAccess(w.ports, { applicationId: first.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'g1' });
    const set = await grantAccess(w.ports, { applicationId: second.applicationId, organiserOrg: '440000-NR', approval: { ...approve(), conditions: { useReportDue: '2026-12-15' } }, requestId: 'g2' });

    // assess
    expect(plain.useReports).toEqual([{ due: period.to, kind: 'end' }]);
    expect(set.useReports).toEqual([{ due: '2026-12-15', kind: 'end' }]);
    const effects = w.sharing.audits.filter((a) => a.action === 'sharing.review.approve').map((a) => a.detail?.['supervision'] as { start: Array<Record<string, unknown>>; count: unknown[] });
    expect(effects.map((e) => e.start.map((s) => [s['type'], s['subject'], s['ownerOrg'], s['due'], s['basis']]))).toEqual([
      [['R19.1', `${plain.grantId}#${period.to}`, '440000-WR', period.to, '使用期限届满之日']],
      [['R19.1', `${set.grantId}#2026-12-15`, '440000-WR', '2026-12-15', '组织单位审批时确定的应交日期']],
    ]);
    expect(effects[0]!.count).toContainEqual({ org: '440000-NR', metric: 'R19.1.due', by: 1 });
    expect((await w.ports.clocks.ownedBy('440000-WR', 'running')).map((c) => c.clockId).sort()).toEqual([`R19.1#${plain.grantId}#${period.to}`, `R19.1#${set.grantId}#2026-12-15`].sort());
  });

  it('POST /sharing/grants/{id}/use-reports files the earliest open report: 201, the clock met on time, counted; a second → 409; bad input → 400 naming the field; unsigned → 409', async () => {
    // prepare
    const w = await setup();
    const { grant, path, pp } = await granted(w);
    const unsigned = await granted(w, false);

    // act
    const bad = await call(useReportHandler.with(w.ports), 'POST', `${path}/use-reports`, { user: 'luo.xin', pathParameters: pp, body: { ...useReport, projects: [] } });
    const filed = await call(useReportHandler.with(w.ports), 'POST', `${path}/use-reports`, { user: 'luo.xin', pathParameters: pp, body: useReport });
    const again = await call(useReportHandler.with(w.ports), 'POST', `${path}/use-reports`, { user: 'luo.xin', pathParameters: pp, body: useReport });
    const early = await call(useReportHandler.with(w.ports), 'POST', `${unsigned.path}/use-reports`, { user: 'luo.xin', pathParameters: unsigned.pp, body: useReport });
    const organiser = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'chen.jing', pathParameters: pp });

    // assess
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain('body.projects');
    expect(filed.status).toBe(201);
    expect(filed.body.useReport).toMatchObject({ due: period.to, status: 'in', statusLabel: '已提交', report: { by: 'luo.xin', projects: useReport.projects, late: false } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USE_REPORTS_IN');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('GRANT_NOT_SIGNED');
    expect(organiser.body.grant.useReports).toEqual([expect.objectContaining({ status: 'in', report: expect.objectContaining({ outcomes: useReport.outcomes }) })]);
    const filedAudit = w.sharing.audits.filter((a) => a.action === 'sharing.useReport.file');
    expect(filedAudit).toHaveLength(1);
    expect(filedAudit[0]!.detail?.['supervision']).toMatchObject({ meet: [{ type: 'R19.1', subject: `${grant.grantId}#${period.to}` }], count: [{ org: '440000-NR', metric: 'R19.reports' }, { org: '440000-CUS', metric: 'eval:440000-NR:R19.reports' }] });
    expect((await w.ports.clocks.ownedBy('440000-WR', 'met')).map((c) => [c.clockId, c.late])).toEqual([[`R19.1#${grant.grantId}#${period.to}`, false]]);
  });

  it('an overdue report shows on the requester’s next application, to the reviewer; filed late it is counted late and the next application is clean', async () => {
    // prepare
    const w = await setup();
    const { grant, path, pp } = await granted(w);
    w.world.setNow('2027-04-06T02:00:00.000Z');
    const laterBody = body([w.numbers.internal], { period: { from: '2027-04-07', to: '2027-06-30' } });

    // act
    const next = (await apply(w, laterBody)).body.application;
    const kind = sharingReviewKind({ catalogue: w.cat.store, sharing: w.sharing, identity: w.world.identity });
    const task = await kind.describe({ applicationId: next.applicationId, organiserOrg: '440000-NR' });
    const overdueView = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp });
    const late = await call(useReportHandler.with(w.ports), 'POST', `${path}/use-reports`, { user: 'luo.xin', pathParameters: pp, body: useReport });
    const clean = (await apply(w, laterBody)).body.application;

    // assess
    expect(next.overdueUseReports).toEqual([{ grantId: grant.grantId, due: period.to }]);
    expect(next.timeline.map((e: { type: string }) => e.type)).toContain('overdueUseReports');
    expect(task.details.join('\n')).toContain(`利用情况报告逾期未交（R19.1）：授权 ${grant.grantId} 应于 ${period.to} 提交`);
    expect(overdueView.body.grant.useReports[0]).toMatchObject({ status: 'overdue', statusLabel: '逾期未交' });
    expect(late.body.useReport).toMatchObject({ status: 'in', statusLabel: '已提交（逾期）', report: { late: true } });
    expect(w.sharing.audits.find((a) => a.action === 'sharing.useReport.file')?.detail?.['supervision']).toMatchObject({ count: [{ org: '440000-NR', metric: 'R19.reports' }, { org: '440000-NR', metric: 'R19.1.late' }, { org: '440000-CUS', metric: 'eval:440000-NR:R19.reports' }, { org: '440000-CUS', metric: 'eval:440000-NR:R19.1.late' }] });
    expect(clean.overdueUseReports).toBeUndefined();
  });
});

/** 黄伟 (广州市规划和自然资源局, 内部 clearance) holds a signed grant on the 内部 result and the 公开 one. */
async function heldByHuang(w: World) {
  const res = await apply(w, body([w.numbers.public, w.numbers.internal], { contact: { name: '黄伟', phone: '020-83330000' } }), 'huang.wei');
  expect(res.status).toBe(201);
  const applicationId = res.body.application.applicationId as string;
  const grant = await grantAccess(w.ports, { applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'grant-h' });
  const pp = { grantId: grant.grantId };
  const agreement = await call(getGrantHandler.with(w.ports), 'GET', `/sharing/grants/${grant.grantId}`, { user: 'huang.wei', pathParameters: pp });
  expect((await call(signHandler.with(w.ports), 'POST', `/sharing/grants/${grant.grantId}/agreement/signature`, { user: 'huang.wei', pathParameters: pp, body: { sha256: agreement.body.agreement.sha256 } })).status).toBe(200);
  return grant;
}
const derivedBody = (grantId: string, sources: string[]) => ({ name: '广州市水域岸线专题图', description: '以共享成果为底图编制的专题图，拟在市政府网站公开', processing: '叠加水域图层、综合概括至 1:50000、删除坐标注记', grantId, sources });
const register = (w: World, b: unknown, user = 'huang.wei') => call(registerDerivedHandler.with(w.ports), 'POST', '/sharing/derived-products', { user, body: b });
const published = (w: World, productId: string, b: unknown, user = 'huang.wei') =>
  call(derivedPublicationHandler.with(w.ports), 'POST', `/sharing/derived-products/${productId}/publication`, { user, body: b, pathParameters: { productId } });

describe('R18.2 derived products: registered with their sources, reviewed by each source’s organiser before publication', () => {
  it('registers a product from a non-public source: 201, the organiser’s DerivedProductReview starts, not publishable yet', async () => {
    // prepare
    const w = await setup();
    const grant = await heldByHuang(w);

    // act
    const res = await register(w, derivedBody(grant.grantId, [w.numbers.internal]));
    const read = await call(getDerivedHandler.with(w.ports), 'GET', `/sharing/derived-products/${res.body.product.productId}`, { user: 'chen.jing', pathParameters: { productId: res.body.product.productId } });
    const other = await call(getDerivedHandler.with(w.ports), 'GET', `/sharing/derived-products/${res.body.product.productId}`, { user: 'luo.xin', pathParameters: { productId: res.body.product.productId } });

    // assess
    expect(res.status).toBe(201);
    const p = res.body.product;
    expect(p).toMatchObject({ status: 'reviewing', publishable: false, grantId: grant.grantId, sources: [{ resultNumber: w.numbers.internal, organiserOrg: '440000-NR', classification: 'internal' }] });
    expect(p.reviews).toEqual([{ organiserOrg: '440000-NR', resultNumbers: [w.numbers.internal], status: 'pending', statusLabel: '待保密审查' }]);
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'DerivedProductReview')).toEqual([{ stateMachine: 'DerivedProductReview', name: `${p.productId}-440000-NR`, input: { productId: p.productId, organiserOrg: '440000-NR' } }]);
    expect(w.ports.derived.audits.map((a) => a.action)).toEqual(['sharing.derived.register']);
    expect(read.status).toBe(200);
    expect(other.status).toBe(404);
  });

  it('a source the requester never held → 409 SOURCE_NOT_HELD (not in the grant, or the grant never signed); another organisation’s grant → 404; bad input → 400; nothing stored', async () => {
    // prepare
    const w = await setup();
    const grant = await heldByHuang(w);
    const unsigned = await granted(w, false);

    // act
    const notInGrant = await register(w, derivedBody(grant.grantId, [w.numbers.internal, w.numbers.secret]));
    const neverSigned = await register(w, derivedBody(unsigned.grant.grantId, [w.numbers.public]), 'luo.xin');
    const foreign = await register(w, derivedBody(grant.grantId, [w.numbers.public]), 'luo.xin');
    const bad = await register(w, { ...derivedBody(grant.grantId, []), name: '' });

    // assess
    expect([notInGrant.status, neverSigned.status, foreign.status, bad.status]).toEqual([409, 409, 404, 400]);
    expect(notInGrant.body.error.code).toBe('SOURCE_NOT_HELD');
    expect(notInGrant.body.error.message).toContain(`body.sources[1]`);
    expect(neverSigned.body.error.code).toBe('SOURCE_NOT_HELD');
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['body.name', 'body.sources']));
    expect(w.ports.derived.items.size).toBe(0);
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'DerivedProductReview')).toEqual([]);
  });

  it('同意发布 by every source’s organiser → publishable (counted R18.2.reviewed, and for R19.2 on each source custodian’s counters once, emailed); 不予发布 → refused with the reasons; a public-only product needs no review', async () => {
    // prepare
    const w = await setup();
    const grant = await heldByHuang(w);
    const a = (await register(w, derivedBody(grant.grantId, [w.numbers.internal]))).body.product;
    const b = (await register(w, derivedBody(grant.grantId, [w.numbers.internal, w.numbers.public]))).body.product;
    const publicOnly = (await register(w, derivedBody(grant.grantId, [w.numbers.public]))).body.product;
    const kind = derivedProductReviewKind({ derived: w.ports.derived, identity: w.world.identity });

    // act
    const task = await kind.describe({ productId: a.productId, organiserOrg: '440000-NR' });
    const approved = await recordDerivedReview(w.ports, { productId: a.productId, organiserOrg: '440000-NR', approval: { ...approve(), reasons: '已脱密处理，同意发布' }, requestId: 'r1' });
    const again = await recordDerivedReview(w.ports, { productId: a.productId, organiserOrg: '440000-NR', approval: { ...approve(), decision: 'return', reasons: '迟到的决定' }, requestId: 'r1b' });
    const refused = await recordDerivedReview(w.ports, { productId: b.productId, organiserOrg: '440000-NR', approval: { ...approve(), decision: 'return', reasons: '坐标精度未作处理，不得公开' }, requestId: 'r2' });

    // assess
    expect(task.assigneeOrg).toBe('440000-NR');
    expect(task.details.join('\n')).toContain('加工处理：叠加水域图层');
    expect(approved.status).toBe('publishable');
    expect(again.status).toBe('publishable');
    expect(refused.status).toBe('refused');
    expect(refused.reviews[0]!.decision?.reasons).toBe('坐标精度未作处理，不得公开');
    expect(publicOnly).toMatchObject({ status: 'publishable', publishable: true, reviews: [{ status: 'notRequired' }] });
    const reviewed = w.ports.derived.audits.filter((x) => x.action.startsWith('sharing.derived.') && x.action !== 'sharing.derived.register');
    expect(reviewed.map((x) => [x.action, (x.detail?.['supervision'] as { count: unknown }).count])).toEqual([
      ['sharing.derived.approve', [{ org: '440000-NR', metric: 'R18.2.reviewed' }, { org: '440000-CUS', metric: 'eval:440000-NR:R18.2.reviewed' }]],
      ['sharing.derived.refuse', [{ org: '440000-NR', metric: 'R18.2.reviewed' }, { org: '440000-CUS', metric: 'eval:440000-NR:R18.2.reviewed' }]],
    ]);
    expect(b.sources.map((x: { custodianOrg?: string }) => x.custodianOrg)).toEqual(['440000-CUS', '440000-CUS']);
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('【衍生产品保密审查】')).map((m) => m.subject)).toEqual([`【衍生产品保密审查】${a.name}：同意发布`, `【衍生产品保密审查】${b.name}：不予发布`]);
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'DerivedProductReview')).toHaveLength(2);
  });
});

describe('R18.2 a publishable derived product: the registrant records where it was published outside this system', () => {
  it('before every source approved 409 DERIVED_NOT_PUBLISHABLE; after, recorded once with its sources on the timeline (audited); the same again changes nothing, another place 409; another organisation 404', async () => {
    // prepare
    const w = await setup();
    const grant = await heldByHuang(w);
    const a = (await register(w, derivedBody(grant.grantId, [w.numbers.internal]))).body.product;
    const body = { where: 'https://www.gz.gov.cn/zwgk/sw/2026-waterline.html', publishedOn: '2026-10-08' };

    // act
    const early = await published(w, a.productId, body);
    await recordDerivedReview(w.ports, { productId: a.productId, organiserOrg: '440000-NR', approval: { ...approve(), reasons: '已脱密处理，同意发布' }, requestId: 'r1' });
    const recorded = await published(w, a.productId, body);
    const again = await published(w, a.productId, body);
    const elsewhere = await published(w, a.productId, { ...body, where: '《广州市水资源公报》2026' });
    const stranger = await published(w, a.productId, body, 'luo.xin');
    const noPlace = await published(w, a.productId, { publishedOn: '2026-10-08' });

    // assess
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('DERIVED_NOT_PUBLISHABLE');
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ changed: true, product: { status: 'publishable', publication: { where: body.where, publishedOn: '2026-10-08', recordedBy: 'huang.wei' } } });
    expect(recorded.body.product.timeline.at(-1)).toMatchObject({ type: 'published' });
    expect(recorded.body.product.timeline.at(-1).note).toContain(w.numbers.internal);
    expect(again.body.changed).toBe(false);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.error.code).toBe('PUBLICATION_RECORDED');
    expect(stranger.status).toBe(404);
    expect(noPlace.status).toBe(400);
    expect(JSON.stringify(noPlace.body)).toContain('body.where');
    expect(w.ports.derived.audits.filter((x) => x.action === 'sharing.derived.publish')).toHaveLength(1);
  });
});
