import { describe, expect, it } from 'vitest';
import { keys } from '#adapters/dynamo.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { formatResultNumber, parseResultNumber } from '#shared/catalogue/numbers.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { submissionWorld } from './submission-fakes.ts';

const registry = 'registry';

describe('R9.1 unified numbers: <custodian org>-<year>-<theme code>-<6-digit sequence>, gapless per custodian and year', () => {
  it('formats and parses the scheme', () => {
    const n = formatResultNumber('440000-CUS', 2026, 'landSurvey', 1);

    expect(n).toBe('440000-CUS-2026-GT-000001');
    expect(parseResultNumber(n)).toEqual({ custodianOrg: '440000-CUS', year: 2026, themeCode: 'GT', sequence: 1 });
    expect(parseResultNumber('440000-2026-GT-1')).toBeUndefined();
  });

  it('gives the first registration of the year number 000001 and moves the counter in the same audited transaction', async () => {
    const world = await submissionWorld();
    const cat = catalogueWorld(world);
    const id = await verifiedSubmission(world);
    const audit = world.snapshot().audit;

    const r = await registerCatalogueEntry(cat.ports, { submissionId: id, actor: await world.user('zhang.wei'), requestId: 'reg' });

    expect(r.created).toBe(true);
    expect(r.entry.resultNumber).toBe('440000-CUS-2026-GT-000001');
    expect(world.tables.get(registry, keys.numberSequence('440000-CUS', 2026))).toMatchObject({ value: 1 });
    expect(world.snapshot().audit).toBe(audit + 1);
    const tx = world.tables.transactions.at(-1)!;
    const pks = tx.map((i) => String(i.Put?.Item?.['pk'] ?? ''));
    expect(pks).toEqual(expect.arrayContaining(['NUMSEQ#440000-CUS#2026', `CATSUB#${id}`, 'CAT#440000-CUS-2026-GT-000001', 'AUDIT#44']));
    expect(world.identity.auditRecords().at(-1)).toMatchObject({ action: 'catalogue.entry.register', actor: 'zhang.wei', target: 'CAT#440000-CUS-2026-GT-000001' });
  });

  it('gives 20 registrations at the same moment the numbers 1..20 exactly, each once', async () => {
    const world = await submissionWorld();
    const cat = catalogueWorld(world);
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push(await verifiedSubmission(world, { name: `广东省第${i + 1}批国土调查成果` }));
    const actor = await world.user('zhang.wei');

    const results = await Promise.all(ids.map((submissionId, i) => registerCatalogueEntry(cat.ports, { submissionId, actor, requestId: `r${i}` })));

    expect(results.map((r) => r.entry.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.entry.resultNumber)).size).toBe(20);
    expect(world.tables.get(registry, keys.numberSequence('440000-CUS', 2026))).toMatchObject({ value: 20 });
  }, 30_000);

  it('uses no number when the transaction fails: the counter is unchanged and the next registration still gets 000001', async () => {
    const world = await submissionWorld();
    const cat = catalogueWorld(world);
    const id = await verifiedSubmission(world);
    const actor = await world.user('zhang.wei');
    // Injected failure: an item already sits where the entry's version-1 snapshot goes, so that Put's condition fails.
    const blocker = keys.catalogueVersion('440000-CUS-2026-GT-000001', 1);
    world.tables.put(registry, { ...blocker, note: 'blocker' });
    const audit = world.snapshot().audit;

    await expect(registerCatalogueEntry(cat.ports, { submissionId: id, actor, requestId: 'fail' })).rejects.toMatchObject({ code: 'CONDITION_FAILED' });

    expect(world.tables.get(registry, keys.numberSequence('440000-CUS', 2026))).toBeUndefined();
    expect(world.tables.get(registry, keys.catalogueOfSubmission(id))).toBeUndefined();
    expect(world.tables.get(registry, keys.catalogueEntry('440000-CUS-2026-GT-000001'))).toBeUndefined();
    expect(world.snapshot().audit).toBe(audit);
    world.tables.delete(registry, blocker);
    const r = await registerCatalogueEntry(cat.ports, { submissionId: id, actor, requestId: 'again' });
    expect(r.entry.resultNumber).toBe('440000-CUS-2026-GT-000001');
  });

  it('returns the same entry and number when the same submission is registered again, writing no new record', async () => {
    const world = await submissionWorld();
    const cat = catalogueWorld(world);
    const id = await verifiedSubmission(world);
    const actor = await world.user('zhang.wei');
    const first = await registerCatalogueEntry(cat.ports, { submissionId: id, actor, requestId: 'a' });
    const audit = world.snapshot().audit;

    const again = await Promise.all([1, 2, 3].map((i) => registerCatalogueEntry(cat.ports, { submissionId: id, actor, requestId: `b${i}` })));

    expect(again.map((r) => [r.created, r.entry.resultNumber])).toEqual([1, 2, 3].map(() => [false, first.entry.resultNumber]));
    expect(world.snapshot().audit).toBe(audit);
    expect(world.tables.get(registry, keys.numberSequence('440000-CUS', 2026))).toMatchObject({ value: 1 });
  });

  it('starts a new sequence in a new year, counted in China time', async () => {
    const world = await submissionWorld();
    const cat = catalogueWorld(world);
    const a = await verifiedSubmission(world);
    const b = await verifiedSubmission(world, { name: '广东省国土变更调查成果（跨年）' });
    const actor = await world.user('zhang.wei');
    await registerCatalogueEntry(cat.ports, { submissionId: a, actor, requestId: 'a' });
    world.setNow('2026-12-31T16:30:00.000Z'); // 2027-01-01 00:30 in Beijing

    const r = await registerCatalogueEntry(cat.ports, { submissionId: b, actor, requestId: 'b' });

    expect(r.entry.resultNumber).toBe('440000-CUS-2027-GT-000001');
  });
});
