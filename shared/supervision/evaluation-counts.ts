import type { CountIncrement } from './clocks.ts';

/**
 * The per-custodian dimension of the bulletin's sharing and use counters, for
 * the custodian's quarterly use-and-quality evaluation (R19.2,
 * shared/supervision/evaluation.ts): the same transactions that count a
 * metric for the organiser also count `eval:<organiser>:<metric>` on the
 * custodian's own counters item (SUPCOUNT#<custodian> × month; one Update per
 * organisation × month, so it merges with the item's other metrics).
 */
/** The metrics the evaluation reads (labels in shared/supervision/evaluation.ts; a type only, so the sharing bundles stay small). */
export type EvaluationMetric = 'R15.applications' | 'R15.approved' | 'R16.downloads' | 'R18.2.reviewed' | 'R19.1.due' | 'R19.reports' | 'R19.1.late' | 'R19.2.reported' | 'R19.2.confirmed' | 'R19.3.fixed';

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

