import { nationalRegion, regionOfOrg } from '#shared/identity/scope.ts';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { regionName, regionBoxFor } from '#shared/reference/regions.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { sharingModeLabels } from '#shared/schemas/submission.ts';
import { type ThemeId, themeProfiles } from '#shared/reference/themes.ts';
import { publicCataloguePage } from './page.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { downloadHref } from '#shared/publication/keys.ts';

/**
 * The public catalogue (R9.3): the national and provincial catalogues,
 * published to society as static files — a STAC 1.0.0 catalogue for GIS
 * tools and a Chinese page with a search for citizens.
 *
 * What is published (all three must hold):
 *  - the entry's catalogue is national or provincial: decided by the
 *    CUSTODIAN's organisation code, whose first six digits are its region
 *    (`<region>-<kind>`, shared/identity/scope.ts): 100000 = national,
 *    xx0000 = provincial. A city or county custodian's catalogue is not a
 *    national/provincial catalogue and is not published, whatever the
 *    entry's own region (a provincial custodian may hold a county result:
 *    that entry IS in the provincial catalogue);
 *  - classification 'public' (公开) — 内部 and above never leave the system;
 *  - status 'active' (a destroyed result is no longer offered);
 *  - a release version (issue 15) only once released.
 *
 * Time points are China dates; STAC wants UTC. A date is the whole Beijing
 * day: start_datetime 00:00+08:00 and end_datetime 23:59:59+08:00 in UTC,
 * and `datetime` is the day's start. A period has `datetime: null` and its
 * start/end. Geometry is the entry's bounding box as a polygon, or its
 * province's (national: China's) approximate box when it has none.
 */

export type CatalogueLevel = 'national' | 'provincial';
export const catalogueLevelLabels: Record<CatalogueLevel, string> = { national: '国家级', provincial: '省级' };

/** The level of the catalogue an entry belongs to, from its custodian's region; undefined = city or county. */
export function catalogueLevel(custodianOrg: string): CatalogueLevel | undefined {
  const region = regionOfOrg(custodianOrg);
  if (region === nationalRegion) return 'national';
  if (/^\d{2}0000$/.test(region)) return 'provincial';
  return undefined;
}

export function isPublishable(entry: CatalogueEntry): boolean {
  // A release version (R11.1, R12.1) is public only once its publication was approved and released.
  // A withdrawn one stays listed (已撤回 and the date, R11.1 step 8), without its files.
  const released = entry.release === undefined || entry.release.state === 'released' || entry.release.state === 'withdrawn';
  return entry.status === 'active' && entry.classification === 'public' && released && catalogueLevel(entry.custodian) !== undefined;
}

/**
 * Whether a change to an entry changes the public catalogue: it is
 * published now, or was before the change (it must then be taken down).
 * For a hook after registration or an edit, to republish only when needed.
 */
export function affectsPublicCatalogue(entry: CatalogueEntry, previous?: CatalogueEntry): boolean {
  return isPublishable(entry) || (previous !== undefined && isPublishable(previous));
}

export interface PublicFile {
  readonly body: string;
  readonly contentType: string;
}

export interface PublicCatalogueOptions {
  /** When the files were built (the page and the catalogue say so). */
  readonly generatedAt: Date;
  /** Organisation names by code, for the custodian and provider; a missing one shows its code. */
  readonly orgNames?: ReadonlyMap<string, string>;
  /**
   * The API's public base URL (APP_BASE_URL). The public form and the downloads are answered by the API, not
   * by the static site: on AWS the site is a CloudFront distribution of the bucket, so a relative link to
   * them fails there. Given, the page's form link and data.json's download URLs are absolute; absent (tests,
   * a site served under the API's /public/), they stay relative.
   */
  readonly apiBaseUrl?: string | undefined;
}

export const stacVersion = '1.0.0';
export const rootCatalogueId = 'chengguo-public-catalogue';
const jsonType = 'application/json; charset=utf-8';
const geoJsonType = 'application/geo+json; charset=utf-8';

