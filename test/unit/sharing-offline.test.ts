import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as applyHandler } from '#functions/sharing/apply-for-sharing.ts';
import { handler as getApplicationHandler } from '#functions/sharing/get-sharing-application.ts';
import { handler as documentHandler } from '#functions/sharing/get-sharing-document.ts';
import { handler as handoverHandler } from '#functions/sharing/record-sharing-handover.ts';
import { handler as scanHandler } from '#functions/sharing/request-confidentiality-scan.ts';
import { approveOffline, approveReview, isMaskedIdNumber } from '#shared/sharing/offline.ts';
import { grantAccess, rejectSharing, sha256Hex, type SharingApplication, type SharingDecision } from '#shared/sharing/sharing.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { clearanceAllows } from '#shared/reference/classifications.ts';
import { seedUsers } from '#infra/local/seed.ts';
import { FakeSharingDocuments } from './sharing-fakes.ts';
import { call } from './submission-fakes.ts';
import { sharingWorld } from './sharing-world.ts';

/** The world's clock: 2026-09-21 (China). */
const period = { from: '2026-09-22', to: '2027-03-31' };
const offlineBody = (resultNumbers: string[], extra: Record<string, unknown> = {}) => ({
  results: resultNumbers.map((resultNumber) => ({ resultNumber })),
  purpose: '编制全省水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period,
  contact: { name: '罗欣', phone: '020-83331234' },
  channel: 'offline',
  offlineReason: '处内网络与互联网物理隔离，只能以光盘接收',
  ...extra,
});
const approve = (extra: Partial<SharingDecision> = {}): SharingDecision => ({ taskId: 'T'.repeat(22), decision: 'approve', reasons: '同意离线提供', decidedBy: 'chen.jing', decidedAt: '2026-09-21T06:00:00.000Z', ...extra });
const collector = { name: '罗欣', organisation: '广东省水利厅', idType: 'residentIdCard', idNumberMasked: '4401**********1234' };
const fullId = '440104199001011234';
const hashBytes = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const setup = () => sharingWorld({ name: '离线共享测试成果', idPrefix: '5b', documents: new FakeSharingDocuments() });
type World = Awaited<ReturnType<typeof setup>>;

const apply = async (w: World, b: unknown, user = 'luo.xin') => {
  const res = await call(applyHandler.with(w.ports), 'POST', '/sharing/applications', { user, body: b });
  expect(res.status).toBe(201);
  return res.body.application as { applicationId: string };
};
const view = async (w: World, applicationId: string, user = 'luo.xin') =>
  (await call(getApplicationHandler.with(w.ports), 'GET', `/sharing/applications/${applicationId}`, { user, pathParameters: { applicationId } })).body.application;
const handover = (w: World, applicationId: string, body: unknown, user = 'zhang.wei') =>
  call(handoverHandler.with(w.ports), 'POST', `/sharing/applications/${applicationId}/handover`, { user, pathParameters: { applicationId }, body });
const document = (w: World, applicationId: string, docId: string, user: string) =>
  call(documentHandler.with(w.ports), 'GET', `/sharing/applications/${applicationId}/documents/${docId}`, { user, pathParameters: { applicationId, docId } });
const publicFiles = (w: World, number: string) => Object.entries(w.files).map(([path, content]) => ({ resultNumber: number, path, sha256: sha256Hex(content) }));
const handoverBody = (files: unknown, extra: Record<string, unknown> = {}) => ({ collector, date: '2026-09-21', media: { type: 'opticalDisc', serial: 'GD-WR-2026-017' }, files, ...extra });

