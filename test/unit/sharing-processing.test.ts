import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as applyHandler } from '#functions/sharing/apply-for-sharing.ts';
import { handler as acceptHandler } from '#functions/sharing/accept-sharing-processing.ts';
import { handler as deliverHandler } from '#functions/sharing/deliver-sharing-processing.ts';
import { handler as downloadHandler } from '#functions/sharing/download-shared-file.ts';
import { handler as getGrantHandler } from '#functions/sharing/get-sharing-grant.ts';
import { handler as manifestHandler } from '#functions/sharing/get-sharing-manifest.ts';
import { handler as proposeHandler } from '#functions/sharing/propose-sharing-processing.ts';
import { handler as signHandler } from '#functions/sharing/sign-sharing-agreement.ts';
import { handler as uploadHandler } from '#functions/sharing/request-processing-upload.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { grantAccess, type SharingDecision } from '#shared/sharing/sharing.ts';
import { clockType } from '#shared/supervision/clock-types.ts';
import { FakeSharingDocuments } from './sharing-fakes.ts';
import { call } from './submission-fakes.ts';
import { sharingWorld } from './sharing-world.ts';

/** The world's clock: 2026-09-21 (China). */
const period = { from: '2026-09-22', to: '2027-03-31' };
const processing = { kinds: ['clip', 'convert'], spec: '按广州市从化区行政界线裁切，转换为 Shapefile，只要地类图斑图层' };
const body = (resultNumbers: string[], extra: Record<string, unknown> = {}) => ({
  results: resultNumbers.map((resultNumber) => ({ resultNumber })),
  purpose: '编制从化区水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period,
  contact: { name: '罗欣', phone: '020-83331234' },
  processing,
  ...extra,
});
const approve = (consent?: 'consent' | 'refuse'): SharingDecision => ({
  taskId: 'T'.repeat(22),
  decision: 'approve',
  reasons: '',
  decidedBy: 'chen.jing',
  decidedAt: '2026-09-21T06:00:00.000Z',
  ...(consent ? { conditions: { processing: consent } } : {}),
});

const setup = () => sharingWorld({ name: '加工测试成果', idPrefix: '7c', documents: new FakeSharingDocuments() });
type World = Awaited<ReturnType<typeof setup>>;

async function appliedAndGranted(w: World, consent: 'consent' | 'refuse' = 'consent') {
  const res = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user: 'luo.xin', body: body([w.numbers.public]) });
  expect(res.status).toBe(201);
  const applicationId = res.body.application.applicationId as string;
  const grant = await grantAccess(w.ports, { applicationId, organiserOrg: '440000-NR', approval: approve(consent), requestId: 'grant' });
  const path = `/sharing/grants/${grant.grantId}`;
  const pp = { grantId: grant.grantId };
  const agreement = await call(getGrantHandler.with(w.ports), 'GET', path, { user: 'luo.xin', pathParameters: pp });
  expect((await call(signHandler.with(w.ports), 'POST', `${path}/agreement/signature`, { user: 'luo.xin', pathParameters: pp, body: { sha256: agreement.body.agreement.sha256 } })).status).toBe(200);
  return { applicationId, grant, path, pp };
}

const product = new TextEncoder().encode('从化区地类图斑（裁切、转换后的 Shapefile 压缩包）');
const productSha = createHash('sha256').update(product).digest('hex');

