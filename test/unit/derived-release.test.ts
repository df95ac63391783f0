import { describe, expect, it } from 'vitest';
import { chinaDate } from '#shared/calendar/dates.ts';
import { DynamoReleaseStore } from '#adapters/dynamo-release.ts';
import { handler as createReleaseHandler } from '#functions/publication/create-release.ts';
import { handler as publishHandler } from '#functions/publication/publish-release.ts';
import { handler as withdrawalDecisionHandler } from '#functions/publication/record-withdrawal-decision.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { seedAuthorityTable } from '#shared/publication/authority.ts';
import { approveRelease } from '#shared/publication/publish.ts';
import { createRelease, listReleases } from '#shared/publication/release.ts';
import { requestWithdrawal } from '#shared/publication/withdrawal.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import { getDerivedProduct, recordDerivedPublication, type DerivedProduct } from '#shared/sharing/derived.ts';
import { followDerivedRelease } from '#shared/sharing/derived-release.ts';
import { verifiedSubmission } from './catalogue-fakes.ts';
import { FakeMailer } from './custody-fakes.ts';
import { FakeOpenTasks, FakeReleaseFiles, TableDerivedProducts, internalSourceWithPackage, derivedProductRecord as record } from './publication-fakes.ts';
import { call, portsFor, type SubmissionWorld } from './submission-fakes.ts';


/**
 * A 广东 land-cover source (内部, organised by 广东省自然资源厅), a second verified package of its task (the
 * derived product as 刘洋 uploaded it), and 黄伟's (广州市规划和自然资源局) derived product of that source,
 * registered and reviewed (its registration and review: test/unit/sharing-domain.test.ts).
 */
async function setup(over: Partial<DerivedProduct> = {}) {
  const { world, cat, source, pkg } = await internalSourceWithPackage('广州市水域岸线专题图');
  const derived = new TableDerivedProducts(world.tables);
  const at = world.now.toISOString();
  const product: DerivedProduct = {
    productId: 'DP-0001',
    requesterOrg: '440100-NR',
    registeredBy: 'huang.wei',
    registeredAt: at,
    name: '广州市水域岸线专题图',
    description: '以共享成果为底图编制的专题图，拟公开',
    processing: '叠加水域图层、综合概括、删除坐标注记',
    grantId: 'G-0001',
    sources: [{ resultNumber: source.resultNumber, organiserOrg: '440000-NR', classification: 'internal' }],
    reviews: [{ organiserOrg: '440000-NR', resultNumbers: [source.resultNumber], status: 'approved', decision: { taskId: 't', reasons: '同意发布', decidedBy: 'chen.jing', decidedAt: at } }],
    status: 'publishable',
    timeline: [{ at, type: 'registered', by: 'huang.wei', note: '登记衍生产品' }],
    version: 3,
    ...over,
  };
  await derived.create(product, { actor: 'huang.wei', orgCode: '440100-NR', action: 'sharing.derived.register', target: 'DERIVED#DP-0001', outcome: 'success', requestId: 'dp' });
  const ports = {
    catalogue: cat.store,
    submissions: world.store,
    identity: world.identity,
    releases: new DynamoReleaseStore(cat.table),
    derived,
    releaseFiles: new FakeReleaseFiles(world),
    mailer: new FakeMailer(),
    humanTasks: new FakeOpenTasks(),
    authorities: { current: async () => seedAuthorityTable, version: async () => undefined },
    workflow: world.workflow,
    appBaseUrl: 'https://api.example.gov.cn',
    platforms: [] as const,
    now: () => world.now,
  };
  const body = (submissionId = pkg) => ({ submissionId, classification: 'public' as const, desensitisation: record, derivedProductId: 'DP-0001' });
  return { world, cat, source, pkg, derived, ports, body };
}

const audits = (world: SubmissionWorld, action: string) => world.identity.auditRecords().filter((r) => r.action === action);

