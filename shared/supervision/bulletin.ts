import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { BulletinFiles, BulletinIndex, BulletinRecord, BulletinRenderers, ClockStore, CounterStore, WorkbookSheet } from '#shared/ports/supervision.ts';
import { regionName } from '#shared/reference/regions.ts';
import type { Organisation, Principal } from '#shared/schemas/identity.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { clockType } from './clock-types.ts';
import type { Clock } from './clocks.ts';
import { lastWholePeriod, parsePeriod, periodBefore, periodOf, periodsEndingWith, type Period } from './periods.ts';
import { invalid, requireSupervisionScope } from './scope.ts';
import { bulletinSections, type BulletinSection } from './sections.ts';

/** Periods on the trend chart. */
export const trendPeriods = 12;

export interface UnitFigures {
  readonly org: string;
  readonly name: string;
  readonly regionCode: string;
  /** Metric → count in the period (derived metrics included). */
  readonly current: Readonly<Record<string, number | null>>;
  readonly previous: Readonly<Record<string, number | null>>;
  /** Late in the period (all clock types) + open clocks overdue today: the ranking's measure. */
  readonly late: number;
}

export interface BulletinData {
  readonly bulletinId: string;
  readonly org: Organisation;
  readonly period: Period;
  readonly previous: Period;
  readonly today: string;
  readonly units: readonly UnitFigures[];
  readonly total: Readonly<Record<string, number | null>>;
  readonly previousTotal: Readonly<Record<string, number | null>>;
  /** Sections with data in the trend window; the others show 尚无数据. */
  readonly sections: ReadonlyArray<{ readonly section: BulletinSection; readonly hasData: boolean }>;
  readonly trend: ReadonlyArray<{ readonly label: string; readonly rate: number | null }>;
  readonly lateByRegion: ReadonlyArray<{ readonly region: string; readonly late: number }>;
  readonly openClocks: ReadonlyArray<Clock & { readonly overdue: boolean; readonly ownerName: string }>;
  readonly keyFigures: ReadonlyArray<{ readonly label: string; readonly value: string }>;
  readonly worst: ReadonlyArray<{ readonly org: string; readonly name: string; readonly late: number }>;
  readonly itemsRead: number;
}

export const bulletinIdOf = (org: string, period: string) => `${org}.${period}`;
export function parseBulletinId(id: string): { org: string; period: Period } | undefined {
  const at = id.lastIndexOf('.');
  const period = at > 0 ? parsePeriod(id.slice(at + 1)) : undefined;
  return period ? { org: id.slice(0, at), period } : undefined;
}
export const bulletinKeys = (org: string, period: string) => {
  const base = `bulletins/${org}/${period}/通报-${period}`;
  return { html: `${base}.html`, xlsx: `${base}.xlsx`, json: `${base}.json` };
};

/** An organisation and every one below it, with names (one key query per organisation). */
export async function unitsBelow(identity: Pick<IdentityRepository, 'listOrganisations'>, root: Organisation, max = 20_000): Promise<Organisation[]> {
  const out = [root];
  const seen = new Set([root.code]);
  for (let i = 0; i < out.length && out.length < max; i += 1) {
    for (const child of await identity.listOrganisations(out[i]!.code)) {
      if (!seen.has(child.code)) {
        seen.add(child.code);
        out.push(child);
      }
    }
  }
  return out;
}

function withDerived(values: Record<string, number>): Record<string, number | null> {
  const out: Record<string, number | null> = { ...values };
  for (const s of bulletinSections()) for (const m of s.metrics) if (m.derive) out[m.key] = m.derive(values);
  return out;
}

