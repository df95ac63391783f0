/**
 * Builds shared/reference/region-extents.json — the bounding box of every province, city and county in a boundary
 * file the department provides — for the extent check (issue 12, docs/regions.md). The project ships no such file:
 * no PRC county boundaries under a licence allowing redistribution were found in the registries it may use.
 *
 *   npm run regions:extents -- --from 行政区.geojson --licence "…" --attribution "…" [--code-field XZQDM] [--out file]
 *
 * Input: a GeoJSON FeatureCollection (RFC 7946) in CGCS2000 (EPSG:4490) or WGS 84 longitude/latitude degrees —
 * reproject a projected file first (e.g. `ogr2ogr -t_srs EPSG:4490 -f GeoJSON out.geojson in.shp`). Each feature is
 * a Polygon or MultiPolygon with its GB/T 2260 code in a property (`--code-field`, else the first of code, adcode,
 * XZQDM, PAC, 行政区划代码, 区划代码). A 6-digit code is the region itself; a 9- or 12-digit code (a town or village
 * of 统计用区划代码, 三调 XZQDM) counts towards its county, the first six digits. A city or province the file does not
 * have is derived from its counties when every one of them is there. Refused, with every problem listed (feature,
 * field, message): no code, a code in no GB/T 2260 table, no polygon, coordinates that are not longitude/latitude,
 * a box outside its province's approximate box (a wrong code or coordinate system). A name property that does not
 * match the code's GB/T 2260 name is reported as a warning.
 *
 * Output: the source (file name, SHA-256, licence, attribution, date) and the boxes, each rounded outward to 0.001°,
 * Brotli-compressed and base64-encoded (~3,000 counties ≈ 30 KB). It is read at run time, never bundled
 * (shared/reference/region-extents.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants } from 'node:zlib';
import { historicName } from '#shared/reference/region-history.ts';
import { gbt2260Codes, padded, provinceBoxes, provinceCodeOf, regionLevelOf } from '#shared/reference/regions.ts';
import { EXTENT_UNIT_DEGREES, regionExtentsFileName, regionExtentsFormat, type ExtentBbox, type RegionExtentsFile } from '#shared/reference/region-extents.ts';

export const defaultOutFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'shared', 'reference', regionExtentsFileName);
export const defaultCodeFields = ['code', 'adcode', 'XZQDM', 'PAC', '行政区划代码', '区划代码'] as const;
const nameFields = ['name', 'NAME', 'XZQMC', '名称', '行政区名称'] as const;
/** How far a box may reach beyond its province's approximate box before its code or coordinates are taken to be wrong. */
const provinceSlackDegrees = 0.5;

export interface ExtentsProblem {
  /** The feature's position in the file (0-based), or -1 for the file as a whole. */
  readonly feature: number;
  readonly field: string;
  readonly message: string;
}

export class RegionExtentsInputError extends Error {
  readonly code = 'REGION_EXTENTS_INVALID';
  constructor(readonly problems: readonly ExtentsProblem[]) {
    super(
      `边界文件有 ${problems.length} 处问题，未生成外包框表（REGION_EXTENTS_INVALID）：\n` +
        problems
          .slice(0, 30)
          .map((p) => `  ${p.feature < 0 ? '文件' : `第 ${p.feature + 1} 个要素`}（${p.field}）：${p.message}`)
          .join('\n') +
        (problems.length > 30 ? `\n  …另有 ${problems.length - 30} 处` : ''),
    );
  }
}

export interface BuildExtentsOptions {
  /** The file's name as the department knows it (recorded, not read). */
  readonly sourceName: string;
  readonly licence: string;
  readonly attribution: string;
  readonly codeField?: string;
  /** YYYY-MM-DD; today when absent. */
  readonly builtAt?: string;
}

export interface BuiltExtents {
  /** The file's content (shared/reference/region-extents.json). */
  readonly json: string;
  readonly boxes: ReadonlyMap<string, ExtentBbox>;
  readonly counts: RegionExtentsFile['counts'];
  readonly warnings: readonly ExtentsProblem[];
}

type Position = readonly number[];
interface Feature {
  readonly type?: unknown;
  readonly properties?: Record<string, unknown> | null;
  readonly geometry?: { readonly type?: unknown; readonly coordinates?: unknown } | null;
}

