import type { AuditTrail } from '#shared/ports/audit.ts';
import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityAdministration, IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal, User } from '#shared/schemas/identity.ts';
import { classificationLabels, classifications, type Classification } from './roles.ts';
import { regionCovers, regionOfOrg } from './scope.ts';

export interface UpdateClearanceCommand {
  readonly actor: Principal;
  readonly userId: string;
  readonly clearance: Classification;
  /** Why (kept in the audit record): a clearance is a secrecy decision (R5.1). */
  readonly reason: string;
  readonly requestId: string;
}

export interface UpdateClearanceResult {
  readonly user: User;
  /** false when the user already held this clearance: nothing written, no audit record. */
  readonly changed: boolean;
  readonly auditSeq?: number;
}

export interface UpdateClearancePorts {
  readonly identity: IdentityRepository;
  readonly admin: IdentityAdministration;
  readonly trail: AuditTrail;
}

const rank = (c: Classification) => classifications.indexOf(c);

/**
 * An administrator changes a user's clearance (R5.1, R20.1).
 *
 * Primary course:
 *  1. the actor holds the administrator role;
 *  2. the user exists (else 404);
 *  3. the actor is not the user, the user's organisation lies in the actor's
 *     region (R3.1), and neither the old nor the new clearance is above the
 *     actor's own — otherwise the refusal is audited and a 403 returned;
 *  4. the same clearance again is a no-op (idempotent PUT): 200, changed=false;
 *  5. the change is written conditionally on the clearance read in 2, with
 *     its audit record (who, from, to, why) in the same transaction; a
 *     concurrent change makes it a 409 instead of a lost update.
 */
export async function updateUserClearance(cmd: UpdateClearanceCommand, ports: UpdateClearancePorts): Promise<UpdateClearanceResult> {
  const { actor } = cmd;
  if (!actor.roles.includes('administrator')) {
    throw new ForbiddenError('无权调整用户密级权限：需要系统管理员角色');
  }
  const user = await ports.identity.getUser(cmd.userId);
  if (!user) throw new NotFoundError(`用户 ${cmd.userId} 不存在`);

  const entry = (outcome: AuditEntry['outcome'], detail: Record<string, unknown>): AuditEntry => ({
    actor: actor.userId,
    orgCode: actor.orgCode,
    action: 'identity.user.clearance.update',
    target: `USER#${user.userId}`,
    outcome,
    requestId: cmd.requestId,
    detail: { from: user.clearance, to: cmd.clearance, reason: cmd.reason, ...detail },
  });
  const refuse = async (why: string, message: string): Promise<never> => {
    await ports.trail.append(entry('refused', { refusal: why }));
    throw new ForbiddenError(message);
  };

  if (user.userId === actor.userId) {
    await refuse('self', '不能调整本人的密级权限，请由其他管理员办理');
  }
  if (!regionCovers(regionOfOrg(actor.orgCode), regionOfOrg(user.orgCode))) {
    await refuse('outOfRegion', `用户 ${user.userId} 所属单位 ${user.orgCode} 不在您的管辖区域内，无权调整其密级权限`);
  }
  const highest = Math.max(rank(user.clearance), rank(cmd.clearance));
  if (highest > rank(actor.clearance)) {
    await refuse(
      'aboveOwnClearance',
      `不能授予或调整高于本人密级权限（${classificationLabels[actor.clearance]}）的密级：该操作涉及“${classificationLabels[classifications[highest] ?? cmd.clearance]}”`,
    );
  }
  if (user.clearance === cmd.clearance) return { user, changed: false };

  const { seq } = await ports.admin.updateClearance({ userId: user.userId, from: user.clearance, to: cmd.clearance }, entry('success', {}));
  return { user: { ...user, clearance: cmd.clearance }, changed: true, auditSeq: seq };
}
