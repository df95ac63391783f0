import { describe, expect, it } from 'vitest';
import { keys } from '#adapters/dynamo.ts';
import { handler as getEntry } from '#functions/catalogue/get-catalogue-entry.ts';
import { handler as registerEntry } from '#functions/catalogue/register-catalogue-entry.ts';
import { handler as updateEntry } from '#functions/catalogue/update-catalogue-entry.ts';
import { cataloguePorts, catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { call, submissionWorld } from './submission-fakes.ts';

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  return { world, cat, deps: cataloguePorts(world, cat) };
}

describe('R9.2 catalogue entries: registration through POST /catalogue', () => {
  it('registers a verified submission with the eight R9.2 fields, number, theme, version and source (201), and the same entry again (200)', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world, { spatialScope: { regionCode: '440117', bbox: [113.3, 23.5, 114.1, 24.0] } });

    const r = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });
    const again = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });

    expect(r.status).toBe(201);
    expect(r.body.entry).toMatchObject({
      resultNumber: '440000-CUS-2026-GT-000001',
      theme: 'landSurvey',
      name: '广东省第三次国土调查成果',
      content: '土地利用现状数据库、图件、调查报告与元数据',
      format: 'GeoPackage、Shapefile、GeoTIFF、PDF',
      spatialScope: { regionCode: '440117', bbox: [113.3, 23.5, 114.1, 24.0] },
      timePoint: { from: '2026-06-30', to: '2026-06-30' },
      classification: 'internal',
      sharingMode: 'online',
      custodian: '440000-CUS',
      provider: '440000-IMP',
      submissionId: id,
      status: 'active',
      version: 1,
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, entry: { resultNumber: r.body.entry.resultNumber } });
  });

  it('records a period as the time point when one is given', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world);

    const r = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id, timePoint: { from: '2026-01-01', to: '2026-06-30' } } });

    expect(r.status).toBe(201);
    expect(r.body.entry.timePoint).toEqual({ from: '2026-01-01', to: '2026-06-30' });
  });

  it('refuses a submission that is not verified yet (409), storing nothing', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world, {}, { verify: false });
    const before = world.snapshot();

    const r = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('NOT_VERIFIED');
    expect(world.snapshot()).toEqual(before);
  });

  it('catalogues a classified result held offline by the custodian (R5.1)', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world, { classification: 'secret' });

    const r = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });

    expect(r.status).toBe(201);
    expect(r.body.entry.classification).toBe('secret');
  });

  it('answers a custodian whose clearance is below the result’s classification as if it did not exist (404), storing nothing', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world, { classification: 'confidential' });
    const before = world.snapshot();

    const r = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });

    expect(r.status).toBe(404);
    expect(r.body.error.message).toBe(`汇交 ${id} 不存在`);
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses anyone but a custodian (403) and a missing submission (404)', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world);

    const byReviewer = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'chen.jing', body: { submissionId: id } });
    const missing = await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: '00000000-0000-4000-8000-999999999999' } });

    expect(byReviewer.status).toBe(403);
    expect(missing.status).toBe(404);
  });
});