/** Every [lon, lat] of a Polygon or MultiPolygon, or undefined when the geometry is neither. */
function positions(geometry: Feature['geometry']): Position[] | undefined {
  if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') || !Array.isArray(geometry.coordinates)) return undefined;
  const rings = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as unknown[][];
  const out: Position[] = [];
  for (const polygon of rings) {
    if (!Array.isArray(polygon)) return undefined;
    for (const ring of polygon) {
      if (!Array.isArray(ring)) return undefined;
      for (const p of ring as unknown[]) {
        if (!Array.isArray(p) || p.length < 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
        out.push(p as number[]);
      }
    }
  }
  return out.length > 0 ? out : undefined;
}

const union = (a: ExtentBbox | undefined, b: ExtentBbox): ExtentBbox =>
  a ? [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])] : b;

/** The file's own CRS member (GeoJSON 2008), when it names one that is not longitude/latitude. */
function crsProblem(crs: unknown): string | undefined {
  const name = (crs as { properties?: { name?: unknown } } | undefined)?.properties?.name;
  if (typeof name !== 'string') return undefined;
  if (/CRS84|EPSG:+(4326|4490)$/i.test(name)) return undefined;
  return `坐标系 ${name} 不是经纬度：请先转换为 EPSG:4490（CGCS2000 经纬度），例如 ogr2ogr -t_srs EPSG:4490`;
}

