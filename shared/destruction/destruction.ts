import * as z from 'zod/mini';
import { regionName } from '#shared/reference/regions.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { visibleEntry } from '#shared/catalogue/catalogue.ts';
import { manifestsPrefix, resultsPrefix } from '#shared/custody/keys.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';

/**
 * Destruction (销毁): a custodian's request with reasons → the organiser's
 * approval (human task 'destructionApproval') → the custody objects removed
 * through the one privileged path (CustodyDestroyer, used only by the
 * Destroy Objects step) → the catalogue entry marked destroyed with the
 * approval record. The entry keeps its number; the audit keeps everything.
 */
export const destructionStateMachine = 'Destruction';
export const minReasonLength = 10;

export const destructionStatuses = ['pending', 'destroyed', 'refused'] as const;
export type DestructionStatus = (typeof destructionStatuses)[number];
export const destructionStatusLabels: Record<DestructionStatus, string> = { pending: '待审批', destroyed: '已销毁', refused: '未批准' };

export const approvalSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
});
export type DestructionApproval = z.infer<typeof approvalSchema>;

export interface DestructionRecord {
  readonly resultNumber: string;
  /** One request per round; a refused round may be followed by a new one. */
  readonly destructionId: string;
  readonly status: DestructionStatus;
  readonly reasons: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly custodianOrg: string;
  readonly organiserOrg: string;
  /** The entry's region name (GB/T 2260), looked up when the request is made: the approval task shows it without the table (issue 10). */
  readonly regionName?: string;
  readonly execution?: string;
  readonly approval?: DestructionApproval;
  readonly removedObjects?: number;
  readonly closedAt?: string;
}

/** The registry item DESTRUCTION#<resultNumber> (adapters/dynamo-destruction.ts). */
export interface DestructionStore {
  get(resultNumber: string): Promise<DestructionRecord | undefined>;
  /** Conditional: no record yet, or the last round is closed; else DestructionPendingError. */
  open(record: DestructionRecord, audit: AuditEntry): Promise<void>;
  /** Conditional on the stored round (destructionId) still pending; else ConflictError DESTRUCTION_CLOSED. */
  close(record: DestructionRecord, audit: AuditEntry): Promise<void>;
}

/**
 * The one privileged path that removes custody bytes. Its adapter
 * (adapters/s3-custody-destroyer.ts) is built only by the Destroy
 * Objects Lambda; the CustodyStore port has no delete.
 */
/** Which approved destruction a removal serves: the adapter scopes its credentials to it (AWS: a tagged session of the destruction role). */
export interface ApprovedDestruction {
  readonly resultNumber: string;
  readonly destructionId: string;
}

export interface CustodyDestroyer {
  /** Removes every object (every version, where the store keeps versions) under the prefix of the approved result; returns how many were removed. */
  destroyPrefix(prefix: string, approved: ApprovedDestruction): Promise<number>;
}

export class DestructionPendingError extends ConflictError {
  constructor(resultNumber: string) {
    super('DESTRUCTION_PENDING', `成果 ${resultNumber} 已有待审批的销毁申请，请等待审批结果`);
  }
}

const audit = (actor: string, orgCode: string, action: string, resultNumber: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor,
  orgCode,
  action,
  target: `CAT#${resultNumber}`,
  outcome: 'success',
  requestId,
  detail,
});

export interface RequestPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly destructions: DestructionStore;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly now: () => Date;
  /** A random suffix; the round id is `<number>-<suffix>`, also the execution name (≤ 80 of [A-Za-z0-9-_]). */
  readonly newId: () => string;
}

/** The ports of the destruction functions, minus the destroyer: only functions/destruction/destroy-objects.ts asks for that. */
export interface DestructionPorts extends RequestPorts {
  readonly catalogue: CatalogueStore;
  readonly destructions: DestructionStore;
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly workflow: Workflow;
}

/**
 * POST /catalogue/{resultNumber}/destruction.
 *
 * Primary course:
 *  1. the entry exists and the custodian can read it (else 404: an entry
 *     above the clearance is not disclosed);
 *  2. the caller is a custodian of the entry's custodian organisation;
 *  3. the entry is not destroyed, and the reasons have ≥ 10 characters;
 *  4. the request is recorded (audited), conditional on no pending round (409);
 *  5. the Destruction state machine starts (execution name = the round id).
 */
