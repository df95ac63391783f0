import { chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import type { HumanTaskConditions, HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named, userLabel } from '#shared/tasks/mail.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { HumanTaskAlreadyDecidedError, HumanTaskExpiredError } from '#shared/tasks/errors.ts';
import * as z from 'zod/mini';
import { applyVerification, problemStateLabels, type ProblemStore, type QualityProblem, type ResponsibilityFinding, type VerifyPorts } from './problems.ts';

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
export const problemVerificationKindId = 'problemVerification';
export { problemVerificationStateMachine, verificationExecutionName } from './problems.ts';

export const problemSubjectSchema = z.object({ problemId: z.string().check(z.minLength(1)) });

const findingIssue = (message: string) => new ValidationError(message, [{ field: 'body.conditions.finding', code: 'FINDING_MISSING', message }]);

/** 属实 needs the whole finding (each part at least 2 characters); 不属实 takes none. */
export function findingOf(conditions: HumanTaskConditions | undefined): ResponsibilityFinding | undefined {
  const f = conditions?.finding;
  if (!f) return undefined;
  return { who: f.who.trim(), what: f.what.trim(), conclusion: f.conclusion.trim() };
}

/** The organiser's verification as a human-task kind (属实 / 不属实). */
export function problemVerificationKind(ports: { problems: Pick<ProblemStore, 'get'>; identity: Pick<IdentityRepository, 'getOrganisation' | 'getUser'> }): HumanTaskKind<typeof problemVerificationKindId> {
  const load = async (subject: HumanTaskSubject): Promise<QualityProblem> => {
    const { problemId } = problemSubjectSchema.parse(subject);
    const p = await ports.problems.get(problemId);
    if (!p) throw new NotFoundError(`质量问题 ${problemId} 不存在`);
    return p;
  };
  const orgName = async (code: string) => named((await ports.identity.getOrganisation(code))?.name, code);
  return {
    kind: problemVerificationKindId,
    label: '重大质量问题核实',
    role: 'reviewer',
    acceptsConditions: true,
    async protects(subject) {
      const p = await load(subject);
      return { target: `PROBLEM#${p.problemId}`, classification: p.classification, organiserOrg: p.organiserOrg, custodianOrg: p.custodianOrg };
    },
    async describe(subject) {
      const p = await load(subject);
      const confirmed = p.timeline.find((s) => s.state === 'confirmed');
      return {
        title: `重大质量问题核实：成果 ${p.resultNumber}（${p.problemId}）`,
        assigneeOrg: p.organiserOrg,
        details: [
          `成果：${p.resultNumber}；文件或图层：${p.file}`,
          `问题说明：${p.description}`,
          `报告：${await userLabel(ports.identity, p.reportedBy)}（${await orgName(p.reporterOrg)}），${chinaDateTime(p.reportedAt)}`,
          ...(confirmed ? [`保管单位确认：${confirmed.byName}，${confirmed.note}`] : []),
          `实施单位：${await orgName(p.implementerOrg)}`,
          '属实：须填写责任认定（责任方、问题、结论），系统将以邮件责令实施单位改正并作为新版本重新汇交；不属实：须填写理由，不予责令改正。',
        ],
      };
    },
    async checkDecision(task, decision) {
      const p = await load(task.subject);
      const extra = Object.entries(decision.conditions ?? {}).filter(([k, v]) => k !== 'finding' && v !== undefined);
      if (extra.length > 0) {
        const message = '重大质量问题核实只接受责任认定（finding）';
        throw new ValidationError(message, [{ field: 'body.conditions', code: 'CONDITIONS_NOT_ACCEPTED', message }]);
      }
      const finding = findingOf(decision.conditions);
      if (decision.decision === 'approve') {
        if (!finding) throw findingIssue('核实属实时须填写责任认定：责任方、问题、结论');
        for (const [k, label] of [['who', '责任方'], ['what', '问题'], ['conclusion', '结论']] as const) {
          if (finding[k].length < 2) throw findingIssue(`责任认定的${label}至少 2 个字`);
        }
      }
      // Verified already through the route with the same outcome: the decision only closes the task.
      const target = decision.decision === 'approve' ? 'correcting' : 'dismissed';
      if (p.state !== 'escalated' && p.state !== target) {
        throw new ConflictError('PROBLEM_NOT_ESCALATED', `质量问题 ${p.problemId} 当前为“${problemStateLabels[p.state]}”，不在待核实状态`);
      }
    },
    async summary(task) {
      const p = await load(task.subject);
      return {
        kind: problemVerificationKindId,
        problem: {
          problemId: p.problemId,
          resultNumber: p.resultNumber,
          file: p.file,
          description: p.description,
          severity: p.severity,
          state: p.state,
          stateLabel: problemStateLabels[p.state],
          classificationLabel: classificationLabels[p.classification],
          reporter: `${await userLabel(ports.identity, p.reportedBy)}（${await orgName(p.reporterOrg)}）`,
          reportedAtLabel: chinaDateTime(p.reportedAt),
          custodian: await orgName(p.custodianOrg),
          implementer: await orgName(p.implementerOrg),
          location: [...(p.location.bbox ? [`范围 ${p.location.bbox.join(', ')}`] : []), ...(p.location.featureIds?.length ? [`要素 ${p.location.featureIds.join('、')}`] : [])].join('；'),
          attachments: (p.attachments ?? []).map((a) => ({ n: a.n, name: a.name, size: a.size, sha256: a.sha256, href: `/feedback/problems/${encodeURIComponent(p.problemId)}/attachments/${a.n}` })),
          steps: p.timeline.map((s) => ({ stateLabel: problemStateLabels[s.state], byName: s.byName, atLabel: chinaDateTime(s.at), note: s.note })),
          ...(p.finding ? { finding: p.finding } : {}),
        },
      };
    },
  };
}

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