/** A search index row: what the page filters on, kept small (no geometry). */
export interface SearchIndexRow {
  readonly n: string;
  readonly name: string;
  readonly content: string;
  readonly format: string;
  readonly theme: ThemeId;
  readonly themeLabel: string;
  readonly region: string;
  readonly regionName: string;
  readonly level: CatalogueLevel;
  readonly custodian: string;
  readonly custodianName: string;
  readonly from: string;
  readonly to: string;
  readonly sharing: string;
  readonly href: string;
  /** A released version's files (R17.2): download links relative to the catalogue's root. */
  readonly downloads?: ReadonlyArray<{ readonly path: string; readonly href: string; readonly size: number; readonly sha256: string }>;
  /** A publication for sale (出版物): how to order it, instead of downloads. */
  readonly ordering?: string;
  /** A withdrawn release: the China date of its withdrawal (已撤回). */
  readonly withdrawn?: string;
  /** R19.3: 质量问题处理中 while a confirmed 重大 problem on the result is open. */
  readonly quality?: string;
}

/** R19.3: what the public page and the STAC item say while a confirmed 重大 problem is open. */
export const qualityInProgressLabel = '质量问题处理中';
const qualityOf = (e: CatalogueEntry): Pick<SearchIndexRow, 'quality'> => ((e.openQualityProblems ?? 0) > 0 ? { quality: qualityInProgressLabel } : {});

/** What the public may get of an entry: downloads, ordering information, or a withdrawal notice (R17.2). */
function obtainable(e: CatalogueEntry): Pick<SearchIndexRow, 'downloads' | 'ordering' | 'withdrawn'> {
  const r = e.release;
  if (!r) return {};
  if (r.state === 'withdrawn') return { withdrawn: chinaDate(new Date(r.withdrawal?.at ?? e.updatedAt)) };
  if (r.state !== 'released') return {};
  if (r.forSale) return { ordering: `公开出版物，请向${r.forSale.publisher}订购：${r.forSale.ordering}` };
  return { downloads: (r.files ?? []).map((f) => ({ path: f.path, href: downloadHref(e.resultNumber, f.path), size: f.size, sha256: f.sha256 })) };
}

/** STAC assets of a released version (file extension, checksum as a multihash: 0x12 0x20 + SHA-256). */
function stacAssets(e: CatalogueEntry): Record<string, unknown> {
  const r = e.release;
  if (!r || r.state !== 'released' || r.forSale) return {};
  return Object.fromEntries(
    (r.files ?? []).map((f) => [
      f.path,
      { href: `../../../${downloadHref(e.resultNumber, f.path)}`, type: f.type, title: f.path.split('/').pop() ?? f.path, roles: ['data'], 'file:size': f.size, 'file:checksum': `1220${f.sha256}` },
    ]),
  );
}

export const themeLabel = (theme: ThemeId): string => themeProfiles[theme].label;

type Bbox = readonly [number, number, number, number];

function boxOf(entry: CatalogueEntry): Bbox | undefined {
  const own = entry.spatialScope.bbox;
  if (own) return [own[0], own[1], own[2], own[3]];
  return regionBoxFor(entry.spatialScope.regionCode)?.bbox;
}

/** A Beijing date's instant in UTC, RFC 3339 with Z (the STAC schema's pattern). */
function beijing(date: string, time: string): string {
  return new Date(`${date}T${time}+08:00`).toISOString().replace('.000Z', 'Z');
}

function stacTime(entry: CatalogueEntry): Record<string, string | null> {
  const { from, to } = entry.timePoint;
  const start = beijing(from, '00:00:00');
  const end = beijing(to, '23:59:59');
  return { datetime: from === to ? start : null, start_datetime: start, end_datetime: end };
}

