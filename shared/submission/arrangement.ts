import type { FieldIssue } from '#shared/errors.ts';
import type { Organisation } from '#shared/schemas/identity.ts';
import type { SurveyTask } from '#shared/schemas/submission.ts';

/**
 * R7.1 “the organiser, with the custodian and technical units, verifies”: a survey task's review arrangement —
 * who decides the technical review (`reviewOrg`: one of the organiser's technical units; absent: the organiser's
 * own reviewers) and who countersigns first (`countersignOrgs`: technical units and/or the task's custodian).
 * Set at registration, changed afterwards through PUT /survey-tasks/{taskId}/arrangement; a round (a sealed
 * version) uses the arrangement in force when it was sealed, so a change never alters a round under way.
 */
export interface ReviewArrangementView {
  readonly reviewOrg?: string;
  readonly countersignOrgs: readonly string[];
}

/** Who may take part: anyone else is NOT_DESIGNATED, naming the field (`body.reviewOrg`, `body.countersignOrgs.<i>`). */
export function arrangementIssues(
  organiser: Pick<Organisation, 'name' | 'technicalUnits'>,
  custodianOrg: string | undefined,
  reviewOrg: string | undefined,
  countersignOrgs: readonly string[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const technicalUnits = organiser.technicalUnits ?? [];
  if (reviewOrg !== undefined && !technicalUnits.includes(reviewOrg)) {
    issues.push({ field: 'body.reviewOrg', code: 'NOT_DESIGNATED', message: `${reviewOrg} 不是 ${organiser.name} 设定的技术单位（${technicalUnits.join('、') || '尚未设定'}），不能承担技术审核` });
  }
  for (const [i, code] of countersignOrgs.entries()) {
    if (code === reviewOrg) {
      issues.push({ field: `body.countersignOrgs.${i}`, code: 'REVIEWER_COUNTERSIGNS', message: `${code} 已承担技术审核，不再会签` });
    } else if (!technicalUnits.includes(code) && code !== custodianOrg) {
      issues.push({ field: `body.countersignOrgs.${i}`, code: 'NOT_DESIGNATED', message: `${code} 既不是 ${organiser.name} 设定的技术单位，也不是本任务的保管单位，不能会签` });
    }
  }
  return issues;
}

/**
 * The arrangement a round uses: the one in force when its version was sealed (`sealedAt`); without a seal time
 * (a round not sealed yet) the current one. Earlier arrangements are kept oldest first, each with the time it
 * was replaced (`until`).
 */
export function arrangementAt(
  task: Pick<SurveyTask, 'reviewOrg' | 'countersignOrgs' | 'earlierArrangements'> | undefined,
  sealedAt: string | undefined,
): ReviewArrangementView {
  if (!task) return { countersignOrgs: [] };
  const earlier = sealedAt === undefined ? undefined : (task.earlierArrangements ?? []).find((a) => sealedAt < a.until);
  const chosen = earlier ?? task;
  return { ...(chosen.reviewOrg ? { reviewOrg: chosen.reviewOrg } : {}), countersignOrgs: [...(chosen.countersignOrgs ?? [])] };
}
