import * as z from 'zod/mini';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { BulletinFiles } from '#shared/ports/supervision.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named } from '#shared/tasks/mail.ts';
import { evaluationFilePath, evaluationIdPattern, evaluationMetrics, type EvaluationDecision, type EvaluationRecord, type EvaluationStore } from './evaluation.ts';
import { parsePeriod } from './periods.ts';
import { requireSupervisionScope } from './scope.ts';

/**
 * The organiser's acknowledgement of a custodian's quarterly use-and-quality
 * evaluation (成果利用与质量评价确认, R19.2; issue 17): the organiser's reviewers
 * get an emailed task (EvaluationAcknowledgement machine) showing the figures
 * and a signed-in link to the stored document, and answer 已阅 (approve) or
 * 有异议 (return, with a note — the facility refuses a return without one,
 * 400 naming body.reasons). The decision is recorded once on the evaluation
 * record (RecordEvaluationAcknowledgement), audited.
 */
export const evaluationAckKindId = 'evaluationAck';

export const evaluationSubjectSchema = z.object({ evaluationId: z.string().check(z.regex(evaluationIdPattern)) });

export const evaluationDecisionLabels: Record<EvaluationDecision['decision'], string> = { approve: '已阅', return: '有异议' };

export function evaluationAckKind(ports: { evaluations: Pick<EvaluationStore, 'get'>; identity: Pick<IdentityRepository, 'getOrganisation'> }): HumanTaskKind<typeof evaluationAckKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { evaluationId } = evaluationSubjectSchema.parse(subject);
    const record = await ports.evaluations.get(evaluationId);
    if (!record) throw new NotFoundError(`利用与质量评价 ${evaluationId} 不存在`);
    return record;
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  const quarterLabel = (q: string) => parsePeriod(q)?.label ?? q;

  return {
    kind: evaluationAckKindId,
    label: '成果利用与质量评价确认',
    role: 'reviewer',

    async describe(subject) {
      const r = await load(subject);
      const v = r.values;
      return {
        title: `成果利用与质量评价确认：${await orgName(r.custodianOrg)}（${quarterLabel(r.quarter)}）`,
        assigneeOrg: r.organiserOrg,
        details: [
          `保管单位：${named(await orgName(r.custodianOrg), r.custodianOrg)}`,
          `评价期间：${quarterLabel(r.quarter)}`,
          `共享申请 ${v['R15.applications']} 件，批准 ${v['R15.approved']} 件，下载与调用 ${v['R16.downloads']} 次；衍生产品保密审查 ${v['R18.2.reviewed'] ?? 0} 件；质量问题报告 ${v['R19.2.reported']} 件、确认 ${v['R19.2.confirmed']} 件、已改正 ${v['R19.3.fixed']} 件。`,
          `评价文件 SHA-256：${r.sha256}`,
          '请阅读评价文件后选择“已阅”；对评价数据有异议的请选择“有异议”并说明。',
        ],
      };
    },

    async summary(task) {
      const r = await load(task.subject);
      return {
        kind: evaluationAckKindId,
        evaluation: {
          evaluationId: r.evaluationId,
          custodianOrg: r.custodianOrg,
          custodianName: await orgName(r.custodianOrg),
          organiserOrg: r.organiserOrg,
          quarter: r.quarter,
          quarterLabel: quarterLabel(r.quarter),
          figures: evaluationMetrics.map((m) => ({ key: m.key, label: m.label, value: r.values[m.key] ?? 0 })),
          key: r.key,
          sha256: r.sha256,
          filePath: evaluationFilePath(r.evaluationId),
          ...(r.decision ? { decision: { ...r.decision, decisionLabel: evaluationDecisionLabels[r.decision.decision], decidedAtLabel: chinaDateTime(r.decision.decidedAt) } } : {}),
        },
      };
    },
  };
}

export const evaluationAcknowledgementSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
});

/**
 * EvaluationAcknowledgement › Record Acknowledgement: the organiser's 已阅 / 有异议 (who, when, note) recorded once
 * on the evaluation record, audited (`supervision.evaluation.acknowledged` / `.disputed`). A retry, or a late second
 * decision, changes nothing and returns the record as it is.
 */
export async function recordEvaluationAcknowledgement(
  ports: { evaluations: Pick<EvaluationStore, 'get' | 'decide'> },
  cmd: { evaluationId: string; acknowledgement: EvaluationDecision; requestId: string },
): Promise<{ record: EvaluationRecord; changed: boolean }> {
  const record = await ports.evaluations.get(cmd.evaluationId);
  if (!record) throw new NotFoundError(`利用与质量评价 ${cmd.evaluationId} 不存在`);
  if (record.decision) return { record, changed: false };
  const decision: EvaluationDecision = { ...cmd.acknowledgement, reasons: cmd.acknowledgement.reasons.trim() };
  const changed = await ports.evaluations.decide(record.evaluationId, decision, {
    actor: 'system:RecordEvaluationAcknowledgement',
    orgCode: record.organiserOrg,
    action: decision.decision === 'approve' ? 'supervision.evaluation.acknowledged' : 'supervision.evaluation.disputed',
    target: `EVALUATION#${record.evaluationId}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { decision, custodianOrg: record.custodianOrg, quarter: record.quarter, sha256: record.sha256 },
  });
  const after = changed ? { ...record, decision } : ((await ports.evaluations.get(record.evaluationId)) ?? record);
  return { record: after, changed };
}

/**
 * GET /supervision/evaluations/{evaluationId}/file: the stored document (write-once) for the custodian's own people,
 * and the organiser's reviewers and supervisors at or above the organiser (and administrators); anyone else gets
 * the same 404 as an evaluation that does not exist.
 */
export async function readEvaluationFile(
  ports: { identity: Pick<IdentityRepository, 'getOrganisation'>; evaluations: Pick<EvaluationStore, 'get'>; files: Pick<BulletinFiles, 'get'> },
  cmd: { actor: Principal; evaluationId: string },
): Promise<{ record: EvaluationRecord; body: Uint8Array }> {
  const notFound = () => new NotFoundError(`利用与质量评价 ${cmd.evaluationId} 不存在或不在您的查看范围内`);
  const m = evaluationIdPattern.exec(cmd.evaluationId);
  if (!m) throw notFound();
  const [, custodianOrg, organiserOrg] = m as unknown as [string, string, string];
  if (cmd.actor.orgCode !== custodianOrg) await requireSupervisionScope(ports.identity, cmd.actor, organiserOrg, 'path.evaluationId', true);
  const record = await ports.evaluations.get(cmd.evaluationId);
  if (!record) throw notFound();
  const body = await ports.files.get(record.key);
  if (!body) throw notFound();
  return { record, body };
}

/** What a reader sees of the record (the file route's answer). */
export function evaluationView(r: EvaluationRecord) {
  return {
    evaluationId: r.evaluationId,
    custodianOrg: r.custodianOrg,
    organiserOrg: r.organiserOrg,
    quarter: r.quarter,
    key: r.key,
    sha256: r.sha256,
    recordedAt: r.recordedAt,
    figures: evaluationMetrics.map((m) => ({ key: m.key, label: m.label, value: r.values[m.key] ?? 0 })),
    ...(r.decision ? { decision: { ...r.decision, decisionLabel: evaluationDecisionLabels[r.decision.decision] } } : {}),
  };
}
