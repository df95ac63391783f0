import { describe, expect, it } from 'vitest';
import { handler as applyHandler } from '#functions/sharing/apply-for-sharing.ts';
import { handler as getGrantHandler } from '#functions/sharing/get-sharing-grant.ts';
import { handler as signHandler } from '#functions/sharing/sign-sharing-agreement.ts';
import { handler as useReportHandler } from '#functions/sharing/file-use-report.ts';
import { handler as listUseReportsHandler } from '#functions/sharing/list-use-reports.ts';
import { handler as registerDerivedHandler } from '#functions/sharing/register-derived-product.ts';
import { handler as listDerivedHandler } from '#functions/sharing/list-derived-products.ts';
import { recordDerivedReview } from '#shared/sharing/derived.ts';
import { grantAccess, type SharingDecision } from '#shared/sharing/sharing.ts';
import { InMemoryDocuments } from './tasks-fakes.ts';
import { call } from './submission-fakes.ts';
import { sharingWorld } from './sharing-world.ts';

/**
 * The console's list routes of issue 13 on the sharing context: the use reports due per grant (R19.1) and the
 * derived products with each source's review (R18.2) — who sees which rows, the working days left, the cursor.
 * The world's clock: 2026-09-21 (China).
 */
const period = { from: '2026-09-22', to: '2027-03-31' };
const body = (resultNumbers: string[], contactName = '罗欣') => ({
  results: resultNumbers.map((resultNumber) => ({ resultNumber })),
  purpose: '编制全省水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period,
  contact: { name: contactName, phone: '020-83331234' },
});
const approve = (): SharingDecision => ({ taskId: 'T'.repeat(22), decision: 'approve', reasons: '', decidedBy: 'chen.jing', decidedAt: '2026-09-21T06:00:00.000Z' });
const setup = () => sharingWorld({ name: '列表测试成果', idPrefix: '6b', documents: new InMemoryDocuments() });
type World = Awaited<ReturnType<typeof setup>>;

/** Applied by `user`, approved by 陈静, signed by `user`. */
async function signedGrant(w: World, numbers: string[], user = 'luo.xin', sign = true) {
  const res = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user, body: body(numbers) });
  expect(res.status).toBe(201);
  const grant = await grantAccess(w.ports, { applicationId: res.body.application.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: `g-${res.body.application.applicationId}` });
  const pp = { grantId: grant.grantId };
  if (sign) {
    const agreement = await call(getGrantHandler.with(w.ports), 'GET', `/sharing/grants/${grant.grantId}`, { user, pathParameters: pp });
    expect((await call(signHandler.with(w.ports), 'POST', `/sharing/grants/${grant.grantId}/agreement/signature`, { user, pathParameters: pp, body: { sha256: agreement.body.agreement.sha256 } })).status).toBe(200);
  }
  return grant;
}
const listReports = (w: World, user: string, query: Record<string, string> = {}) => call(listUseReportsHandler.with(w.ports), 'GET', '/sharing/use-reports', { user, query });
const listDerived = (w: World, user: string, query: Record<string, string> = {}) => call(listDerivedHandler.with(w.ports), 'GET', '/sharing/derived-products', { user, query });

