import { describe, expect, it } from 'vitest';
import { catalogueEntryFixture } from '../fixtures/catalogue-entry.ts';
import { DynamoCatalogueStore, indexItems, maxQueriesPerSearch } from '#adapters/dynamo-catalogue.ts';
import { keys } from '#adapters/dynamo.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { visibleClassifications } from '#shared/catalogue/catalogue.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import type { CatalogueFilter } from '#shared/ports/catalogue.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { SharingMode } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { CountingCatalogueTable } from './catalogue-fakes.ts';

// Ten kinds of entry, repeated; entry i is one day older per ten entries, so the newest
// entries — where every search starts — are the same whatever the table's size.
const regions = ['440117', '440305', '440100', '440000', '440106', '350102', '350100', '350000', '440117', '440303'];
const places = ['从化区', '南山区', '广州市', '广东省', '天河区', '鼓楼区', '福州市', '福建省', '从化区', '罗湖区'];
const themes: ThemeId[] = ['landSurvey', 'forest', 'landSurvey', 'wetland', 'landSurvey', 'forest', 'landSurvey', 'wetland', 'landSurvey', 'grassland'];
const themeNames: Record<string, string> = { landSurvey: '国土', forest: '森林资源', wetland: '湿地资源', grassland: '草原资源' };
const levels: Classification[] = ['public', 'internal', 'public', 'secret', 'public', 'internal', 'public', 'confidential', 'public', 'internal'];
const modes: SharingMode[] = ['online', 'conditional', 'offline', 'online'];

function day(offset: number): string {
  return new Date(Date.UTC(2026, 5, 30) - offset * 86_400_000).toISOString().slice(0, 10);
}

function entry(i: number): CatalogueEntry {
  const j = i % 10;
  const theme = themes[j]!;
  const date = day(Math.floor(i / 10));
  return catalogueEntryFixture({
    custodian: regions[j]!.startsWith('44') ? '440000-CUS' : '350000-CUS',
    sequence: i + 1,
    theme,
    name: `${places[j]}${themeNames[theme]}调查成果`,
    content: '调查数据库与图件',
    format: 'GeoPackage',
    spatialScope: { regionCode: regions[j]!, ...(j % 2 === 0 ? { bbox: [113.3 + (j % 3) * 0.2, 22.5, 114.1, 24.0] as [number, number, number, number] } : {}) },
    timePoint: { from: date, to: date },
    classification: levels[j]!,
    sharingMode: modes[i % 4]!,
    submissionId: `sub-${i}`,
    taskId: 'task',
    createdAt: '2026-07-01T00:00:00.000Z',
    updatedAt: '2026-07-01T00:00:00.000Z',
  });
}

const built = new Map<number, { table: CountingCatalogueTable; store: DynamoCatalogueStore }>();

/** A table of `count` entries with their index items, as the adapter writes them (built once per size). */
function tableOf(count: number): { table: CountingCatalogueTable; store: DynamoCatalogueStore } {
  const cached = built.get(count);
  if (cached) return cached;
  const table = new CountingCatalogueTable(new InMemoryTables('logs'));
  function* items() {
    for (let i = 0; i < count; i += 1) {
      const e = entry(i);
      yield { ...keys.catalogueEntry(e.resultNumber), ...e };
      yield* indexItems(e);
    }
  }
  table.load(items());
  const made = { table, store: new DynamoCatalogueStore(table) };
  built.set(count, made);
  return made;
}

const asPublic = visibleClassifications('public');
const asSecret = visibleClassifications('secret');

const searches: Array<[string, CatalogueFilter]> = [
  ['province (cities and counties included)', { regionCode: '440000', classifications: asSecret }],
  ['province, as a public-clearance reader', { regionCode: '440000', classifications: asPublic }],
  ['city + theme', { regionCode: '440100', theme: 'landSurvey', classifications: asSecret }],
  ['Chinese keyword (3 bigrams intersected)', { keywords: ['国土调查'], classifications: asSecret }],
  ['keyword + province', { keywords: ['湿地资源'], regionCode: '440000', classifications: asSecret }],
  ['time range + theme', { theme: 'forest', from: '2026-04-01', to: '2026-06-15', classifications: asSecret }],
  ['sharing mode + custodian', { sharingMode: 'online', custodian: '440000-CUS', classifications: asSecret }],
  ['bounding box + province', { regionCode: '440000', bbox: [113.0, 23.0, 113.6, 23.8], classifications: asSecret }],
];

async function cost(store: DynamoCatalogueStore, table: CountingCatalogueTable, filter: CatalogueFilter) {
  table.resetCounts();
  const first = await store.search(filter, { limit: 20 });
  const firstPage = table.total();
  table.resetCounts();
  const second = await store.search(filter, { limit: 20, ...(first.cursor ? { cursor: first.cursor } : {}) });
  return { firstPage, secondPage: table.total(), calls: { ...table.calls }, first, second };
}

describe('R9.2 search cost: DynamoDB requests per page do not depend on the number of entries', () => {
  it('counts the same requests for each search at 1,000 and at 100,000 entries, a handful per page, with full pages', async () => {
    const small = tableOf(1_000);
    const large = tableOf(100_000);

    for (const [label, filter] of searches) {
      const a = await cost(small.store, small.table, filter);
      const b = await cost(large.store, large.table, filter);

      expect({ label, requests: b.firstPage, next: b.secondPage }).toEqual({ label, requests: a.firstPage, next: a.secondPage });
      // One Query, one BatchGetItem of the page's entries, and for keywords one or two of their other terms.
      expect(b.firstPage, label).toBeLessThanOrEqual(5);
      expect(b.first.items, label).toHaveLength(20);
      expect(b.second.items, label).toHaveLength(20);
      expect(b.first.items.map((e) => e.resultNumber), label).toEqual(a.first.items.map((e) => e.resultNumber));
    }
    expect(large.table.size()).toBeGreaterThan(100 * small.table.size() * 0.9);
  }, 120_000);

  it('answers a keyword no entry has with one request, and bounds a search whose filters match nothing in a large partition', async () => {
    const large = tableOf(100_000);

    const none = await cost(large.store, large.table, { keywords: ['冰川冻土'], classifications: asSecret });
    // 福建 wetland entries are all 机密: a 秘密 reader's search walks the partition a budget at a time.
    const selective = await cost(large.store, large.table, { regionCode: '350000', theme: 'wetland', classifications: asSecret });

    expect(none.first.items).toEqual([]);
    expect(none.calls).toMatchObject({ query: 1, batchGet: 0 });
    expect(none.firstPage).toBe(1);
    expect(selective.first.items).toEqual([]);
    expect(selective.calls.query).toBe(maxQueriesPerSearch);
    expect(selective.first.cursor).toBeDefined();
  }, 120_000);
});