describe('R14.1 R15.1 offline applications go to the organiser’s SharingReview', () => {
  it('an offline application is reviewed like an online one: one SharingReview per organiser, the R15.1 clock started', async () => {
    const w = await setup();

    const app = await apply(w, offlineBody([w.numbers.public]));

    const v = await view(w, app.applicationId);
    expect(v).toMatchObject({ channel: 'offline', status: 'reviewing', reviews: [{ organiserOrg: '440000-NR', status: 'pending' }] });
    expect(v.timeline.map((e: { type: string }) => e.type)).toEqual(['submitted', 'offlineRecorded', 'reviewOpened']);
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'SharingReview')).toEqual([
      { stateMachine: 'SharingReview', name: `${app.applicationId}-440000-NR`, input: { applicationId: app.applicationId, organiserOrg: '440000-NR' } },
    ]);
    expect((w.sharing.audits[0]!.detail?.['supervision'] as { start: Array<{ type: string }> }).start.map((s) => s.type)).toEqual(['R15.1']);
    const kind = sharingReviewKind({ catalogue: w.cat.store, sharing: w.sharing, identity: w.world.identity });
    expect((await kind.describe({ applicationId: app.applicationId, organiserOrg: '440000-NR' })).details.join('\n')).toContain('出具审批函');
  });

  it('the online Grant Access refuses an offline application: no grant is ever made for it', async () => {
    const w = await setup();
    const app = await apply(w, offlineBody([w.numbers.public]));

    await expect(grantAccess(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'g' })).rejects.toMatchObject({ code: 'OFFLINE_CHANNEL' });
    expect(w.sharing.grants.size).toBe(0);
  });
});