function sum(rows: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const lateOf = (v: Readonly<Record<string, number>>) => Object.entries(v).reduce((n, [k, x]) => (/^clock\..+\.late$/.test(k) ? n + x : n), 0);
const onTimeOf = (v: Readonly<Record<string, number>>) => Object.entries(v).reduce((n, [k, x]) => (/^clock\..+\.onTime$/.test(k) ? n + x : n), 0);

/**
 * The bulletin's figures for an organisation and every unit below it (R21.1).
 * Cost does not grow with history: per unit, the counters of the trend
 * window (12 periods) by key queries — never the events — plus the unit's
 * running clocks from the clock index.
 */
export async function bulletinData(
  ports: { identity: Pick<IdentityRepository, 'listOrganisations'>; counters: CounterStore; clocks: Pick<ClockStore, 'ownedBy'>; now: () => Date },
  org: Organisation,
  period: Period,
): Promise<BulletinData> {
  const today = chinaDate(ports.now());
  const units = await unitsBelow(ports.identity, org);
  const window = periodsEndingWith(period, trendPeriods);
  const from = window[0]!.months[0]!;
  const to = period.months[period.months.length - 1]!;
  const previous = periodBefore(period);
  const perUnit = await Promise.all(
    units.map(async (u) => {
      const [months, running] = await Promise.all([ports.counters.read(u.code, from, to), ports.clocks.ownedBy(u.code, 'running')]);
      const byMonth = new Map(months.map((m) => [m.month, m.values]));
      const over = (p: Period) => sum(p.months.map((m) => byMonth.get(m) ?? {}));
      return { unit: u, months: byMonth, current: over(period), previous: over(previous), running, over };
    }),
  );
  const unitRows: UnitFigures[] = perUnit.map(({ unit, current, previous: prev, running }) => ({
    org: unit.code,
    name: unit.name,
    regionCode: unit.regionCode,
    current: withDerived(current),
    previous: withDerived(prev),
    late: lateOf(current) + running.filter((c) => c.due < today).length,
  }));
  const total = sum(perUnit.map((u) => u.current));
  const previousTotal = sum(perUnit.map((u) => u.previous));
  const windowTotal = sum(perUnit.flatMap((u) => [...u.months.values()]));
  const sections = bulletinSections().map((section) => ({
    section,
    hasData: section.metrics.some((m) => !m.derive && (windowTotal[m.key] ?? 0) !== 0) || (section.id === 'submission' && unitRows.some((u) => u.late > 0)),
  }));
  const trend = window.map((p) => {
    const v = sum(perUnit.map((u) => u.over(p)));
    const done = onTimeOf(v) + lateOf(v);
    return { label: p.label, rate: done > 0 ? onTimeOf(v) / done : null };
  });
  const regions = new Map<string, number>();
  for (const u of unitRows) if (u.late > 0) regions.set(regionName(u.regionCode), (regions.get(regionName(u.regionCode)) ?? 0) + u.late);
  const names = new Map(units.map((u) => [u.code, u.name]));
  const openClocks = perUnit
    .flatMap((u) => u.running)
    .map((c) => ({ ...c, overdue: c.due < today, ownerName: names.get(c.ownerOrg) ?? c.ownerOrg }))
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
  const worst = [...unitRows].filter((u) => u.late > 0).sort((a, b) => b.late - a.late || a.org.localeCompare(b.org)).slice(0, 5).map((u) => ({ org: u.org, name: u.name, late: u.late }));
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
  const totalDerived = withDerived(total);
  const keyFigures = [
    { label: '汇交按期率（R6.1）', value: pct(totalDerived['rate.R6.1']) },
    { label: '首轮核验通过率（R7）', value: pct(totalDerived['rate.firstRound']) },
    { label: '当前逾期未办结期限', value: String(openClocks.filter((c) => c.overdue).length) },
  ];
  return {
    bulletinId: bulletinIdOf(org.code, period.id),
    org,
    period,
    previous,
    today,
    units: unitRows,
    total: totalDerived,
    previousTotal: withDerived(previousTotal),
    sections,
    trend,
    lateByRegion: [...regions].map(([region, late]) => ({ region, late })).sort((a, b) => b.late - a.late),
    openClocks,
    keyFigures,
    worst,
    itemsRead: ports.counters.itemsRead,
  };
}

const noData = '尚无数据';
const cell = (v: number | null | undefined, percent?: boolean) => (v === null || v === undefined ? '—' : percent ? `${(v * 100).toFixed(1)}%` : String(v));

/** One sheet per section (+ ranking, open clocks): what the XLSX holds. Totals in the last two rows. */
export function bulletinSheets(d: BulletinData): WorkbookSheet[] {
  const sheets: WorkbookSheet[] = [
    {
      name: '概况',
      columns: ['项目', '内容'],
      rows: [
        ['通报单位', d.org.name],
        ['通报期间', d.period.label],
        ['对比期间', d.previous.label],
        ['统计单位数', d.units.length],
        ...d.keyFigures.map((k) => [k.label, k.value] as [string, string]),
      ],
    },
  ];
  for (const { section, hasData } of d.sections) {
    if (!hasData) {
      sheets.push({ name: section.title, columns: ['说明'], rows: [[`${noData}（${section.requirements}）：相关业务尚未产生统计数据`]] });
      continue;
    }
    const value = (v: Readonly<Record<string, number | null>>, m: BulletinSection['metrics'][number]) => (m.percent ? (v[m.key] === null || v[m.key] === undefined ? null : Number(((v[m.key] as number) * 100).toFixed(1))) : (v[m.key] ?? 0));
    sheets.push({
      name: section.title,
      columns: ['单位', '组织代码', ...section.metrics.map((m) => (m.percent ? `${m.label}（%）` : m.label))],
      rows: [
        ...d.units.map((u) => [u.name, u.org, ...section.metrics.map((m) => value(u.current, m))]),
        ['合计', '', ...section.metrics.map((m) => value(d.total, m))],
        [`上期合计（${d.previous.label}）`, '', ...section.metrics.map((m) => value(d.previousTotal, m))],
      ],
    });
  }
  sheets.push({ name: '逾期单位排名', columns: ['名次', '单位', '组织代码', '逾期事项'], rows: [...d.units].filter((u) => u.late > 0).sort((a, b) => b.late - a.late).map((u, i) => [i + 1, u.name, u.org, u.late]) });
  sheets.push({
    name: '未办结期限',
    columns: ['期限类型', '事项', '责任单位', '起算日', '期限', '状态'],
    rows: d.openClocks.map((c) => [c.type, c.title, c.ownerName, c.start, c.due, c.overdue ? '已逾期' : '未到期']),
  });
  return sheets;
}

const style = `@page { size: A4; margin: 18mm 15mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; color: #111; max-width: 180mm; margin: 0 auto; padding: 8mm 0; font-size: 11pt; line-height: 1.6; }
.red-head { text-align: center; color: #c00; border-bottom: 2px solid #c00; padding-bottom: 4mm; margin-bottom: 6mm; }
.red-head h1 { font-size: 28pt; letter-spacing: 0.5em; margin: 0; }
.red-head .issuer { font-size: 14pt; }
h2 { font-size: 14pt; border-left: 4px solid #c00; padding-left: 6px; margin-top: 8mm; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 3mm 0; font-size: 9.5pt; page-break-inside: auto; }
th, td { border: 1px solid #444; padding: 2px 4px; text-align: center; }
td.name { text-align: left; }
tr.total td { font-weight: bold; background: #f3f3f3; }
.figures { display: flex; gap: 4mm; }
.figure { flex: 1; border: 1px solid #c00; padding: 3mm; text-align: center; }
.figure .v { font-size: 18pt; color: #c00; }
.nodata { color: #666; font-style: italic; }
.chart { page-break-inside: avoid; text-align: center; }
.meta { color: #444; font-size: 9.5pt; }
@media print { .noprint { display: none; } }`;

/** The bulletin as a Chinese A4 page: 通报 heading, key figures, ranking of late units, charts (inline SVG), every section. */
export function bulletinHtml(d: BulletinData, charts: { trendSvg: string; lateSvg: string }, generatedAt: string): string {
  const e = escapeHtml;
  const sectionHtml = d.sections
    .map(({ section, hasData }) => {
      if (!hasData) return `<h2>${e(section.title)}</h2><p class="nodata">${noData}（${e(section.requirements)}：相关业务尚未产生统计数据）</p>`;
      const head = `<tr><th>单位</th>${section.metrics.map((m) => `<th>${e(m.label)}</th>`).join('')}</tr>`;
      const row = (name: string, v: Readonly<Record<string, number | null>>, cls = '') =>
        `<tr${cls ? ` class="${cls}"` : ''}><td class="name">${e(name)}</td>${section.metrics.map((m) => `<td>${e(cell(v[m.key] ?? (m.derive ? null : 0), m.percent))}</td>`).join('')}</tr>`;
      return `<h2>${e(section.title)}</h2><table>${head}${d.units.map((u) => row(u.name, u.current)).join('')}${row('合计', d.total, 'total')}${row(`上期（${d.previous.label}）`, d.previousTotal, 'total')}</table>`;
    })
    .join('\n');
  const ranking = [...d.units].filter((u) => u.late > 0).sort((a, b) => b.late - a.late);
  const rankingHtml = ranking.length
    ? `<table><tr><th>名次</th><th>单位</th><th>逾期事项（本期逾期办结 + 当前逾期未办结）</th></tr>${ranking.map((u, i) => `<tr><td>${i + 1}</td><td class="name">${e(u.name)}</td><td>${u.late}</td></tr>`).join('')}</table>`
    : '<p>本期无逾期单位。</p>';
  const open = d.openClocks.length
    ? `<table><tr><th>期限类型</th><th>事项</th><th>责任单位</th><th>期限</th><th>状态</th></tr>${d.openClocks
        .map((c) => `<tr><td>${e(clockType(c.type)?.label ?? c.type)}</td><td class="name">${e(c.title)}</td><td class="name">${e(c.ownerName)}</td><td>${e(c.due)}${c.provisional ? '（暂定）' : ''}</td><td>${c.overdue ? '已逾期' : '未到期'}</td></tr>`)
        .join('')}</table>`
    : '<p>无未办结的法定期限。</p>';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>通报 · ${e(d.org.name)} · ${e(d.period.label)}</title>
<style>
${style}
</style>
</head>
<body>
<div class="red-head"><div class="issuer">${e(d.org.name)}</div><h1>通报</h1><div>关于${e(d.period.label)}调查监测成果管理情况的通报</div></div>
<p class="meta">通报编号：${e(d.bulletinId)}　统计范围：${e(d.org.name)}及所属 ${d.units.length - 1} 个单位　对比期间：${e(d.previous.label)}　生成时间：${e(chinaDateTime(generatedAt))}</p>
<h2>主要指标</h2>
<div class="figures">${d.keyFigures.map((k) => `<div class="figure"><div class="v">${e(k.value)}</div><div>${e(k.label)}</div></div>`).join('')}</div>
<h2>逾期单位排名</h2>
${rankingHtml}
<h2>按期办结率趋势（近 ${trendPeriods} 期）</h2>
<div class="chart" id="trend-chart">${charts.trendSvg}</div>
<h2>各地区逾期事项</h2>
<div class="chart" id="late-chart">${d.lateByRegion.length ? charts.lateSvg : '<p>本期无逾期事项。</p>'}</div>
${sectionHtml}
<h2>未办结的法定期限</h2>
${open}
<p class="meta">说明：统计口径为各单位在本期到期的法定期限（R6.1 汇交、R8.1 移交、R9.1 目录上报等，按国务院节假日安排计算的工作日）；“尚无数据”表示相关业务尚未在本系统产生记录。本通报由系统按计数器生成，计数器与审计链可相互核对（npm run supervision:rebuild-counters）。</p>
</body>
</html>
`;
}

export interface BulletinPorts {
  readonly identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations' | 'listUsers'>;
  readonly counters: () => CounterStore;
  readonly clocks: Pick<ClockStore, 'ownedBy'>;
  readonly renderers: BulletinRenderers;
  readonly files: BulletinFiles;
  readonly bulletins: BulletinIndex;
  readonly mailer: Mailer;
  readonly calendar?: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly appBaseUrl: string;
}

export const bulletinPagePath = (bulletinId: string) => `/supervision/bulletins/${encodeURIComponent(bulletinId)}/page`;
export const bulletinPageUrl = (appBaseUrl: string, bulletinId: string) => `${appBaseUrl.replace(/\/+$/, '')}${bulletinPagePath(bulletinId)}`;

export interface IssuedBulletin {
  readonly bulletin: BulletinRecord;
  readonly created: boolean;
  readonly pageUrl: string;
  readonly emailed: readonly string[];
}

/** Who asks: a person (scope checked) or a schedule (acts for any organisation). */
export type BulletinActor = Principal | { system: string };

/**
 * Steps 1–2 of a bulletin request: the period is a month (2026-11) or a
 * quarter (2026-Q4), not in the future (400 body.period); the organisation is
 * the caller's or one below it (403 naming body.org); a schedule acts for any.
 */
export async function checkBulletinRequest(
  ports: { identity: Pick<IdentityRepository, 'getOrganisation'>; now: () => Date },
  cmd: { actor: BulletinActor; org: string; period: string },
): Promise<{ org: Organisation; period: Period; bulletinId: string }> {
  const period = parsePeriod(cmd.period);
  if (!period) throw invalid('body.period', `通报期间 ${cmd.period} 格式有误：月度为 YYYY-MM（如 2026-11），季度为 YYYY-Qn（如 2026-Q4）`, 'INVALID_PERIOD');
  const today = chinaDate(ports.now());
  if (period.months[0]! > periodOf(today, 'month').id) throw invalid('body.period', `通报期间 ${period.label} 尚未开始（今天是 ${today}）`, 'FUTURE_PERIOD');
  let org: Organisation;
  if ('system' in cmd.actor) {
    const found = await ports.identity.getOrganisation(cmd.org);
    if (!found) throw invalid('body.org', `组织 ${cmd.org} 不存在`, 'UNKNOWN_ORG');
    org = found;
  } else {
    try {
      org = await requireSupervisionScope(ports.identity, cmd.actor, cmd.org, 'body.org');
    } catch (error) {
      if (error instanceof ForbiddenError) throw new ForbiddenError(`body.org：只能为本单位或下级单位生成通报，${cmd.org} 不在您的监督范围内`);
      throw error;
    }
  }
  return { org, period, bulletinId: bulletinIdOf(org.code, period.id) };
}

/** What the Bulletin state machine carries from step to step (small: the figures stay in the stored JSON). */
export interface BulletinJob {
  readonly org: string;
  readonly period: string;
  readonly trigger: BulletinRecord['trigger'];
  readonly createdBy: string;
}

/** The stored JSON (documents bucket, write-once): the figures the HTML and XLSX are rendered from. */
type StoredBulletin = Omit<BulletinData, 'sections'> & {
  readonly sections: ReadonlyArray<{ readonly id: string; readonly title: string; readonly hasData: boolean }>;
  readonly generatedAt: string;
  readonly createdBy: string;
  readonly trigger: BulletinRecord['trigger'];
};

function recordOf(d: StoredBulletin): BulletinRecord {
  return {
    bulletinId: d.bulletinId,
    org: d.org.code,
    orgName: d.org.name,
    period: d.period.id,
    periodLabel: d.period.label,
    createdAt: d.generatedAt,
    createdBy: d.createdBy,
    trigger: d.trigger,
    keys: bulletinKeys(d.org.code, d.period.id),
    keyFigures: d.keyFigures,
    worst: d.worst,
    itemsRead: d.itemsRead,
  };
}

async function storedBulletin(files: Pick<BulletinFiles, 'get'>, key: string): Promise<StoredBulletin | undefined> {
  const body = await files.get(key);
  if (!body) return undefined;
  const d = JSON.parse(new TextDecoder().decode(body)) as StoredBulletin;
  if (!d.bulletinId || !d.org?.code || !d.period?.id || !Array.isArray(d.sections) || !Array.isArray(d.units)) throw new Error(`${key}: not a stored bulletin`);
  return d;
}

/**
 * Bulletin › Gather Counters: the figures from the counters (bulletinData),
 * stored write-once as the bulletin's JSON. An existing bulletin is reported
 * as it is (`exists`); JSON already stored by an earlier, failed execution is
 * re-used, so every retry renders the same figures.
 */
export async function gatherBulletin(
  ports: Pick<BulletinPorts, 'identity' | 'counters' | 'clocks' | 'files' | 'now'> & { bulletins: Pick<BulletinIndex, 'get'> },
  job: BulletinJob,
): Promise<{ exists: boolean; record: BulletinRecord }> {
  const period = parsePeriod(job.period);
  if (!period) throw invalid('input.period', `通报期间 ${job.period} 格式有误`, 'INVALID_PERIOD');
  const bulletinId = bulletinIdOf(job.org, period.id);
  const existing = await ports.bulletins.get(bulletinId);
  if (existing) return { exists: true, record: existing };
  const keys = bulletinKeys(job.org, period.id);
  const stored = await storedBulletin(ports.files, keys.json);
  if (stored) return { exists: false, record: recordOf(stored) };
  const org = await ports.identity.getOrganisation(job.org);
  if (!org) throw new NotFoundError(`组织 ${job.org} 不存在`);
  const data = await bulletinData({ identity: ports.identity, counters: ports.counters(), clocks: ports.clocks, now: ports.now }, org, period);
  const out: StoredBulletin = {
    ...data,
    sections: data.sections.map((s) => ({ id: s.section.id, title: s.section.title, hasData: s.hasData })),
    generatedAt: ports.now().toISOString(),
    createdBy: job.createdBy,
    trigger: job.trigger,
  };
  if (!(await ports.files.putOnce(keys.json, JSON.stringify(out, null, 2), 'application/json; charset=utf-8'))) {
    // Another execution stored it first: its figures are the bulletin's.
    const first = await storedBulletin(ports.files, keys.json);
    if (first) return { exists: false, record: recordOf(first) };
  }
  return { exists: false, record: recordOf(out) };
}

/**
 * Bulletin › Render: HTML with SVG charts and the XLSX from the stored JSON,
 * each stored write-once (a file already there is left as it is). The only
 * step that needs the renderers (ECharts, exceljs).
 */
export async function renderBulletin(
  ports: Pick<BulletinPorts, 'renderers' | 'files'>,
  record: Pick<BulletinRecord, 'bulletinId' | 'keys'>,
): Promise<{ html: boolean; xlsx: boolean }> {
  const stored = await storedBulletin(ports.files, record.keys.json);
  if (!stored) throw new NotFoundError(`通报 ${record.bulletinId} 的数据文件不存在`);
  const sections = new Map(bulletinSections().map((s) => [s.id, s]));
  const data: BulletinData = {
    ...stored,
    sections: stored.sections.flatMap((s) => {
      const section = sections.get(s.id);
      return section ? [{ section, hasData: s.hasData }] : [];
    }),
  };
  const charts = await ports.renderers.charts({ trend: data.trend, lateByRegion: data.lateByRegion });
  const html = await ports.files.putOnce(record.keys.html, bulletinHtml(data, charts, stored.generatedAt), 'text/html; charset=utf-8');
  const workbook = await ports.renderers.workbook(bulletinSheets(data), { title: `${data.org.name}${data.period.label}通报`, creator: '自然资源调查监测成果管理系统' });
  const xlsx = await ports.files.putOnce(record.keys.xlsx, workbook, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  return { html, xlsx };
}

/** Bulletin › Record: the index entry with its audit record, write-once; `created` false when it already existed. */
export async function recordBulletin(ports: Pick<BulletinPorts, 'bulletins'>, record: BulletinRecord, requestId: string): Promise<{ created: boolean }> {
  const created = await ports.bulletins.record(record, {
    actor: record.createdBy,
    orgCode: record.org,
    action: 'supervision.bulletin.issue',
    target: `BULLETIN#${record.bulletinId}`,
    outcome: 'success',
    requestId,
    detail: { period: record.period, keys: record.keys, keyFigures: record.keyFigures, itemsRead: record.itemsRead, requirement: 'R21.1' },
  });
  return { created };
}

