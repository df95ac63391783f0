/**
 * The states of a quality problem (R19.2, R19.3) and their Chinese labels — apart from shared/feedback/problems.ts,
 * so that the human-task kind (read by the tasks facility's bundles) and the adapter carry no domain code (issue 10).
 */
export const severities = ['一般', '重大'] as const;
export type Severity = (typeof severities)[number];

export const problemStates = ['reported', 'confirmed', 'rejected', 'escalated', 'correcting', 'correctionSubmitted', 'fixed', 'dismissed'] as const;
export type ProblemState = (typeof problemStates)[number];
export const problemStateLabels: Record<ProblemState, string> = {
  reported: '待保管单位确认',
  confirmed: '已确认',
  rejected: '未确认（已驳回）',
  escalated: '重大问题待组织单位核实',
  correcting: '已责令实施单位改正',
  correctionSubmitted: '更正版本已提交，核验中',
  fixed: '已改正（更正版本已入库为现行版本）',
  dismissed: '组织单位核实后不予责令改正',
};
/** States in which the result shows 质量问题处理中 (R19.3). */
export const openStates: readonly ProblemState[] = ['escalated', 'correcting', 'correctionSubmitted'];
export const qualityStatusLabel = '质量问题处理中';

/**
 * The lists across results (issue 13): the custodian's problems; the organiser's, once escalated (R19.3). Here, not in
 * problems.ts, so the registry adapters (in every HTTP function) do not bring the feedback domain with them (issue 10).
 */
export const problemListSides = (p: { readonly timeline: ReadonlyArray<{ readonly state: ProblemState }> }): Array<'custodian' | 'organiser'> =>
  p.timeline.some((s) => s.state === 'escalated') ? ['custodian', 'organiser'] : ['custodian'];
export type ProblemListSide = 'custodian' | 'organiser';
