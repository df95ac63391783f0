/**
 * Labels the sharing pages derive from the API's views (issue 13/17): what kind of date a use report is due on
 * (R19.1), and what a decided application's reviews came to (R15.1). Pure: unit-tested in test/unit/console-labels.test.ts.
 */

/** R19.1: a use report falls due each full year of a long grant (年度), at the end of the period (期满), or on the date the organiser set when approving (组织单位确定). */
export type UseReportKindLabel = '年度' | '期满' | '组织单位确定';

/**
 * The API's slot says `yearly` or `end`; an `end` slot on a date other than the grant's last day is the date the
 * organiser set (conditions.useReportDue), not the end of the period.
 */
export function useReportKindLabel(slot: { kind: 'yearly' | 'end'; due: string }, grantTo: string): UseReportKindLabel {
  if (slot.kind === 'yearly') return '年度';
  return slot.due === grantTo ? '期满' : '组织单位确定';
}

type TagType = 'success' | 'warning' | 'info' | 'danger';
type ReviewStatus = 'pending' | 'approved' | 'rejected';

/**
 * 我的申请: an application the organisers decided shows what they decided — 已同意, 不予共享, or 部分同意 when one
 * organiser approved its results and another refused — not the bare 已审核 the API's status label says.
 */
export function applicationOutcome(a: { status: string; statusLabel: string; reviews: ReadonlyArray<{ status: ReviewStatus }> }): { label: string; tag: TagType } {
  if (a.status === 'reviewing') return { label: a.statusLabel, tag: 'warning' };
  if (a.status !== 'decided') return { label: a.statusLabel, tag: 'success' };
  const approved = a.reviews.filter((r) => r.status === 'approved').length;
  const rejected = a.reviews.filter((r) => r.status === 'rejected').length;
  if (approved > 0 && rejected === 0) return { label: '已同意', tag: 'success' };
  if (rejected > 0 && approved === 0) return { label: '不予共享', tag: 'danger' };
  if (approved > 0 && rejected > 0) return { label: `部分同意（${approved} 个组织单位同意，${rejected} 个不予共享）`, tag: 'warning' };
  return { label: a.statusLabel, tag: 'info' };
}
