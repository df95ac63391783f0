import { describe, expect, it } from 'vitest';
import { DynamoProblemStore } from '#adapters/dynamo-feedback.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { ForbiddenError } from '#shared/errors.ts';
import { completeCorrection, grantHolderEmails, resultGrants } from '#shared/feedback/correction.ts';
import { correctionOrders } from '#shared/feedback/orders.ts';
import { decideProblem, entryWithQualityStatus, heldGrants, reportProblem, verifyProblem } from '#shared/feedback/problems.ts';
import type { SharingApplication, SharingGrant } from '#shared/sharing/model.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { markVerified } from '#shared/submission/outcomes.ts';
import { createNextVersion, getSubmission } from '#shared/submission/submissions.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { assignNumber, copyIntoCustody, recordReceipt, startTransfer, transferExecutionName } from '#shared/transfer/transfer.ts';
import { verifiedSubmission } from './catalogue-fakes.ts';
import { buildPublicCatalogue } from '#shared/catalogue/public/build.ts';
import { DynamoCatalogueEntryReader } from '#adapters/dynamo-catalogue.ts';
import { FakeSharingStore } from './sharing-fakes.ts';
import { grantOn } from './feedback-fakes.ts';
import { InMemoryRegistryAccess, standardFiles } from './submission-fakes.ts';
import { stageUploads, transferWorld, type TransferWorld } from './transfer-fakes.ts';

const finding = { who: '实施单位 440000-IMP（广东省地质测绘院）', what: '图斑 DLTB-0012 属性填写错误', conclusion: '限期改正，作为更正版本重新汇交' };


/** A verified result transferred into custody (v1 received), with a 重大 problem reported, confirmed and verified: the implementer is ordered to correct. */
async function orderedToCorrect() {
  const t = await transferWorld();
  const id = await verifiedSubmission(t.world, { name: '更正版本测试成果' });
  stageUploads(t, id);
  await startTransfer({ store: t.world.store, workflow: t.world.workflow, now: () => t.world.now }, { actor: await t.world.user('chen.jing'), submissionId: id, requestId: 's1' });
  const assigned = await assignNumber(t.ports, { submissionId: id, requestId: 'a1' });
  await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c1' });
  await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber: assigned.resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-09-22T02:00:00.000Z' }, requestId: 'r1' });
  const problems = new DynamoProblemStore(new InMemoryRegistryAccess(t.world.tables));
  let k = 0;
  // R19.2: huang.wei's organisation holds a grant on the result (its own sharing record, apart from the grants the tests set up).
  const reporterGrants = new FakeSharingStore();
  grantOn(reporterGrants, assigned.resultNumber, 'held', { requesterOrg: '440100-NR', users: ['huang.wei'] });
  const fb = {
    catalogue: t.cat.store,
    problems,
    files: { list: async () => standardFiles.map((f) => f.path) },
    grants: heldGrants(reporterGrants),
    calendar: t.world.ports.calendar,
    now: () => t.world.now,
    newId: () => `0000000${(k += 1)}`.slice(-8),
  };
  const reported = await reportProblem(fb, {
    actor: await t.world.user('huang.wei'),
    resultNumber: assigned.resultNumber,
    file: standardFiles[0]!.path,
    location: { featureIds: ['DLTB-0012'] },
    description: '图斑 DLTB-0012 的地类与实地不符',
    severity: '重大',
    requestId: 'q1',
  });
  await decideProblem(fb, { actor: await t.world.user('zhang.wei'), problemId: reported.problemId, decision: 'confirm', reasons: '核查属实', requestId: 'q2' });
  await verifyProblem(
    { ...fb, identity: t.world.identity, mailer: t.mailer, appBaseUrl: 'https://chengguo.example.gov.cn' },
    { actor: await t.world.user('chen.jing'), problemId: reported.problemId, upheld: true, note: '经核实属实', finding, requestId: 'q3' },
  );
  const sharing = new FakeSharingStore();
  const corrections = correctionOrders({ store: t.world.store, problems });
  const submissionPorts = { ...t.world.ports, corrections };
  return { t, id, fb, resultNumber: assigned.resultNumber, problemId: reported.problemId, problems, sharing, corrections, submissionPorts };
}

/** The corrected version uploaded, sealed and verified through the normal path. */
async function verifyVersion(t: TransferWorld, id: string, n: number): Promise<void> {
  for (const f of standardFiles) t.world.objects.putObject(objectKey(id, n, f.path), f.size);
  await completeVersion({ actor: await t.world.user('li.na'), submissionId: id, n, requestId: `seal-${n}` }, t.world.ports);
  await markVerified(t.world.ports, { submissionId: id, n, decidedBy: 'chen.jing' });
}