describe('R13.1 processing on request: asked in the application, consented explicitly by the organiser', () => {
  it('stores the processing asked for on the application, shows it to the organiser, and needs an explicit consent or refusal with an approval', async () => {
    // prepare
    const w = await setup();
    const res = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user: 'luo.xin', body: body([w.numbers.public]) });
    const applicationId = res.body.application.applicationId as string;
    const plain = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user: 'luo.xin', body: body([w.numbers.public], { processing: undefined }) });
    const kind = sharingReviewKind({ catalogue: w.cat.store, sharing: w.sharing, identity: w.world.identity });
    const task = (id: string) => ({ subject: { applicationId: id, organiserOrg: '440000-NR' } }) as never;
    const fieldOf = (p: Promise<void> | undefined) => Promise.resolve(p).then(() => 'ok', (e: { details?: Array<{ field: string; code: string }> }) => e.details?.map((d) => `${d.field}:${d.code}`).join(','));

    // act
    const described = await kind.describe({ applicationId, organiserOrg: '440000-NR' });
    const summary = (await kind.summary(task(applicationId))) as { application: { processing?: { kindLabels: string; spec: string } } };
    const withoutAnswer = await fieldOf(kind.checkDecision?.(task(applicationId), { decision: 'approve', reasons: '' }));
    const consented = await fieldOf(kind.checkDecision?.(task(applicationId), { decision: 'approve', reasons: '', conditions: { processing: 'consent' } }));
    const refused = await fieldOf(kind.checkDecision?.(task(applicationId), { decision: 'approve', reasons: '', conditions: { processing: 'refuse' } }));
    const rejectedWhole = await fieldOf(kind.checkDecision?.(task(applicationId), { decision: 'return', reasons: '数据范围过大' }));
    const notAsked = await fieldOf(kind.checkDecision?.(task(plain.body.application.applicationId), { decision: 'approve', reasons: '', conditions: { processing: 'consent' } }));

    // assess
    expect(res.status).toBe(201);
    expect(res.body.application.processing).toEqual({ kinds: ['clip', 'convert'], kindLabels: '裁切、格式转换', spec: processing.spec });
    expect(res.body.application.timeline.map((e: { type: string }) => e.type)).toContain('processingRequested');
    expect(described.details.join('\n')).toContain('申请加工：裁切、格式转换');
    expect(summary.application.processing).toEqual({ kindLabels: '裁切、格式转换', spec: processing.spec });
    expect([withoutAnswer, consented, refused, rejectedWhole, notAsked]).toEqual(['body.conditions.processing:REQUIRED', 'ok', 'ok', 'ok', 'body.conditions.processing:NOT_ASKED']);
  });

  it('refuses bad processing input with a 400 naming the field and stores nothing', async () => {
    // prepare
    const w = await setup();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ processing: { kinds: ['rotate'], spec: processing.spec } }, 'body.processing.kinds.0'],
      [{ processing: { kinds: [], spec: processing.spec } }, 'body.processing.kinds'],
      [{ processing: { kinds: ['clip'], spec: '短' } }, 'body.processing.spec'],
      [{ channel: 'offline', offlineReason: '内网环境无法访问互联网下载' }, 'body.processing'],
    ];

    // act
    const answers = [];
    for (const [extra] of cases) answers.push(await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user: 'luo.xin', body: body([w.numbers.public], extra) }));

    // assess
    expect(answers.map((a) => a.status)).toEqual(cases.map(() => 400));
    answers.forEach((a, i) => expect(a.body.error.details.map((d: { field: string }) => d.field), `case ${i}`).toContain(cases[i]![1]));
    expect(w.sharing.apps.size).toBe(0);
  });

  it('a refused processing grants the plain data: no processing on the grant, the refusal on the timeline and in the email; proposing is 409', async () => {
    // prepare
    const w = await setup();

    // act
    const { applicationId, path, pp } = await appliedAndGranted(w, 'refuse');
    const propose = await call(proposeHandler.with(w.ports), 'POST', `${path}/processing/proposal`, { user: 'zhang.wei', pathParameters: pp, body: { what: '从化区裁切成果', doneBy: '保管单位数据处', due: '2026-10-30' } });

    // assess
    expect(w.sharing.grants.get(pp.grantId)!.processing).toBeUndefined();
    expect(w.sharing.apps.get(applicationId)!.timeline.map((e) => e.type)).toContain('processingRefused');
    expect(w.mailer.sent[0]!.text).toContain('组织单位不同意按需加工（R13.1），只提供原始数据');
    expect(propose.status).toBe(409);
    expect(propose.body.error.code).toBe('NO_PROCESSING');
  });
});

