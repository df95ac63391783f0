import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { catalogueEntryFixture } from '../fixtures/catalogue-entry.ts';
import { indexItems } from '#adapters/dynamo-catalogue.ts';
import { keys } from '#adapters/dynamo.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { DynamoCatalogueStore } from '#adapters/dynamo-catalogue.ts';
import { affectsPublicCatalogue, buildPublicCatalogue, catalogueLevel, isPublishable, type PublicFile } from '#shared/catalogue/public/build.ts';
import { publishPublicCatalogue, type PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import { regionName, regionBoxFor } from '#shared/reference/regions.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { publicKeyOf } from '#infra/local/http-api.ts';
import { handler as scheduleHandler } from '#functions/catalogue/publish-public-catalogue.ts';
import { handler as refreshHandler } from '#functions/catalogue/refresh-public-catalogue.ts';
import { CountingCatalogueTable } from './catalogue-fakes.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

// The official STAC 1.0.0 schemas, vendored with their licence (test/fixtures/stac-1.0.0/LICENSE).
const stacDir = new URL('../fixtures/stac-1.0.0/', import.meta.url);
const geojsonDir = new URL('../fixtures/geojson-schema/', import.meta.url);
const readJson = (base: URL, path: string) => JSON.parse(readFileSync(fileURLToPath(new URL(path, base)), 'utf8')) as Record<string, unknown>;

/** Every schema registered by its own $id: the $refs (relative, and to geojson.org) resolve without a network. */
function stacValidators(): { catalog: ValidateFunction; collection: ValidateFunction; item: ValidateFunction } {
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: its plugin is the module's `default` property.
  ajvFormats.default(ajv);
  for (const f of ['Feature.json', 'Geometry.json']) ajv.addSchema(readJson(geojsonDir, f));
  for (const f of ['basics.json', 'datetime.json', 'instrument.json', 'licensing.json', 'provider.json', 'item.json']) ajv.addSchema(readJson(stacDir, `item-spec/json-schema/${f}`));
  ajv.addSchema(readJson(stacDir, 'catalog-spec/json-schema/catalog.json'));
  ajv.addSchema(readJson(stacDir, 'collection-spec/json-schema/collection.json'));
  const get = (id: string) => {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`schema ${id} not registered`);
    return v;
  };
  return {
    catalog: get('https://schemas.stacspec.org/v1.0.0/catalog-spec/json-schema/catalog.json#'),
    collection: get('https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json#'),
    item: get('https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json#'),
  };
}

let seq = 0;
const entry = (over: Partial<CatalogueEntry> & { custodian: string }): CatalogueEntry => catalogueEntryFixture({ sequence: ++seq, ...over });

const provincial = entry({ custodian: '440000-CUS', name: '广东省第三次国土调查成果（公开版）' });
const national = entry({
  custodian: '100000-CUS',
  theme: 'forest',
  name: '全国森林资源清查成果',
  spatialScope: { regionCode: '100000' },
  timePoint: { from: '2024-01-01', to: '2025-12-31' },
  provider: '100000-CUS',
});
const countyOfProvince = entry({
  custodian: '440000-CUS',
  name: '从化区国土变更调查成果 <script>alert("x")</script> & 附件',
  spatialScope: { regionCode: '440117' },
  timePoint: { from: '2025-12-31', to: '2025-12-31' },
});
const secret = entry({ custodian: '440000-CUS', name: '广东省湿地资源涉密成果', classification: 'secret' });
const internal = entry({ custodian: '440000-CUS', name: '广东省国土调查内部成果', classification: 'internal' });
const municipal = entry({ custodian: '440100-CUS', name: '广州市地表覆盖成果', theme: 'landCover', spatialScope: { regionCode: '440100' } });
const county = entry({ custodian: '440117-CUS', name: '从化区湿地资源成果', theme: 'wetland', spatialScope: { regionCode: '440117' } });
const destroyed = entry({ custodian: '440000-CUS', name: '已销毁的广东省成果', status: 'destroyed' });
const all = [provincial, national, countyOfProvince, secret, internal, municipal, county, destroyed];
const hidden = [secret, internal, municipal, county, destroyed];

