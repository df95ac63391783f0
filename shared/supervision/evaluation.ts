import { createHash } from 'node:crypto';
import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { BulletinFiles, CounterStore } from '#shared/ports/supervision.ts';
import { escapeHtml } from '#shared/web/html.ts';
import type { EvaluationMetric } from './evaluation-counts.ts';
import { lastWholePeriod, type Period } from './periods.ts';

/**
 * The custodian's quarterly use-and-quality evaluation (R19.2): for each
 * custodian organisation × organiser with activity in the quarter, a Chinese
 * HTML document built from the counters the bulletin already keeps, stored
 * write-once in the documents bucket with its SHA-256, and emailed to the
 * organiser's reviewers.
 *
 * The per-custodian dimension: the events that feed the bulletin's sharing and
 * use sections count for the organiser; the same transactions also count
 * `eval:<organiser>:<metric>` on the custodian's own counters item (one
 * SUPCOUNT#<custodian> × month item, merged with its other metrics), so the
 * evaluation reads three items per custodian and quarter — never the
 * applications, grants or problems themselves.
 */
export const evaluationMetrics = [
  { key: 'R15.applications', label: '共享申请' },
  { key: 'R15.approved', label: '批准共享（授权）' },
  { key: 'R16.downloads', label: '下载与调用' },
  { key: 'R19.1.due', label: '应交利用情况报告（新授权）' },
  { key: 'R19.reports', label: '已交利用情况报告' },
  { key: 'R19.1.late', label: '逾期提交利用情况报告' },
  { key: 'R19.2.reported', label: '报告质量问题' },
  { key: 'R19.2.confirmed', label: '确认质量问题' },
  { key: 'R19.3.fixed', label: '已改正质量问题' },
] as const satisfies ReadonlyArray<{ key: EvaluationMetric; label: string }>;
export interface EvaluationFigures {
  readonly custodianOrg: string;
  readonly organiserOrg: string;
  readonly quarter: string;
  readonly values: Readonly<Record<EvaluationMetric, number>>;
}

/** The figures of every organiser with activity for one custodian and quarter, from its three monthly counters items. */
export async function evaluationFigures(counters: CounterStore, custodianOrg: string, quarter: Period): Promise<EvaluationFigures[]> {
  const months = await counters.read(custodianOrg, quarter.months[0]!, quarter.months[quarter.months.length - 1]!);
  const byOrganiser = new Map<string, Record<string, number>>();
  const prefix = 'eval:';
  const known = new Set<string>(evaluationMetrics.map((m) => m.key));
  for (const m of months) {
    for (const [key, value] of Object.entries(m.values)) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const cut = rest.lastIndexOf(':');
      if (cut <= 0) continue;
      const organiser = rest.slice(0, cut);
      const metric = rest.slice(cut + 1);
      if (!known.has(metric)) continue;
      const row = byOrganiser.get(organiser) ?? {};
      row[metric] = (row[metric] ?? 0) + value;
      byOrganiser.set(organiser, row);
    }
  }
  return [...byOrganiser.entries()]
    .filter(([, row]) => Object.values(row).some((v) => v > 0))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([organiserOrg, row]) => ({
      custodianOrg,
      organiserOrg,
      quarter: quarter.id,
      values: Object.fromEntries(evaluationMetrics.map((m) => [m.key, row[m.key] ?? 0])) as Record<EvaluationMetric, number>,
    }));
}

export const evaluationKey = (f: Pick<EvaluationFigures, 'custodianOrg' | 'organiserOrg' | 'quarter'>) => `evaluations/${f.custodianOrg}/${f.quarter}/利用与质量评价-${f.organiserOrg}-${f.quarter}.html`;

