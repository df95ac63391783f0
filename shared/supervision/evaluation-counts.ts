import type { CountIncrement } from './clocks.ts';

/**
 * The per-custodian dimension of the bulletin's sharing and use counters, for
 * the custodian's quarterly use-and-quality evaluation (R19.2,
 * shared/supervision/evaluation.ts): the same transactions that count a
 * metric for the organiser also count `eval:<organiser>:<metric>` on the
 * custodian's own counters item (SUPCOUNT#<custodian> × month; one Update per
 * organisation × month, so it merges with the item's other metrics).
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
] as const;
export type EvaluationMetric = (typeof evaluationMetrics)[number]['key'];

const prefix = 'eval:';
/** The counter of one custodian × organiser × metric, counted on the custodian's counters item. */
export const evaluationMetricKey = (organiserOrg: string, metric: EvaluationMetric) => `${prefix}${organiserOrg}:${metric}`;

/** The increments that give an event's counter its per-custodian dimension (one per distinct custodian × organiser pair). */
export function evaluationCounts(pairs: ReadonlyArray<{ custodianOrg: string; organiserOrg: string }>, metric: EvaluationMetric, by?: number): CountIncrement[] {
  const seen = new Set<string>();
  const out: CountIncrement[] = [];
  for (const p of pairs) {
    const k = `${p.custodianOrg}\u0000${p.organiserOrg}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ org: p.custodianOrg, metric: evaluationMetricKey(p.organiserOrg, metric), ...(by !== undefined ? { by } : {}) });
  }
  return out;
}