const generatedAt = new Date('2026-11-28T18:00:00.000Z');
const orgNames = new Map([
  ['440000-CUS', '广东省自然资源技术中心'],
  ['100000-CUS', '自然资源部信息中心'],
]);

const parsed = (f: PublicFile | undefined) => JSON.parse(f?.body ?? 'null') as Record<string, any>;

describe('R9.3 public catalogue: which entries are published', () => {
  it('takes the catalogue level from the custodian organisation code: 100000 national, xx0000 provincial, others none', () => {
    expect(catalogueLevel('100000-CUS')).toBe('national');
    expect(catalogueLevel('440000-CUS')).toBe('provincial');
    expect(catalogueLevel('440100-CUS')).toBeUndefined();
    expect(catalogueLevel('440117-CUS')).toBeUndefined();
  });

  it('publishes only active public entries of national and provincial custodians, a county result of a provincial custodian included', () => {
    expect(all.filter(isPublishable)).toEqual([provincial, national, countyOfProvince]);
  });

  it('tells a change hook when the public catalogue must be republished: published now, or taken down', () => {
    expect(affectsPublicCatalogue(provincial)).toBe(true);
    expect(affectsPublicCatalogue({ ...provincial, classification: 'internal' }, provincial)).toBe(true);
    expect(affectsPublicCatalogue(internal, { ...internal, name: '旧名称' })).toBe(false);
    expect(affectsPublicCatalogue(municipal)).toBe(false);
  });

  it('never writes a secret, internal, municipal, county or destroyed entry into any file, by number or by name', () => {
    const files = buildPublicCatalogue(all, { generatedAt, orgNames });

    const bodies = [...files.values()].map((f) => f.body).join('\n');
    const keysText = [...files.keys()].join('\n');
    for (const e of hidden) {
      expect(bodies, e.name).not.toContain(e.resultNumber);
      expect(bodies, e.name).not.toContain(e.name);
      expect(keysText).not.toContain(e.resultNumber);
    }
    for (const e of [provincial, national]) expect(bodies).toContain(e.resultNumber);
  });
});

describe('R9.3 public catalogue: STAC 1.0.0 output validates against the official schemas (offline)', () => {
  const files = buildPublicCatalogue(all, { generatedAt, orgNames });
  const v = stacValidators();

  it('writes a root catalog, a collection per theme and an item per published entry', () => {
    expect([...files.keys()].sort()).toEqual(
      [
        'catalog.json',
        'collections/forest/collection.json',
        `collections/forest/items/${national.resultNumber}.json`,
        'collections/landSurvey/collection.json',
        `collections/landSurvey/items/${countyOfProvince.resultNumber}.json`,
        `collections/landSurvey/items/${provincial.resultNumber}.json`,
        'data.json',
        'index.html',
        'search-index.json',
      ].sort(),
    );
  });

  it('validates every catalog, collection and item file', () => {
    const checked: string[] = [];
    for (const [key, file] of files) {
      const validate = key === 'catalog.json' ? v.catalog : key.endsWith('/collection.json') ? v.collection : key.includes('/items/') ? v.item : undefined;
      if (!validate) continue;
      const doc = JSON.parse(file.body) as Record<string, unknown>;
      const ok = validate(doc);
      expect(validate.errors ?? [], key).toEqual([]);
      expect(ok, key).toBe(true);
      checked.push(key);
    }
    expect(checked).toHaveLength(6);
  });

  it('rejects an item without its datetime, so the validator is really checking', () => {
    const item = parsed(files.get(`collections/landSurvey/items/${provincial.resultNumber}.json`));
    delete item['properties'].datetime;
    delete item['properties'].start_datetime;
    delete item['properties'].end_datetime;

    expect(v.item(item)).toBe(false);
  });

  it('computes a collection extent from its items: the union of their boxes and the span of their time points', () => {
    const c = parsed(files.get('collections/landSurvey/collection.json'));

    // 440117 has no box of its own: it is placed by its province's box.
    const [w, s, e, n] = regionBoxFor('440000')!.bbox;
    expect(c['extent'].spatial.bbox).toEqual([[Math.min(w, 109.7), Math.min(s, 20.3), Math.max(e, 117.2), Math.max(n, 25.4)]]);
    expect(c['extent'].temporal.interval).toEqual([['2025-12-30T16:00:00Z', '2026-06-30T15:59:59Z']]);
    expect(c['links'].filter((l: { rel: string }) => l.rel === 'item').map((l: { href: string }) => l.href).sort()).toEqual(
      [`./items/${countyOfProvince.resultNumber}.json`, `./items/${provincial.resultNumber}.json`].sort(),
    );
  });

  it('gives an item its box as a polygon, its Beijing date in UTC, and its custodian as provider', () => {
    const item = parsed(files.get(`collections/landSurvey/items/${provincial.resultNumber}.json`));

    expect(item['bbox']).toEqual([109.7, 20.3, 117.2, 25.4]);
    expect(item['geometry'].coordinates[0]).toEqual([
      [109.7, 20.3],
      [117.2, 20.3],
      [117.2, 25.4],
      [109.7, 25.4],
      [109.7, 20.3],
    ]);
    expect(item['properties']).toMatchObject({
      title: provincial.name,
      datetime: '2026-06-29T16:00:00Z',
      start_datetime: '2026-06-29T16:00:00Z',
      end_datetime: '2026-06-30T15:59:59Z',
    });
    expect(item['properties'].providers[0]).toMatchObject({ name: '广东省自然资源技术中心', roles: ['host', 'licensor'] });
    expect(item['links'].map((l: { rel: string }) => l.rel)).toEqual(['self', 'parent', 'collection', 'root']);
  });

  it('gives a period a null datetime with its start and end', () => {
    const item = parsed(files.get(`collections/forest/items/${national.resultNumber}.json`));

    expect(item['properties']).toMatchObject({ datetime: null, start_datetime: '2023-12-31T16:00:00Z', end_datetime: '2025-12-31T15:59:59Z' });
  });

  it('links the root to each collection and to the page', () => {
    const root = parsed(files.get('catalog.json'));

    expect(root['links'].filter((l: { rel: string }) => l.rel === 'child').map((l: { href: string }) => l.href)).toEqual([
      './collections/forest/collection.json',
      './collections/landSurvey/collection.json',
    ]);
    expect(root['links']).toContainEqual(expect.objectContaining({ rel: 'alternate', href: './index.html', type: 'text/html' }));
  });
});