/** The print-friendly Chinese document (A4), every name and code escaped. */
export function evaluationHtml(f: EvaluationFigures, names: { custodian: string; organiser: string }, quarter: Period, generatedAt: string): string {
  const v = f.values;
  const rows = evaluationMetrics.map((m) => `<tr><th scope="row">${escapeHtml(m.label)}</th><td>${v[m.key]}</td></tr>`).join('\n');
  const title = `成果利用与质量季度评价（${escapeHtml(quarter.label)}）`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title>
<style>@page{size:A4;margin:20mm}body{font-family:"SimSun","Songti SC",serif;color:#000;max-width:170mm;margin:auto}h1{text-align:center;font-size:20pt}table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;padding:4pt 8pt;text-align:left}td{text-align:right}.meta{font-size:10pt}</style></head>
<body>
<h1>${title}</h1>
<p>保管单位：${escapeHtml(names.custodian)}（${escapeHtml(f.custodianOrg)}）</p>
<p>报送：${escapeHtml(names.organiser)}（${escapeHtml(f.organiserOrg)}）</p>
<p>评价期间：${escapeHtml(quarter.label)}（${escapeHtml(quarter.months[0]!)} 至 ${escapeHtml(quarter.months[quarter.months.length - 1]!)}）</p>
<table><caption>本季度共享利用与质量情况（件次）</caption><tbody>
${rows}
</tbody></table>
<p>质量问题确认率：${v['R19.2.reported'] > 0 ? `${Math.round((v['R19.2.confirmed'] / v['R19.2.reported']) * 100)}%` : '本季度未收到质量问题报告'}；利用情况报告：已交 ${v['R19.reports']} 份，其中逾期 ${v['R19.1.late']} 份。</p>
<p class="meta">说明：数据取自系统计数器（与审计链同一事务写入），按保管单位 × 组织单位统计；本评价由系统于 ${escapeHtml(generatedAt)} 生成，存档后不再改写。</p>
</body></html>
`;
}

export function evaluationMail(f: EvaluationFigures, names: { custodian: string; organiser: string }, quarter: Period, doc: { key: string; sha256: string; html: string }): { subject: string; text: string; html: string } {
  const v = f.values;
  const subject = `【成果利用与质量评价】${names.custodian} ${quarter.label}`;
  const text = [
    `${names.organiser}：`,
    `${names.custodian}（${f.custodianOrg}）${quarter.label}成果利用与质量评价已生成，请审阅。`,
    `共享申请 ${v['R15.applications']} 件，批准 ${v['R15.approved']} 件，下载与调用 ${v['R16.downloads']} 次；利用情况报告应交 ${v['R19.1.due']} 份、已交 ${v['R19.reports']} 份、逾期 ${v['R19.1.late']} 份；质量问题报告 ${v['R19.2.reported']} 件、确认 ${v['R19.2.confirmed']} 件、已改正 ${v['R19.3.fixed']} 件。`,
    `评价文件（文档库存档，只写一次）：${doc.key}`,
    `SHA-256：${doc.sha256}`,
    '评价全文附于本邮件正文（HTML）。',
  ].join('\n');
  return { subject, text, html: doc.html };
}

export interface EvaluationPorts {
  readonly identity: Pick<IdentityRepository, 'listOrganisations' | 'listUsers' | 'getOrganisation'>;
  readonly counters: () => CounterStore;
  readonly files: Pick<BulletinFiles, 'putOnce'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

export interface EvaluationOutcome {
  readonly quarter: string;
  readonly written: Array<{ key: string; sha256: string; emailed: string[] }>;
  readonly existing: string[];
}

/**
 * QuarterlyEvaluations (first day of each quarter, Asia/Shanghai): the last
 * whole quarter, for every custodian organisation (walking the organisation
 * tree) × organiser with activity in its counters.
 *
 * Primary course, per pair:
 *  1. the figures from the custodian's counters (evaluationFigures);
 *  2. the HTML document written once (If-None-Match: *) under a key naming custodian, quarter and organiser;
 *  3. only when this run wrote it: the organiser's reviewers emailed in Chinese with the document.
 * A re-run (the schedule firing twice, a retry) finds every document written and sends nothing.
 */
export async function runQuarterlyEvaluations(ports: EvaluationPorts, job: { scheduledTime: Date; quarter?: Period }): Promise<EvaluationOutcome> {
  const quarter = job.quarter ?? lastWholePeriod(chinaDate(job.scheduledTime), 'quarter');
  const counters = ports.counters();
  const written: EvaluationOutcome['written'] = [];
  const existing: string[] = [];
  const queue = await ports.identity.listOrganisations(undefined);
  for (let i = 0; i < queue.length; i += 1) {
    const org = queue[i]!;
    queue.push(...(await ports.identity.listOrganisations(org.code)));
    if (org.type !== 'custodian') continue;
    for (const f of await evaluationFigures(counters, org.code, quarter)) {
      const organiser = await ports.identity.getOrganisation(f.organiserOrg);
      const names = { custodian: org.name, organiser: organiser?.name ?? f.organiserOrg };
      const html = evaluationHtml(f, names, quarter, chinaDateTime(ports.now()));
      const key = evaluationKey(f);
      const sha256 = createHash('sha256').update(html, 'utf8').digest('hex');
      if (!(await ports.files.putOnce(key, html, 'text/html; charset=utf-8'))) {
        existing.push(key);
        continue;
      }
      const reviewers = (await ports.identity.listUsers(f.organiserOrg)).filter((u) => u.roles.includes('reviewer'));
      if (reviewers.length > 0) await ports.mailer.send({ to: reviewers.map((u) => u.email), ...evaluationMail(f, names, quarter, { key, sha256, html }) });
      written.push({ key, sha256, emailed: reviewers.map((u) => u.email) });
    }
  }
  return { quarter: quarter.id, written, existing };
}
