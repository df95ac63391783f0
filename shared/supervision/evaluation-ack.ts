import * as z from 'zod/mini';
import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { BulletinFiles } from '#shared/ports/supervision.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { evaluationIdPattern, type EvaluationDecision, type EvaluationRecord, type EvaluationStore } from './evaluation.ts';
import { evaluationDecisionLabels } from './evaluation-ack-kind.ts';

export { evaluationAckKind, evaluationAckKindId, evaluationFilePath } from './evaluation-ack-kind.ts';
import { requireSupervisionScope } from './scope.ts';

/**
 * The organiser's acknowledgement of a custodian's quarterly use-and-quality evaluation (R19.2; issue 17): the
 * decision recorded once on the evaluation record, and the stored document read in scope. The task kind itself is
 * in ./evaluation-ack-kind.ts (the human-task bundles import it alone).
 */
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
    figures: r.figures,
    ...(r.decision ? { decision: { ...r.decision, decisionLabel: evaluationDecisionLabels[r.decision.decision] } } : {}),
  };
}