describe('R9.3 public catalogue: the citizen page and its search index', () => {
  const files = buildPublicCatalogue(all, { generatedAt, orgNames });

  it('escapes entry text on the page and loads nothing from elsewhere', () => {
    const html = files.get('index.html')?.body ?? '';

    expect(files.get('index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('从化区国土变更调查成果 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 附件');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('lists every published entry in the search index with its theme, region and custodian names', () => {
    const idx = parsed(files.get('search-index.json'));

    expect(idx['count']).toBe(3);
    expect(idx['entries'].map((r: { n: string }) => r.n)).toEqual([provincial.resultNumber, countyOfProvince.resultNumber, national.resultNumber]);
    expect(idx['entries'][0]).toMatchObject({ themeLabel: '国土调查', regionName: '广东省', custodianName: '广东省自然资源技术中心', level: 'provincial', sharing: '在线共享' });
    expect(idx['entries'][2]).toMatchObject({ regionName: '全国', level: 'national', href: `collections/forest/items/${national.resultNumber}.json` });
  });

  it('names a county entry by its own region, 广州市从化区, and offers its province and city in the region filter', () => {
    const html = files.get('index.html')?.body ?? '';
    const idx = parsed(files.get('search-index.json'));
    const item = parsed(files.get(`collections/landSurvey/items/${countyOfProvince.resultNumber}.json`));

    expect(idx['entries'][1]).toMatchObject({ region: '440117', regionName: '广州市从化区' });
    expect(item['properties']['chengguo:region_name']).toBe('广州市从化区');
    expect(html).toContain('<td>广州市从化区</td>');
    expect(html).not.toContain('广东省（440117）');
    expect(html).toContain('<option value="44">广东省</option>');
    expect(html).toContain('<option value="4401">　广州市</option>');
    expect(html.indexOf('<option value="44">')).toBeLessThan(html.indexOf('<option value="4401">'));
  });

  it('shows the update time in Beijing time on the page and in the catalogue description; the index keeps the ISO instant', () => {
    const html = files.get('index.html')?.body ?? '';
    const root = parsed(files.get('catalog.json'));
    const idx = parsed(files.get('search-index.json'));

    expect(html).toContain('2026-11-29 02:00（北京时间）');
    expect(html).not.toContain('更新时间：2026-11-28T18:00');
    expect(root['description']).toContain('更新时间 2026-11-29 02:00（北京时间）');
    expect(idx['generatedAt']).toBe('2026-11-28T18:00:00.000Z');
  });
});

describe('R9.3 public catalogue: region names (GB/T 2260)', () => {
  it('names the country, a province, a city and a county under its city', () => {
    expect(regionName('100000')).toBe('全国');
    expect(regionName('440000')).toBe('广东省');
    expect(regionName('440100')).toBe('广州市');
    expect(regionName('440117')).toBe('广州市从化区');
  });

  it('names an unlisted county by its city or province with its code, and an unknown code as itself', () => {
    expect(regionName('440199')).toBe('广州市（440199）');
    // issue 8 §6: names come from the complete GB/T 2260 table, no longer from a hand table of 广东省 only
    expect(regionName('350102')).toBe('福州市鼓楼区');
    expect(regionName('990000')).toBe('990000');
  });
});

class MemoryFiles implements PublicCatalogueFiles {
  readonly objects = new Map<string, PublicFile>();
  readonly written = new Map<string, Date>();
  readonly order: string[] = [];
  /** The store's clock for LastModified. */
  clock = () => new Date('2026-11-01T00:00:00.000Z');
  async list() {
    return [...this.objects.keys()].map((key) => ({ key, lastModified: this.written.get(key)! }));
  }
  async put(key: string, file: PublicFile) {
    this.order.push(key);
    this.objects.set(key, file);
    this.written.set(key, this.clock());
  }
  async delete(keyList: readonly string[]) {
    for (const k of keyList) this.objects.delete(k);
  }
}

function storeWith(entries: CatalogueEntry[]) {
  const table = new CountingCatalogueTable(new InMemoryTables());
  table.load(entries.flatMap((e) => [{ ...keys.catalogueEntry(e.resultNumber), ...e }, ...indexItems(e)]));
  return { table, store: new DynamoCatalogueStore(table) };
}

describe('R9.3 publishing the public catalogue', () => {
  it('leaves a file written after the run began (by an overlapping, newer run) and deletes one written before it', async () => {
    const { store } = storeWith(all);
    const files = new MemoryFiles();
    const runStart = new Date('2026-11-02T08:00:00.000Z');
    const body = { body: Buffer.from('{}'), contentType: 'application/json' } as unknown as PublicFile;
    files.clock = () => new Date(runStart.getTime() - 60_000);
    await files.put('collections/forest/items/OLD-STALE.json', body);
    files.clock = () => new Date(runStart.getTime() + 1_000);
    await files.put('collections/forest/items/NEWER-RUN.json', body);

    const result = await publishPublicCatalogue({ catalogue: store, orgName: async (code: string) => orgNames.get(code), files, now: () => runStart });

    expect(files.objects.has('collections/forest/items/OLD-STALE.json')).toBe(false);
    expect(files.objects.has('collections/forest/items/NEWER-RUN.json')).toBe(true);
    expect(result.deleted).toBe(1);
  });

  it('deletes the file of an entry the change batch says is no longer public even when an overlapping run wrote it after this run began', async () => {
    const reclassified = { ...provincial, classification: 'internal' as const, version: 2 };
    const { store } = storeWith(all.map((e) => (e.resultNumber === provincial.resultNumber ? reclassified : e)));
    const files = new MemoryFiles();
    const runStart = new Date('2026-11-02T08:00:00.000Z');
    const body = { body: Buffer.from('{}'), contentType: 'application/json' } as unknown as PublicFile;
    const key = `collections/${provincial.theme}/items/${provincial.resultNumber}.json`;
    files.clock = () => new Date(runStart.getTime() + 1_000); // an older run, still writing what it read before the change
    await files.put(key, body);

    await publishPublicCatalogue({ catalogue: store, orgName: async (code: string) => orgNames.get(code), files, now: () => runStart }, { changed: [reclassified] });

    expect(files.objects.has(key)).toBe(false);
  });

  it('reads the public entries by key queries, writes the root, index and page last, and drops files of entries no longer public', async () => {
    const { table, store } = storeWith(all);
    const files = new MemoryFiles();
    const ports = { catalogue: store, orgName: async (code: string) => orgNames.get(code), files, now: () => generatedAt };
    await publishPublicCatalogue(ports);
    const reclassified = { ...provincial, classification: 'internal' as const, version: 2 };
    table.load([{ ...keys.catalogueEntry(provincial.resultNumber), ...reclassified }]);
    await store.indexEntry(reclassified, provincial);
    files.order.length = 0;
    table.resetCounts();

    const result = await publishPublicCatalogue(ports);

    expect(result).toMatchObject({ entries: 2, written: 8, deleted: 1 });
    expect([...files.objects.keys()]).not.toContain(`collections/landSurvey/items/${provincial.resultNumber}.json`);
    expect(files.order.slice(-3)).toEqual(['catalog.json', 'search-index.json', 'index.html']);
    expect([...files.objects.values()].map((f) => f.body).join('\n')).not.toContain(provincial.name);
    expect(table.calls.query).toBeGreaterThan(0);
    expect(table.calls.get).toBe(0);
  });

  it('writes the same bytes again when nothing changed', async () => {
    const { store } = storeWith(all);
    const files = new MemoryFiles();
    const ports = { catalogue: store, orgName: async (code: string) => orgNames.get(code), files, now: () => generatedAt };
    await publishPublicCatalogue(ports);
    const first = new Map(files.objects);

    const again = await publishPublicCatalogue(ports);

    expect(again.deleted).toBe(0);
    expect(files.objects).toEqual(first);
  });
});

describe('R9.3 the local cloud serves the published files at /public/', () => {
  it('maps a path to its key under the prefix and a folder to its index.html', () => {
    expect(publicKeyOf('/public/')).toBe('index.html');
    expect(publicKeyOf('/public/catalog.json')).toBe('catalog.json');
    expect(publicKeyOf('/public/collections/landSurvey/items/440000-CUS-2026-GT-000001.json')).toBe('collections/landSurvey/items/440000-CUS-2026-GT-000001.json');
  });

  it('refuses a path that would leave the prefix, encoded or not', () => {
    expect(publicKeyOf('/public/../documents/x.json')).toBeUndefined();
    expect(publicKeyOf('/public/..%2F..%2Fdocuments%2Fx.json')).toBeUndefined();
    expect(publicKeyOf('/public/a//b.json')).toBeUndefined();
    expect(publicKeyOf('/other/catalog.json')).toBeUndefined();
  });
});

describe('R9.3 refresh route and daily schedule handlers', () => {
  async function setup() {
    const world = await submissionWorld();
    const { store } = storeWith(all);
    const files = new MemoryFiles();
    const ports = () => ({ catalogue: store, orgName: async (code: string) => orgNames.get(code), files, now: () => generatedAt, appBaseUrl: 'https://api.chengguo.example.gov.cn/' });
    const { verifier, identity } = portsFor(world);
    const { files: publicFiles, ...rest } = ports();
    return { files, ports: { ...rest, publicFiles }, deps: { verifier, identity, ...rest, publicFiles } };
  }

  it('lets a custodian republish now and answers with what was published', async () => {
    const { files, deps } = await setup();

    const res = await call(refreshHandler.with(deps), 'POST', '/public-catalogue/refresh', { user: 'zhang.wei' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ entries: 3, written: 9, deleted: 0, generatedAt: generatedAt.toISOString() });
    expect(files.objects.has('catalog.json')).toBe(true);
  });

  it('refuses a submitter and publishes nothing', async () => {
    const { files, deps } = await setup();

    const res = await call(refreshHandler.with(deps), 'POST', '/public-catalogue/refresh', { user: 'li.na' });

    expect(res.status).toBe(403);
    expect(files.objects.size).toBe(0);
  });

  it('publishes on the daily schedule', async () => {
    const { files, ports } = await setup();
    const event = { schedule: 'PublicCatalogueRefresh', scheduledTime: '2026-11-28T18:00:00Z', executionId: 'exec-1', attempt: 1 };

    const out = await scheduleHandler.with(ports)(event, { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context);

    expect(out).toMatchObject({ schedule: 'PublicCatalogueRefresh', entries: 3, written: 9 });
    expect([...files.objects.keys()]).toContain('index.html');
  });
});
