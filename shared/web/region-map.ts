/**
 * The small map of issue 13, drawn as SVG text (no tile server: it works offline, in the emailed report
 * and in the console alike): the declared region's box and each extent (a layer's, a search hit's) on
 * one equirectangular projection (longitude scaled by the cosine of the middle latitude, so a box keeps
 * its shape at China's latitudes). One renderer for the server's pages and the console (which inserts the
 * same string); every label is escaped.
 *
 * What it can draw is what the region data has: provincial boxes (shared/reference/regions.ts), and city and
 * county boxes only where the department imported its own boundary data (docs/regions.md) — so the region is
 * labelled for what it is ("省级外包框", "区县级外包框"), never as a boundary.
 */
import { escapeHtml } from './html.ts';

/** [west, south, east, north] in degrees (CGCS2000 longitude/latitude). */
export type LonLatBox = readonly [number, number, number, number];

export interface MapRegion {
  readonly code: string;
  readonly name: string;
  readonly bbox: LonLatBox;
  readonly level: 'national' | 'provincial' | 'municipal' | 'county';
  /** The region declared, when finer than the box drawn (a city or county inside the province). */
  readonly declared?: { readonly code: string; readonly name: string };
  /** The check's tolerance around this box (degrees); 0.1 when absent. */
  readonly pad?: number;
}