/** Bulletin › Email: the organisation's supervisors get three key figures, the worst five units and the link. */
export async function emailBulletin(
  ports: Pick<BulletinPorts, 'identity' | 'mailer' | 'appBaseUrl'> & { bulletins: Pick<BulletinIndex, 'get'> },
  bulletinId: string,
): Promise<{ emailed: string[] }> {
  const record = await ports.bulletins.get(bulletinId);
  if (!record) throw new NotFoundError(`通报 ${bulletinId} 不存在`);
  const supervisors = (await ports.identity.listUsers(record.org)).filter((u) => u.roles.includes('supervisor'));
  if (supervisors.length > 0) await ports.mailer.send({ to: supervisors.map((u) => u.email), ...bulletinMail(record, bulletinPageUrl(ports.appBaseUrl, bulletinId)) });
  return { emailed: supervisors.map((u) => u.email) };
}

/**
 * One bulletin built, stored and announced in one process (R21.1): the
 * Bulletin state machine's steps in order. The route and the schedules run
 * the machine (statemachines/bulletin.asl.json); this is for the demo data
 * and the benchmark, and is what the unit tests check the steps with.
 *
 * Primary course:
 *  1. the request is checked (checkBulletinRequest);
 *  2. an existing bulletin of the organisation × period is returned as it is (write-once);
 *  3. gather: the figures from the counters, stored as JSON;
 *  4. render: HTML with SVG charts and the XLSX, stored write-once;
 *  5. record: the index entry with its audit record;
 *  6. email: the organisation's supervisors.
 */
