import { ForbiddenError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { Submission, SurveyTask } from '#shared/schemas/submission.ts';
import { inScope, requireAccess, requireClearance, type ProtectedRecord } from '#shared/security/access.ts';

export { isSameOrAbove, superiorsOf } from '#shared/security/access.ts';

/** The organisations a task or submission involves. */
export interface Involved {
  readonly organiserOrg: string;
  readonly implementerOrg: string;
  readonly custodianOrg: string;
}

/** A submission as the access rule sees it (shared/security/access.ts). */
export function submissionRecord(s: Pick<Submission, 'submissionId' | 'classification' | 'organiserOrg' | 'implementerOrg' | 'custodianOrg'>): ProtectedRecord {
  return { target: `SUB#${s.submissionId}`, classification: s.classification, organiserOrg: s.organiserOrg, implementerOrg: s.implementerOrg, custodianOrg: s.custodianOrg };
}

export const submissionNotFound = (submissionId: string) => `汇交 ${submissionId} 不存在`;

/**
 * Reads of a submission and of what hangs off it (versions, uploads, reports, timeline): the one access rule.
 * `task`, given by the reads R7.1 opens to the verification's participants (the submission itself and its
 * verification report), loads the survey task whose technical units and countersigning units may read too.
 */
export async function requireSubmissionRead(
  identity: IdentityRepository,
  principal: Principal,
  submission: Submission,
  what: string,
  task?: () => Promise<Pick<SurveyTask, 'technicalUnits' | 'countersignOrgs' | 'reviewOrg' | 'earlierArrangements'> | undefined>,
): Promise<void> {
  await requireAccess(identity, principal, submissionRecord(submission), {
    scope: 'involved',
    notFound: submissionNotFound(submission.submissionId),
    what,
    ...(task ? { participants: async () => verificationParticipants(await task()) } : {}),
  });
}

/** R7.1: the organisations that take part in a survey task's verification besides those involved: its technical units (and any unit named to review or countersign). */
export function verificationParticipants(task: Pick<SurveyTask, 'technicalUnits' | 'countersignOrgs' | 'reviewOrg' | 'earlierArrangements'> | undefined): string[] {
  if (!task) return [];
  // An arrangement replaced after registration still names who took part in the rounds sealed under it.
  const arrangements = [task, ...(task.earlierArrangements ?? [])];
  return [...new Set([...(task.technicalUnits ?? []), ...arrangements.flatMap((a) => [...(a.countersignOrgs ?? []), ...(a.reviewOrg ? [a.reviewOrg] : [])])])];
}

/**
 * A survey task carries no classification of its own (its submissions do,
 * and a task's view lists only those within the reader's clearance): the
 * organisation scope of the rule (R3.1).
 */
export async function requireTaskRead(identity: IdentityRepository, principal: Principal, involved: Involved, what: string): Promise<void> {
  if (!(await inScope(identity, principal, involved))) {
    throw new ForbiddenError(
      `无权查看${what}：您所在单位（${principal.orgCode}）不是该任务的组织单位、实施单位、保管单位或其上级部门`,
    );
  }
}

/**
 * R6.1 “whoever implements, submits”: only a submitter of the implementing
 * unit acts on its submissions. On a submission, its clearance comes first
 * (the rule's step 1): one above the caller's clearance is absent.
 */
export function requireImplementerSubmitter(principal: Principal, involved: Involved | Submission, action: string): void {
  if ('submissionId' in involved && 'classification' in involved) {
    requireClearance(principal, submissionRecord(involved), submissionNotFound(involved.submissionId));
  }
  if (!principal.roles.includes('submitter')) {
    throw new ForbiddenError(`无权${action}：需要“成果汇交人”角色`);
  }
  if (principal.orgCode !== involved.implementerOrg) {
    throw new ForbiddenError(
      `无权${action}：只有实施单位（${involved.implementerOrg}）的汇交人可以办理，您所在单位为 ${principal.orgCode}`,
    );
  }
}
