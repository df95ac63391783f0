import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, TitleComponent, type GridComponentOption, type TitleComponentOption } from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import writeXlsxFile from 'write-excel-file/universal';
import type { BulletinRenderers, ChartInput, WorkbookSheet } from '#shared/ports/supervision.ts';

// Issue 10: ECharts tree-shaken to what the two charts draw (line, bar, title, grid; SVG, server-side),
// instead of the whole library; the XLSX with write-excel-file (MIT, ≈ 20 KB with its zip) instead of exceljs
// (≈ 470 KB with its zip and stream stack). docs/performance.md has the sizes.
use([LineChart, BarChart, TitleComponent, GridComponent, SVGRenderer]);

type EChartsOption = ComposeOption<LineSeriesOption | BarSeriesOption | TitleComponentOption | GridComponentOption>;

/**
 * The bulletin's charts and workbook (R21.1), with well-kept libraries:
 * ECharts' server-side SVG renderer (no DOM, no browser: the SVG shows in
 * email clients and in print) and write-excel-file for the XLSX (the tests read it with exceljs). Only RenderBulletin
 * imports this module (runtime/ports/bulletin-render.ts).
 */
const font = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';

async function svg(option: EChartsOption, width: number, height: number): Promise<string> {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: font }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export async function bulletinCharts(input: ChartInput): Promise<{ trendSvg: string; lateSvg: string }> {
  const trendSvg = await svg(
    {
      title: { text: '按期办结率', left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: input.trend.map((t) => t.label), axisLabel: { rotate: 40, fontSize: 10 } },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          type: 'line',
          name: '按期办结率',
          connectNulls: false,
          label: { show: true, formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? `${p.value}%` : '') },
          data: input.trend.map((t) => (t.rate === null ? null : Number((t.rate * 100).toFixed(1)))),
        },
      ],
    },
    640,
    300,
  );
  const lateSvg = await svg(
    {
      title: { text: '逾期事项（按地区）', left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: input.lateByRegion.map((r) => r.region), axisLabel: { fontSize: 10 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: '逾期事项', label: { show: true, position: 'top' }, itemStyle: { color: '#c23531' }, data: input.lateByRegion.map((r) => r.late) }],
    },
    640,
    280,
  );
  return { trendSvg, lateSvg };
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
