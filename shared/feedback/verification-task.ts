import { NotFoundError } from '#shared/errors.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { HumanTaskAlreadyDecidedError, HumanTaskExpiredError } from '#shared/tasks/errors.ts';
import * as z from 'zod/mini';
import { applyVerification, type QualityProblem, type ResponsibilityFinding, type VerifyPorts } from './problems.ts';

/**
 * The organiser's verification of an escalated 重大 quality problem as a human task (R19.3; issue 17):
 * confirming a 重大 problem starts the ProblemVerification machine (execution `verify-<problemId>`), whose
 * emailed task asks the organiser's reviewers 属实 (approve, with the responsibility finding: who, what,
 * conclusion) or 不属实 (return, with the reasons) — reminders, escalation one level up on timeout and the
 * single decision are the facility's (shared/tasks/human-tasks.ts). Record Verification then applies the
 * decision once: 属实 → the finding recorded, the implementer's submitters emailed the order to correct;
 * 不属实 → dismissed. The route POST /feedback/problems/{id}/verification (the console's form) decides the
 * same open task, so either way the machine ends and the problem is verified once.
 */
export { findingOf, problemSubjectSchema, problemVerificationKind, problemVerificationKindId } from './verification-kind.ts';
export { problemVerificationStateMachine, verificationExecutionName } from './problems.ts';
import { findingOf, problemVerificationKindId } from './verification-kind.ts';

export const verificationDecisionSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
  conditions: z.optional(z.object({ finding: z.optional(z.object({ who: z.string(), what: z.string(), conclusion: z.string() })) })),
});
export type VerificationDecision = z.infer<typeof verificationDecisionSchema>;

/**
 * ProblemVerification › Record Verification: the task's decision applied once. A problem no longer escalated
 * (verified through the route, or a retried step) is left as it is. The decider is the actor of the audit record
 * and of the problem's step; 属实 → correcting with the finding and the order emailed; 不属实 → dismissed.
 */
export async function recordVerification(
  ports: Omit<VerifyPorts, 'catalogue'>,
  cmd: { problemId: string; approval: VerificationDecision; requestId: string },
): Promise<{ problem: QualityProblem; changed: boolean; ordered: string[] }> {
  const problem = await ports.problems.get(cmd.problemId);
  if (!problem) throw new NotFoundError(`质量问题 ${cmd.problemId} 不存在`);
  if (problem.state !== 'escalated') return { problem, changed: false, ordered: [] };
  const upheld = cmd.approval.decision === 'approve';
  const finding = findingOf(cmd.approval.conditions);
  const user = await ports.identity.getUser(cmd.approval.decidedBy);
  const by = { userId: cmd.approval.decidedBy, name: user?.name ?? cmd.approval.decidedBy, orgCode: problem.organiserOrg };
  const note = cmd.approval.reasons.trim() || (upheld ? '经组织单位核实属实' : '经组织单位核实不属实');
  return applyVerification(ports, problem, { by, upheld, note, ...(upheld && finding ? { finding } : {}), requestId: cmd.requestId });
}

/**
 * The route's verification (the console's form) decides the problem's open verification task with the same
 * outcome — the verifier is one of its assignees (the organiser's reviewers) — so the machine ends and nothing
 * asks for the verification again. A task the verifier may not decide, or already decided or expired, is left.
 */
export async function closeVerificationTask(
  ports: Parameters<typeof decideHumanTask>[0],
  cmd: { actor: Principal; problemId: string; upheld: boolean; note: string; finding?: ResponsibilityFinding; requestId: string },
): Promise<string[]> {
  const open = (await ports.tasks.listBySubject(problemVerificationKindId, { problemId: cmd.problemId })).filter((t) => t.status === 'open' && t.assignees.includes(cmd.actor.userId));
  const decided: string[] = [];
  for (const task of open) {
    const reasons = cmd.upheld || cmd.note.trim().length >= 5 ? cmd.note : `经核实不属实：${cmd.note}`;
    try {
      await decideHumanTask(ports, { actor: cmd.actor, id: task.id, decision: cmd.upheld ? 'approve' : 'return', reasons, ...(cmd.upheld && cmd.finding ? { conditions: { finding: cmd.finding } } : {}), requestId: cmd.requestId });
      decided.push(task.id);
    } catch (error) {
      if (error instanceof HumanTaskAlreadyDecidedError || error instanceof HumanTaskExpiredError) continue;
      throw error;
    }
  }
  return decided;
}
