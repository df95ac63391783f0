import { createHash } from 'node:crypto';
import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
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
  { key: 'R18.2.reviewed', label: '衍生产品保密审查' },
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
    `共享申请 ${v['R15.applications']} 件，批准 ${v['R15.approved']} 件，下载与调用 ${v['R16.downloads']} 次，衍生产品保密审查 ${v['R18.2.reviewed']} 件；利用情况报告应交 ${v['R19.1.due']} 份、已交 ${v['R19.reports']} 份、逾期 ${v['R19.1.late']} 份；质量问题报告 ${v['R19.2.reported']} 件、确认 ${v['R19.2.confirmed']} 件、已改正 ${v['R19.3.fixed']} 件。`,
    `评价文件（文档库存档，只写一次）：${doc.key}`,
    `SHA-256：${doc.sha256}`,
    '评价全文附于本邮件正文（HTML）。',
  ].join('\n');
  return { subject, text, html: doc.html };
}

/**
 * The evaluation record (R19.2; issue 17): written with the document — key, SHA-256, figures — and read by the
 * organiser's acknowledgement task (evaluationAck, shared/supervision/evaluation-ack.ts). `execution` says the
 * EvaluationAcknowledgement machine was started for it; `decision` is the organiser's 已阅 / 有异议, recorded once.
 */
export interface EvaluationDecision {
  readonly taskId: string;
  /** approve 已阅; return 有异议 (with a note). */
  readonly decision: 'approve' | 'return';
  readonly reasons: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

export interface EvaluationRecord {
  readonly evaluationId: string;
  readonly custodianOrg: string;
  readonly organiserOrg: string;
  readonly quarter: string;
  /** 2026年第四季度 */
  readonly quarterLabel: string;
  readonly key: string;
  readonly sha256: string;
  readonly values: Readonly<Record<EvaluationMetric, number>>;
  /** The figures as the document shows them (label and value, in its order): what the task page shows. */
  readonly figures: ReadonlyArray<{ readonly key: string; readonly label: string; readonly value: number }>;
  readonly recordedAt: string;
  readonly execution?: string;
  readonly startedAt?: string;
  readonly decision?: EvaluationDecision;
}

/** EVALUATION#<evaluationId> on the registry (adapters/dynamo-evaluations.ts); every write conditional and audited. */
export interface EvaluationStore {
  get(evaluationId: string): Promise<EvaluationRecord | undefined>;
  /** Write-once: false when the record already exists (left as it was). */
  create(record: EvaluationRecord, audit: AuditEntry): Promise<boolean>;
  /** Names the acknowledgement's execution once: false when it is already named or decided. */
  markStarted(evaluationId: string, execution: string, at: string, audit: AuditEntry): Promise<boolean>;
  /** The decision, once: false when one is recorded already. */
  decide(evaluationId: string, decision: EvaluationDecision, audit: AuditEntry): Promise<boolean>;
}

/** One custodian × organiser × quarter: `440000-CUS.440000-NR.2026-Q4`. */
export const evaluationIdOf = (f: Pick<EvaluationFigures, 'custodianOrg' | 'organiserOrg' | 'quarter'>) => `${f.custodianOrg}.${f.organiserOrg}.${f.quarter}`;
export const evaluationIdPattern = /^([0-9A-Za-z-]{2,40})\.([0-9A-Za-z-]{2,40})\.(\d{4}-Q[1-4])$/;
export const evaluationAckStateMachine = 'EvaluationAcknowledgement';
/** The acknowledgement's execution name, one per evaluation: a re-run of the schedule cannot start a second one. [A-Za-z0-9_-], ≤ 80. */
export const evaluationExecutionName = (evaluationId: string) => `evaluation-${evaluationId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);

export interface EvaluationPorts {
  readonly identity: Pick<IdentityRepository, 'listOrganisations' | 'listUsers' | 'getOrganisation'>;
  readonly counters: () => CounterStore;
  readonly files: Pick<BulletinFiles, 'putOnce' | 'get'>;
  readonly evaluations: EvaluationStore;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

export interface EvaluationOutcome {
  readonly quarter: string;
  readonly written: Array<{ key: string; sha256: string; emailed: string[] }>;
  readonly existing: string[];
  /** The evaluations whose acknowledgement task was started by this run. */
  readonly started: string[];
}

const sha256Of = (body: string | Uint8Array) => createHash('sha256').update(body).digest('hex');
/** The schedule's audit record of one evaluation (its request id names the evaluation: a re-run's records are recognisable). */
const scheduleAudit = (evaluationId: string, orgCode: string, action: string, detail: Record<string, unknown>): AuditEntry => ({
  actor: 'system:QuarterlyEvaluations',
  orgCode,
  action,
  target: `EVALUATION#${evaluationId}`,
  outcome: 'success',
  requestId: `QuarterlyEvaluations-${evaluationId}`,
  detail,
});