describe('R9.2 catalogue entries: versioned, audited edits and clearance on reading', () => {
  it('makes each edit a new version with a snapshot and an audit record naming the reason and the old values', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world);
    const n = (await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } })).body.entry.resultNumber;

    const r = await call(updateEntry.with(deps), 'PATCH', `/catalogue/${n}`, {
      user: 'zhang.wei',
      pathParameters: { resultNumber: n },
      body: { name: '广东省第三次国土调查成果（修订）', sharingMode: 'conditional', reason: '更正成果名称与共享方式', expectedVersion: 1 },
    });
    const got = await call(getEntry.with(deps), 'GET', `/catalogue/${n}`, { user: 'zhang.wei', pathParameters: { resultNumber: n } });

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ changed: true, entry: { version: 2, name: '广东省第三次国土调查成果（修订）', sharingMode: 'conditional', resultNumber: n } });
    expect(world.tables.get('registry', keys.catalogueVersion(n, 1))).toMatchObject({ name: '广东省第三次国土调查成果', version: 1 });
    expect(world.tables.get('registry', keys.catalogueVersion(n, 2))).toMatchObject({ name: '广东省第三次国土调查成果（修订）', version: 2 });
    expect(world.identity.auditRecords().at(-1)).toMatchObject({
      action: 'catalogue.entry.update',
      target: `CAT#${n}`,
      detail: { version: 2, reason: '更正成果名称与共享方式', changed: ['name', 'sharingMode'], before: { name: '广东省第三次国土调查成果', sharingMode: 'online' } },
    });
    expect(got.body.entry.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });

  it('refuses an edit made against an older version (409) and one by another unit (403)', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world);
    const n = (await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } })).body.entry.resultNumber;
    await call(updateEntry.with(deps), 'PATCH', `/catalogue/${n}`, { user: 'zhang.wei', pathParameters: { resultNumber: n }, body: { format: 'GeoPackage', reason: '格式更正' } });

    const stale = await call(updateEntry.with(deps), 'PATCH', `/catalogue/${n}`, { user: 'zhang.wei', pathParameters: { resultNumber: n }, body: { format: 'Shapefile', reason: '格式更正', expectedVersion: 1 } });
    const other = await call(updateEntry.with(deps), 'PATCH', `/catalogue/${n}`, { user: 'chen.jing', pathParameters: { resultNumber: n }, body: { format: 'Shapefile', reason: '格式更正' } });

    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('ENTRY_CHANGED');
    expect(other.status).toBe(403);
  });

  it('refuses to lower the classification by an edit (409 DECLASSIFICATION_NEEDS_APPROVAL, R5.1 R12.1) and changes nothing; raising it is allowed', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world, { classification: 'internal' });
    const n = (await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } })).body.entry.resultNumber;

    const lowered = await call(updateEntry.with(deps), 'PATCH', `/catalogue/${n}`, { user: 'zhang.wei', pathParameters: { resultNumber: n }, body: { classification: 'public', sharingMode: 'online', reason: '经脱密审查可公开' } });
    const after = await call(getEntry.with(deps), 'GET', `/catalogue/${n}`, { user: 'zhang.wei', pathParameters: { resultNumber: n } });
    const raised = await call(updateEntry.with(deps), 'PATCH', `/catalogue/${n}`, { user: 'zhang.wei', pathParameters: { resultNumber: n }, body: { classification: 'secret', reason: '经审查定为秘密' } });

    expect(lowered.status).toBe(409);
    expect(lowered.body.error.code).toBe('DECLASSIFICATION_NEEDS_APPROVAL');
    expect(lowered.body.error.message).toContain('内部 → 公开');
    expect(after.body.entry).toMatchObject({ version: 1, classification: 'internal' });
    expect(raised.status).toBe(200);
    expect(raised.body.entry).toMatchObject({ version: 2, classification: 'secret' });
  });

  it('answers 404 — not 403 — for an entry above the reader’s clearance, exactly as for a missing one', async () => {
    const { world, deps } = await setup();
    const id = await verifiedSubmission(world, { classification: 'internal' });
    const n = (await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } })).body.entry.resultNumber;

    const cleared = await call(getEntry.with(deps), 'GET', `/catalogue/${n}`, { user: 'li.na', pathParameters: { resultNumber: n } });
    const publicUser = await call(getEntry.with(deps), 'GET', `/catalogue/${n}`, { user: 'luo.xin', pathParameters: { resultNumber: n } });
    const missing = await call(getEntry.with(deps), 'GET', '/catalogue/440000-CUS-2026-GT-999999', { user: 'luo.xin', pathParameters: { resultNumber: '440000-CUS-2026-GT-999999' } });

    expect(cleared.status).toBe(200);
    expect(publicUser.status).toBe(404);
    expect(publicUser.body.error.code).toBe(missing.body.error.code);
    expect(publicUser.body.error.message).toBe(`成果目录条目 ${n} 不存在`);
  });
});