export function buildRegionExtents(text: string, options: BuildExtentsOptions): BuiltExtents {
  const problems: ExtentsProblem[] = [];
  const warnings: ExtentsProblem[] = [];
  for (const [field, value] of [
    ['--licence', options.licence],
    ['--attribution', options.attribution],
  ] as const) {
    if (!value.trim()) problems.push({ feature: -1, field, message: '必须写明部门使用该边界数据的许可及其要求的署名' });
  }
  let doc: { type?: unknown; features?: unknown; crs?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new RegionExtentsInputError([{ feature: -1, field: 'GeoJSON', message: `不是有效的 JSON：${(e as Error).message}` }]);
  }
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new RegionExtentsInputError([...problems, { feature: -1, field: 'type', message: '应为 GeoJSON FeatureCollection' }]);
  }
  const crs = crsProblem(doc.crs);
  if (crs) throw new RegionExtentsInputError([...problems, { feature: -1, field: 'crs', message: crs }]);

  const given = new Map<string, ExtentBbox>();
  (doc.features as Feature[]).forEach((feature, i) => {
    const props = feature?.properties ?? {};
    const field = options.codeField ?? defaultCodeFields.find((f) => props[f] !== undefined && props[f] !== null && props[f] !== '');
    const raw = field === undefined ? undefined : props[field];
    if (field === undefined || raw === undefined || raw === null || raw === '') {
      problems.push({ feature: i, field: options.codeField ?? defaultCodeFields.join('|'), message: '没有行政区划代码' });
      return;
    }
    const value = String(raw).trim();
    if (!/^(\d{6}|\d{9}|\d{12})$/.test(value)) {
      problems.push({ feature: i, field, message: `行政区划代码 ${value} 应为 6 位（或 9、12 位乡镇、村级代码）` });
      return;
    }
    const code = value.slice(0, 6);
    if (code === '100000' || historicName(code) === undefined) {
      problems.push({ feature: i, field, message: `行政区划代码 ${code} 不在任何一版 GB/T 2260 代码表中` });
      return;
    }
    const points = positions(feature?.geometry);
    if (!points) {
      problems.push({ feature: i, field: 'geometry', message: '应为 Polygon 或 MultiPolygon，坐标为数值' });
      return;
    }
    let box: ExtentBbox = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [lon, lat] of points) box = [Math.min(box[0], lon!), Math.min(box[1], lat!), Math.max(box[2], lon!), Math.max(box[3], lat!)];
    if (box[0] < -180 || box[2] > 180 || box[1] < -90 || box[3] > 90) {
      problems.push({ feature: i, field: 'geometry', message: `坐标（${box.join(', ')}）不是经纬度，可能是投影坐标：请先转换为 EPSG:4490` });
      return;
    }
    const province = provinceBoxes.find((p) => p.code === provinceCodeOf(code));
    const [w, s, e, n] = province ? padded(province, provinceSlackDegrees) : [0, 0, 0, 0];
    if (!province || box[0] < w || box[2] > e || box[1] < s || box[3] > n) {
      problems.push({ feature: i, field, message: `${code}（${historicName(code)}）的范围（${box.map((v) => v.toFixed(3)).join(', ')}）不在${province?.name ?? '其省份'}的范围内：代码或坐标有误` });
      return;
    }
    const name = nameFields.map((f) => props[f]).find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
    const expected = historicName(code)!;
    if (value.length === 6 && name && !expected.includes(name.trim()) && !name.includes(expected)) {
      warnings.push({ feature: i, field: 'name', message: `名称“${name}”与 GB/T 2260 中 ${code} 的名称“${expected}”不一致，请核对代码字段` });
    }
    given.set(code, union(given.get(code), box));
  });
  if (problems.length > 0) throw new RegionExtentsInputError(problems);
  if (given.size === 0) throw new RegionExtentsInputError([{ feature: -1, field: 'features', message: '文件中没有要素' }]);

  // A city or province the file lacks: the union of its counties, only when every one is there (else it would be too small).
  const boxes = new Map(given);
  const codes = gbt2260Codes();
  const under = (prefix: string, parent: string) => codes.filter((c) => c !== parent && c.startsWith(prefix));
  /** What a parent's box is the union of: a city's counties; a province's counties and its cities that have none. */
  const leavesOf = (parent: string): string[] => {
    if (regionLevelOf(parent) === 'municipal') return under(parent.slice(0, 4), parent);
    return under(parent.slice(0, 2), parent).filter((c) => regionLevelOf(c) === 'county' || under(c.slice(0, 4), c).length === 0);
  };
  let derived = 0;
  for (const parent of codes.filter((c) => regionLevelOf(c) !== 'county')) {
    if (boxes.has(parent)) continue;
    const leaves = leavesOf(parent);
    if (leaves.length === 0 || !leaves.every((c) => boxes.has(c))) continue;
    boxes.set(parent, leaves.reduce<ExtentBbox | undefined>((acc, c) => union(acc, boxes.get(c)!), undefined)!);
    derived++;
  }

  const sorted = [...boxes].sort(([a], [b]) => a.localeCompare(b));
  const unit = (v: number, outward: 'down' | 'up') => (outward === 'down' ? Math.floor(v / EXTENT_UNIT_DEGREES + 1e-9) : Math.ceil(v / EXTENT_UNIT_DEGREES - 1e-9));
  const lines = sorted.map(([code, [w, s, e, n]]) => `${code} ${unit(w, 'down')} ${unit(s, 'down')} ${unit(e, 'up')} ${unit(n, 'up')}`).join('\n');
  const bytes = Buffer.from(lines, 'utf8');
  const packed = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).toString('base64');
  const count = (level: string) => [...given.keys()].filter((c) => regionLevelOf(c) === level).length;
  const counts = { provincial: count('provincial'), municipal: count('municipal'), county: count('county'), derived };
  const file: RegionExtentsFile = {
    format: regionExtentsFormat,
    file: options.sourceName,
    sha256: createHash('sha256').update(text).digest('hex'),
    licence: options.licence.trim(),
    attribution: options.attribution.trim(),
    builtAt: options.builtAt ?? new Date().toISOString().slice(0, 10),
    counts,
    boxes: packed,
  };
  return { json: `${JSON.stringify(file, null, 1)}\n`, boxes, counts, warnings };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      licence: { type: 'string' },
      attribution: { type: 'string' },
      'code-field': { type: 'string' },
      'built-at': { type: 'string' },
    },
  });
  if (!values.from) {
    console.error('用法 usage: npm run regions:extents -- --from <边界.geojson> --licence "<许可>" --attribution "<署名>" [--code-field <字段>] [--out <文件>]');
    process.exit(2);
  }
  try {
    const built = buildRegionExtents(readFileSync(values.from, 'utf8'), {
      sourceName: basename(values.from),
      licence: values.licence ?? '',
      attribution: values.attribution ?? '',
      ...(values['code-field'] ? { codeField: values['code-field'] } : {}),
      ...(values['built-at'] ? { builtAt: values['built-at'] } : {}),
    });
    const out = values.out ?? defaultOutFile;
    writeFileSync(out, built.json);
    for (const w of built.warnings.slice(0, 30)) console.warn(`警告 warning: 第 ${w.feature + 1} 个要素（${w.field}）：${w.message}`);
    const { provincial, municipal, county, derived } = built.counts;
    console.log(`已写入 wrote ${out}: ${built.boxes.size} 个外包框 boxes（省级 ${provincial}，市级 ${municipal}，区县级 ${county}，由区县推得 derived ${derived}）, ${built.json.length} bytes`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
