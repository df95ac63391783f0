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
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import { grantAccess, rejectSharing, sha256Hex, type SharingDecision } from '#shared/sharing/sharing.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { seedUsers } from '#infra/local/seed.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeCustodyRecords, FakeCustodyStore, FakeMailer, putResult } from './custody-fakes.ts';
import { FakeLinks, FakeSharingStore } from './sharing-fakes.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

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

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const numbers: Partial<Record<Classification, string>> = {};
  for (const classification of ['public', 'internal', 'secret'] as const) {
    const submissionId = await verifiedSubmission(world, { classification, name: `共享测试成果（${classification}）` });
    const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: `reg-${classification}` });
    numbers[classification] = entry.resultNumber;
  }
  const custody = new FakeCustodyStore();
  const files = { 'data/landuse.gpkg': 'gpkg-bytes-0123456789', 'doc/说明.pdf': 'pdf-bytes' };
  putResult([custody], new FakeCustodyRecords(), numbers.public!, files);
  putResult([custody], new FakeCustodyRecords(), numbers.internal!, { 'data/water.gpkg': 'internal-bytes' });
  const sharing = new FakeSharingStore();
  const mailer = new FakeMailer();
  const links = new FakeLinks();
  let n = 0;
  const base = portsFor(world);
  const ports = {
    verifier: base.verifier,
    identity: world.identity,
    catalogue: cat.store,
    sharing,
    workflow: world.workflow,
    calendar: world.ports.calendar,
    custody,
    mailer,
    links,
    now: () => world.now,
    newId: () => `5a000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  };
  return { world, cat, numbers: numbers as Record<'public' | 'internal' | 'secret', string>, custody, files, sharing, mailer, links, ports };
}
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
      count: [{ org: '440000-NR', metric: 'R15.applications' }],
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
    expect(w.mailer.sent.filter((m) => m.subject.includes('请签署共享使用协议'))).toHaveLength(1);
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
      [{ org: '440000-NR', metric: 'R16.downloads' }],
      [{ org: '440000-NR', metric: 'R16.downloads' }],
    ]);
  });

  it('the BagIt manifest lists every file of the grant with its SHA-256', async () => {
    const w = await setup();
    const { grant, path, pp } = await granted(w);

    const res = await call(manifestHandler.with(w.ports), 'GET', `${path}/manifest`, { user: 'luo.xin', pathParameters: pp });

    expect(res.status).toBe(200);
    expect(res.body).toBe(grant.files.map((f) => `${f.sha256}  data/${f.resultNumber}/${f.path}\n`).join(''));
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
