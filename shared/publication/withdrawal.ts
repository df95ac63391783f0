import * as z from 'zod/mini';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { visibleEntry } from '#shared/catalogue/catalogue.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { CatalogueEntry, ReleaseInfo, WithdrawalRequest } from '#shared/schemas/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { currentAuthorityTable, isApprover, resolveAuthority, subjectOfEntry, type AuthorityTableStore } from './authority.ts';
import { mayPrepareRelease } from './release.ts';
import { publicationWithdrawalKindId, withdrawalWords } from './withdrawal-words.ts';

export { withdrawalWords };

/**
 * Withdrawal of a released version (撤回, issue 15 step 8; R11.1, R12.1): a request, decided like the publication.
 *
 *   released ──requestWithdrawal──► (request pending) ──every approver 同意撤回──► withdrawn
 *                                                     └─one approver 不予撤回──► request refused, release stays
 *
 * Who may ask: the preparer side (the organiser's reviewers and publishers, the custodian, the organiser's
 * technical units — as for preparing the release) or a publisher of an approving organisation. Who decides: the
 * approvers the authority table resolves for the release (the same rule as its publication; a national forest,
 * grassland or wetland result → 自然资源部 and 国家林业和草原局, both must agree, R12.2) in a human task each
 * (the Withdrawal state machine, statemachines/withdrawal.asl.json: waitForTaskToken, escalation on timeout).
 * The request and every decision are kept on the release's catalogue entry (`release.withdrawalRequests`), each
 * written conditionally with its audit record; the decision that completes the agreement withdraws the release
 * and counts `R11.withdrawn` in the same transaction. A refusal emails the requester the reasons.
 */
export const withdrawalStateMachine = 'Withdrawal';
export { publicationWithdrawalKindId };

export const withdrawalBodySchema = z.object({
  reason: z.string({ error: '请填写撤回原因 reason' }).check(z.trim()).check(z.minLength(4, '撤回原因至少 4 个字')).check(z.maxLength(500, '撤回原因不超过 500 字')),
});

export const withdrawalDecisionSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
});
export type WithdrawalDecision = z.infer<typeof withdrawalDecisionSchema>;

/** The human task's subject: which request of which release, which approving department. */
export const withdrawalSubjectSchema = z.object({
  releaseNumber: z.string().check(z.minLength(1)),
  k: z.number().check(z.int()).check(z.gte(1)),
  approver: z.number().check(z.int()).check(z.gte(0)).check(z.lte(1)),
});

export const withdrawalStatusLabels: Record<WithdrawalRequest['status'], string> = { pending: '撤回审批中', approved: '已同意撤回', refused: '不予撤回' };

/** Thrown by Record Withdrawal Decision on a refusal inside the joint approval: it ends the Parallel state. */
export class WithdrawalRefusedError extends Error {
  override readonly name = 'WithdrawalRefused';
}

const notARelease = (n: string) => new ConflictError('NOT_A_RELEASE', `${n} 不是发布版本，无需撤回`);
const stateLabels: Record<ReleaseInfo['state'], string> = { pending: '待审批', approved: '已批准待发布', released: '已发布', withdrawn: '已撤回' };

type ReleaseEntry = CatalogueEntry & { release: ReleaseInfo };

export interface RequestWithdrawalPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly authorities: Pick<AuthorityTableStore, 'current'>;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly now: () => Date;
}

/**
 * POST /publication/releases/{n}/withdrawal (申请撤回):
 *  1. the release through the one access rule (404 above the clearance), a release version (409);
 *  2. the approvers from the authority table in force for it; the actor on the preparer side or one of them (403);
 *  3. released (409 RELEASE_NOT_RELEASED), not withdrawn (409 ALREADY_WITHDRAWN), no request pending (409
 *     WITHDRAWAL_PENDING);
 *  4. the request on the entry, conditional and audited in one transaction; the Withdrawal machine starts.
 */
