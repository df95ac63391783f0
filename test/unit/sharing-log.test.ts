import { describe, expect, it } from 'vitest';
import { handler as applyHandler } from '#functions/sharing/apply-for-sharing.ts';
import { handler as downloadHandler } from '#functions/sharing/download-shared-file.ts';
import { handler as getGrantHandler } from '#functions/sharing/get-sharing-grant.ts';
import { handler as manifestHandler } from '#functions/sharing/get-sharing-manifest.ts';
import { handler as signHandler } from '#functions/sharing/sign-sharing-agreement.ts';
import { handler as usageHandler } from '#functions/sharing/get-sharing-usage.ts';
import { grantAccess } from '#shared/sharing/sharing.ts';
import { FakeSharingDocuments } from './sharing-fakes.ts';
import { call } from './submission-fakes.ts';
import { sharingWorld } from './sharing-world.ts';

const body = (resultNumber: string) => ({
  results: [{ resultNumber }],
  purpose: '编制全省水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period: { from: '2026-09-22', to: '2027-03-31' },
  contact: { name: '罗欣', phone: '020-83331234' },
});

describe('R16.1 the sharing log: every call on a grant writes one line (who, what, when, from where, purpose reference); only downloads are counted', () => {
  it('a view, the manifest and the signature each write one line; a download writes its own line and counter, no second line; a refused call writes none', async () => {
    // prepare
    const w = await sharingWorld({ name: '日志测试成果', idPrefix: '6d', documents: new FakeSharingDocuments() });
    const applied = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user: 'luo.xin', body: body(w.numbers.public) });
    const applicationId = applied.body.application.applicationId as string;
    const grant = await grantAccess(w.ports, { applicationId, organiserOrg: '440000-NR', approval: { taskId: 'T'.repeat(22), decision: 'approve', reasons: '', decidedBy: 'chen.jing', decidedAt: '2026-09-21T06:00:00.000Z' }, requestId: 'grant' });
    const path = `/sharing/grants/${grant.grantId}`;
    const pp = { grantId: grant.grantId };

    // act
    const view = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp, requestId: 'r-view' });
    await call(signHandler.with(w.ports), 'POST', `${path}/agreement/signature`, { user: 'luo.xin', pathParameters: pp, body: { sha256: view.body.agreement.sha256 }, requestId: 'r-sign' });
    w.world.setNow('2026-09-25T02:00:00.000Z');
    await call(manifestHandler.with(w.ports), 'GET', `${path}/manifest`, { user: 'luo.xin', pathParameters: pp, requestId: 'r-manifest' });
    const custodianView = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'zhang.wei', pathParameters: pp, requestId: 'r-custodian' });
    const download = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/1`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: '1' }, requestId: 'r-download' });
    const otherOrg = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'huang.wei', pathParameters: pp, requestId: 'r-other' });
    const otherManifest = await call(manifestHandler.with(w.ports), 'GET', `${path}/manifest`, { user: 'huang.wei', pathParameters: pp, requestId: 'r-other-m' });
    const usage = await call(usageHandler.with(w.ports), 'GET', `/sharing/usage/${w.numbers.public}`, { user: 'zhang.wei', pathParameters: { resultNumber: w.numbers.public } });

    // assess
    expect([view.status, custodianView.status, download.status, otherOrg.status, otherManifest.status]).toEqual([200, 200, 302, 404, 404]);
    const line = { grantId: grant.grantId, applicationId, purpose: '编制全省水资源综合规划，需叠加土地利用现状', sourceIp: 'unknown' };
    expect(w.ports.log.lines).toEqual([
      { ...line, call: 'view', userId: 'luo.xin', orgCode: '440000-WR', requestId: 'r-view', at: '2026-09-21T02:00:00.000Z' },
      { ...line, call: 'agreement.sign', userId: 'luo.xin', orgCode: '440000-WR', requestId: 'r-sign', at: '2026-09-21T02:00:00.000Z' },
      { ...line, call: 'manifest', userId: 'luo.xin', orgCode: '440000-WR', requestId: 'r-manifest', at: '2026-09-25T02:00:00.000Z' },
      { ...line, call: 'view', userId: 'zhang.wei', orgCode: '440000-CUS', requestId: 'r-custodian', at: '2026-09-25T02:00:00.000Z' },
    ]);
    // The download's line is the store's (with the counter, in one transaction), not a second line here.
    expect(w.sharing.log.map((l) => [l.requestId, l.path])).toEqual([['r-download', 'data/landuse.gpkg']]);
    expect(usage.body.usage.rows).toEqual([{ resultNumber: w.numbers.public, requesterOrg: '440000-WR', month: '2026-09', downloads: 1, bytes: w.files['data/landuse.gpkg'].length, distinctUsers: 1 }]);
  });
});