export async function issueBulletin(ports: BulletinPorts, cmd: { actor: BulletinActor; org: string; period: string; requestId: string }): Promise<IssuedBulletin> {
  const { org, period, bulletinId } = await checkBulletinRequest(ports, cmd);
  const pageUrl = bulletinPageUrl(ports.appBaseUrl, bulletinId);
  const job: BulletinJob = {
    org: org.code,
    period: period.id,
    trigger: 'system' in cmd.actor ? 'schedule' : 'request',
    createdBy: 'system' in cmd.actor ? cmd.actor.system : cmd.actor.userId,
  };
  const gathered = await gatherBulletin(ports, job);
  if (gathered.exists) return { bulletin: gathered.record, created: false, pageUrl, emailed: [] };
  await renderBulletin(ports, gathered.record);
  const { created } = await recordBulletin(ports, gathered.record, cmd.requestId);
  if (!created) return { bulletin: (await ports.bulletins.get(bulletinId)) ?? gathered.record, created: false, pageUrl, emailed: [] };
  const { emailed } = await emailBulletin(ports, bulletinId);
  return { bulletin: gathered.record, created: true, pageUrl, emailed };
}

/** The Bulletin machine's execution name: [A-Za-z0-9_-], at most 80 characters. */
export function bulletinExecutionName(prefix: string, bulletinId: string, suffix: string): string {
  return `${prefix}-${bulletinId}-${suffix}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
}

/**
 * POST /supervision/bulletins (R21.1): checked here (400 naming body.period,
 * 403 naming body.org), then built by the Bulletin state machine. An existing
 * bulletin is answered at once (200, write-once); otherwise the machine is
 * started and the answer is 202 with the page the supervisors will be emailed.
 */
export async function requestBulletin(
  ports: { identity: Pick<IdentityRepository, 'getOrganisation'>; bulletins: Pick<BulletinIndex, 'get'>; workflow: Pick<Workflow, 'start'>; now: () => Date; appBaseUrl: string },
  cmd: { actor: Principal; org: string; period: string; requestId: string },
): Promise<{ bulletinId: string; bulletin?: BulletinRecord; execution?: string; pageUrl: string }> {
  const { org, period, bulletinId } = await checkBulletinRequest(ports, cmd);
  const pageUrl = bulletinPageUrl(ports.appBaseUrl, bulletinId);
  const existing = await ports.bulletins.get(bulletinId);
  if (existing) return { bulletinId, bulletin: existing, pageUrl };
  const job: BulletinJob = { org: org.code, period: period.id, trigger: 'request', createdBy: cmd.actor.userId };
  const execution = await ports.workflow.start('Bulletin', bulletinExecutionName('request', bulletinId, cmd.requestId.replace(/-/g, '').slice(0, 24)), job);
  return { bulletinId, execution, pageUrl };
}

export function bulletinMail(b: BulletinRecord, pageUrl: string): { subject: string; text: string; html: string } {
  const e = escapeHtml;
  const subject = `【通报】${b.orgName}${b.periodLabel}调查监测成果管理情况`;
  const worst = b.worst.length ? b.worst.map((w, i) => `${i + 1}. ${w.name}：逾期事项 ${w.late} 项`).join('\n') : '本期无逾期单位。';
  const text = [
    `${b.orgName}${b.periodLabel}通报已生成。`,
    '',
    '主要指标：',
    ...b.keyFigures.map((k) => `- ${k.label}：${k.value}`),
    '',
    '逾期最多的单位（前五）：',
    worst,
    '',
    `查看通报（登录后显示，可下载 Excel 表格）：${pageUrl}`,
  ].join('\n');
  const html = `<p>${e(b.orgName)}${e(b.periodLabel)}通报已生成。</p><ul>${b.keyFigures.map((k) => `<li>${e(k.label)}：<strong>${e(k.value)}</strong></li>`).join('')}</ul><p>逾期最多的单位（前五）：</p><ol>${b.worst.map((w) => `<li>${e(w.name)}：逾期事项 ${w.late} 项</li>`).join('') || '<li>本期无逾期单位。</li>'}</ol><p><a href="${e(pageUrl)}">查看通报</a></p>`;
  return { subject, text, html };
}

/** GET /supervision/bulletins: an organisation's bulletins, newest first (its supervisors, organisers, administrators). */
export async function listBulletins(ports: { identity: BulletinPorts['identity']; bulletins: Pick<BulletinIndex, 'list'> }, cmd: { actor: Principal; org?: string }): Promise<{ org: string; items: BulletinRecord[] }> {
  const org = cmd.org ?? cmd.actor.orgCode;
  await requireSupervisionScope(ports.identity, cmd.actor, org, 'query.org');
  return { org, items: await ports.bulletins.list(org) };
}

/** One bulletin's file, for a reader in scope; any other reader gets 404, as if it did not exist (another province's bulletin). */
export async function readBulletin(
  ports: { identity: BulletinPorts['identity']; bulletins: Pick<BulletinIndex, 'get'>; files: Pick<BulletinFiles, 'get'> },
  cmd: { actor: Principal; bulletinId: string; format: 'html' | 'xlsx' | 'json' },
): Promise<{ bulletin: BulletinRecord; body: Uint8Array }> {
  const notFound = () => new NotFoundError(`通报 ${cmd.bulletinId} 不存在或不在您的监督范围内`);
  const parsed = parseBulletinId(cmd.bulletinId);
  if (!parsed) throw notFound();
  await requireSupervisionScope(ports.identity, cmd.actor, parsed.org, 'path.bulletinId', true);
  const bulletin = await ports.bulletins.get(cmd.bulletinId);
  if (!bulletin) throw notFound();
  const body = await ports.files.get(bulletin.keys[cmd.format]);
  if (!body) throw notFound();
  return { bulletin, body };
}

/**
 * The scheduled bulletins (MonthlyBulletins, QuarterlyBulletins): the last
 * whole period before the firing, for every organiser (natural resources,
 * forestry and grassland) that has supervisors, walking the organisation
 * tree from the top; one Bulletin execution each. The execution name is the
 * schedule × bulletin × firing day, so a schedule that fires twice starts
 * nothing new (ExecutionAlreadyExists); the machine itself is write-once.
 */
export async function startScheduledBulletins(
  ports: { identity: Pick<IdentityRepository, 'listOrganisations' | 'listUsers'>; bulletins: Pick<BulletinIndex, 'get'>; workflow: Pick<Workflow, 'start'> },
  job: { kind: 'month' | 'quarter'; scheduledTime: Date },
): Promise<{ period: string; started: string[]; existing: string[] }> {
  const day = chinaDate(job.scheduledTime);
  const period = lastWholePeriod(day, job.kind);
  const schedule = job.kind === 'month' ? 'MonthlyBulletins' : 'QuarterlyBulletins';
  const started: string[] = [];
  const existing: string[] = [];
  const queue = await ports.identity.listOrganisations(undefined);
  for (let i = 0; i < queue.length; i += 1) {
    const org = queue[i]!;
    queue.push(...(await ports.identity.listOrganisations(org.code)));
    if (org.type !== 'naturalResources' && org.type !== 'forestryGrassland') continue;
    if (!(await ports.identity.listUsers(org.code)).some((u) => u.roles.includes('supervisor'))) continue;
    const bulletinId = bulletinIdOf(org.code, period.id);
    if (await ports.bulletins.get(bulletinId)) {
      existing.push(bulletinId);
      continue;
    }
    const input: BulletinJob = { org: org.code, period: period.id, trigger: 'schedule', createdBy: schedule };
    try {
      await ports.workflow.start('Bulletin', bulletinExecutionName(schedule, bulletinId, day), input);
      started.push(bulletinId);
    } catch (error) {
      if ((error as { name?: string } | null)?.name !== 'ExecutionAlreadyExists') throw error;
      existing.push(bulletinId);
    }
  }
  return { period: period.id, started, existing };
}