export async function requestDestruction(
  ports: RequestPorts,
  cmd: { actor: Principal; resultNumber: string; reasons: string; requestId: string },
): Promise<DestructionRecord> {
  const { actor } = cmd;
  const entry = await visibleEntry(ports.catalogue, actor, cmd.resultNumber, `目录条目 ${cmd.resultNumber} 不存在`);
  if (!actor.roles.includes('custodian') || actor.orgCode !== entry.custodian) {
    throw new ForbiddenError(`无权申请销毁：只有保管单位（${entry.custodian}）的成果保管人可以申请`);
  }
  if (entry.status === 'destroyed') throw new ConflictError('ENTRY_DESTROYED', `成果 ${entry.resultNumber} 已销毁`);
  const reasons = cmd.reasons.trim();
  if (reasons.length < minReasonLength) {
    throw new ValidationError(`请求参数有误：body.reasons 销毁理由至少 ${minReasonLength} 个字`, [
      { field: 'body.reasons', code: 'TOO_SHORT', message: `销毁理由至少 ${minReasonLength} 个字` },
    ]);
  }
  const previous = await ports.destructions.get(entry.resultNumber);
  if (previous?.status === 'pending') throw new DestructionPendingError(entry.resultNumber);
  const record: DestructionRecord = {
    resultNumber: entry.resultNumber,
    destructionId: `${entry.resultNumber}-${ports.newId()}`,
    status: 'pending',
    reasons,
    requestedBy: actor.userId,
    requestedAt: ports.now().toISOString(),
    custodianOrg: entry.custodian,
    organiserOrg: entry.organiserOrg,
    regionName: regionName(entry.spatialScope.regionCode),
  };
  await ports.destructions.open(
    record,
    audit(actor.userId, actor.orgCode, 'destruction.request', entry.resultNumber, cmd.requestId, { destructionId: record.destructionId, reasons }),
  );
  const execution = await ports.workflow.start(destructionStateMachine, record.destructionId, { resultNumber: entry.resultNumber, destructionId: record.destructionId });
  return { ...record, execution };
}

async function pendingRound(destructions: DestructionStore, resultNumber: string, destructionId: string): Promise<DestructionRecord> {
  const record = await destructions.get(resultNumber);
  if (!record || record.destructionId !== destructionId) throw new NotFoundError(`成果 ${resultNumber} 没有销毁申请 ${destructionId}`);
  return record;
}

/** The custody keys of a result: every version's objects and manifests (the audit would report a lone manifest as missing objects). */
export function destructionPrefixes(resultNumber: string): string[] {
  return [`${resultsPrefix}${resultNumber}/`, `${manifestsPrefix}${resultNumber}/`];
}

/**
 * Destroy Objects: reachable only from the approved branch of the state
 * machine, and refuses anyway unless the round is pending and the approval
 * says approve. Custody and (where a destroyer is given) the local backup
 * copy. Objects first, manifests last, so a retry after a partial failure
 * still finds the manifests and the integrity audit never sees manifests
 * without objects for longer than the retry.
 */
export async function destroyCustodyObjects(
  ports: { destructions: DestructionStore; destroyers: readonly CustodyDestroyer[] },
  cmd: { resultNumber: string; destructionId: string; approval: DestructionApproval },
): Promise<{ removed: number }> {
  const record = await pendingRound(ports.destructions, cmd.resultNumber, cmd.destructionId);
  if (cmd.approval.decision !== 'approve') throw new ForbiddenError('销毁未经批准，不得删除保管成果');
  if (record.status === 'refused') throw new ConflictError('DESTRUCTION_CLOSED', `成果 ${cmd.resultNumber} 的销毁申请已关闭`);
  let removed = 0;
  const [objects, manifests] = destructionPrefixes(cmd.resultNumber) as [string, string];
  const approved = { resultNumber: cmd.resultNumber, destructionId: cmd.destructionId };
  for (const d of ports.destroyers) removed += await d.destroyPrefix(objects, approved);
  for (const d of ports.destroyers) removed += await d.destroyPrefix(manifests, approved);
  return { removed };
}

/**
 * Mark Destroyed: the entry becomes status 'destroyed' (a new version; the
 * number is kept and never reused) with the approval in its audit record,
 * then the round closes with the approval record. A retry finds the entry
 * already destroyed and only closes the round.
 */