describe('R13.1 processing agreed in the system and delivered as a release to the requester', () => {
  it('custodian proposes, requester accepts (clock started), custodian uploads and delivers: the product is a grant file with its SHA-256, downloadable through the 302 and in the BagIt manifest; the clock met; Chinese emails at each step', async () => {
    // prepare
    const w = await setup();
    const docs = w.documents;
    const { applicationId, grant, path, pp } = await appliedAndGranted(w);
    const before = w.mailer.sent.length;

    // act
    const proposed = await call(proposeHandler.with(w.ports), 'POST', `${path}/processing/proposal`, { user: 'zhang.wei', pathParameters: pp, body: { what: '从化区地类图斑，Shapefile，约 50 MB', doneBy: '广东省国土资源技术中心数据处 张伟', due: '2026-10-30' } });
    const accepted = await call(acceptHandler.with(w.ports), 'POST', `${path}/processing/acceptance`, { user: 'luo.xin', pathParameters: pp });
    const upload = await call(uploadHandler.with(w.ports), 'POST', `${path}/processing/upload`, { user: 'zhang.wei', pathParameters: pp, body: { name: 'conghua-landuse.zip', sha256: productSha, size: product.byteLength, contentType: 'application/zip' } });
    docs.upload(docs.presigned[0]!.key, product);
    const delivered = await call(deliverHandler.with(w.ports), 'POST', `${path}/processing/delivery`, { user: 'zhang.wei', pathParameters: pp });
    const fileNo = delivered.body.grant.processing.delivery.fileNo as number;
    w.world.setNow('2026-09-25T02:00:00.000Z');
    const download = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/${fileNo}`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: String(fileNo) } });
    const manifest = await call(manifestHandler.with(w.ports), 'GET', `${path}/manifest`, { user: 'luo.xin', pathParameters: pp });
    const notice = await call(downloadHandler.with(w.ports), 'GET', `${path}/files/${fileNo + 1}`, { user: 'luo.xin', pathParameters: { ...pp, fileNo: String(fileNo + 1) } });

    // assess
    expect([proposed.status, accepted.status, upload.status, delivered.status]).toEqual([200, 200, 200, 200]);
    expect(grant.processing).toMatchObject({ status: 'consented', consent: { by: 'chen.jing' }, kinds: ['clip', 'convert'] });
    expect(proposed.body.grant.processing).toMatchObject({ status: 'proposed', proposal: { due: '2026-10-30', by: 'zhang.wei', org: '440000-CUS' }, free: true });
    expect(accepted.body.grant.processing).toMatchObject({ status: 'agreed', acceptance: { by: 'luo.xin' } });
    expect(upload.body.upload).toMatchObject({ method: 'PUT', headers: { 'if-none-match': '*' } });
    expect(docs.presigned[0]).toEqual({ key: `sharing/${applicationId}/processing/${pp.grantId}/${productSha}/conghua-landuse.zip`, sha256: productSha, size: product.byteLength, contentType: 'application/zip' });
    expect(delivered.body.grant.processing).toMatchObject({ status: 'delivered', delivery: { by: 'zhang.wei' } });
    expect(delivered.body.grant.files.at(-1)).toEqual({ fileNo, resultNumber: w.numbers.public, path: '加工成果/conghua-landuse.zip', size: product.byteLength, sha256: productSha, processed: true });
    expect(download.status).toBe(302);
    expect(download.headers.location).toContain(`https://documents.example/sharing/${applicationId}/processing/`);
    expect(w.sharing.log.at(-2)).toMatchObject({ path: '加工成果/conghua-landuse.zip', size: product.byteLength, userId: 'luo.xin' });
    expect(manifest.body).toContain(`${productSha}  data/${w.numbers.public}/加工成果/conghua-landuse.zip\n`);
    // The 用途声明 keeps being the last number.
    expect(notice.status).toBe(302);
    expect(w.sharing.log.at(-1)).toMatchObject({ path: '用途声明.txt' });
    // Audited, on the timeline; the clock started at acceptance on the agreed date and met at delivery.
    expect(w.sharing.audits.map((a) => a.action).filter((a) => a.startsWith('sharing.processing'))).toEqual(['sharing.processing.propose', 'sharing.processing.accept', 'sharing.processing.upload', 'sharing.processing.deliver']);
    expect(w.sharing.audits.find((a) => a.action === 'sharing.processing.accept')!.detail?.['supervision']).toMatchObject({ start: [{ type: 'R13.1', subject: pp.grantId, ownerOrg: '440000-CUS', start: '2026-09-21', due: '2026-10-30' }] });
    expect(w.sharing.audits.find((a) => a.action === 'sharing.processing.deliver')!.detail?.['supervision']).toMatchObject({ meet: [{ type: 'R13.1', subject: pp.grantId }] });
    expect(clockType('R13.1')).toMatchObject({ context: 'sharing', ownerRoles: ['custodian'] });
    expect(w.sharing.apps.get(applicationId)!.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['processingConsented', 'processingProposed', 'processingAgreed', 'processingUploadRequested', 'processingDelivered']));
    const mails = w.mailer.sent.slice(before);
    expect(mails.map((m) => [m.to, m.subject])).toEqual([
      [['luo.xin@example.gov.cn'], `【按需加工方案待确认】${pp.grantId}`],
      [['zhang.wei@example.gov.cn'], `【按需加工方案已确认】${pp.grantId}`],
      [['luo.xin@example.gov.cn'], `【加工成果已交付】${pp.grantId}`],
    ]);
    expect(mails[2]!.text).toContain(productSha);
    // Each step's email links the console's grant page (its 按需加工 panel); no API recipe.
    for (const m of mails) {
      expect(m.text).toContain(`https://chengguo.example.gov.cn/console/sharing/grants/${pp.grantId}`);
      expect(m.text).not.toMatch(/GET \/|POST \/|POST …/);
    }
    expect(mails[0]!.text).toContain('保管单位广东省自然资源技术中心（440000-CUS）为共享授权');
    expect(mails[1]!.text).toContain('申请单位广东省水利厅（440000-WR）的 ');
    expect(JSON.stringify(delivered.body)).not.toMatch(/fee|price|费用金额/);
  });

  it('refuses the wrong people and the wrong order: another organisation (黄伟, a requester of 广州市) 404, the requester proposing or the custodian accepting 403, accepting without a proposal or delivering before agreement 409, a due date after the period 400 naming body.due, bytes unlike the declaration 409', async () => {
    // prepare
    const w = await setup();
    const docs = w.documents;
    const { path, pp } = await appliedAndGranted(w);
    const proposal = { what: '从化区地类图斑，Shapefile', doneBy: '数据处', due: '2026-10-30' };
    const handlers = { proposal: proposeHandler, acceptance: acceptHandler, upload: uploadHandler, delivery: deliverHandler };
    const post = (suffix: keyof typeof handlers, user: string, b?: unknown) => call(handlers[suffix].with(w.ports), 'POST', `${path}/processing/${suffix}`, { user, pathParameters: pp, ...(b ? { body: b } : {}) });

    // act
    const otherOrg = await post('acceptance', 'huang.wei');
    const requesterProposes = await post('proposal', 'luo.xin', proposal);
    const acceptEarly = await post('acceptance', 'luo.xin');
    const uploadEarly = await post('upload', 'zhang.wei', { name: 'a.zip', sha256: productSha, size: product.byteLength });
    const lateDue = await post('proposal', 'zhang.wei', { ...proposal, due: '2027-06-30' });
    const badDate = await post('proposal', 'zhang.wei', { ...proposal, due: '30/10/2026' });
    await post('proposal', 'zhang.wei', proposal);
    const custodianAccepts = await post('acceptance', 'zhang.wei');
    await post('acceptance', 'luo.xin');
    const deliverBeforeUpload = await post('delivery', 'zhang.wei');
    await post('upload', 'zhang.wei', { name: 'a.zip', sha256: productSha, size: product.byteLength });
    const notUploaded = await post('delivery', 'zhang.wei');
    docs.upload(docs.presigned[0]!.key, new TextEncoder().encode('other bytes'));
    const mismatch = await post('delivery', 'zhang.wei');
    const badSha = await post('upload', 'zhang.wei', { name: 'a.zip', sha256: 'xyz', size: 1 });
    const badName = await post('upload', 'zhang.wei', { name: '../a.zip', sha256: productSha, size: 1 });

    // assess
    expect([otherOrg.status, requesterProposes.status, acceptEarly.status, uploadEarly.status]).toEqual([404, 403, 409, 409]);
    expect([acceptEarly.body.error.code, uploadEarly.body.error.code]).toEqual(['NO_PROPOSAL', 'NOT_AGREED']);
    expect([lateDue.status, badDate.status]).toEqual([400, 400]);
    expect(lateDue.body.error.details[0].field).toBe('body.due');
    expect(badDate.body.error.details[0].field).toBe('body.due');
    expect(custodianAccepts.status).toBe(403);
    expect([deliverBeforeUpload.body.error.code, notUploaded.body.error.code, mismatch.body.error.code]).toEqual(['NO_UPLOAD', 'NOT_UPLOADED', 'CHECKSUM_MISMATCH']);
    expect([badSha.status, badName.status]).toEqual([400, 400]);
    expect(badSha.body.error.details[0].field).toBe('body.sha256');
    expect(badName.body.error.details[0].field).toBe('body.name');
    // Nothing delivered: the grant's files are the approved ones only.
    expect(w.sharing.grants.get(pp.grantId)!.files.some((f) => f.bucket === 'documents')).toBe(false);
    expect(w.sharing.grants.get(pp.grantId)!.processing!.status).toBe('agreed');
  });
});
