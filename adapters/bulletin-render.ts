import { nice, ticks } from 'd3-array';
import { pathRound } from 'd3-path';
import { scaleBand } from 'd3-scale';
import writeXlsxFile from 'write-excel-file/universal';
import type { BulletinRenderers, ChartInput, WorkbookSheet } from '#shared/ports/supervision.ts';
import { escapeHtml } from '#shared/web/html.ts';

/**
 * The bulletin's charts and workbook (R21.1), with well-kept libraries: the two SVG charts drawn here as
 * markup (no DOM, no browser: the SVG shows in email clients and in print), their geometry from d3-scale
 * (the axes' scales and ticks) and d3-shape (the line, with gaps where a month has no data); every text
 * through the pages' one escaper (shared/web/html.ts). The XLSX with write-excel-file (the tests read it
 * with exceljs). Only RenderBulletin imports this module (runtime/ports/bulletin-render.ts).
 *
 * Issue 10: ECharts' core and zrender were 519 KB of RenderBulletin's 730 for these two charts. Measured
 * minified: d3-scale's scaleBand 4.8 KB, d3-array's ticks and nice 3.3 KB, d3-path 2.5 KB; d3-shape's `line`
 * would be 18 KB and d3-scale's scaleLinear 27 KB (it brings d3-interpolate, d3-color and d3-format), so the
 * value axis maps linearly over d3-array's nice ticks and the line is a d3-path (docs/performance.md). The
 * look is ECharts' (its colours, grid, label positions).
 */
const font = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';
const colours = { text: '#54555a', title: '#3c3c41', grid: '#dbdee4', axis: '#54555a', value: '#333', line: '#5070dd', bar: '#c23531' };

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly grid: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
}

/** Numbers in the markup: at most one decimal, no trailing zeros. */
const n = (v: number): string => String(Math.round(v * 10) / 10);
const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${escapeHtml(typeof v === 'number' ? n(v) : v)}"`)
    .join('');
const text = (content: string, a: Record<string, string | number>): string => `<text${attrs(a)}>${escapeHtml(content)}</text>`;

/** A value axis from 0 to `max` over the plot's height: the nice ticks (d3-array) and the mapping to y. */
function valueAxis(f: Frame, max: number, count: number): { ticks: number[]; y: (v: number) => number } {
  const [, top] = nice(0, max, count);
  const bottom = f.height - f.grid.bottom;
  return { ticks: ticks(0, top, count), y: (v) => bottom - (v / top) * (bottom - f.grid.top) };
}

/** The frame every chart shares: the svg element, its title, the value axis with its grid lines and labels. */
function chart(f: Frame, title: string, ticks: readonly number[], y: (v: number) => number, tickLabel: (v: number) => string, body: string): string {
  const { width, height, grid } = f;
  const right = width - grid.right;
  const yAxis = ticks
    .map((t) => {
      const at = Math.floor(y(t)) + 0.5;
      return `<path d="M${grid.left} ${n(at)}H${right}" stroke="${colours.grid}" fill="none"/>` + text(tickLabel(t), { x: grid.left - 8, y: y(t), 'text-anchor': 'end', 'dominant-baseline': 'central', 'font-size': 12, fill: colours.text });
    })
    .join('');
  const baseline = Math.floor(y(ticks[0] ?? 0)) + 0.5;
  return (
    `<svg${attrs({ xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, 'font-family': font })}>` +
    `<title>${escapeHtml(title)}</title>` +
    yAxis +
    `<path d="M${grid.left} ${n(baseline)}H${right}" stroke="${colours.axis}" stroke-linecap="round" fill="none"/>` +
    body +
    text(title, { x: width / 2, y: 27, 'text-anchor': 'middle', 'dominant-baseline': 'central', 'font-size': 14, 'font-weight': 'bold', fill: colours.title }) +
    '</svg>'
  );
}

/** A value's label `above` px over its point or bar: dark, with a white halo (ECharts' default). */
const valueLabel = (content: string, x: number, y: number, above: number): string =>
  text(content, { x, y: y - above, 'text-anchor': 'middle', 'dominant-baseline': 'central', 'font-size': 12, fill: colours.value, stroke: '#fff', 'stroke-width': 2, 'paint-order': 'stroke' });

