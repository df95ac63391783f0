import type { Cgcs2000Crs } from './crs.ts';
import { defect, type Defect, type Severity } from './defects.ts';
import { padded, type RegionBox } from '#shared/reference/regions.ts';
import { gaussKruger, tmInverse } from './transverse-mercator.ts';

/** [minX, minY, maxX, maxY] in the file's own coordinates. */
export type Bbox = readonly [number, number, number, number];

/** Half a zone is ~330 km at the equator for 6° zones; anything beyond ±1000 km is not a coordinate of this zone. */
const MAX_ZONE_OFFSET_M = 1_000_000;
/** Points sampled per bbox edge: a projected rectangle is not a rectangle in lon/lat. */
const SAMPLES_PER_EDGE = 8;

/** The lon/lat box covering a box in a CGCS2000 CRS, or a reason it has none. */
export function lonLatBbox(bbox: Bbox, crs: Cgcs2000Crs): { bbox: Bbox } | { reason: string } {
  if (!bbox.every(Number.isFinite) || bbox[0] > bbox[2] || bbox[1] > bbox[3]) return { reason: '范围数值无效' };
  if (crs.kind === 'geographic') {
    if (bbox[0] < -180 || bbox[2] > 180 || bbox[1] < -90 || bbox[3] > 90) {
      return { reason: `范围（${fmt(bbox)}）不是经纬度，可能是投影坐标被标成了地理坐标系` };
    }
    return { bbox };
  }
  const [x0, y0, x1, y1] = bbox;
  if (Math.abs(x0 - crs.falseEasting) > MAX_ZONE_OFFSET_M || Math.abs(x1 - crs.falseEasting) > MAX_ZONE_OFFSET_M || y0 < -10_000_000 || y1 > 10_000_000) {
    return { reason: `坐标（${fmt(bbox)}）超出中央经线 ${crs.centralMeridian}°E 投影带的合理范围，可能带号或东偏移不符` };
  }
  const tm = gaussKruger(crs.centralMeridian, crs.falseEasting);
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (let i = 0; i <= SAMPLES_PER_EDGE; i++) {
    const t = i / SAMPLES_PER_EDGE;
    const x = x0 + (x1 - x0) * t;
    const y = y0 + (y1 - y0) * t;
    for (const [px, py] of [
      [x, y0],
      [x, y1],
      [x0, y],
      [x1, y],
    ] as const) {
      const p = tmInverse(tm, px, py);
      w = Math.min(w, p.lon);
      e = Math.max(e, p.lon);
      s = Math.min(s, p.lat);
      n = Math.max(n, p.lat);
    }
  }
  return { bbox: [w, s, e, n] };
}

export function fmt(b: Bbox, digits = 4): string {
  return b.map((v) => Number(v.toFixed(digits))).join(', ');
}

function fmtLonLat([w, s, e, n]: Bbox): string {
  return `经度 ${w.toFixed(4)}°–${e.toFixed(4)}°，纬度 ${s.toFixed(4)}°–${n.toFixed(4)}°`;
}

export interface ExtentResult {
  lonLat: Bbox | null;
  defects: Defect[];
}

type CheckedBox = RegionBox & {
  readonly level?: 'national' | 'provincial' | 'municipal' | 'county';
  readonly declared?: { readonly code: string; readonly name: string };
  /** Set when the box comes from the department's boundary data (shared/reference/region-extents.ts). */
  readonly boundaries?: string;
};

/** “申报行政区 广东省（440000）” or, for a finer declared region, “申报行政区 广州市从化区（440117）所在的 广东省（440000）”. */
function boxNote(region: CheckedBox): string {
  return region.declared ? `申报行政区 ${region.declared.name}（${region.declared.code}）所在的 ${region.name}（${region.code}）` : `申报行政区 ${region.name}（${region.code}）`;
}

/** Which level of box the check used, and from what data (issue 12). */
function levelNote(region: CheckedBox): string {
  if (region.level === 'national') return '按全国外包框判断';
  if (region.level === 'county') return `按区县级外包框判断，边界数据：${region.boundaries ?? '部门提供'}`;
  if (region.level === 'municipal') {
    return `${region.declared ? '区县级边界数据暂缺，' : ''}按市级外包框判断，边界数据：${region.boundaries ?? '部门提供'}`;
  }
  if (region.boundaries) return `${region.declared ? '市县级边界数据暂缺，' : ''}按省级外包框判断，边界数据：${region.boundaries}`;
  return region.declared ? '市县级边界数据暂缺，按省级外包框近似判断：只能发现省外的数据' : '按省级外包框近似判断';
}

/**
 * Is the data inside the declared region? Compares against the (padded) bounding box regions.ts gives: the
 * region's own from the department's boundary data, else its city's or province's (approximate without such data).
 * `what` names the part of the file (a GeoPackage layer) in the message.
 */
export function checkExtent(input: {
  file: string;
  bbox: Bbox;
  crs: Cgcs2000Crs;
  region: CheckedBox;
  severity: Severity;
  what?: string;
}): ExtentResult {
  const { file, crs, region, severity } = input;
  const subject = input.what ? `${input.what}的` : '';
  const converted = lonLatBbox(input.bbox, crs);
  if ('reason' in converted) {
    return {
      lonLat: null,
      defects: [defect(file, 'extent.outside-region', `${subject}数据范围无法落入申报行政区 ${region.name}（${region.code}）：${converted.reason}。请核对坐标系定义与坐标值。`, severity)],
    };
  }
  const [w, s, e, n] = padded(region);
  const [x0, y0, x1, y1] = converted.bbox;
  if (x0 >= w && x1 <= e && y0 >= s && y1 <= n) return { lonLat: converted.bbox, defects: [] };
  const disjoint = x1 < w || x0 > e || y1 < s || y0 > n;
  return {
    lonLat: converted.bbox,
    defects: [
      defect(
        file,
        'extent.outside-region',
        `${subject}数据范围（${fmtLonLat(converted.bbox)}）${disjoint ? '完全位于' : '部分超出'}${boxNote(region)}${disjoint ? '之外' : '的范围'}（${levelNote(region)}）。请核对坐标、坐标系或申报的行政区划代码。`,
        severity,
      ),
    ],
  };
}