const itemHref = (n: string) => `items/${encodeURIComponent(n)}.json`;
/** The published file of one entry (relative to the public-catalogue/ prefix). */
export const itemKey = (theme: ThemeId, n: string) => `collections/${theme}/${itemHref(n)}`;

function providers(entry: CatalogueEntry, names: ReadonlyMap<string, string>) {
  const name = (code: string) => names.get(code) ?? code;
  const custodian = { name: name(entry.custodian), description: `保管单位（组织代码 ${entry.custodian}）`, roles: ['host', 'licensor'] };
  if (entry.provider === entry.custodian) return [{ ...custodian, roles: ['producer', 'host', 'licensor'] }];
  return [custodian, { name: name(entry.provider), description: `提供单位（组织代码 ${entry.provider}）`, roles: ['producer'] }];
}

function stacItem(entry: CatalogueEntry, names: ReadonlyMap<string, string>, generatedAt: string): Record<string, unknown> {
  const box = boxOf(entry);
  const [w, s, e, n] = box ?? [0, 0, 0, 0];
  const level = catalogueLevel(entry.custodian) ?? 'provincial';
  return {
    type: 'Feature',
    stac_version: stacVersion,
    id: entry.resultNumber,
    collection: entry.theme,
    geometry: box
      ? {
          type: 'Polygon',
          coordinates: [
            [
              [w, s],
              [e, s],
              [e, n],
              [w, n],
              [w, s],
            ],
          ],
        }
      : null,
    ...(box ? { bbox: [w, s, e, n] } : {}),
    properties: {
      title: entry.name,
      description: entry.content,
      ...stacTime(entry),
      created: entry.createdAt,
      updated: entry.updatedAt,
      providers: providers(entry, names),
      'chengguo:result_number': entry.resultNumber,
      'chengguo:theme': themeLabel(entry.theme),
      'chengguo:format': entry.format,
      'chengguo:region_code': entry.spatialScope.regionCode,
      'chengguo:region_name': regionName(entry.spatialScope.regionCode),
      'chengguo:classification': '公开',
      'chengguo:sharing_mode': sharingModeLabels[entry.sharingMode],
      'chengguo:catalogue_level': catalogueLevelLabels[level],
      'chengguo:version': entry.version,
      'chengguo:published': generatedAt,
      ...(entry.release?.releasedAt ? { 'chengguo:released': entry.release.releasedAt } : {}),
      ...(entry.release?.state === 'withdrawn' ? { 'chengguo:withdrawn': entry.release.withdrawal?.at ?? entry.updatedAt, 'chengguo:status': '已撤回' } : {}),
      ...(entry.release?.forSale ? { 'chengguo:ordering': `${entry.release.forSale.publisher}：${entry.release.forSale.ordering}` } : {}),
      ...((entry.openQualityProblems ?? 0) > 0 ? { 'chengguo:quality_status': qualityInProgressLabel } : {}),
    },
    links: [
      { rel: 'self', href: `./${encodeURIComponent(entry.resultNumber)}.json`, type: 'application/geo+json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
      { rel: 'root', href: '../../../catalog.json', type: 'application/json' },
    ],
    ...(entry.release && entry.release.state !== 'pending' && entry.release.state !== 'approved'
      ? { stac_extensions: ['https://stac-extensions.github.io/file/v2.1.0/schema.json'] }
      : {}),
    assets: stacAssets(entry),
  };
}

/** The union of the items' boxes; the whole world when none has one (the schema needs a box). */
function unionBox(boxes: Bbox[]): [number, number, number, number] {
  if (boxes.length === 0) return [-180, -90, 180, 90];
  // A loop, not Math.min(...list): spreading ~100,000 arguments overflows the call stack.
  const out: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [w, s, e, n] of boxes) {
    if (w < out[0]) out[0] = w;
    if (s < out[1]) out[1] = s;
    if (e > out[2]) out[2] = e;
    if (n > out[3]) out[3] = n;
  }
  return out;
}

