import { chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { HumanTaskConditions, HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named, userLabel } from '#shared/tasks/mail.ts';
import * as z from 'zod/mini';
import type { ProblemStore, QualityProblem, ResponsibilityFinding } from './problems.ts';
import { problemStateLabels } from './states.ts';

/**
 * The organiser's verification of a confirmed 重大 problem as a human-task kind (R19.3; 属实 / 不属实): what the
 * tasks facility reads (its bundles carry this module, never the feedback domain: issue 10). The machine and the
 * steps around it: shared/feedback/verification-task.ts.
 */
export const problemVerificationKindId = 'problemVerification';

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
          `文件或图层：${p.file}；位置：${[...(p.location.bbox ? [p.location.bbox.join(', ')] : []), ...(p.location.featureIds ?? [])].join('；')}`,
          `问题：${p.description}（${p.severity}）`,
          `报告：${await userLabel(ports.identity, p.reportedBy)}，${chinaDateTime(p.reportedAt)}；实施单位：${await orgName(p.implementerOrg)}`,
          ...(confirmed ? [`保管单位确认：${confirmed.byName}，${confirmed.note}`] : []),
          '属实须填写责任认定，系统将邮件责令实施单位改正；不属实须填写理由。',
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
          stateLabel: problemStateLabels[p.state],
          attachments: (p.attachments ?? []).map((a) => ({ n: a.n, name: a.name, size: a.size, sha256: a.sha256 })),
        },
      };
    },
  };
}