export async function requestWithdrawal(ports: RequestWithdrawalPorts, cmd: { actor: Principal; releaseNumber: string; reason: string; requestId: string }): Promise<{ entry: CatalogueEntry; withdrawal: WithdrawalRequest }> {
  const entry = await visibleEntry(ports.catalogue, cmd.actor, cmd.releaseNumber);
  const source = (entry.release ? await ports.catalogue.getEntry(entry.release.sourceNumber) : undefined) ?? entry;
  const resolution = resolveAuthority(await currentAuthorityTable(ports.authorities), await subjectOfEntry(ports.identity, source));
  if (!isApprover(resolution, cmd.actor) && !(await mayPrepareRelease(ports.identity, cmd.actor, source))) {
    throw new ForbiddenError(`无权申请撤回发布版本 ${entry.resultNumber}：由组织单位的审核或发布审批人、保管单位的成果保管人、组织单位指定的技术单位或审批单位的发布审批人申请（${resolution.explanation}）`);
  }
  const release = entry.release;
  if (!release) throw notARelease(entry.resultNumber);
  if (release.state === 'withdrawn') throw new ConflictError('ALREADY_WITHDRAWN', `发布版本 ${entry.resultNumber} 已于 ${chinaDateTime(release.withdrawal?.at ?? entry.updatedAt)} 撤回`);
  if (release.state !== 'released') throw new ConflictError('RELEASE_NOT_RELEASED', `发布版本 ${entry.resultNumber} ${stateLabels[release.state]}，尚未发布，无需撤回`);
  const earlier = release.withdrawalRequests ?? [];
  const pending = earlier.find((w) => w.status === 'pending');
  if (pending) throw new ConflictError('WITHDRAWAL_PENDING', `发布版本 ${entry.resultNumber} 已有撤回申请 ${pending.id}（${chinaDateTime(pending.requestedAt)} 提出）正在审批`);
  const at = ports.now().toISOString();
  const k = earlier.length + 1;
  const withdrawal: WithdrawalRequest = {
    id: `${entry.resultNumber}-W${k}`,
    k,
    reason: cmd.reason,
    requestedBy: cmd.actor.userId,
    requestedByOrg: cmd.actor.orgCode,
    requestedAt: at,
    ruleId: resolution.rule.ruleId,
    tableVersion: resolution.tableVersion,
    joint: resolution.joint,
    explanation: resolution.explanation,
    status: 'pending',
    approvals: resolution.approvers.map((a) => ({ orgCode: a.orgCode, role: a.role })),
  };
  const next: CatalogueEntry = { ...entry, release: { ...release, withdrawalRequests: [...earlier, withdrawal] }, version: entry.version + 1, updatedAt: at, updatedBy: cmd.actor.userId };
  const audit: AuditEntry = {
    actor: cmd.actor.userId,
    orgCode: cmd.actor.orgCode,
    action: 'publication.withdrawal.request',
    target: `CAT#${entry.resultNumber}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { releaseNumber: entry.resultNumber, withdrawalId: withdrawal.id, reason: cmd.reason, ruleId: withdrawal.ruleId, tableVersion: withdrawal.tableVersion, approvers: withdrawal.approvals },
  };
  await ports.catalogue.updateEntry(next, entry, audit);
  await ports.workflow.start(withdrawalStateMachine, withdrawal.id, { releaseNumber: entry.resultNumber, k, joint: withdrawal.joint });
  return { entry: next, withdrawal };
}

// ---- the machine's step ---------------------------------------------------------------------------------------

export interface WithdrawalStepPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry' | 'indexEntry'>;
  readonly identity: Pick<IdentityRepository, 'getUser' | 'getOrganisation'>;
  readonly mailer: Mailer;
  /** A refusal in a joint decision closes the other department's open task. */
  readonly humanTasks: Pick<HumanTaskStore, 'listBySubject' | 'expire'>;
  readonly now: () => Date;
}

const system = 'system:RecordWithdrawalDecision';
const footer = '—— 自然资源调查监测成果管理系统（此邮件由系统自动发送，请勿回复）';

/**
 * Record Withdrawal Decision: one approving department's decision on withdrawal request `k`.
 *  - 同意撤回 by every department → the release is withdrawn in the same audited, conditional write (its files
 *    are no longer served, the public page says 已撤回 and the date, `R11.withdrawn` counted); `next: 'withdrawn'`;
 *  - 同意撤回 by one of two → `next: 'waiting'`;
 *  - 不予撤回 → the request is refused, the other department's open task closed, the requester emailed the
 *    reasons; the release stays. Inside the joint decision WithdrawalRefusedError ends the Parallel state.
 * A retry finds the department's decision recorded and answers the same (idempotent).
 */
export async function recordWithdrawalDecision(
  ports: WithdrawalStepPorts,
  cmd: { releaseNumber: string; k: number; approver: number; decision: WithdrawalDecision; requestIdOfCall: string },
): Promise<{ next: 'withdrawn' | 'waiting' | 'refused' }> {
  const refused = cmd.decision.decision !== 'approve';
  let fresh = false;
  let entry: ReleaseEntry | undefined;
  let request: WithdrawalRequest | undefined;
  for (let attempt = 0; ; attempt += 1) {
    const current = await ports.catalogue.getEntry(cmd.releaseNumber);
    if (!current?.release) throw new NotFoundError(`发布版本 ${cmd.releaseNumber} 不存在`);
    const cur = current as ReleaseEntry;
    const list = cur.release.withdrawalRequests ?? [];
    const w = list.find((x) => x.k === cmd.k);
    if (!w) throw new NotFoundError(`发布版本 ${cmd.releaseNumber} 没有第 ${cmd.k} 次撤回申请`);
    const approval = w.approvals[cmd.approver];
    if (!approval) throw new NotFoundError(`撤回申请 ${w.id} 没有第 ${cmd.approver + 1} 个审批单位`);
    if (approval.decision || approval.closed) {
      entry = cur;
      request = w;
      break;
    }
    const at = cmd.decision.decidedAt;
    const endsNow = refused && w.status === 'pending';
    const approvals = w.approvals.map((a, i) =>
      i === cmd.approver
        ? { ...a, decision: cmd.decision }
        : endsNow && !a.decision
          ? { ...a, closed: { at, reason: `${approval.orgCode} 已决定${withdrawalWords.ret}，本次撤回申请已结束，此审批无需再作决定` } }
          : a,
    );
    const all = approvals.every((a) => a.decision?.decision === 'approve');
    const status: WithdrawalRequest['status'] = w.status !== 'pending' ? w.status : refused ? 'refused' : all ? 'approved' : 'pending';
    const nextRequest: WithdrawalRequest = { ...w, approvals, status, ...(status !== 'pending' && w.status === 'pending' ? { closedAt: at } : {}) };
    const withdrawsNow = status === 'approved' && w.status === 'pending' && cur.release.state === 'released';
    const release: ReleaseInfo = {
      ...cur.release,
      withdrawalRequests: list.map((x) => (x.k === cmd.k ? nextRequest : x)),
      ...(withdrawsNow ? { state: 'withdrawn' as const, withdrawal: { at, by: cmd.decision.decidedBy, byOrg: approval.orgCode, reason: w.reason } } : {}),
    };
    const next: ReleaseEntry = { ...cur, release, version: cur.version + 1, updatedAt: ports.now().toISOString(), updatedBy: system };
    const audit: AuditEntry = {
      actor: system,
      orgCode: approval.orgCode,
      action: withdrawsNow ? 'publication.release.withdraw' : refused ? 'publication.withdrawal.refuse' : 'publication.withdrawal.agree',
      target: `CAT#${cur.resultNumber}`,
      outcome: 'success',
      requestId: cmd.requestIdOfCall,
      detail: { releaseNumber: cur.resultNumber, withdrawalId: w.id, orgCode: approval.orgCode, decision: cmd.decision, reason: w.reason, ruleId: w.ruleId, tableVersion: w.tableVersion, requestedBy: w.requestedBy },
    };
    try {
      // R21.1: the approved withdrawal is counted in the decision's own transaction.
      await ports.catalogue.updateEntry(next, cur, withdrawsNow ? withSupervision(audit, { count: [{ org: cur.organiserOrg, metric: 'R11.withdrawn' }] }, at) : audit);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
      continue;
    }
    fresh = true;
    entry = next;
    request = nextRequest;
    if (withdrawsNow) await ports.catalogue.indexEntry(next, cur);
    break;
  }
  const mine = request.approvals[cmd.approver];
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  if (fresh && request.status !== 'pending') {
    const requester = await ports.identity.getUser(request.requestedBy);
    if (requester?.email) {
      const by = `${await orgName(mine?.orgCode ?? '')}（${mine?.orgCode ?? ''}）`;
      await ports.mailer.send(
        request.status === 'refused'
          ? {
              to: [requester.email],
              subject: `撤回申请不予撤回：${entry.resultNumber}`,
              text: [
                `您申请撤回的发布版本 ${entry.resultNumber}（撤回申请 ${request.id}）经 ${by} 审批：${withdrawalWords.ret}。`,
                `理由：${cmd.decision.reasons || '（无）'}`,
                `该发布版本继续公开提供下载。${request.joint ? '该成果须自然资源部与国家林业和草原局共同同意方可撤回，一方不予撤回即结束本次申请。' : ''}`,
                '',
                footer,
              ].join('\n'),
            }
          : {
              to: [requester.email],
              subject: `撤回申请已同意：${entry.resultNumber}`,
              text: [`您申请撤回的发布版本 ${entry.resultNumber}（撤回申请 ${request.id}）已获审批单位${withdrawalWords.approve}，于 ${chinaDateTime(entry.release.withdrawal?.at ?? cmd.decision.decidedAt)} 撤回：文件不再提供下载，公开目录显示“已撤回”，记录保留。`, '', footer].join('\n'),
            },
      );
    }
  }
  if (request.status === 'refused' && mine?.decision?.decision === 'return') await closeOtherTasks(ports, entry, request, cmd.approver, cmd.requestIdOfCall);
  if (request.status === 'refused') {
    if (request.joint) throw new WithdrawalRefusedError(`${mine?.orgCode ?? ''} ${withdrawalWords.ret}：${mine?.decision?.reasons ?? ''}`);
    return { next: 'refused' };
  }
  return { next: request.status === 'approved' ? 'withdrawn' : 'waiting' };
}