export async function markDestroyed(
  ports: { catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry' | 'indexEntry'>; destructions: DestructionStore; now: () => Date },
  cmd: { resultNumber: string; destructionId: string; approval: DestructionApproval; removed: number; requestId: string },
): Promise<CatalogueEntry> {
  const record = await pendingRound(ports.destructions, cmd.resultNumber, cmd.destructionId);
  const entry = await ports.catalogue.getEntry(cmd.resultNumber);
  if (!entry) throw new NotFoundError(`目录条目 ${cmd.resultNumber} 不存在`);
  const at = ports.now().toISOString();
  const actor = 'system:MarkDestroyed';
  const detail = { destructionId: record.destructionId, reasons: record.reasons, requestedBy: record.requestedBy, approval: cmd.approval, removedObjects: cmd.removed };
  let current = entry;
  if (entry.status !== 'destroyed') {
    current = { ...entry, status: 'destroyed', version: entry.version + 1, updatedAt: at, updatedBy: cmd.approval.decidedBy };
    await ports.catalogue.updateEntry(current, entry, audit(actor, entry.custodian, 'catalogue.entry.destroy', entry.resultNumber, cmd.requestId, { version: current.version, ...detail }));
    await ports.catalogue.indexEntry(current, entry);
  }
  if (record.status === 'pending') {
    await ports.destructions.close(
      { ...record, status: 'destroyed', approval: cmd.approval, removedObjects: cmd.removed, closedAt: at },
      audit(actor, entry.custodian, 'destruction.destroyed', entry.resultNumber, cmd.requestId, detail),
    );
  }
  return current;
}

/** Refused: the round closes with the decision, the entry and custody stay as they were, the requester is emailed. */
export async function refuseDestruction(
  ports: { destructions: DestructionStore; identity: Pick<IdentityRepository, 'getUser'>; mailer: Mailer; now: () => Date },
  cmd: { resultNumber: string; destructionId: string; approval?: DestructionApproval; timedOut?: boolean; requestId: string },
): Promise<DestructionRecord> {
  const record = await pendingRound(ports.destructions, cmd.resultNumber, cmd.destructionId);
  if (record.status !== 'pending') return record;
  const closed: DestructionRecord = { ...record, status: 'refused', ...(cmd.approval ? { approval: cmd.approval } : {}), closedAt: ports.now().toISOString() };
  await ports.destructions.close(
    closed,
    audit('system:RefuseDestruction', record.custodianOrg, 'destruction.refused', record.resultNumber, cmd.requestId, {
      destructionId: record.destructionId,
      approval: cmd.approval ?? null,
      timedOut: cmd.timedOut ?? false,
    }),
  );
  const requester = await ports.identity.getUser(record.requestedBy);
  if (requester?.email) {
    const why = cmd.timedOut ? '审批超时未决定' : `审批意见：${cmd.approval?.reasons || '（无）'}`;
    await ports.mailer.send({
      to: [requester.email],
      subject: `成果销毁申请未获批准：${record.resultNumber}`,
      text: [`您于 ${record.requestedAt} 提交的成果 ${record.resultNumber} 销毁申请未获批准。`, why, '成果及其目录条目保持不变。'].join('\n'),
    });
  }
  return closed;
}

export function destructionView(record: DestructionRecord) {
  return { ...record, statusLabel: destructionStatusLabels[record.status] };
}

/** The latest round, for the custodian, the organiser and administrators who can read the entry. */
export async function getDestruction(
  ports: { catalogue: Pick<CatalogueStore, 'getEntry'>; destructions: Pick<DestructionStore, 'get'> },
  cmd: { actor: Principal; resultNumber: string },
): Promise<DestructionRecord> {
  const { actor } = cmd;
  const entry = await visibleEntry(ports.catalogue, actor, cmd.resultNumber, `目录条目 ${cmd.resultNumber} 不存在`);
  const concerned = actor.orgCode === entry.custodian || actor.orgCode === entry.organiserOrg || actor.roles.includes('administrator');
  if (!concerned) throw new ForbiddenError('无权查看销毁申请：仅保管单位、组织单位或管理员可查看');
  const record = await ports.destructions.get(entry.resultNumber);
  if (!record) throw new NotFoundError(`成果 ${entry.resultNumber} 没有销毁申请`);
  return record;
}