function stacCollection(theme: ThemeId, entries: CatalogueEntry[], names: ReadonlyMap<string, string>): Record<string, unknown> {
  const starts = entries.map((e) => beijing(e.timePoint.from, '00:00:00')).sort();
  const ends = entries.map((e) => beijing(e.timePoint.to, '23:59:59')).sort();
  const custodians = [...new Set(entries.map((e) => e.custodian))].sort();
  return {
    type: 'Collection',
    stac_version: stacVersion,
    id: theme,
    title: `${themeLabel(theme)}成果目录`,
    description: `国家级和省级自然资源调查监测成果目录中可公开的${themeLabel(theme)}成果（共 ${entries.length} 项）。目录信息公开；成果数据按各条目的共享方式向保管单位申请使用。`,
    keywords: ['自然资源', '调查监测', '成果目录', themeLabel(theme)],
    // The entries describe government results whose use is governed by their sharing mode, not an open licence.
    license: 'proprietary',
    providers: custodians.map((c) => ({ name: names.get(c) ?? c, description: `保管单位（组织代码 ${c}）`, roles: ['host', 'licensor'] })),
    extent: {
      spatial: { bbox: [unionBox(entries.flatMap((e) => (boxOf(e) ? [boxOf(e)!] : [])))] },
      temporal: { interval: [[starts[0] ?? null, ends[ends.length - 1] ?? null]] },
    },
    links: [
      { rel: 'self', href: './collection.json', type: 'application/json' },
      { rel: 'root', href: '../../catalog.json', type: 'application/json' },
      { rel: 'parent', href: '../../catalog.json', type: 'application/json' },
      ...entries.map((e) => ({ rel: 'item', href: `./${itemHref(e.resultNumber)}`, type: 'application/geo+json', title: e.name })),
    ],
  };
}