describe('R16.2 同意共享 offline: the approval letter (copied to the custodian) or task order, stored write-once, listed, emailed', () => {
  it('issues the 审批函 as printable A4 HTML with a document number, stores it once, lists it on the application and emails the requester and the custodian', async () => {
    const w = await setup();
    const app = await apply(w, offlineBody([w.numbers.public], { purpose: '编制<script>alert(1)</script>水资源规划' }));

    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => approveReview(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' })));

    expect(outcomes.map((o) => o.status)).toEqual(Array(20).fill('fulfilled'));
    expect(outcomes[0]).toMatchObject({ value: { grantId: null, files: 2, documents: ['approval-letter-440000-NR'] } });
    expect(w.sharing.grants.size).toBe(0);
    expect(w.sharing.audits.filter((a) => a.action === 'sharing.review.approveOffline')).toHaveLength(1);
    const v = await view(w, app.applicationId);
    expect(v.status).toBe('awaitingHandover');
    const doc = v.reviews[0].offline.documents[0];
    expect(doc).toMatchObject({ docId: 'approval-letter-440000-NR', kind: 'approvalLetter', kindLabel: '审批函', addressedTo: '440000-WR', copiedTo: ['440000-CUS'], href: `/sharing/applications/${app.applicationId}/documents/approval-letter-440000-NR` });
    expect(doc.number).toMatch(/^440000-NR〔2026〕共享审批函第 5B000000 号$/);
    expect(v.reviews[0].offline).toMatchObject({ confidentialityRequired: false, fileCount: 2, handovers: [] });
    expect([...w.documents.objects.keys()]).toEqual([`sharing/${app.applicationId}/approval-letter-440000-NR.html`]);
    expect(v.timeline.map((e: { type: string }) => e.type)).toEqual(['submitted', 'offlineRecorded', 'reviewOpened', 'approved', 'documentIssued', 'handoverOpened']);
    // The clocks: R15.1 met, the R17.1 hand-over clock started for the custodian.
    const effects = w.sharing.audits.find((a) => a.action === 'sharing.review.approveOffline')!.detail?.['supervision'] as { meet: unknown; start: Array<Record<string, unknown>> };
    expect(effects.meet).toEqual([{ type: 'R15.1', subject: `${app.applicationId}#440000-NR` }]);
    expect(effects.start).toEqual([expect.objectContaining({ type: 'R17.1', subject: `${app.applicationId}#440000-NR#440000-CUS`, ownerOrg: '440000-CUS', start: '2026-09-21', due: (await w.ports.calendar()).deadline('2026-09-21', 10).due })]);

    const got = await document(w, app.applicationId, doc.docId, 'luo.xin');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = got.body as string;
    expect(sha256Hex(html)).toBe(doc.sha256);
    for (const part of ['成果离线共享审批函', doc.number, '@page { size: A4', '@media print', '抄送：', '广东省水利厅', w.numbers.public, sha256Hex(w.files['data/landuse.gpkg']), '不收取任何费用', '2026-09-22 至 2027-03-31']) expect(html).toContain(part);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');

    const toRequester = w.mailer.sent.filter((m) => m.to.includes('luo.xin@example.gov.cn'));
    const toCustodian = w.mailer.sent.filter((m) => m.to.includes('zhang.wei@example.gov.cn'));
    expect(toRequester).toHaveLength(1);
    expect(toCustodian).toHaveLength(1);
    expect(toCustodian[0]!.subject).toContain(doc.number);
    // The emails link the console's application page (the offline chain: documents, scan, handover), never an API route.
    const page = `https://chengguo.example.gov.cn/console/sharing/applications/${app.applicationId}`;
    for (const m of [...toRequester, ...toCustodian]) {
      expect(m.text).toContain(page);
      expect(m.text).toContain(`审批函 ${doc.number}`);
      expect(m.text).toContain('广东省自然资源厅（440000-NR）');
      for (const api of ['GET /', 'POST /', '/documents/', '/handover']) expect(m.text).not.toContain(api);
    }
    expect(toCustodian[0]!.text).toContain('在同一页面登记存储介质和写入介质的每个文件的 SHA-256');
  });

  it('write-once: a document already stored by an earlier attempt is kept, never rewritten, and its own SHA-256 recorded', async () => {
    const w = await setup();
    const app = await apply(w, offlineBody([w.numbers.public]));
    const key = `sharing/${app.applicationId}/approval-letter-440000-NR.html`;
    w.documents.objects.set(key, new TextEncoder().encode('<html>earlier attempt</html>'));

    await approveOffline(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' });

    expect(new TextDecoder().decode(w.documents.objects.get(key))).toBe('<html>earlier attempt</html>');
    expect((await view(w, app.applicationId)).reviews[0].offline.documents[0].sha256).toBe(sha256Hex('<html>earlier attempt</html>'));
  });

  it('a 任务单 (task order) when the organiser keeps the results itself, addressed to its custody office', async () => {
    const w = await setup();
    const app: SharingApplication = {
      applicationId: '5b000000-0000-4000-8000-00000000beef',
      requesterOrg: '440000-WR',
      requestedBy: 'luo.xin',
      requestedAt: '2026-09-21T01:00:00.000Z',
      items: [{ resultNumber: w.numbers.public, organiserOrg: '440000-NR', custodianOrg: '440000-NR', classification: 'public' }],
      purpose: '编制全省水资源综合规划',
      scope: '规划计划处',
      period,
      contact: { name: '罗欣', phone: '020-83331234' },
      channel: 'offline',
      offlineReason: '只能以光盘接收',
      users: ['luo.xin'],
      reviews: [{ organiserOrg: '440000-NR', resultNumbers: [w.numbers.public], status: 'pending' }],
      status: 'reviewing',
      timeline: [],
      version: 1,
    };
    await w.sharing.createApplication(app, { actor: 'luo.xin', orgCode: '440000-WR', action: 'test', target: 'x', outcome: 'success', requestId: 't' });

    const offline = await approveOffline(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' });

    expect(offline.documents.map((d) => [d.docId, d.kind, d.addressedTo])).toEqual([['task-order-440000-NR', 'taskOrder', '440000-NR']]);
    const html = new TextDecoder().decode(w.documents.objects.get(offline.documents[0]!.key));
    expect(html).toContain('成果离线共享任务单');
    expect(html).toContain(offline.documents[0]!.number);
  });

  it('不予共享 of an offline application: the reasons emailed, no document', async () => {
    const w = await setup();
    const app = await apply(w, offlineBody([w.numbers.public]));

    await rejectSharing(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve({ decision: 'return', reasons: '离线原因不充分，请改为在线申请' }), requestId: 'r' });

    expect((await view(w, app.applicationId)).status).toBe('decided');
    expect(w.documents.objects.size).toBe(0);
    expect(w.mailer.sent.find((m) => m.to.includes('luo.xin@example.gov.cn'))?.text).toContain('离线原因不充分');
  });

  it('R3.1 R5.1: a document is read by the requester organisation, the organiser and the custodian within its classification; everyone else 404', async () => {
    const w = await setup();
    const pub = await apply(w, offlineBody([w.numbers.public]));
    const internal = await apply(w, offlineBody([w.numbers.internal]), 'huang.wei');
    for (const a of [pub, internal]) await approveReview(w.ports, { applicationId: a.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' });
    const mismatches: string[] = [];

    for (const [a, requesterOrg, classification] of [[pub, '440000-WR', 'public'], [internal, '440100-NR', 'internal']] as const) {
      for (const docId of ['approval-letter-440000-NR', ...(classification === 'internal' ? ['confidentiality-agreement-440000-NR'] : [])]) {
        for (const u of seedUsers) {
          const res = await document(w, a.applicationId, docId, u.userId);
          const want = [requesterOrg, '440000-NR', '440000-CUS'].includes(u.orgCode) && clearanceAllows(u.clearance, classification) ? 200 : 404;
          if (res.status !== want) mismatches.push(`${u.userId} ${docId} (${classification}): want ${want}, got ${res.status}`);
        }
      }
    }

    expect(mismatches).toEqual([]);
    expect((await document(w, pub.applicationId, 'task-order-440000-NR', 'luo.xin')).status).toBe(404);
  });
});

describe('R17.1 the custodian records the hand-over: collector with a masked ID, media, files checked against the custody manifest', () => {
  async function approvedPublic(w: World) {
    const app = await apply(w, offlineBody([w.numbers.public]));
    await approveReview(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' });
    return app.applicationId;
  }

  it('records the hand-over once: masked ID only, files as approved, the R17.1 clock met, 已离线交接', async () => {
    const w = await setup();
    const id = await approvedPublic(w);

    const res = await handover(w, id, handoverBody(publicFiles(w, w.numbers.public)));
    const again = await handover(w, id, handoverBody(publicFiles(w, w.numbers.public)));

    expect(res.status).toBe(200);
    const app = res.body.application;
    expect(app.status).toBe('handedOver');
    expect(app.reviews[0].offline.handovers).toEqual([
      expect.objectContaining({
        custodianOrg: '440000-CUS',
        recordedBy: 'zhang.wei',
        date: '2026-09-21',
        collector: { ...collector, idTypeLabel: '居民身份证' },
        media: { type: 'opticalDisc', typeLabel: '光盘', serial: 'GD-WR-2026-017' },
      }),
    ]);
    expect(app.reviews[0].offline.handovers[0].files.map((f: { path: string }) => f.path).sort()).toEqual(Object.keys(w.files).sort());
    expect(app.timeline.at(-1)).toMatchObject({ type: 'handedOver', by: 'zhang.wei' });
    expect(app.timeline.at(-1).note).toContain('4401**********1234');
    const audit = w.sharing.audits.find((a) => a.action === 'sharing.handover.record')!;
    expect(audit.detail?.['supervision']).toMatchObject({ meet: [{ type: 'R17.1', subject: `${id}#440000-NR#440000-CUS` }], count: [{ org: '440000-NR', metric: 'R17.handovers' }] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('HANDOVER_RECORDED');
  });

  it('bad input: 400 naming the field (an unmasked ID number is refused and never stored or echoed); nothing recorded', async () => {
    const w = await setup();
    const id = await approvedPublic(w);
    const files = publicFiles(w, w.numbers.public);
    const cases: Array<[unknown, string]> = [
      [handoverBody(files, { collector: { ...collector, idNumberMasked: fullId } }), 'body.collector.idNumberMasked'],
      [handoverBody(files, { date: '2026-09-30' }), 'body.date'],
      [handoverBody(files, { date: '2026-09-20' }), 'body.date'],
      [handoverBody(files, { media: { type: 'floppy', serial: 'x' } }), 'body.media.type'],
      [handoverBody(files, { media: { type: 'opticalDisc', serial: ' ' } }), 'body.media.serial'],
      [handoverBody([{ ...files[0], sha256: 'abc' }]), 'body.files.0.sha256'],
      [handoverBody(files, { collector: { ...collector, name: '' } }), 'body.collector.name'],
      [handoverBody([]), 'body.files'],
    ];

    const answers = [];
    for (const [b] of cases) answers.push(await handover(w, id, b));

    expect(answers.map((a) => a.status)).toEqual(cases.map(() => 400));
    answers.forEach((a, i) => expect(a.body.error.details.map((d: { field: string }) => d.field), `case ${i}`).toContain(cases[i]![1]));
    expect(JSON.stringify(answers[0]!.body)).not.toContain(fullId);
    expect(JSON.stringify([...w.sharing.apps.values()])).not.toContain(fullId);
    expect(JSON.stringify(w.sharing.audits)).not.toContain(fullId);
    expect(w.sharing.audits.filter((a) => a.action === 'sharing.handover.record')).toEqual([]);
  });

  it('a SHA-256 that differs from the custody manifest, a file not approved, an approved file missing → 409 naming the file', async () => {
    const w = await setup();
    const id = await approvedPublic(w);
    const files = publicFiles(w, w.numbers.public);

    const wrong = await handover(w, id, handoverBody([files[0], { ...files[1], sha256: sha256Hex('corrupted on the disc') }]));
    const extra = await handover(w, id, handoverBody([...files, { resultNumber: w.numbers.public, path: 'data/other.gpkg', sha256: sha256Hex('x') }]));
    const missing = await handover(w, id, handoverBody([files[0]]));

    expect([wrong.status, extra.status, missing.status]).toEqual([409, 409, 409]);
    expect(wrong.body.error).toMatchObject({ code: 'CHECKSUM_MISMATCH', details: [{ field: 'body.files[1].sha256' }] });
    expect(wrong.body.error.message).toContain(`${w.numbers.public}/doc/说明.pdf`);
    expect(extra.body.error.code).toBe('FILE_NOT_APPROVED');
    expect(extra.body.error.message).toContain('data/other.gpkg');
    expect(missing.body.error.code).toBe('FILE_MISSING');
    expect(missing.body.error.message).toContain('doc/说明.pdf');
    expect((await view(w, id)).reviews[0].offline.handovers).toEqual([]);
  });

  it('only the custodian records it: the organiser’s reviewer, the requester and another organisation’s reviewer 403 (role); before approval 409', async () => {
    const w = await setup();
    const pending = await apply(w, offlineBody([w.numbers.public]));
    const id = await approvedPublic(w);
    const body = handoverBody(publicFiles(w, w.numbers.public));

    const asReviewer = await handover(w, id, body, 'chen.jing');
    const asRequester = await handover(w, id, body, 'luo.xin');
    const other = await handover(w, id, body, 'lin.feng');
    const early = await handover(w, pending.applicationId, body);

    expect([asReviewer.status, asRequester.status, other.status, early.status]).toEqual([403, 403, 403, 409]);
    expect(early.body.error.code).toBe('NOT_APPROVED');
  });

  it('the masked-number rule', () => {
    expect(['4401**********1234', 'E1****678', '******', 'G12****89'].map(isMaskedIdNumber)).toEqual([true, true, true, true]);
    expect([fullId, '4401*************', 'E12345678', '4401199*0101123*', '440104-1990****'].map(isMaskedIdNumber)).toEqual([false, true, false, false, false]);
  });
});

describe('R17.1 classified results: the confidentiality agreement, its signed scan, and no hand-over without it', () => {
  async function approvedInternal(w: World) {
    const app = await apply(w, offlineBody([w.numbers.internal]), 'huang.wei');
    const out = await approveReview(w.ports, { applicationId: app.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' });
    return { id: app.applicationId, out };
  }
  const scan = (w: World, id: string, body: unknown, user = 'huang.wei') => call(scanHandler.with(w.ports), 'POST', `/sharing/applications/${id}/confidentiality-scan`, { user, pathParameters: { applicationId: id }, body });
  const internalFiles = (w: World) => [{ resultNumber: w.numbers.internal, path: 'data/water.gpkg', sha256: sha256Hex('internal-bytes') }];

  it('内部: the 保密协议 is generated with purpose and scope, classification, safekeeping and responsibilities, beside the letter', async () => {
    const w = await setup();

    const { id, out } = await approvedInternal(w);

    expect(out.documents).toEqual(['approval-letter-440000-NR', 'confidentiality-agreement-440000-NR']);
    const v = await view(w, id, 'huang.wei');
    expect(v.reviews[0].offline).toMatchObject({ confidentialityRequired: true, classificationLabel: '内部' });
    const res = await document(w, id, 'confidentiality-agreement-440000-NR', 'huang.wei');
    const html = res.body as string;
    for (const part of ['自然资源调查监测成果保密协议', '共享成果与密级', '最高密级为内部', '用途和使用范围', '编制全省水资源综合规划', '广东省水利厅规划计划处内部使用', '保管要求', '不得接入互联网', '双方责任', '甲方（盖章）', '乙方（盖章）', v.reviews[0].offline.documents[0].number]) expect(html).toContain(part);
    const toRequester = w.mailer.sent.find((m) => m.to.includes('huang.wei@example.gov.cn'))?.text ?? '';
    expect(toRequester).toContain('双方签字盖章后在同一页面上传签署扫描件');
    expect(toRequester).toContain(`/console/sharing/applications/${id}`);
    expect(toRequester).not.toMatch(/GET \/|POST \/|confidentiality-scan/);
  });

  it('hand-over refused (409) without the scan, with a declared scan not uploaded, with a scan whose bytes differ; accepted once the signed scan matches', async () => {
    const w = await setup();
    const { id } = await approvedInternal(w);
    const body = handoverBody(internalFiles(w), { collector: { ...collector, name: '黄伟', organisation: '广州市规划和自然资源局' } });
    const signed = new TextEncoder().encode('%PDF-1.7 signed confidentiality agreement scan');

    const noScan = await handover(w, id, body);
    const declared = await scan(w, id, { sha256: hashBytes(signed), size: signed.byteLength, contentType: 'application/pdf' });
    const notUploaded = await handover(w, id, body);
    const key = declared.body.key as string;
    w.documents.upload(key, new TextEncoder().encode('%PDF-1.7 another file'));
    const differs = await handover(w, id, body);
    w.documents.objects.delete(key);
    w.documents.upload(key, signed);
    const ok = await handover(w, id, body);

    expect(noScan.status).toBe(409);
    expect(noScan.body.error.code).toBe('CONFIDENTIALITY_SCAN_MISSING');
    expect(declared.status).toBe(200);
    expect(declared.body).toMatchObject({ organiserOrg: '440000-NR', upload: { headers: { 'if-none-match': '*' } } });
    expect(w.documents.presigned).toEqual([{ key, sha256: hashBytes(signed), size: signed.byteLength, contentType: 'application/pdf' }]);
    expect(key).toMatch(new RegExp(`^sharing/${id}/confidentiality-agreement-440000-NR-signed-[0-9a-f]{16}\\.pdf$`));
    expect(notUploaded.body.error.code).toBe('CONFIDENTIALITY_SCAN_MISSING');
    expect(differs.body.error.code).toBe('CONFIDENTIALITY_SCAN_MISMATCH');
    expect(ok.status).toBe(200);
    expect(ok.body.application.reviews[0].offline.scan).toMatchObject({ sha256: hashBytes(signed), verified: true });
    expect(ok.body.application.timeline.map((e: { type: string }) => e.type).slice(-3)).toEqual(['confidentialityScanDeclared', 'confidentialityScanVerified', 'handedOver']);
    expect(w.sharing.audits.map((a) => a.action)).toContain('sharing.confidentiality.scan');
    // After the hand-over the scan cannot be replaced.
    expect((await scan(w, id, { sha256: sha256Hex('x'), size: 1, contentType: 'image/png' })).body.error.code).toBe('HANDOVER_RECORDED');
  });

  it('the scan: bad input 400 naming the field; another organisation 404; a result that needs no agreement 409', async () => {
    const w = await setup();
    const { id } = await approvedInternal(w);
    const pub = await apply(w, offlineBody([w.numbers.public]));
    await approveReview(w.ports, { applicationId: pub.applicationId, organiserOrg: '440000-NR', approval: approve(), requestId: 'a' });

    const badHash = await scan(w, id, { sha256: 'nothex', size: 10, contentType: 'application/pdf' });
    const tooBig = await scan(w, id, { sha256: sha256Hex('x'), size: 30 * 1024 * 1024, contentType: 'application/pdf' });
    const badType = await scan(w, id, { sha256: sha256Hex('x'), size: 10, contentType: 'text/html' });
    const other = await scan(w, id, { sha256: sha256Hex('x'), size: 10, contentType: 'application/pdf' }, 'luo.xin');
    const notNeeded = await scan(w, pub.applicationId, { sha256: sha256Hex('x'), size: 10, contentType: 'application/pdf' }, 'luo.xin');
    const byCustodian = await scan(w, id, { sha256: sha256Hex('x'), size: 10, contentType: 'image/png' }, 'zhang.wei');

    expect(badHash.body.error.details[0].field).toBe('body.sha256');
    expect(tooBig.body.error.details[0].field).toBe('body.size');
    expect(badType.body.error.details[0].field).toBe('body.contentType');
    expect([badHash.status, tooBig.status, badType.status]).toEqual([400, 400, 400]);
    expect(other.status).toBe(404);
    expect(notNeeded.status).toBe(409);
    expect(notNeeded.body.error.code).toBe('NO_AGREEMENT_NEEDED');
    expect(byCustodian.status).toBe(200);
  });
});
