import { beforeAll, describe, expect, it } from 'vitest';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { entryTerms, queryTerms, terms } from '#shared/catalogue/keywords.ts';
import { ancestorCodes, regionKeys } from '#shared/reference/regions.ts';
import { handler as searchHandler } from '#functions/catalogue/search-catalogue.ts';
import { handler as updateEntry } from '#functions/catalogue/update-catalogue-entry.ts';
import type { CatalogueInput } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { cataloguePorts, catalogueWorld, verifiedSubmission, type CatalogueWorld } from './catalogue-fakes.ts';
import { call, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

describe('R9.2 search building blocks: bigrams and region hierarchy keys', () => {
  it('cuts Chinese into overlapping bigrams and Latin into lower-case words', () => {
    expect(terms('国土调查 GeoTIFF')).toEqual(['国土', '土调', '调查', 'geotiff']);
    expect(entryTerms('湿地', '湿地资源')).toEqual(['湿地', '地资', '资源']);
    expect(queryTerms('广东省第三次国土调查')).toEqual(['广东', '三次', '调查']);
  });

  it('indexes a county under its province and city keys, and knows its ancestors', () => {
    expect(regionKeys('440117')).toEqual(['44', '4401', '440117']);
    expect(regionKeys('440100')).toEqual(['44', '4401']);
    expect(regionKeys('440000')).toEqual(['44']);
    expect(ancestorCodes('440117')).toEqual(['440100', '440000', '100000']);
  });
});

interface Fixture {
  readonly label: string;
  readonly over: Partial<CatalogueInput>;
  readonly theme?: ThemeId;
}

const fixtures: Fixture[] = [
  { label: 'A', over: { name: '从化区国土变更调查成果', spatialScope: { regionCode: '440117', bbox: [113.3, 23.5, 114.1, 24.0] }, timePoint: '2026-06-30', classification: 'internal' } },
  { label: 'B', over: { name: '南山区国土调查成果', spatialScope: { regionCode: '440305', bbox: [113.8, 22.4, 114.0, 22.6] }, timePoint: '2025-12-31', classification: 'public' } },
  { label: 'C', theme: 'forest', over: { name: '广州市森林资源调查成果', spatialScope: { regionCode: '440100' }, timePoint: '2024-06-30', classification: 'public', sharingMode: 'conditional' } },
  { label: 'D', theme: 'wetland', over: { name: '广东省湿地资源调查成果', spatialScope: { regionCode: '440000' }, timePoint: '2026-03-31', classification: 'secret' } },
  { label: 'E', over: { name: '广东省第三次国土调查成果', spatialScope: { regionCode: '440000' }, timePoint: '2023-12-31', classification: 'public', sharingMode: 'offline' } },
];

let world: SubmissionWorld;
let cat: CatalogueWorld;
const numberOf = new Map<string, string>();
const labelOf = new Map<string, string>();

beforeAll(async () => {
  world = await submissionWorld();
  cat = catalogueWorld(world);
  const actor = await world.user('zhang.wei');
  for (const f of fixtures) {
    const id = await verifiedSubmission(world, f.over, f.theme ? { theme: f.theme } : {});
    const { entry } = await registerCatalogueEntry(cat.ports, { submissionId: id, actor, requestId: f.label });
    numberOf.set(f.label, entry.resultNumber);
    labelOf.set(entry.resultNumber, f.label);
  }
}, 30_000);

async function search(user: string, query: Record<string, string>) {
  const r = await call(searchHandler.with(cataloguePorts(world, cat)), 'GET', '/catalogue', { user, query });
  return { ...r, labels: r.status === 200 ? (r.body.items as Array<{ resultNumber: string }>).map((e) => labelOf.get(e.resultNumber)) : [] };
}

describe('R9.2 catalogue search (GET /catalogue), served by index partitions', () => {
  it.each([
    [{ region: '440000' }, ['A', 'D', 'B', 'C', 'E']],
    [{ region: '440100' }, ['A', 'C']],
    [{ region: '440117' }, ['A']],
    [{ region: '440000', theme: 'landSurvey' }, ['A', 'B', 'E']],
    [{ theme: 'wetland' }, ['D']],
    [{ from: '2026-01-01' }, ['A', 'D']],
    [{ to: '2024-12-31' }, ['C', 'E']],
    [{ from: '2024-01-01', to: '2025-12-31' }, ['B', 'C']],
    [{ sharingMode: 'conditional' }, ['C']],
    [{ custodian: '440000-CUS', classification: 'public' }, ['B', 'C', 'E']],
    [{ q: '国土调查' }, ['B', 'E']],
    [{ q: '湿地 资源' }, ['D']],
    [{ q: '国土调查', region: '440300' }, ['B']],
    [{ bbox: '113.7,22.3,114.1,22.7' }, ['D', 'B', 'C', 'E']],
  ])('finds %o → %o for a reader cleared to 秘密, newest time point first', async (query, expected) => {
    const r = await search('chen.jing', query);

    expect(r.status).toBe(200);
    expect(r.labels).toEqual(expected);
  });

  it('never shows an entry above the caller’s clearance, whatever is asked', async () => {
    const publicUser = await search('luo.xin', { region: '440000' });
    const internalUser = await search('li.na', { region: '440000' });
    const askedForSecret = await search('luo.xin', { classification: 'secret' });
    const byKeyword = await search('luo.xin', { q: '湿地' });

    expect(publicUser.labels).toEqual(['B', 'C', 'E']);
    expect(internalUser.labels).toEqual(['A', 'B', 'C', 'E']);
    expect(askedForSecret.labels).toEqual([]);
    expect(byKeyword.labels).toEqual([]);
  });

  it('pages with an opaque cursor: every entry once, in order, and no cursor after the last page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await search('chen.jing', { region: '440000', limit: '2', ...(cursor ? { cursor } : {}) });
      seen.push(...(r.labels as string[]));
      cursor = r.body.cursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(seen).toEqual(['A', 'D', 'B', 'C', 'E']);
    expect(pages).toBe(3);
  });

  it('refuses a cursor from another query or a forged one (400)', async () => {
    const first = await search('chen.jing', { region: '440000', limit: '1' });

    const otherQuery = await search('chen.jing', { theme: 'forest', cursor: first.body.cursor });
    const forged = await search('chen.jing', { region: '440000', cursor: 'not-a-cursor' });

    expect(otherQuery.status).toBe(400);
    expect(forged.status).toBe(400);
    expect(forged.body.error.details[0].code).toBe('INVALID_CURSOR');
  });

  it('moves an edited entry in the index: the old region no longer finds it, the new one does', async () => {
    const n = numberOf.get('A')!;
    const r = await call(updateEntry.with(cataloguePorts(world, cat)), 'PATCH', `/catalogue/${n}`, {
      user: 'zhang.wei',
      pathParameters: { resultNumber: n },
      body: { spatialScope: { regionCode: '440305' }, reason: '更正行政区划' },
    });

    expect(r.status).toBe(200);
    expect((await search('chen.jing', { region: '440100' })).labels).toEqual(['C']);
    expect((await search('chen.jing', { region: '440300' })).labels).toEqual(['A', 'B']);
  });
});