/** 按期办结率 by period: a line from 0 to 100 %, broken where a period has nothing due (rate null). */
function trendChart(trend: ChartInput['trend']): string {
  const f: Frame = { width: 640, height: 300, grid: { left: 50, right: 20, top: 40, bottom: 60 } };
  const x = scaleBand<number>().domain(trend.map((_, i) => i)).range([f.grid.left, f.width - f.grid.right]);
  const { ticks: yTicks, y } = valueAxis(f, 100, 5);
  const cx = (i: number) => (x(i) ?? 0) + x.bandwidth() / 2;
  const points = trend.map((t, i) => ({ i, value: t.rate === null ? null : Number((t.rate * 100).toFixed(1)) }));
  // The line breaks where a period has nothing due (ECharts' connectNulls: false): a move, not a line, after a gap.
  const line = pathRound(1);
  points.forEach((p, k) => {
    if (p.value === null) return;
    if (k === 0 || points[k - 1]!.value === null) line.moveTo(cx(p.i), y(p.value));
    else line.lineTo(cx(p.i), y(p.value));
  });
  const path = line.toString();
  const labelsY = f.height - f.grid.bottom + 8;
  const categories = trend
    .map((t, i) => text(t.label, { transform: `translate(${n(cx(i))} ${labelsY}) rotate(-40)`, 'text-anchor': 'end', 'dominant-baseline': 'central', 'font-size': 10, fill: colours.text }))
    .join('');
  const marks = points
    .filter((p): p is { i: number; value: number } => p.value !== null)
    .map((p) => `<circle${attrs({ cx: cx(p.i), cy: y(p.value), r: 3, fill: '#fff', stroke: colours.line, 'stroke-width': 2 })}/>` + valueLabel(`${p.value}%`, cx(p.i), y(p.value), 15))
    .join('');
  const body = categories + (path ? `<path d="${path}" fill="none" stroke="${colours.line}" stroke-width="2" stroke-linejoin="bevel"/>` : '') + marks;
  return chart(f, '按期办结率', yTicks, y, (t) => `${t}%`, body);
}

/** 逾期事项 by region: one bar each, whole numbers on the axis. */
function lateChart(late: ChartInput['lateByRegion']): string {
  const f: Frame = { width: 640, height: 280, grid: { left: 50, right: 20, top: 40, bottom: 40 } };
  const x = scaleBand<number>().domain(late.map((_, i) => i)).range([f.grid.left, f.width - f.grid.right]).paddingInner(0.3).paddingOuter(0.15);
  const axis = valueAxis(f, Math.max(1, ...late.map((r) => r.late)), 5);
  const y = axis.y;
  // Counts: whole numbers on the axis only (ECharts' minInterval: 1).
  const wholeTicks = axis.ticks.filter(Number.isInteger);
  const base = y(0);
  const labelsY = f.height - f.grid.bottom + 13;
  const body = late
    .map((r, i) => {
      const left = x(i) ?? 0;
      const centre = left + x.bandwidth() / 2;
      return (
        `<path${attrs({ d: `M${n(left)} ${n(base)}h${n(x.bandwidth())}V${n(y(r.late))}h${n(-x.bandwidth())}Z`, fill: colours.bar })}/>` +
        text(r.region, { x: centre, y: labelsY, 'text-anchor': 'middle', 'dominant-baseline': 'central', 'font-size': 10, fill: colours.text }) +
        valueLabel(String(r.late), centre, y(r.late), 11)
      );
    })
    .join('');
  return chart(f, '逾期事项（按地区）', wholeTicks, y, String, body);
}

export async function bulletinCharts(input: ChartInput): Promise<{ trendSvg: string; lateSvg: string }> {
  return { trendSvg: trendChart(input.trend), lateSvg: lateChart(input.lateByRegion) };
}

/**
 * One sheet per table: bold header row, frozen; columns about as wide as their longest text. write-excel-file writes
 * no document properties, so the workbook's title and author are not set (the title is the first sheet's, the
 * file name says the period); `meta` stays in the port for a writer that does.
 */
export async function bulletinWorkbook(sheets: readonly WorkbookSheet[], _meta: { title: string; creator: string }): Promise<Uint8Array> {
  const blob = await writeXlsxFile(
    sheets.map((s) => ({
      sheet: s.name.slice(0, 31),
      data: [s.columns.map((c) => ({ value: c, fontWeight: 'bold' as const })), ...s.rows.map((row) => row.map((v) => v))],
      columns: s.columns.map((_, i) => ({ width: Math.min(40, Math.max(8, ...[s.columns[i] ?? '', ...s.rows.map((r) => r[i] ?? '')].map((v) => String(v).length * 2))) })),
      stickyRowsCount: 1,
    })),
  ).toBlob();
  return new Uint8Array(await blob.arrayBuffer());
}

export const bulletinRenderers: BulletinRenderers = { charts: bulletinCharts, workbook: bulletinWorkbook };