export interface MapExtent {
  readonly label: string;
  readonly bbox: LonLatBox;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type Placement = 'inside' | 'partial' | 'outside';

export interface RegionMap {
  readonly svg: string;
  /** Where the region's box and each extent were drawn (pixels): what the tests check. */
  readonly region?: Rect;
  readonly extents: ReadonlyArray<Rect & { readonly label: string; readonly placement: Placement }>;
}

/** The check's tolerance (regions.ts PAD_DEGREES): an extent within 0.1° of the box counts as inside. */
const padDegrees = 0.1;
const maxDrawn = 40;

export function placement(bbox: LonLatBox, region: LonLatBox, pad = padDegrees): Placement {
  const [w, s, e, n] = [region[0] - pad, region[1] - pad, region[2] + pad, region[3] + pad];
  if (bbox[0] >= w && bbox[2] <= e && bbox[1] >= s && bbox[3] <= n) return 'inside';
  return bbox[2] < w || bbox[0] > e || bbox[3] < s || bbox[1] > n ? 'outside' : 'partial';
}

/** The projection of `view` into a `width`×`height` frame with `margin` pixels each side, centred. */
export function projection(view: LonLatBox, width: number, height: number, margin = 12) {
  const [w, s, e, n] = view;
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const spanX = Math.max((e - w) * k, 1e-9);
  const spanY = Math.max(n - s, 1e-9);
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const ox = (width - spanX * scale) / 2;
  const oy = (height - spanY * scale) / 2;
  const x = (lon: number) => ox + (lon - w) * k * scale;
  const y = (lat: number) => oy + (n - lat) * scale;
  const rect = (b: LonLatBox): Rect => ({ x: x(b[0]), y: y(b[3]), width: x(b[2]) - x(b[0]), height: y(b[1]) - y(b[3]) });
  return { x, y, rect, scale };
}

/** The view: the region and every extent, with an 8 % border; at least 0.05° across. */
export function viewOf(boxes: readonly LonLatBox[]): LonLatBox {
  const w = Math.min(...boxes.map((b) => b[0]));
  const s = Math.min(...boxes.map((b) => b[1]));
  const e = Math.max(...boxes.map((b) => b[2]));
  const n = Math.max(...boxes.map((b) => b[3]));
  const dx = Math.max(e - w, 0.05) * 0.08 + Math.max(0, 0.05 - (e - w)) / 2;
  const dy = Math.max(n - s, 0.05) * 0.08 + Math.max(0, 0.05 - (n - s)) / 2;
  return [Math.max(-180, w - dx), Math.max(-90, s - dy), Math.min(180, e + dx), Math.min(90, n + dy)];
}

const levelLabels = { provincial: '省级', municipal: '市级', county: '区县级' } as const;

export function regionLabel(region: MapRegion | undefined): string {
  if (!region) return '申报行政区无外包框数据';
  if (region.level === 'national') return '全国外包框';
  const level = levelLabels[region.level];
  if (!region.declared) return `${region.name}（${region.code}）${level}外包框`;
  const missing = region.level === 'provincial' ? '市县边界数据暂缺' : '区县边界数据暂缺';
  return `${region.declared.name}（${region.declared.code}）所在的${region.name}${level}外包框（${missing}）`;
}

const placementLabels: Record<Placement, string> = { inside: '在外包框内', partial: '部分超出外包框', outside: '在外包框外' };
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

export function regionMap(input: { title: string; region?: MapRegion; extents: readonly MapExtent[]; width?: number; height?: number }): RegionMap {
  const width = input.width ?? 480;
  const height = input.height ?? 300;
  const drawn = input.extents.filter((x) => x.bbox.every(Number.isFinite)).slice(0, maxDrawn);
  const boxes = [...(input.region ? [input.region.bbox] : []), ...drawn.map((x) => x.bbox)];
  const view = viewOf(boxes.length > 0 ? boxes : [[73.4, 3.3, 135.1, 53.6]]);
  const p = projection(view, width, height);
  const region = input.region ? p.rect(input.region.bbox) : undefined;
  const extents = drawn.map((x) => ({ ...p.rect(x.bbox), label: x.label, placement: input.region ? placement(x.bbox, input.region.bbox, input.region.pad) : ('inside' as Placement) }));
  const e = escapeHtml;
  const legendLine = 18;
  const legend = [
    ...(region ? [{ colour: '#1f5fa8', dash: '6 4', text: regionLabel(input.region) }] : [{ colour: '#57606a', dash: '', text: regionLabel(undefined) }]),
    ...extents.map((x, i) => ({ colour: x.placement === 'inside' ? '#2e7d32' : '#c62828', dash: x.placement === 'inside' ? '' : '3 2', text: `${i + 1}. ${x.label}（${placementLabels[x.placement]}）` })),
    ...(input.extents.length > drawn.length ? [{ colour: '#57606a', dash: '', text: `另有 ${input.extents.length - drawn.length} 个范围未画出` }] : []),
    { colour: '', dash: '', text: '示意图：经纬度等距投影；外包框为近似范围，不是行政界线。' },
  ];
  const total = height + 8 + legend.length * legendLine;
  const shapes = [
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#f6f8fa" stroke="#d0d7de"/>`,
    ...(region
      ? [`<rect data-role="region" x="${fmt(region.x)}" y="${fmt(region.y)}" width="${fmt(region.width)}" height="${fmt(region.height)}" fill="#dbe8f6" fill-opacity="0.6" stroke="#1f5fa8" stroke-width="1.5" stroke-dasharray="6 4"/>`]
      : []),
    ...extents.map((x, i) => {
      const colour = x.placement === 'inside' ? '#2e7d32' : '#c62828';
      // A box narrower than 3 px is drawn 3 px wide, so a small layer is still seen.
      const w = Math.max(3, x.width);
      const h = Math.max(3, x.height);
      return (
        `<g data-role="extent" data-placement="${x.placement}"><title>${e(`${i + 1}. ${x.label}（${placementLabels[x.placement]}）`)}</title>` +
        `<rect x="${fmt(x.x)}" y="${fmt(x.y)}" width="${fmt(w)}" height="${fmt(h)}" fill="${colour}" fill-opacity="0.15" stroke="${colour}" stroke-width="1.5"${x.placement === 'inside' ? '' : ' stroke-dasharray="3 2"'}/>` +
        `<text x="${fmt(x.x + 2)}" y="${fmt(Math.max(12, x.y - 2))}" font-size="11" fill="${colour}">${i + 1}</text></g>`
      );
    }),
    ...legend.map((l, i) => {
      const y = height + 8 + i * legendLine + 12;
      const key = l.colour ? `<line x1="0" y1="${y - 4}" x2="18" y2="${y - 4}" stroke="${l.colour}" stroke-width="2"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>` : '';
      return `${key}<text x="${l.colour ? 24 : 0}" y="${y}" font-size="12" fill="#1f2328">${e(l.text)}</text>`;
    }),
  ];
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="region-map" viewBox="0 0 ${width} ${total}" width="${width}" height="${total}" role="img" aria-label="${e(input.title)}" font-family="'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif">` +
    `<title>${e(input.title)}</title>${shapes.join('')}</svg>`;
  return { svg, ...(region ? { region } : {}), extents };
}

const isBox = (v: unknown): v is LonLatBox => Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n));

/**
 * Every extent a verification report placed: a file's, or each GeoPackage layer's (labelled file · layer).
 * Read defensively (the console gets the report as JSON): what is not a box of four numbers is left out.
 */
export function reportExtents(report: { readonly files: ReadonlyArray<{ readonly path: string; readonly extent?: unknown; readonly layers?: unknown }> }): MapExtent[] {
  return report.files.flatMap((f) => {
    const layers = Array.isArray(f.layers) ? (f.layers as Array<{ name?: unknown; extent?: unknown }>) : [];
    if (layers.length > 0) return layers.flatMap((l) => (isBox(l.extent) ? [{ label: `${f.path} · ${String(l.name ?? '')}`, bbox: l.extent }] : []));
    return isBox(f.extent) ? [{ label: f.path, bbox: f.extent }] : [];
  });
}