const correctionPorts = (w: Awaited<ReturnType<typeof orderedToCorrect>>) => ({
  store: w.t.world.store,
  catalogue: w.t.cat.store,
  problems: w.problems,
  grants: resultGrants(w.sharing),
  identity: w.t.world.identity,
  mailer: w.t.mailer,
  now: () => w.t.world.now,
  appBaseUrl: 'https://chengguo.example.gov.cn',
});

describe('R19.3 the correction: a new version of the same submission after the order to correct', () => {
  it('li.na opens v2 of the verified submission: the problem moves to correctionSubmitted in the same audited transaction, the transfer record is cleared for v2', async () => {
    // prepare
    const w = await orderedToCorrect();
    const audits = w.t.world.identity.auditRecords().length;

    // act
    const out = await createNextVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);

    // assess
    expect(out.outcome).toBe('opened');
    expect(out.submission).toMatchObject({ status: 'uploading', currentVersion: 2 });
    expect(await w.t.world.store.getVersion(w.id, 2)).toMatchObject({ status: 'open', correctionOf: [w.problemId] });
    const stored = await w.t.world.store.getSubmission(w.id);
    expect(stored?.transferredAt).toBeUndefined();
    expect(stored?.transferState).toBeUndefined();
    expect(stored?.transferAttempt).toBe(1);
    expect(await w.problems.get(w.problemId)).toMatchObject({ state: 'correctionSubmitted', correction: { submissionId: w.id, n: 2, openedBy: 'li.na' } });
    const written = w.t.world.identity.auditRecords().slice(audits);
    expect(written.map((a) => a.action)).toEqual(['submission.version.correction.open']);
    expect(written[0]?.detail).toMatchObject({ correctionOf: [w.problemId], requirement: 'R19.3' });
    // v1 stays as it was
    expect(await w.t.world.store.getVersion(w.id, 1)).toMatchObject({ status: 'verified' });
  });

  it('refuses a new version of a verified submission without an open order (409 VERSION_NOT_RETURNED), and a second correction while one is under way', async () => {
    // prepare
    const t = await transferWorld();
    const plain = await verifiedSubmission(t.world);
    const w = await orderedToCorrect();
    const li = await w.t.world.user('li.na');
    await createNextVersion({ actor: li, submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);

    // act
    const none = await createNextVersion(
      { actor: await t.world.user('li.na'), submissionId: plain, files: standardFiles, requestId: 'x' },
      { ...t.world.ports, corrections: correctionOrders({ store: t.world.store, problems: new DynamoProblemStore(new InMemoryRegistryAccess(t.world.tables)) }) },
    ).catch((e: unknown) => e);
    const twice = await createNextVersion({ actor: li, submissionId: w.id, files: standardFiles, requestId: 'v3' }, w.submissionPorts).catch((e: unknown) => e);

    // assess
    expect(none).toMatchObject({ code: 'VERSION_NOT_RETURNED' });
    expect(twice).toMatchObject({ code: 'VERSION_NOT_RETURNED' });
    expect(await w.t.world.store.getVersion(w.id, 3)).toBeUndefined();
  });

  it('a user of another organisation cannot open the correction (403), and nothing changes', async () => {
    // prepare
    const w = await orderedToCorrect();

    // act
    const out = await createNextVersion({ actor: await w.t.world.user('zhang.wei'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts).catch((e: unknown) => e);

    // assess
    expect(out).toBeInstanceOf(ForbiddenError);
    expect(await w.problems.get(w.problemId)).toMatchObject({ state: 'correcting' });
  });

  it('a returned correction: v3 carries the problems on (still correctionSubmitted, now naming v3)', async () => {
    // prepare
    const w = await orderedToCorrect();
    const li = await w.t.world.user('li.na');
    await createNextVersion({ actor: li, submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);
    for (const f of standardFiles) w.t.world.objects.putObject(objectKey(w.id, 2, f.path), f.size);
    await completeVersion({ actor: li, submissionId: w.id, n: 2, requestId: 'seal-2' }, w.t.world.ports);
    const { returnVersion } = await import('#shared/submission/outcomes.ts');
    await returnVersion(w.t.world.ports, { submissionId: w.id, n: 2, reasons: ['更正不完整'], defects: [], decidedBy: 'chen.jing' });

    // act
    await createNextVersion({ actor: li, submissionId: w.id, files: standardFiles, requestId: 'v3' }, w.submissionPorts);

    // assess
    expect(await w.t.world.store.getVersion(w.id, 3)).toMatchObject({ correctionOf: [w.problemId] });
    expect(await w.problems.get(w.problemId)).toMatchObject({ state: 'correctionSubmitted', correction: { n: 3 } });
  });
});

describe('R19.2 R19.3 the corrected version through transfer: custody, the entry\'s current version, the grant holders told, the problem fixed (R19.3.fixed for the bulletin\'s use section)', () => {
  it('v2 verified → transfer attempt 2 → copied under v2 → received → Record Correction: entry current version 2 (v1 kept and listed), grant holders emailed in Chinese, problem fixed with R19.3.fixed', async () => {
    // prepare
    const w = await orderedToCorrect();
    grantOn(w.sharing, w.resultNumber, '1', { requesterOrg: '440100-NR', users: ['huang.wei'] });
    grantOn(w.sharing, w.resultNumber, '2', { requesterOrg: '440000-IMP', users: ['li.na'], status: 'revoked' });
    await createNextVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);
    await verifyVersion(w.t, w.id, 2);
    const sent = w.t.mailer.sent.length;

    // act
    const started = await startTransfer({ store: w.t.world.store, workflow: w.t.world.workflow, now: () => w.t.world.now }, { actor: await w.t.world.user('chen.jing'), submissionId: w.id, requestId: 's2' });
    stageUploads(w.t, w.id, 2);
    const assigned = await assignNumber(w.t.ports, { submissionId: w.id, requestId: 'a2' });
    await copyIntoCustody({ copy: w.t.copy, store: w.t.world.store, now: () => w.t.world.now }, { ...assigned, requestId: 'c2' });
    const received = await recordReceipt(w.t.ports, { submissionId: w.id, n: 2, resultNumber: assigned.resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-10-20T02:00:00.000Z' }, requestId: 'r2' });
    const out = await completeCorrection(correctionPorts(w), { submissionId: w.id, n: 2, resultNumber: w.resultNumber, requestId: 'fix' });

    // assess
    expect(started).toMatchObject({ started: true, attempt: 2, executionName: transferExecutionName(w.id, 2) });
    expect(assigned).toMatchObject({ n: 2, resultNumber: w.resultNumber });
    expect(received.receivedAt).toBe('2026-10-20T02:00:00.000Z');
    const events = await w.t.world.store.listEvents(w.id);
    expect(events.filter((e) => e.type === 'custodyCopied').map((e) => e.n).sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'custodyReceived').map((e) => e.n).sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'correctionRecorded').map((e) => e.n)).toEqual([2]);
    const entry = await w.t.cat.store.getEntryForSubmission(w.id);
    expect(entry).toMatchObject({ packageVersion: 2, packageVersions: [{ n: 1 }, { n: 2, correctionOf: [w.problemId] }] });
    expect(out).toEqual({ correction: true, problemIds: [w.problemId], notified: ['huang.wei@example.gov.cn'] });
    const mail = w.t.mailer.sent.slice(sent).find((m) => m.subject.includes('【成果更正】'));
    expect(mail?.to).toEqual(['huang.wei@example.gov.cn']);
    expect(mail?.subject).toBe(`【成果更正】成果 ${w.resultNumber} 已有更正版本（第 2 版）`);
    expect(mail?.text).toContain('原版本仍予保留');
    // The console's 成果详情 page, not the API route GET /catalogue/{n} (raw JSON in a browser).
    expect(mail?.text).toContain(`在工作台查看成果详情：https://chengguo.example.gov.cn/console/catalogue/${w.resultNumber}`);
    expect(mail?.text).not.toMatch(/\.cn\/catalogue\/|GET \/|POST \//);
    const fixed = await w.problems.get(w.problemId);
    expect(fixed).toMatchObject({ state: 'fixed', finding, fixed: { n: 2, notified: ['huang.wei@example.gov.cn'] } });
    expect(fixed?.timeline.at(-1)?.note).toContain(finding.conclusion);
    const audits = w.t.world.identity.auditRecords().map((a) => a.action);
    expect(audits).toContain('catalogue.entry.correct');
    expect(audits).toContain('feedback.problem.fixed');
    const counters = await new DynamoSupervisionStore(new InMemoryRegistryAccess(w.t.world.tables)).read('440000-NR', '2026-01', '2026-12');
    expect(counters.reduce((s, r) => s + (r.values['R19.3.fixed'] ?? 0), 0)).toBe(1);
  });

  it('Record Correction again changes nothing and sends nothing; a version that corrects nothing is left alone', async () => {
    // prepare
    const w = await orderedToCorrect();
    grantOn(w.sharing, w.resultNumber, '1', { requesterOrg: '440100-NR', users: ['huang.wei'] });
    await createNextVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);
    await verifyVersion(w.t, w.id, 2);
    await completeCorrection(correctionPorts(w), { submissionId: w.id, n: 2, resultNumber: w.resultNumber, requestId: 'fix-1' });
    const sent = w.t.mailer.sent.length;
    const audits = w.t.world.identity.auditRecords().length;

    // act
    const again = await completeCorrection(correctionPorts(w), { submissionId: w.id, n: 2, resultNumber: w.resultNumber, requestId: 'fix-2' });
    const first = await completeCorrection(correctionPorts(w), { submissionId: w.id, n: 1, resultNumber: w.resultNumber, requestId: 'fix-3' });

    // assess
    expect(again).toMatchObject({ correction: true, notified: [] });
    expect(first).toEqual({ correction: false, problemIds: [], notified: [] });
    expect(w.t.mailer.sent.length).toBe(sent);
    expect(w.t.world.identity.auditRecords().length).toBe(audits);
    expect((await w.t.cat.store.getEntryForSubmission(w.id))?.packageVersion).toBe(2);
  });

  it('the submission view keeps v1 and v2; while v2 is under verification the status is not “received”', async () => {
    // prepare
    const w = await orderedToCorrect();
    await createNextVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);
    for (const f of standardFiles) w.t.world.objects.putObject(objectKey(w.id, 2, f.path), f.size);
    await completeVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, n: 2, requestId: 'seal-2' }, w.t.world.ports);
    await markVerified(w.t.world.ports, { submissionId: w.id, n: 2, decidedBy: 'chen.jing' });

    // act
    const view = await getSubmission({ actor: await w.t.world.user('chen.jing'), submissionId: w.id }, w.t.world.ports);

    // assess
    expect(view.submission.versions.map((v) => [v.n, v.status])).toEqual([[1, 'verified'], [2, 'verified']]);
    expect(view.submission.statusLabel).not.toContain('接收入库');
  });
});