/** The other department's still-open task of the request is closed (expired with the reason) and its assignees told. Idempotent. */
async function closeOtherTasks(ports: WithdrawalStepPorts, entry: CatalogueEntry, w: WithdrawalRequest, approver: number, requestIdOfCall: string): Promise<void> {
  const refusedBy = w.approvals[approver]?.orgCode ?? '';
  for (const [i, a] of w.approvals.entries()) {
    if (i === approver || !a.closed) continue;
    const open = (await ports.humanTasks.listBySubject(publicationWithdrawalKindId, { releaseNumber: entry.resultNumber, k: w.k, approver: i })).filter((t) => t.status === 'open');
    for (const task of open) {
      await ports.humanTasks.expire(task.id, ports.now().toISOString(), {
        actor: system,
        orgCode: task.assigneeOrg,
        action: 'tasks.humanTask.expire',
        target: `HTASK#${task.id}`,
        outcome: 'success',
        requestId: requestIdOfCall,
        detail: { kind: task.kind, subject: task.subject, reason: 'otherDepartmentRefused', refusedBy, withdrawalId: w.id },
      });
      const to = (await Promise.all(task.assignees.map((u) => ports.identity.getUser(u)))).map((u) => u?.email).filter((e): e is string => !!e);
      if (to.length === 0) continue;
      await ports.mailer.send({
        to,
        subject: `撤回审批已关闭：${entry.resultNumber}`,
        text: [`${refusedBy} 已决定${withdrawalWords.ret}（撤回申请 ${w.id}），本次撤回申请已结束，您的审批任务无需再办理，原链接已失效。`, '', footer].join('\n'),
      });
    }
  }
}
