import { describe, expect, it } from 'vitest';
import { bulletinCharts } from '#adapters/bulletin-render.ts';

/** The texts of an SVG string, unescaped once (what a reader sees). */
const texts = (svg: string): string[] =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
const attr = (tag: string, name: string): number => Number(new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1]);

describe('R21.1 issue 10: the bulletin charts are SVG drawn with d3 (no ECharts): titles, axes, Chinese labels, values', () => {
  it('draws 按期办结率 as a line over 0–100 %, broken where a period has nothing due, every point labelled', async () => {
    // prepare
    const trend = [
      { label: '2026年5月', rate: 0.5 },
      { label: '2026年6月', rate: null },
      { label: '2026年7月', rate: 1 },
      { label: '2026年8月', rate: 0.8333 },
      { label: '2026年9月', rate: 0 },
    ];

    // act
    const { trendSvg } = await bulletinCharts({ trend, lateByRegion: [] });

    // assess
    expect(trendSvg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="300"/);
    expect(trendSvg).not.toMatch(/zr\d|ecmeta/);
    const t = texts(trendSvg);
    expect(t).toEqual(expect.arrayContaining(['按期办结率', '0%', '20%', '40%', '60%', '80%', '100%', ...trend.map((p) => p.label), '50%', '83.3%']));
    expect(t.filter((s) => s === '100%')).toHaveLength(2); // the axis tick and July's value
    // One line with a gap: June has no point, so July starts a new subpath.
    const d = /<path d="(M[^"]*)" fill="none" stroke="#5070dd"/.exec(trendSvg)?.[1] ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(2);
    const circles = [...trendSvg.matchAll(/<circle[^>]*>/g)].map((m) => m[0]);
    expect(circles).toHaveLength(4);
    // y: 0 % on the axis line (240), 100 % at the grid's top (40), 50 % half-way.
    expect(circles.map((c) => attr(c, 'cy'))).toEqual([140, 40, 73.4, 240]);
  });

  it('draws 逾期事项 as one bar per region, heights in proportion, whole-number ticks, labels escaped', async () => {
    // prepare
    const lateByRegion = [
      { region: '广东省', late: 3 },
      { region: '广州市', late: 1 },
      { region: '<深圳&"市">', late: 2 },
    ];

    // act
    const { lateSvg } = await bulletinCharts({ trend: [], lateByRegion });

    // assess
    const t = texts(lateSvg);
    expect(t).toEqual(['0', '1', '2', '3', '广东省', '3', '广州市', '1', '<深圳&"市">', '2', '逾期事项（按地区）']);
    expect(lateSvg).toContain('&lt;深圳&amp;&quot;市&quot;&gt;');
    const bars = [...lateSvg.matchAll(/<path d="M([\d.]+) ([\d.]+)h([\d.]+)V([\d.]+)h-[\d.]+Z" fill="#c23531"\/>/g)].map((m) => ({ x: Number(m[1]), base: Number(m[2]), w: Number(m[3]), top: Number(m[4]) }));
    expect(bars).toHaveLength(3);
    expect(bars.map((b) => Math.round(b.base - b.top))).toEqual([200, 67, 133]);
    expect(bars[0]!.x).toBeLessThan(bars[1]!.x);
    expect(bars[1]!.x).toBeLessThan(bars[2]!.x);
  });

  it('has an axis and no bars when no region is late, and no line when no period has data', async () => {
    // act
    const { trendSvg, lateSvg } = await bulletinCharts({ trend: [{ label: '2026年9月', rate: null }], lateByRegion: [] });

    // assess
    expect(texts(lateSvg)).toEqual(['0', '1', '逾期事项（按地区）']);
    expect(lateSvg).not.toContain('#c23531');
    expect(trendSvg).not.toContain('stroke="#5070dd"');
    expect(texts(trendSvg)).toContain('2026年9月');
  });
});
