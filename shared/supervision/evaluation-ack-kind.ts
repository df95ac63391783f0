import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named } from '#shared/tasks/mail.ts';
import type { EvaluationDecision, EvaluationStore } from './evaluation.ts';

/**
 * The organiser's acknowledgement of a custodian's quarterly use-and-quality
 * evaluation (成果利用与质量评价确认, R19.2; issue 17): the organiser's reviewers
 * get an emailed task (EvaluationAcknowledgement machine) showing the figures
 * and a signed-in link to the stored document, and answer 已阅 (approve) or
 * 有异议 (return, with a note — the facility refuses a return without one,
 * 400 naming body.reasons). The decision is recorded once on the evaluation
 * record (RecordEvaluationAcknowledgement in ./evaluation-ack.ts), audited.
 * Small on purpose: every human-task bundle carries it (issue 10).
 */
export const evaluationAckKindId = 'evaluationAck';

export const evaluationDecisionLabels: Record<EvaluationDecision['decision'], string> = { approve: '已阅', return: '有异议' };

/** The signed-in link to the stored document (GET, GetEvaluationFile). */
export const evaluationFilePath = (evaluationId: string) => `/supervision/evaluations/${encodeURIComponent(evaluationId)}/file`;

export function evaluationAckKind(ports: { evaluations: Pick<EvaluationStore, 'get'>; identity: Pick<IdentityRepository, 'getOrganisation'> }): HumanTaskKind<typeof evaluationAckKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const id = subject['evaluationId'];
    const record = typeof id === 'string' ? await ports.evaluations.get(id) : undefined;
    if (!record) throw new NotFoundError(`利用与质量评价 ${String(id)} 不存在`);
    return record;
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;

  return {
    kind: evaluationAckKindId,
    label: '成果利用与质量评价确认',
    role: 'reviewer',

    async describe(subject) {
      const r = await load(subject);
      return {
        title: `成果利用与质量评价确认：${await orgName(r.custodianOrg)}（${r.quarterLabel}）`,
        assigneeOrg: r.organiserOrg,
        details: [
          `保管单位：${named(await orgName(r.custodianOrg), r.custodianOrg)}`,
          `评价期间：${r.quarterLabel}`,
          r.figures.map((f) => `${f.label} ${f.value}`).join('，'),
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
          quarterLabel: r.quarterLabel,
          figures: r.figures,
          key: r.key,
          sha256: r.sha256,
          filePath: evaluationFilePath(r.evaluationId),
        },
      };
    },
  };
}
