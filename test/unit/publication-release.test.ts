import { describe, expect, it } from 'vitest';
import { DynamoReleaseStore } from '#adapters/dynamo-release.ts';
import { handler as createReleaseHandler } from '#functions/publication/create-release.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { buildPublicCatalogue } from '#shared/catalogue/public/build.ts';
import { createRelease, listReleases, type DesensitisationRecord } from '#shared/publication/release.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { TableDerivedProducts } from './publication-fakes.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

const record: DesensitisationRecord = {
  changes: [
    { action: 'shifted', target: 'coordinates', description: '全部要素坐标按国家规定的非线性偏移处理' },
    { action: 'removed', target: 'attributes', description: '删除权属人姓名与身份证号字段' },
    { action: 'generalised', target: 'precision', description: '图斑面积精度概化至 0.1 公顷' },
  ],
  method: 'GB/T 坐标偏移插件 2.1，属性字段删除脚本',
  rule: '公开地图内容表示规定',
  basisDocument: '粤自然资发〔2026〕12 号',
  performedBy: '广东省国土资源测绘院 郭涛',
  performedOn: '2026-09-20',
};

/** A registered source entry at a classification, and a second verified submission of the same task (the release package). */
async function setup(classification: Classification = 'internal', opts: { verifyPackage?: boolean } = {}) {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const sourceSubmission = await verifiedSubmission(world, { classification, name: '2026 年度广东省地表覆盖监测成果' });
  const { entry: source } = await registerCatalogueEntry(cat.ports, { submissionId: sourceSubmission, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg' });
  const pkg = await verifiedSubmission(world, { classification: 'public', name: '2026 年度广东省地表覆盖监测成果（公开版）' }, { taskId: source.taskId, verify: opts.verifyPackage ?? true });
  const releases = new DynamoReleaseStore(cat.table);
  const ports = { catalogue: cat.store, submissions: world.store, identity: world.identity, releases, now: () => world.now };
  return { world, cat, source, pkg, releases, ports };
}

describe('R11.1 release versions: a desensitised package, verified as a submission, a catalogue item of its own', () => {
  it('R12.1 the organiser\'s publisher registers a 公开 release of an 内部 result: number <source>-R1, pending (not public before approval), linked, audited; the source unchanged', async () => {
    const { world, cat, source, pkg, ports } = await setup('internal');
    const before = world.identity.auditRecords().length;

    const { release, entry } = await createRelease(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber, body: { submissionId: pkg, classification: 'public', desensitisation: record }, requestId: 'r1' });

    expect(release).toMatchObject({ releaseNumber: `${source.resultNumber}-R1`, sourceNumber: source.resultNumber, submissionId: pkg, classification: 'public', desensitisation: record, preparedBy: 'liu.yang' });
    expect(await cat.store.getEntry(`${source.resultNumber}-R1`)).toMatchObject({ classification: 'public', submissionId: pkg, release: { sourceNumber: source.resultNumber, state: 'pending' }, version: 1 });
    expect(entry.name).toContain('公开发布版');
    expect((await cat.store.getEntry(source.resultNumber))?.classification).toBe('internal');
    const audits = world.identity.auditRecords().slice(before);
    expect(audits).toEqual([expect.objectContaining({ action: 'publication.release.create', detail: expect.objectContaining({ releaseNumber: `${source.resultNumber}-R1`, desensitisation: record }) })]);
    // R12.1: a pending release is not in the public catalogue although it is 公开.
    const files = buildPublicCatalogue([entry], { generatedAt: world.now });
    expect(JSON.stringify([...files.entries()])).not.toContain(`${source.resultNumber}-R1`);
  });

  it('a second release gets -R2; the list shows both to a reader with clearance, an 内部 one not to a 公开 reader', async () => {
    const { world, source, pkg, ports } = await setup('public');
    await createRelease(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber, body: { submissionId: pkg, classification: 'internal' }, requestId: 'r1' });
    const pkg2 = await verifiedSubmission(world, { classification: 'public' }, { taskId: source.taskId });

    const second = await createRelease(ports, { actor: await world.user('zhang.wei'), resultNumber: source.resultNumber, body: { submissionId: pkg2, classification: 'public' }, requestId: 'r2' });

    expect(second.release.releaseNumber).toBe(`${source.resultNumber}-R2`);
    expect((await listReleases(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber })).map((r) => r.k)).toEqual([1, 2]);
    expect((await listReleases(ports, { actor: await world.user('luo.xin'), resultNumber: source.resultNumber })).map((r) => r.k)).toEqual([2]);
  });

  it('R5.1 a 秘密 source → 409 CLASSIFIED_SOURCE; an 内部 source without a desensitisation record → 409; nothing written', async () => {
    const { world, source, pkg, ports } = await setup('internal');
    const secretWorld = await setup('secret');
    const before = world.snapshot();

    await expect(createRelease(ports, { actor: await world.user('liu.yang'), resultNumber: source.resultNumber, body: { submissionId: pkg, classification: 'public' }, requestId: 'r' })).rejects.toMatchObject({ code: 'DESENSITISATION_RECORD_MISSING' });
    await expect(
      createRelease(secretWorld.ports, { actor: await secretWorld.world.user('liu.yang'), resultNumber: secretWorld.source.resultNumber, body: { submissionId: secretWorld.pkg, classification: 'public', desensitisation: record }, requestId: 'r' }),
    ).rejects.toMatchObject({ code: 'CLASSIFIED_SOURCE', message: expect.stringContaining('秘密') });
    expect(world.snapshot()).toEqual(before);
  });

  it('the package must be verified, of the same task, not the source\'s own, and used once (409 / 404)', async () => {
    const { world, source, pkg, ports } = await setup('internal', { verifyPackage: false });
    const liu = await world.user('liu.yang');
    const body = (submissionId: string) => ({ submissionId, classification: 'public' as const, desensitisation: record });

    await expect(createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(pkg), requestId: 'r' })).rejects.toMatchObject({ code: 'PACKAGE_NOT_VERIFIED' });
    await expect(createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(source.submissionId), requestId: 'r' })).rejects.toMatchObject({ code: 'PACKAGE_IS_SOURCE' });
    const otherTask = await verifiedSubmission(world, { classification: 'public' });
    await expect(createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(otherTask), requestId: 'r' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const good = await verifiedSubmission(world, { classification: 'public' }, { taskId: source.taskId });
    await createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(good), requestId: 'r' });
    await expect(createRelease(ports, { actor: liu, resultNumber: source.resultNumber, body: body(good), requestId: 'r' })).rejects.toMatchObject({ code: 'ALREADY_CATALOGUED' });
  });

  it('through the HTTP stack: 201 for the publisher; 403 for the implementer\'s submitter; 400 naming the field of a bad record', async () => {
    const { world, source, pkg, ports } = await setup('internal');
    const h = createReleaseHandler.with({ ...ports, derived: new TableDerivedProducts(world.tables), verifier: portsFor(world).verifier });
    const path = `/catalogue/${source.resultNumber}/releases`;
    const req = (user: string, body: unknown) => call(h, 'POST', path, { user, pathParameters: { resultNumber: source.resultNumber }, body });

    const bad = await req('liu.yang', { submissionId: pkg, classification: 'public', desensitisation: { ...record, changes: [{ action: 'blurred', target: 'coordinates', description: '模糊' }] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.desensitisation.changes.0.action');
    expect((await req('li.na', { submissionId: pkg, classification: 'public', desensitisation: record })).status).toBe(403);
    const ok = await req('liu.yang', { submissionId: pkg, classification: 'public', desensitisation: record });
    expect(ok.status).toBe(201);
    expect(ok.body.entry.resultNumber).toBe(`${source.resultNumber}-R1`);
  });
});