describe('R19.1 GET /sharing/use-reports: the reports due per grant, with working days left, to the requester and its organiser only', () => {
  it('罗欣 sees each due report of her signed grants with the working days left; after filing it is in; 陈静 (organiser) sees the same rows; another organisation none', async () => {
    // prepare
    const w = await setup();
    const grant = await signedGrant(w, [w.numbers.public]);
    const calendar = await w.ports.calendar();

    // act
    const before = await listReports(w, 'luo.xin');
    const filed = await call(useReportHandler.with(w.ports), 'POST', `/sharing/grants/${grant.grantId}/use-reports`, {
      user: 'luo.xin',
      pathParameters: { grantId: grant.grantId },
      body: { application: '叠加土地利用现状，测算各流域用水需求', projects: ['广东省水资源综合规划'], outcomes: '形成用水需求测算成果', problems: '' },
    });
    const after = await listReports(w, 'luo.xin');
    const organiser = await listReports(w, 'chen.jing', { side: 'addressed' });
    const organiserMine = await listReports(w, 'chen.jing');
    const other = await listReports(w, 'huang.wei', { side: 'addressed' });

    // assess
    expect(before.status).toBe(200);
    expect(before.body.items).toEqual([
      expect.objectContaining({ grantId: grant.grantId, due: period.to, kind: 'end', status: 'due', statusLabel: '待提交', signed: true, grantStatus: 'active', workingDaysLeft: calendar.workingDaysLeft(period.to, '2026-09-21') }),
    ]);
    expect(before.body.items[0].workingDaysLeft).toBeGreaterThan(100);
    expect(filed.status).toBe(201);
    expect(after.body.items).toEqual([expect.objectContaining({ grantId: grant.grantId, status: 'in', report: expect.objectContaining({ projects: ['广东省水资源综合规划'] }) })]);
    expect(after.body.items[0].workingDaysLeft).toBeUndefined();
    expect(organiser.body.items.map((r: { grantId: string; status: string }) => [r.grantId, r.status])).toEqual([[grant.grantId, 'in']]);
    expect(organiserMine.body.items).toEqual([]);
    expect(other.body.items).toEqual([]);
  });

  it('overdue reports count negative working days; a grant above the reader’s clearance is not listed; limit and cursor page through the applications; a bad cursor → 400 naming it', async () => {
    // prepare
    const w = await setup();
    const first = await signedGrant(w, [w.numbers.public]);
    w.world.setNow('2026-09-21T03:00:00.000Z');
    const second = await signedGrant(w, [w.numbers.public], 'luo.xin', false);
    const internal = await signedGrant(w, [w.numbers.internal], 'huang.wei');
    w.world.setNow('2027-04-06T02:00:00.000Z');

    // act
    const page1 = await listReports(w, 'luo.xin', { limit: '1' });
    const page2 = await listReports(w, 'luo.xin', { limit: '1', cursor: page1.body.cursor });
    const organiser = await listReports(w, 'zhou.hong', { side: 'addressed' });
    const huang = await listReports(w, 'huang.wei');
    const bad = await listReports(w, 'luo.xin', { cursor: 'SHAREAPPS#BY#440000-WR' });

    // assess
    expect(page1.body.items.map((r: { grantId: string }) => r.grantId)).toEqual([second.grantId]);
    expect(page1.body.items[0]).toMatchObject({ signed: false, grantStatus: 'awaitingSignature', status: 'overdue' });
    expect(typeof page1.body.cursor).toBe('string');
    expect(page2.body.items.map((r: { grantId: string }) => r.grantId)).toEqual([first.grantId]);
    expect(page2.body.items[0]).toMatchObject({ status: 'overdue', statusLabel: '逾期未交' });
    expect(page2.body.items[0].workingDaysLeft).toBeLessThan(0);
    expect(organiser.body.items.map((r: { grantId: string }) => r.grantId).sort()).toEqual([first.grantId, second.grantId, internal.grantId].sort());
    expect(huang.body.items.map((r: { grantId: string }) => r.grantId)).toEqual([internal.grantId]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain('query.cursor');
  });
});

const derivedBody = (grantId: string, sources: string[], name = '广州市水域岸线专题图') => ({ name, description: '以共享成果为底图编制的专题图，拟在市政府网站公开', processing: '叠加水域图层、综合概括至 1:50000', grantId, sources });

describe('R18.2 GET /sharing/derived-products: my products with each source’s review, and those addressed to the sources’ organiser', () => {
  it('黄伟 lists his products newest first with each review’s status; 陈静’s organisation sees them as addressed; another organisation sees none; the cursor pages', async () => {
    // prepare
    const w = await setup();
    const grant = await signedGrant(w, [w.numbers.public, w.numbers.internal], 'huang.wei');
    const a = (await call(registerDerivedHandler.with(w.ports), 'POST', '/sharing/derived-products', { user: 'huang.wei', body: derivedBody(grant.grantId, [w.numbers.internal], '专题图甲') })).body.product;
    w.world.setNow('2026-09-22T03:00:00.000Z');
    const b = (await call(registerDerivedHandler.with(w.ports), 'POST', '/sharing/derived-products', { user: 'huang.wei', body: derivedBody(grant.grantId, [w.numbers.public], '专题图乙') })).body.product;
    await recordDerivedReview(w.ports, { productId: a.productId, organiserOrg: '440000-NR', approval: { ...approve(), reasons: '已脱密处理，同意发布' }, requestId: 'r1' });

    // act
    const mine = await listDerived(w, 'huang.wei');
    const addressed = await listDerived(w, 'chen.jing', { side: 'addressed' });
    const page1 = await listDerived(w, 'huang.wei', { limit: '1' });
    const page2 = await listDerived(w, 'huang.wei', { limit: '1', cursor: page1.body.cursor });
    const stranger = await listDerived(w, 'luo.xin');
    const strangerAddressed = await listDerived(w, 'luo.xin', { side: 'addressed' });

    // assess
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['专题图乙', 'publishable'],
      ['专题图甲', 'publishable'],
    ]);
    expect(mine.body.items[0].reviews).toEqual([expect.objectContaining({ organiserOrg: '440000-NR', status: 'notRequired' })]);
    expect(mine.body.items[1].reviews).toEqual([expect.objectContaining({ organiserOrg: '440000-NR', status: 'approved', decision: expect.objectContaining({ reasons: '已脱密处理，同意发布' }) })]);
    expect(addressed.body.items.map((p: { productId: string }) => p.productId)).toEqual([b.productId, a.productId]);
    expect(page1.body.items.map((p: { productId: string }) => p.productId)).toEqual([b.productId]);
    expect(page2.body.items.map((p: { productId: string }) => p.productId)).toEqual([a.productId]);
    expect(stranger.body.items).toEqual([]);
    expect(strangerAddressed.body.items).toEqual([]);
  });
});