/**
 * QuarterlyEvaluations (first day of each quarter, Asia/Shanghai): the last
 * whole quarter, for every custodian organisation (walking the organisation
 * tree) × organiser with activity in its counters.
 *
 * Primary course, per pair:
 *  1. the figures from the custodian's counters (evaluationFigures);
 *  2. the HTML document written once (If-None-Match: *) under a key naming custodian, quarter and organiser;
 *  3. the evaluation record (key, SHA-256 of the stored document, figures) written once, audited;
 *  4. only when this run wrote the document: the organiser's reviewers emailed in Chinese with the document;
 *  5. the record has no acknowledgement execution and no decision yet: the EvaluationAcknowledgement machine
 *     started under the evaluation's own execution name (the organiser's emailed 已阅 / 有异议 task), then the
 *     execution named on the record (audited).
 * A re-run (the schedule firing twice, a retry) finds every document and record written and every
 * acknowledgement started, and writes, starts and sends nothing. A run that stopped after writing the document
 * (the document email lost) is covered by the next: the record is written from the stored document and the
 * task started (ExecutionAlreadyExists: started before, only the record's mark was lost).
 */
export async function runQuarterlyEvaluations(ports: EvaluationPorts, job: { scheduledTime: Date; quarter?: Period }): Promise<EvaluationOutcome> {
  const quarter = job.quarter ?? lastWholePeriod(chinaDate(job.scheduledTime), 'quarter');
  const counters = ports.counters();
  const written: EvaluationOutcome['written'] = [];
  const existing: string[] = [];
  const started: string[] = [];
  const queue = await ports.identity.listOrganisations(undefined);
  for (let i = 0; i < queue.length; i += 1) {
    const org = queue[i]!;
    queue.push(...(await ports.identity.listOrganisations(org.code)));
    if (org.type !== 'custodian') continue;
    for (const f of await evaluationFigures(counters, org.code, quarter)) {
      const evaluationId = evaluationIdOf(f);
      const key = evaluationKey(f);
      let record = await ports.evaluations.get(evaluationId);
      if (record) {
        existing.push(key);
      } else {
        const organiser = await ports.identity.getOrganisation(f.organiserOrg);
        const names = { custodian: org.name, organiser: organiser?.name ?? f.organiserOrg };
        const html = evaluationHtml(f, names, quarter, chinaDateTime(ports.now()));
        const wrote = await ports.files.putOnce(key, html, 'text/html; charset=utf-8');
        const stored = wrote ? html : await ports.files.get(key);
        if (stored === undefined) throw new Error(`evaluation document ${key} was neither written nor found`);
        const at = ports.now().toISOString();
        const fresh: EvaluationRecord = {
          evaluationId,
          custodianOrg: f.custodianOrg,
          organiserOrg: f.organiserOrg,
          quarter: f.quarter,
          quarterLabel: quarter.label,
          key,
          sha256: sha256Of(stored),
          values: f.values,
          figures: evaluationMetrics.map((m) => ({ key: m.key, label: m.label, value: f.values[m.key] })),
          recordedAt: at,
        };
        await ports.evaluations.create(fresh, scheduleAudit(evaluationId, f.custodianOrg, 'supervision.evaluation.record', { key, sha256: fresh.sha256, values: f.values, documentWritten: wrote }));
        record = (await ports.evaluations.get(evaluationId)) ?? fresh;
        if (wrote) {
          const reviewers = (await ports.identity.listUsers(f.organiserOrg)).filter((u) => u.roles.includes('reviewer'));
          if (reviewers.length > 0) await ports.mailer.send({ to: reviewers.map((u) => u.email), ...evaluationMail(f, names, quarter, { key, sha256: fresh.sha256, html }) });
          written.push({ key, sha256: fresh.sha256, emailed: reviewers.map((u) => u.email) });
        } else {
          existing.push(key);
        }
      }
      if (record.execution || record.decision) continue;
      const execution = evaluationExecutionName(evaluationId);
      try {
        await ports.workflow.start(evaluationAckStateMachine, execution, { evaluationId });
      } catch (error) {
        if ((error as { name?: string } | null)?.name !== 'ExecutionAlreadyExists') throw error;
      }
      const at = ports.now().toISOString();
      await ports.evaluations.markStarted(evaluationId, execution, at, scheduleAudit(evaluationId, f.organiserOrg, 'supervision.evaluation.ackStarted', { execution }));
      started.push(evaluationId);
    }
  }
  return { quarter: quarter.id, written, existing, started };
}
