import { describe, expect, it } from 'vitest';
import { handler as applyHandler } from '#functions/sharing/apply-for-sharing.ts';
import { handler as reapplyHandler } from '#functions/sharing/reapply-for-sharing.ts';
import { handler as revokeHandler } from '#functions/sharing/revoke-sharing-grant.ts';
import { handler as subscribeHandler } from '#functions/sharing/subscribe-sharing-grant.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import type { EntryChange } from '#shared/catalogue/public/changes.ts';
import { pushNewVersions } from '#shared/sharing/push.ts';
import { grantAccess, type SharingDecision } from '#shared/sharing/sharing.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeCustodyRecords, FakeCustodyStore, FakeMailer, putResult } from './custody-fakes.ts';
import { ClocksFromAudits, FakeSharingDocuments, FakeSharingStore, FakeSubscriptionStore } from './sharing-fakes.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

/** The world's clock: 2026-09-21 (China). */
const approve = (): SharingDecision => ({ taskId: 'T'.repeat(22), decision: 'approve', reasons: '', decidedBy: 'chen.jing', decidedAt: '2026-09-21T06:00:00.000Z' });

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const submissionId = await verifiedSubmission(world, { classification: 'public', name: '推送测试成果' });
  const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg' });
  const custody = new FakeCustodyStore();
  putResult([custody], new FakeCustodyRecords(), entry.resultNumber, { 'data/landuse.gpkg': 'gpkg-bytes' });
  const sharing = new FakeSharingStore();
  const subscriptions = new FakeSubscriptionStore(sharing);
  const mailer = new FakeMailer();
  let n = 0;
  const base = portsFor(world);
  const ports = {
    verifier: base.verifier,
    identity: world.identity,
    catalogue: cat.store,
    sharing,
    subscriptions,
    workflow: world.workflow,
    calendar: world.ports.calendar,
    custody,
    mailer,
    documents: new FakeSharingDocuments(),
    clocks: new ClocksFromAudits(() => sharing.audits),
    now: () => world.now,
    appBaseUrl: 'https://chengguo.example.gov.cn',
    newId: () => `6c000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  };
  return { world, cat, resultNumber: entry.resultNumber, sharing, subscriptions, mailer, ports };
}
type World = Awaited<ReturnType<typeof setup>>;

/** 罗欣's online application, approved (a grant awaiting signature is enough to subscribe). */
async function granted(w: World) {
  const res = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', {
    user: 'luo.xin',
    body: {
      results: [{ resultNumber: w.resultNumber }],
      purpose: '编制全省水资源综合规划，需叠加土地利用现状',
      scope: '广东省水利厅规划计划处内部使用',
      period: { from: '2026-09-22', to: '2026-12-20' },
      contact: { name: '罗欣', phone: '020-83331234' },
    },
  });
  const applicationId = res.body.application.applicationId as string;
  const grant = await grantAccess(w.ports, { applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'grant' });
  return { applicationId, grantId: grant.grantId };
}

const subscribe = (w: World, grantId: string, user = 'luo.xin') => call(subscribeHandler.with(w.ports), 'POST', `/sharing/grants/${grantId}/subscription`, { user, pathParameters: { grantId } });

/** The catalogue change of a new version (the stream's old and new images). */
async function newVersion(w: World, version = 2): Promise<EntryChange> {
  const entry = (await w.cat.store.getEntry(w.resultNumber))!;
  return { resultNumber: w.resultNumber, previous: { ...entry, version: version - 1 }, entry: { ...entry, version } };
}

describe('R16.1 active push (主动推送): a grant subscribes to new versions of its results', () => {
  it('a named user subscribes (audited); again changes nothing; the organiser cannot (requesters only)', async () => {
    const w = await setup();
    const { grantId } = await granted(w);

    const res = await subscribe(w, grantId);
    const again = await subscribe(w, grantId);
    const byOrganiser = await subscribe(w, grantId, 'chen.jing');

    expect(res.status).toBe(200);
    expect(res.body.grant.subscription).toEqual({ by: 'luo.xin', at: w.world.now.toISOString() });
    expect(again.status).toBe(200);
    expect(w.subscriptions.audits.map((a) => a.action)).toEqual(['sharing.grant.subscribe']);
    expect(await w.subscriptions.subscribers(w.resultNumber)).toEqual([grantId]);
    expect(byOrganiser.status).toBe(403);
  });

  it('a revoked grant cannot subscribe (409) and nothing is indexed', async () => {
    const w = await setup();
    const { grantId } = await granted(w);
    await call(revokeHandler.with(w.ports), 'POST', `/sharing/grants/${grantId}/revocation`, { user: 'chen.jing', pathParameters: { grantId }, body: { reasons: '用途已变更，撤销授权' } });

    const res = await subscribe(w, grantId);

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('GRANT_REVOKED');
    expect(await w.subscriptions.subscribers(w.resultNumber)).toEqual([]);
  });

  it('a new catalogued version emails the subscribed requester once, in Chinese, with the one-step re-application; a retried batch emails no one twice', async () => {
    const w = await setup();
    const { applicationId, grantId } = await granted(w);
    await subscribe(w, grantId);
    const before = w.mailer.sent.length;

    const first = await pushNewVersions(w.ports, { changes: [await newVersion(w)], requestId: 'batch-1' });
    const retried = await pushNewVersions(w.ports, { changes: [await newVersion(w)], requestId: 'batch-1-retry' });

    expect(first.pushed).toBe(1);
    expect(retried.pushed).toBe(0);
    const mails = w.mailer.sent.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(['luo.xin@example.gov.cn']);
    expect(mails[0]!.subject).toBe(`【成果新版本推送】推送测试成果（${w.resultNumber} 第 2 版）`);
    // Console pages: the apply page and the original application; no API recipe (POST …/reapplication).
    expect(mails[0]!.text).toContain('https://chengguo.example.gov.cn/console/sharing/apply');
    expect(mails[0]!.text).toContain(`https://chengguo.example.gov.cn/console/sharing/applications/${applicationId}`);
    expect(mails[0]!.text).not.toMatch(/GET \/|POST \/|reapplication/);
    expect(w.subscriptions.audits.map((a) => a.action)).toEqual(['sharing.grant.subscribe', 'sharing.grant.push']);
  });

  it('pushes nothing for an edit that is no new version, for an unsubscribed grant, or for an expired one', async () => {
    const w = await setup();
    const { grantId } = await granted(w);
    const entry = (await w.cat.store.getEntry(w.resultNumber))!;
    const before = w.mailer.sent.length;

    expect((await pushNewVersions(w.ports, { changes: [await newVersion(w)], requestId: 'unsubscribed' })).pushed).toBe(0);
    await subscribe(w, grantId);
    expect((await pushNewVersions(w.ports, { changes: [{ resultNumber: w.resultNumber, previous: entry, entry }], requestId: 'same' })).pushed).toBe(0);
    expect((await pushNewVersions(w.ports, { changes: [{ resultNumber: w.resultNumber, entry }], requestId: 'created' })).pushed).toBe(0);
    w.world.now = new Date('2026-12-21T02:00:00.000Z');
    expect((await pushNewVersions(w.ports, { changes: [await newVersion(w, 3)], requestId: 'expired' })).pushed).toBe(0);
    expect(w.mailer.sent.length).toBe(before);
  });

  it('the one-step re-application copies the application for the new version: same results, purpose, scope, contact; as long a period from today; sent to review', async () => {
    const w = await setup();
    const { applicationId } = await granted(w);
    w.world.now = new Date('2026-10-15T02:00:00.000Z');

    const res = await call(reapplyHandler.with(w.ports), 'POST', `/sharing/applications/${applicationId}/reapplication`, { user: 'luo.xin', pathParameters: { applicationId } });
    const other = await call(reapplyHandler.with(w.ports), 'POST', `/sharing/applications/${applicationId}/reapplication`, { user: 'huang.wei', pathParameters: { applicationId } });

    expect(res.status).toBe(201);
    const app = res.body.application;
    expect(app.applicationId).not.toBe(applicationId);
    expect(app).toMatchObject({
      basedOn: applicationId,
      requesterOrg: '440000-WR',
      purpose: '编制全省水资源综合规划，需叠加土地利用现状',
      scope: '广东省水利厅规划计划处内部使用',
      contact: { name: '罗欣', phone: '020-83331234' },
      channel: 'online',
      status: 'reviewing',
      // 2026-09-22 … 2026-12-20 is 90 days; the copy runs 90 days from 2026-10-15.
      period: { from: '2026-10-15', to: '2027-01-12' },
    });
    expect(app.items.map((i: { resultNumber: string }) => i.resultNumber)).toEqual([w.resultNumber]);
    expect(app.timeline.map((e: { type: string }) => e.type)).toContain('reapplied');
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'SharingReview').map((s) => s.name)).toContain(`${app.applicationId}-440000-NR`);
    expect(other.status).toBe(404);
  });
});