function stacRoot(themes: ThemeId[], generatedAt: string): Record<string, unknown> {
  return {
    type: 'Catalog',
    stac_version: stacVersion,
    id: rootCatalogueId,
    title: '自然资源调查监测成果公开目录',
    description: `国家级和省级自然资源调查监测成果目录中可公开的条目（R9.3），按成果专题分为集合。更新时间 ${chinaDateTime(generatedAt)}。`,
    links: [
      { rel: 'self', href: './catalog.json', type: 'application/json' },
      { rel: 'root', href: './catalog.json', type: 'application/json' },
      { rel: 'alternate', href: './index.html', type: 'text/html', title: '成果公开目录（网页）' },
      ...themes.map((t) => ({ rel: 'child', href: `./collections/${t}/collection.json`, type: 'application/json', title: `${themeLabel(t)}成果目录` })),
    ],
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Newest time point first, then by number: the same entries always give the same files. */
function byTimeThenNumber(a: CatalogueEntry, b: CatalogueEntry): number {
  if (a.timePoint.from !== b.timePoint.from) return a.timePoint.from < b.timePoint.from ? 1 : -1;
  return a.resultNumber < b.resultNumber ? -1 : a.resultNumber > b.resultNumber ? 1 : 0;
}

/**
 * The files of the public catalogue, keyed by their path under the
 * publishing prefix. Entries that may not be published are dropped here,
 * whatever the caller passed: this is the one gate.
 */
export function buildPublicCatalogue(entries: readonly CatalogueEntry[], opts: PublicCatalogueOptions): Map<string, PublicFile> {
  const names = opts.orgNames ?? new Map<string, string>();
  const generatedAt = opts.generatedAt.toISOString();
  const published = [...new Map(entries.filter(isPublishable).map((e) => [e.resultNumber, e])).values()].sort(byTimeThenNumber);
  const byTheme = new Map<ThemeId, CatalogueEntry[]>();
  for (const e of published) {
    const list = byTheme.get(e.theme);
    if (list) list.push(e);
    else byTheme.set(e.theme, [e]);
  }
  const themes = [...byTheme.keys()].sort();

  const files = new Map<string, PublicFile>();
  files.set('catalog.json', { body: json(stacRoot(themes, generatedAt)), contentType: jsonType });
  for (const theme of themes) {
    const list = byTheme.get(theme) ?? [];
    files.set(`collections/${theme}/collection.json`, { body: json(stacCollection(theme, list, names)), contentType: jsonType });
    for (const e of list) files.set(itemKey(theme, e.resultNumber), { body: json(stacItem(e, names, generatedAt)), contentType: geoJsonType });
  }
  const rows: SearchIndexRow[] = published.map((e) => ({
    n: e.resultNumber,
    name: e.name,
    content: e.content,
    format: e.format,
    theme: e.theme,
    themeLabel: themeLabel(e.theme),
    region: e.spatialScope.regionCode,
    regionName: regionName(e.spatialScope.regionCode),
    level: catalogueLevel(e.custodian) ?? 'provincial',
    custodian: e.custodian,
    custodianName: names.get(e.custodian) ?? e.custodian,
    from: e.timePoint.from,
    to: e.timePoint.to,
    sharing: sharingModeLabels[e.sharingMode],
    href: itemKey(e.theme, e.resultNumber),
    ...obtainable(e),
    ...qualityOf(e),
  }));
  files.set('search-index.json', { body: json({ generatedAt, count: rows.length, entries: rows }), contentType: jsonType });
  const base = opts.apiBaseUrl ? `${opts.apiBaseUrl.replace(/\/+$/, '')}/public/` : '';
  files.set('data.json', { body: json(releasedResultsFeed(published, rows, generatedAt, base)), contentType: jsonType });
  files.set('index.html', { body: publicCataloguePage(rows, generatedAt, { formHref: `${base}applications/form` }), contentType: 'text/html; charset=utf-8' });
  return files;
}

/**
 * R14.2: the released results for external public platforms, as a DCAT catalogue in the Project Open Data
 * `data.json` form (DCAT-US 1.1) that CKAN and other open-data portals harvest: one dataset per entry whose
 * release version is released (not for sale, not withdrawn), its files as distributions with download URLs
 * (the API's logged 302) and SHA-256. Written by the publisher with every other file of the catalogue (no scan).
 */
function releasedResultsFeed(entries: readonly CatalogueEntry[], rows: readonly SearchIndexRow[], generatedAt: string, base: string) {
  const rowOf = new Map(rows.map((r) => [r.n, r]));
  return {
    '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld',
    '@type': 'dcat:Catalog',
    conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
    describedBy: 'https://project-open-data.cio.gov/v1.1/schema/catalog.json',
    title: '自然资源调查监测成果公开目录：已发布成果',
    modified: generatedAt,
    dataset: entries.flatMap((e) => {
      const row = rowOf.get(e.resultNumber);
      const r = e.release;
      if (!row?.downloads || !r) return [];
      return [{
        '@type': 'dcat:Dataset',
        identifier: e.resultNumber,
        title: e.name,
        description: e.content,
        keyword: [row.themeLabel, row.regionName],
        modified: r.releasedAt ?? e.updatedAt,
        issued: r.releasedAt ?? e.updatedAt,
        publisher: { '@type': 'org:Organization', name: row.custodianName },
        accessLevel: 'public',
        language: ['zh'],
        temporal: `${e.timePoint.from}/${e.timePoint.to}`,
        ...(boxOf(e) ? { spatial: boxOf(e)!.join(',') } : {}),
        landingPage: `${base}${itemKey(e.theme, e.resultNumber)}`,
        distribution: row.downloads.map((d) => ({
          '@type': 'dcat:Distribution',
          title: d.path,
          downloadURL: `${base}${d.href}`,
          mediaType: e.release?.files?.find((f) => f.path === d.path)?.type ?? 'application/octet-stream',
          byteSize: d.size,
          'spdx:checksum': { algorithm: 'sha256', checksumValue: d.sha256 },
        })),
      }];
    }),
  };
}
