import { chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import { humanTaskStatusLabels, type HumanTask, type HumanTaskDecisionValue, type HumanTaskStatus, type HumanTaskStore } from '#shared/ports/tasks.ts';
import type { Submission, SurveyTask } from '#shared/schemas/submission.ts';
import { arrangementAt } from '#shared/submission/arrangement.ts';

/**
 * R7.1 “the organiser, with the custodian and technical units, verifies”: before the organiser's technical review
 * is decided, each unit the survey task names to countersign (`countersignOrgs`: its technical units, its
 * custodian) gives its opinion — 同意 / 不同意 with reasons — as a human task of its own (one per unit: the
 * facility's single decision makes a second opinion 409, a person of another unit 403). The Verification machine
 * runs one wait per unit (the Countersign Map) before the review; the review task's page shows the opinions, and
 * approving over a dissent needs reasons (`checkDecision` of the review kind).
 */
export const countersignKindId = 'technicalCountersign';

/** A countersign's decision read as an opinion. */
export const opinionLabels: Record<HumanTaskDecisionValue, string> = { approve: '同意', return: '不同意' };

export interface CountersignOpinion {
  readonly org: string;
  readonly orgName: string;
  /** 技术单位 or 保管单位. */
  readonly capacity: string;
  readonly taskId: string | null;
  readonly status: HumanTaskStatus | 'pending';
  readonly statusLabel: string;
  readonly opinion?: HumanTaskDecisionValue;
  readonly opinionLabel?: string;
  readonly reasons?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly decidedAtLabel?: string;
}

/**
 * The units that countersign round n (its survey task's `countersignOrgs` in force when the version was sealed:
 * a later change of the arrangement applies to later rounds), for the machine's Map.
 */
export async function countersignersOf(store: Pick<SubmissionStore, 'getSubmission' | 'getTask' | 'getVersion'>, submissionId: string, n: number): Promise<string[]> {
  const submission = await store.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  const [task, version] = await Promise.all([store.getTask(submission.taskId), store.getVersion(submissionId, n)]);
  return [...arrangementAt(task, version?.sealedAt).countersignOrgs];
}

export const capacityOf = (submission: Pick<Submission, 'custodianOrg'>, org: string) => (org === submission.custodianOrg ? '保管单位' : '技术单位');

/**
 * The opinions on round n, one line per countersigning unit: the decided task if any (the only one that counts),
 * else the latest (open, or expired after an escalation), else pending (its task not yet created).
 */
export async function countersignOpinions(
  ports: { readonly humanTasks: Pick<HumanTaskStore, 'listBySubject'>; readonly identity: IdentityRepository },
  submission: Submission,
  task: { readonly countersignOrgs?: readonly string[] } | undefined,
  n: number,
): Promise<CountersignOpinion[]> {
  const out: CountersignOpinion[] = [];
  for (const org of task?.countersignOrgs ?? []) {
    const tasks = await ports.humanTasks.listBySubject(countersignKindId, { submissionId: submission.submissionId, n, org });
    const chosen: HumanTask | undefined = tasks.find((t) => t.status === 'decided') ?? tasks[0];
    const orgName = (await ports.identity.getOrganisation(org))?.name ?? org;
    const base = { org, orgName, capacity: capacityOf(submission, org) };
    if (!chosen) {
      out.push({ ...base, taskId: null, status: 'pending', statusLabel: '尚未开始' });
      continue;
    }
    const d = chosen.decision;
    out.push({
      ...base,
      taskId: chosen.id,
      status: chosen.status,
      statusLabel: humanTaskStatusLabels[chosen.status],
      ...(d && chosen.status === 'decided'
        ? { opinion: d.decision, opinionLabel: opinionLabels[d.decision], reasons: d.reasons, decidedBy: d.decidedBy, decidedAt: d.decidedAt, decidedAtLabel: chinaDateTime(d.decidedAt) }
        : {}),
    });
  }
  return out;
}

/**
 * The organiser's decision over a dissent (R7.1): approving while a countersigning unit said 不同意 needs the
 * reasons it was not followed (at least 5 characters, kept with the decision and on the timeline).
 */
export function checkOverDissent(opinions: readonly CountersignOpinion[], decision: { decision: HumanTaskDecisionValue; reasons: string }): void {
  const dissent = opinions.filter((o) => o.opinion === 'return');
  if (decision.decision !== 'approve' || dissent.length === 0 || decision.reasons.trim().length >= 5) return;
  const message = `${dissent.map((o) => o.orgName).join('、')}的会签意见为“不同意”：通过时请填写理由（至少 5 个字），说明不采纳的原因`;
  throw new ValidationError(message, [{ field: 'body.reasons', code: 'DISSENT_REASONS_REQUIRED', message }]);
}