describe('R18.2 R11.1 a derived product released through this system’s publication flow (issue 17)', () => {
  it('刘洋 makes a release version of the product’s source with derivedProductId: the release and its entry name the product; the product points to its release (same transaction, one audit record); both timelines and reads show it', async () => {
    // prepare
    const { world, cat, source, derived, ports, body } = await setup();
    const before = world.identity.auditRecords().length;
    // act
    const { release, entry } = await createRelease(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber, body: body(), requestId: 'r1' });
    // assess
    const n = `${source.resultNumber}-R1`;
    const ref = { productId: 'DP-0001', name: '广州市水域岸线专题图', registrantOrg: '440100-NR' };
    expect(release).toMatchObject({ releaseNumber: n, derivedProduct: ref });
    expect(entry.name).toBe('广州市水域岸线专题图（衍生产品公开发布版）');
    expect((await cat.store.getEntry(n))?.release).toMatchObject({ state: 'pending', derivedProduct: ref });
    const p = (await derived.get('DP-0001'))!;
    expect(p.version).toBe(4);
    expect(p.release).toMatchObject({ releaseNumber: n, sourceNumber: source.resultNumber, state: 'pending', createdBy: 'liu.yang', createdByOrg: '440000-NR' });
    expect(p.timeline.at(-1)).toMatchObject({ type: 'releaseCreated', by: 'liu.yang', note: expect.stringContaining(n) });
    expect(world.identity.auditRecords().slice(before)).toEqual([expect.objectContaining({ action: 'publication.release.create', detail: expect.objectContaining({ releaseNumber: n, derivedProductId: 'DP-0001' }) })]);
    expect((await listReleases(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber }))[0]?.derivedProduct).toEqual(ref);
    const view = await getDerivedProduct(ports, { actor: await world.user('huang.wei'), productId: 'DP-0001' });
    expect(view.release).toMatchObject({ releaseNumber: n, state: 'pending', stateLabel: '发布流程中' });
    // Its publication is now the flow's to record: the outside record is refused.
    await expect(recordDerivedPublication(ports, { actor: await world.user('huang.wei'), productId: 'DP-0001', where: 'https://gz.example.gov.cn', publishedOn: '2026-10-01', requestId: 'x' })).rejects.toMatchObject({ code: 'DERIVED_RELEASED' });
  });

  it('the rules: not publishable → 409 DERIVED_NOT_PUBLISHABLE; the source not one of its sources → 409 naming body.derivedProductId; unknown → 404; published outside → 409; nothing written', async () => {
    // prepare
    const reviewing = await setup({ status: 'reviewing', reviews: [{ organiserOrg: '440000-NR', resultNumbers: [], status: 'pending' }] });
    const elsewhere = await setup();
    const outside = await setup({ publication: { where: 'https://gz.example.gov.cn/map', publishedOn: '2026-10-01', recordedBy: 'huang.wei', recordedAt: '2026-10-01T00:00:00.000Z' } });
    const liu = await reviewing.world.user('liu.yang');
    const otherSource = await verifiedSubmission(elsewhere.world, { classification: 'internal', name: '2026 年度广东省林地变更成果' });
    const { entry: other } = await registerCatalogueEntry(elsewhere.cat.ports, { submissionId: otherSource, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg2' });
    const otherPkg = await verifiedSubmission(elsewhere.world, { classification: 'public' }, { taskId: other.taskId });
    const snapshots = [reviewing.world.snapshot(), elsewhere.world.snapshot(), outside.world.snapshot()];
    // act
    const notPublishable = createRelease(reviewing.ports, { actor: liu, resultNumber: reviewing.source.resultNumber, body: reviewing.body(), requestId: 'a' });
    const mismatch = createRelease(elsewhere.ports, { actor: liu, resultNumber: other.resultNumber, body: elsewhere.body(otherPkg), requestId: 'b' });
    const unknown = createRelease(elsewhere.ports, { actor: liu, resultNumber: elsewhere.source.resultNumber, body: { ...elsewhere.body(), derivedProductId: 'DP-none' }, requestId: 'c' });
    const published = createRelease(outside.ports, { actor: liu, resultNumber: outside.source.resultNumber, body: outside.body(), requestId: 'd' });
    // assess
    await expect(notPublishable).rejects.toMatchObject({ code: 'DERIVED_NOT_PUBLISHABLE', message: expect.stringContaining('body.derivedProductId') });
    await expect(mismatch).rejects.toMatchObject({ code: 'DERIVED_SOURCE_MISMATCH', message: expect.stringContaining(`不含 ${other.resultNumber}`), details: [{ field: 'body.derivedProductId' }] });
    await expect(unknown).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('body.derivedProductId') });
    await expect(published).rejects.toMatchObject({ code: 'PUBLICATION_RECORDED' });
    expect([reviewing.world.snapshot(), elsewhere.world.snapshot(), outside.world.snapshot()]).toEqual(snapshots);
  });

  it('a second release version of the same product → 409 DERIVED_ALREADY_RELEASED; a product changed between the read and the write → DERIVED_CHANGED and no release written (one transaction)', async () => {
    // prepare
    const { world, cat, source, derived, ports, body } = await setup();
    const liu = await world.user('liu.yang');
    await createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(), requestId: 'r1' });
    const pkg2 = await verifiedSubmission(world, { classification: 'public' }, { taskId: source.taskId });
    const racing = await setup();
    const racer = { get: async (id: string) => {
      const p = (await racing.derived.get(id))!;
      await racing.derived.update({ ...p, description: '登记单位同时修改了说明', version: p.version + 1 }, p.version, { actor: 'huang.wei', orgCode: '440100-NR', action: 'test.touch', target: `DERIVED#${id}`, outcome: 'success', requestId: 't' });
      return p;
    } };
    const before = world.snapshot();
    // act
    const twice = createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(pkg2), requestId: 'r2' });
    const raced = createRelease({ ...racing.ports, derived: racer }, { actor: liu, resultNumber: racing.source.resultNumber, body: racing.body(), requestId: 'r3' });
    // assess
    await expect(twice).rejects.toMatchObject({ code: 'DERIVED_ALREADY_RELEASED', message: expect.stringContaining(`${source.resultNumber}-R1`) });
    expect(world.snapshot()).toEqual(before);
    await expect(raced).rejects.toMatchObject({ code: 'DERIVED_CHANGED' });
    expect(await racing.cat.store.getEntry(`${racing.source.resultNumber}-R1`)).toBeUndefined();
    expect((await racing.derived.get('DP-0001'))?.release).toBeUndefined();
    expect(await cat.store.getEntry(`${source.resultNumber}-R2`)).toBeUndefined();
    expect((await derived.get('DP-0001'))?.release?.releaseNumber).toBe(`${source.resultNumber}-R1`);
  });

  it('PublishRelease releases it → the product’s publication recorded once (本系统公开目录, the release number, the date), audited sharing.derived.publish, 黄伟 emailed; a retry changes nothing; the withdrawal marks it withdrawn', async () => {
    // prepare
    const { world, source, derived, ports, body } = await setup();
    const { release } = await createRelease(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber, body: body(), requestId: 'r1' });
    const n = release.releaseNumber;
    await approveRelease(ports, { releaseNumber: n, approvers: [{ userId: 'liu.yang', orgCode: '440000-NR' }], requestId: 'approve' });
    const publish = publishHandler.with(ports);
    // act 1: the machine's last step, then its retry
    const out = await publish({ releaseNumber: n }, { awsRequestId: 'p1' } as never);
    const again = await publish({ releaseNumber: n }, { awsRequestId: 'p2' } as never);
    const follow = await followDerivedRelease(ports, { releaseNumber: n, requestId: 'p3' });
    // assess 1
    expect(out.changed).toBe(true);
    expect(again.changed).toBe(false);
    expect(follow).toEqual({ changed: false, productId: 'DP-0001' });
    const p = (await derived.get('DP-0001'))!;
    expect(p.publication).toMatchObject({ where: '本系统公开目录', releaseNumber: n, publishedOn: chinaDate(world.now), recordedBy: 'system:publication' });
    expect(p.release?.state).toBe('released');
    expect(p.timeline.filter((e) => e.type === 'published')).toHaveLength(1);
    expect(audits(world, 'sharing.derived.publish')).toEqual([expect.objectContaining({ target: 'DERIVED#DP-0001', detail: expect.objectContaining({ where: '本系统公开目录', releaseNumber: n }) })]);
    const mails = ports.mailer.sent.filter((m) => m.subject.startsWith('【衍生产品发布】'));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['huang.wei@example.gov.cn'], subject: '【衍生产品发布】广州市水域岸线专题图：已在本系统公开目录发布' });
    expect(mails[0]!.text).toContain(n);
    expect(mails[0]!.text).toContain(source.resultNumber);
    // act 2: withdrawn by the approving authority (同意撤回), the step retried
    await requestWithdrawal(ports, { actor: await world.user('chen.jing'), releaseNumber: n, reason: '专题图底图有误，撤回更正', requestId: 'w' });
    // The open-task fake has what recordWithdrawalDecision uses of the task store (listBySubject, expire).
    const decide = withdrawalDecisionHandler.with({ ...ports, humanTasks: ports.humanTasks as unknown as HumanTaskStore });
    const decision = { taskId: 't-liu', decision: 'approve' as const, reasons: '', decidedBy: 'liu.yang', decidedAt: world.now.toISOString() };
    await decide({ releaseNumber: n, k: 1, decision }, { awsRequestId: 'w1' } as never);
    await decide({ releaseNumber: n, k: 1, decision }, { awsRequestId: 'w2' } as never);
    // assess 2
    const w = (await derived.get('DP-0001'))!;
    expect(w.release?.state).toBe('withdrawn');
    expect(w.publication).toMatchObject({ where: '本系统公开目录', releaseNumber: n, withdrawn: { reason: '专题图底图有误，撤回更正' } });
    expect(audits(world, 'sharing.derived.withdraw')).toHaveLength(1);
    expect(ports.mailer.sent.filter((m) => m.subject === '【衍生产品发布】广州市水域岸线专题图：发布版本已撤回')).toHaveLength(1);
    expect((await getDerivedProduct(ports, { actor: await world.user('huang.wei'), productId: 'DP-0001' })).release).toMatchObject({ state: 'withdrawn', stateLabel: '发布版本已撤回' });
  });

  it('through the HTTP stack: derivedProductId is optional (a release without it names no product); 409 body names the field', async () => {
    // prepare
    const { world, source, pkg, ports, body } = await setup({ status: 'refused' });
    const h = createReleaseHandler.with({ ...ports, verifier: portsFor(world).verifier });
    const path = `/catalogue/${source.resultNumber}/releases`;
    // act
    const refused = await call(h, 'POST', path, { user: 'liu.yang', pathParameters: { resultNumber: source.resultNumber }, body: body() });
    const plain = await call(h, 'POST', path, { user: 'liu.yang', pathParameters: { resultNumber: source.resultNumber }, body: { submissionId: pkg, classification: 'public', desensitisation: record } });
    // assess
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'DERIVED_NOT_PUBLISHABLE' });
    expect(JSON.stringify(refused.body)).toContain('body.derivedProductId');
    expect(plain.status).toBe(201);
    expect(plain.body.release.derivedProduct).toBeUndefined();
    expect(plain.body.entry.name).toContain('（公开发布版）');
  });
});