describe('R19.3 the catalogue entry shows 质量问题处理中 while a confirmed major problem is open', () => {
  it('ordered to correct and under correction → 质量问题处理中 on GET /catalogue/{n}; fixed → cleared', async () => {
    // prepare
    const w = await orderedToCorrect();
    const read = async () => entryWithQualityStatus({ catalogue: w.t.cat.store, problems: w.problems }, { actor: await w.t.world.user('zhang.wei'), resultNumber: w.resultNumber });

    // act
    const ordered = await read();
    await createNextVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);
    const underVerification = await read();
    await verifyVersion(w.t, w.id, 2);
    await completeCorrection(correctionPorts(w), { submissionId: w.id, n: 2, resultNumber: w.resultNumber, requestId: 'fix' });
    const fixed = await read();

    // assess
    expect(ordered.qualityStatus).toBe('质量问题处理中');
    expect(underVerification.qualityStatus).toBe('质量问题处理中');
    expect(fixed.qualityStatus).toBeUndefined();
    expect(fixed).toMatchObject({ packageVersion: 2 });
  });
});

describe('R19.3 the public catalogue page and STAC item show 质量问题处理中 while a major problem is open (the entry’s count, moved in the problem’s own transaction; the stream republishes)', () => {
  it('escalated → openQualityProblems 1 on the entry: the STAC item and the page’s row say 质量问题处理中; fixed → 0 and both cleared', async () => {
    // prepare
    const w = await orderedToCorrect();
    // The public build of the stored entry as the stream hands it over (published as 公开 here: the rule on classification is the build's own).
    // The entry as the registry holds it (the counting catalogue fake mirrors only the writes made through it).
    const entries = new DynamoCatalogueEntryReader(new InMemoryRegistryAccess(w.t.world.tables));
    const built = async () => {
      const entry = await entries.getEntry(w.resultNumber);
      const files = buildPublicCatalogue([{ ...entry!, classification: 'public', custodian: '440000-CUS' }], { generatedAt: new Date('2026-10-01T00:00:00Z') });
      const item = [...files.entries()].find(([k]) => k.endsWith(`${w.resultNumber}.json`))?.[1];
      return { entry, item: JSON.parse(item?.body ?? '{}'), page: files.get('index.html')?.body ?? '', index: JSON.parse(files.get('search-index.json')?.body ?? '{}') };
    };

    // act
    const open = await built();
    await createNextVersion({ actor: await w.t.world.user('li.na'), submissionId: w.id, files: standardFiles, requestId: 'v2' }, w.submissionPorts);
    const underVerification = await built();
    await verifyVersion(w.t, w.id, 2);
    await completeCorrection(correctionPorts(w), { submissionId: w.id, n: 2, resultNumber: w.resultNumber, requestId: 'fix' });
    const fixed = await built();

    // assess
    expect(open.entry?.openQualityProblems).toBe(1);
    expect(open.item.properties['chengguo:quality_status']).toBe('质量问题处理中');
    expect(open.index.entries[0].quality).toBe('质量问题处理中');
    expect(open.page).toContain('（质量问题处理中）');
    expect(underVerification.entry?.openQualityProblems).toBe(1);
    // Record Correction re-puts the entry between (the counting catalogue fake re-puts its own mirror, without the counter; DynamoDB keeps
    // the read value): either way the problem's −1 leaves no open problem, and the counter is read as open only above 0.
    expect(fixed.entry?.openQualityProblems ?? 0).toBeLessThanOrEqual(0);
    expect(fixed.item.properties['chengguo:quality_status']).toBeUndefined();
    expect(fixed.index.entries[0].quality).toBeUndefined();
    expect(fixed.page).not.toContain('质量问题处理中');
  });

  it('a dismissed problem clears it too; a 一般 one never sets it', async () => {
    // prepare
    const w = await orderedToCorrect();
    const other = await reportProblem(w.fb, { actor: await w.t.world.user('zhang.wei'), resultNumber: w.resultNumber, file: standardFiles[0]!.path, location: { featureIds: ['X'] }, description: '要素 X 的名称错别字', severity: '一般', requestId: 'g1' });
    await decideProblem(w.fb, { actor: await w.t.world.user('zhang.wei'), problemId: other.problemId, decision: 'confirm', reasons: '核查属实', requestId: 'g2' });
    const entries = new DynamoCatalogueEntryReader(new InMemoryRegistryAccess(w.t.world.tables));
    const afterMinor = (await entries.getEntry(w.resultNumber))?.openQualityProblems;
    const major = await reportProblem(w.fb, { actor: await w.t.world.user('zhang.wei'), resultNumber: w.resultNumber, file: standardFiles[0]!.path, location: { featureIds: ['Y'] }, description: '要素 Y 的面积计算错误', severity: '重大', requestId: 'm1' });
    await decideProblem(w.fb, { actor: await w.t.world.user('zhang.wei'), problemId: major.problemId, decision: 'confirm', reasons: '核查属实', requestId: 'm2' });
    const twoOpen = (await entries.getEntry(w.resultNumber))?.openQualityProblems;

    // act
    await verifyProblem({ ...w.fb, identity: w.t.world.identity, mailer: w.t.mailer, appBaseUrl: 'https://chengguo.example.gov.cn' }, { actor: await w.t.world.user('chen.jing'), problemId: major.problemId, upheld: false, note: '经复核不属实', requestId: 'm3' });
    const afterDismissal = (await entries.getEntry(w.resultNumber))?.openQualityProblems;

    // assess
    expect(afterMinor).toBe(1);
    expect(twoOpen).toBe(2);
    expect(afterDismissal).toBe(1);
  });
});

describe('R19.3 grant holders: named users of live grants only', () => {
  it('mails the named users of a live grant on the result; never a revoked or expired grant, nor one on another result', async () => {
    // prepare
    const w = await orderedToCorrect();
    grantOn(w.sharing, w.resultNumber, 'a', { requesterOrg: '440100-NR', users: ['huang.wei'] });
    grantOn(w.sharing, w.resultNumber, 'b', { requesterOrg: '440000-IMP', users: ['li.na'], to: '2026-01-31' });
    grantOn(w.sharing, w.resultNumber, 'c', { requesterOrg: '440000-IMP', users: ['li.na'], status: 'revoked' });
    grantOn(w.sharing, 'OTHER-NUMBER', 'd', { requesterOrg: '440000-IMP', users: ['li.na'] });

    // act
    const grants = await resultGrants(w.sharing).grantsOn({ resultNumber: w.resultNumber, organiserOrg: '440000-NR' });
    const emails = await grantHolderEmails(w.t.world.identity, grants, '2026-10-20');

    // assess
    expect(grants.map((g) => g.grantId).sort()).toEqual(['G-a', 'G-b', 'G-c']);
    expect(emails).toEqual(['huang.wei@example.gov.cn']);
  });
});

