import { describe, expect, it } from 'vitest';
import { regionBoxFor } from '#shared/reference/regions.ts';
import { placement, projection, regionMap, viewOf, type LonLatBox, type Rect } from '#shared/web/region-map.ts';

const guangdong = regionBoxFor('440000')!;
const contains = (outer: Rect, inner: Rect) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const disjoint = (a: Rect, b: Rect) => a.x + a.width < b.x || b.x + b.width < a.x || a.y + a.height < b.y || b.y + b.height < a.y;

describe('R7.1 R9.2 the SVG region map (issue 13): projection', () => {
  it('puts north up and east right, and keeps a box’s shape at its latitude (1° of longitude at 60°N is half of 1° of latitude)', () => {
    const view: LonLatBox = [10, 59.5, 12, 60.5];
    const p = projection(view, 400, 400, 0);

    const east = p.x(11.5) - p.x(10.5);
    const north = p.y(59.8) - p.y(60.2);

    expect(east).toBeGreaterThan(0);
    expect(north).toBeGreaterThan(0);
    expect(east / (north / 0.4)).toBeCloseTo(Math.cos((60 * Math.PI) / 180), 5);
  });

  it('fits the view in the frame with its margin, centred on the other axis', () => {
    const p = projection([100, 20, 120, 30], 480, 300, 12);

    const r = p.rect([100, 20, 120, 30]);

    expect(r.x).toBeGreaterThanOrEqual(12 - 1e-9);
    expect(r.y).toBeGreaterThanOrEqual(12 - 1e-9);
    expect(r.x + r.width).toBeLessThanOrEqual(468 + 1e-9);
    expect(r.y + r.height).toBeLessThanOrEqual(288 + 1e-9);
    expect(Math.min(Math.abs(r.x - (480 - r.x - r.width)), Math.abs(r.y - (300 - r.y - r.height)))).toBeLessThan(1e-6);
  });

  it('widens a point-sized view to at least 0.05° so a one-parcel layer still has a frame', () => {
    const v = viewOf([[113.5, 23.5, 113.5, 23.5]]);

    expect(v[2] - v[0]).toBeGreaterThanOrEqual(0.05);
    expect(v[3] - v[1]).toBeGreaterThanOrEqual(0.05);
  });
});

describe('R7.1 R9.2 the SVG region map (issue 13): extents against the declared region', () => {
  it('classifies an extent as inside (within the check’s 0.1° pad), partly outside, or outside the box', () => {
    expect(placement([113, 23, 114, 24], guangdong.bbox)).toBe('inside');
    expect(placement([109.55, 22, 110, 23], guangdong.bbox)).toBe('inside');
    expect(placement([116, 24, 118.5, 25], guangdong.bbox)).toBe('partial');
    expect(placement([116.0, 39.6, 116.8, 40.2], guangdong.bbox)).toBe('outside');
  });

  it('draws a hit outside the region outside the region’s box, and one inside within it', () => {
    const map = regionMap({
      title: '检索结果范围',
      region: guangdong,
      extents: [
        { label: '从化区图斑', bbox: [113.3, 23.5, 113.9, 23.9] },
        { label: '北京市影像', bbox: [116.0, 39.6, 116.8, 40.2] },
      ],
    });

    const [inside, outside] = map.extents;
    expect(inside!.placement).toBe('inside');
    expect(contains(map.region!, inside!)).toBe(true);
    expect(outside!.placement).toBe('outside');
    expect(disjoint(map.region!, outside!)).toBe(true);
    expect(map.svg).toContain('data-placement="outside"');
    expect(map.svg).toContain('在外包框外');
  });

  it('labels the box for what it is: a province’s box, and for a county “所在的…省级外包框（市县边界数据暂缺）”, never a boundary', () => {
    const province = regionMap({ title: 't', region: guangdong, extents: [] });
    const county = regionMap({ title: 't', region: regionBoxFor('440117')!, extents: [] });

    expect(province.svg).toContain('广东省（440000）省级外包框');
    expect(county.svg).toContain('从化区（440117）所在的广东省省级外包框（市县边界数据暂缺）');
    expect(county.svg).toContain('不是行政界线');
  });

  it('escapes every label (a layer name from the package is data, not markup)', () => {
    const map = regionMap({ title: '报告 <b>"x"</b>', region: guangdong, extents: [{ label: '<script>alert(1)</script>&\'', bbox: [113, 23, 114, 24] }] });

    expect(map.svg).not.toContain('<script>');
    expect(map.svg).not.toContain('<b>');
    expect(map.svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;');
    expect(map.svg).toContain('aria-label="报告 &lt;b&gt;&quot;x&quot;&lt;/b&gt;"');
  });

  it('draws at most 40 extents and says how many more there are', () => {
    const extents = Array.from({ length: 45 }, (_, i) => ({ label: `图层 ${i}`, bbox: [113, 23, 113.1 + i / 100, 23.1] as const }));

    const map = regionMap({ title: 't', region: guangdong, extents });

    expect(map.extents).toHaveLength(40);
    expect(map.svg).toContain('另有 5 个范围未画出');
  });
});
