import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { SupervisionEffects } from '#shared/supervision/clocks.ts';
import type { Organisation } from '#shared/schemas/identity.ts';
import type { DesensitisationRecord } from './release.ts';

/**
 * The publication request's record, its store and the one conditional read-modify-write every step uses; kept
 * apart from shared/publication/request.ts so that the human-task kinds (in every task function's bundle) carry
 * only this, not the authority table and release schemas.
 */
export const publicationStatuses = ['review', 'returned', 'approval', 'refused', 'held', 'approved'] as const;
export type PublicationStatus = (typeof publicationStatuses)[number];
export const publicationStatusLabels: Record<PublicationStatus, string> = {
  review: '保密审查中',
  returned: '已退回修改',
  approval: '待审批发布',
  refused: '不予发布',
  held: '已批准，等待发布条件',
  approved: '已批准发布',
};

/** The words of each decision (emails, timeline, task pages). */
export const reviewWords = { approve: '审查通过', ret: '退回修改' } as const;
export const approvalWords = { approve: '同意发布', ret: '不予发布' } as const;

export interface PublicationDecision {
  readonly taskId: string;
  readonly decision: 'approve' | 'return';
  readonly reasons: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

export interface PublicationRound {
  readonly round: number;
  readonly releaseNumber: string;
  /** The release's desensitisation record as submitted for this round (shown to the confidentiality review). */
  readonly desensitisation?: DesensitisationRecord;
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly review?: PublicationDecision;
}

export interface PublicationApproval {
  readonly orgCode: string;
  readonly role: string;
  readonly decision?: PublicationDecision;
  /** The department's task was closed undecided: the request ended by the other department's refusal (R12.2). */
  readonly closed?: { readonly at: string; readonly reason: string };
}

export interface PublicationEvent {
  readonly at: string;
  readonly type: string;
  /** Chinese, one line. */
  readonly text: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface PublicationHold {
  /** Chinese, what the release waits for. */
  readonly waitingFor: readonly string[];
  readonly embargoUntil?: string;
  /** The level above of the same programme whose release must be published first. */
  readonly parentLevel?: OrgLevel;
  /** The survey task of the level above whose results' release must be published first. */
  readonly parentTaskId?: string;
  readonly since: string;
  readonly checkedAt: string;
}

export interface PublicationRequest {
  readonly requestId: string;
  readonly sourceNumber: string;
  /** The release version of the current round. */
  readonly releaseNumber: string;
  readonly round: number;
  readonly status: PublicationStatus;
  readonly organiserOrg: string;
  readonly level: OrgLevel;
  readonly regionCode: string;
  readonly theme: string;
  readonly classification: string;
  readonly resolution: { readonly tableVersion: number; readonly joint: boolean; readonly explanation: string; readonly ruleId: string; readonly basis: string };
  readonly approvals: readonly PublicationApproval[];
  readonly rounds: readonly PublicationRound[];
  readonly programme?: string;
  /**
   * R11.1 level-by-level: the source's survey task names the task of the level above (POST /survey-tasks
   * parentTaskId); the release is held until a release of that task's results is published. `programme` is then
   * the top task of the chain.
   */
  readonly parentTaskId?: string;
  /** The source's survey task (the programme's member is found by it). */
  readonly taskId?: string;
  readonly embargoUntil?: string;
  readonly hold?: PublicationHold;
  readonly requestedBy: string;
  readonly requestedByOrg: string;
  readonly requestedAt: string;
  readonly timeline: readonly PublicationEvent[];
  /** Optimistic concurrency: every write is conditional on the stored revision. */
  readonly revision: number;
  readonly closedAt?: string;
}

/** A request in a programme (PUBPROG#<programme>): found by the hold of the levels below. */
export interface ProgrammeMember {
  readonly requestId: string;
  readonly level: OrgLevel;
  readonly regionCode: string;
  /** The source's survey task (absent on members stored before tasks named their parent). */
  readonly taskId?: string;
}

/** Registry items PUBREQ#<requestId>, PUBREL#<releaseNumber> (the request of a release) and PUBPROG#<programme> (adapters/dynamo-publication.ts). */
export interface PublicationRequestStore {
  get(requestId: string): Promise<PublicationRequest | undefined>;
  /** The request a release version belongs to. */
  requestOfRelease(releaseNumber: string): Promise<string | undefined>;
  /** Conditional: the release has no request yet (else PublicationRequestedError); audited. */
  create(request: PublicationRequest, audit: AuditEntry): Promise<void>;
  /**
   * Replaces the request, conditional on the stored revision being `next.revision - 1` (else ConflictError
   * PUBLICATION_CHANGED); `newRelease` also links another release version to it (conditional on it being free). Audited.
   */
  update(next: PublicationRequest, audit: AuditEntry, newRelease?: string): Promise<void>;
  listProgramme(programme: string): Promise<ProgrammeMember[]>;
  /**
   * The requests of one organisation on one side (issue 13, the console's list), newest first, one key query on
   * the index items PUBREQIDX#<side>#<org> written with the request (their status kept in step by every update);
   * `status` filters, `cursor` continues after the last item of the previous page.
   */
  listFor(side: PublicationListSide, org: string, opts: { status?: PublicationStatus; limit: number; cursor?: string }): Promise<{ requestIds: string[]; cursor?: string }>;
}

/** The console's sides of the request list: prepared by my organisation, reviewed by it (organiser), approved by it. */
export const publicationListSides = ['prepared', 'review', 'approval'] as const;
export type PublicationListSide = (typeof publicationListSides)[number];

/** The (side, organisation) index entries of a request: who prepared it, who reviews it, each approving department. */
export function publicationIndexEntries(r: Pick<PublicationRequest, 'requestedByOrg' | 'organiserOrg' | 'approvals'>): Array<{ side: PublicationListSide; org: string }> {
  const approvers = [...new Set(r.approvals.map((a) => a.orgCode))];
  return [{ side: 'prepared', org: r.requestedByOrg }, { side: 'review', org: r.organiserOrg }, ...approvers.map((org) => ({ side: 'approval' as const, org }))];
}
/** The index sort key: newest first by request time, unique by request id (a page's cursor). */
export const publicationIndexSortKey = (r: Pick<PublicationRequest, 'requestedAt' | 'requestId'>) => `${r.requestedAt}#${r.requestId}`;

export class PublicationRequestedError extends ConflictError {
  constructor(releaseNumber: string) {
    super('PUBLICATION_REQUESTED', `发布版本 ${releaseNumber} 已有发布申请，请在申请中查看进度`);
  }
}
export class PublicationChangedError extends ConflictError {
  constructor(requestId: string) {
    super('PUBLICATION_CHANGED', `发布申请 ${requestId} 刚被更新，请重试`);
  }
}

export type OrgLevel = Organisation['level'];

export const levelRank: Record<OrgLevel, number> = { national: 0, provincial: 1, municipal: 2, county: 3 };

export function audit(actor: string, orgCode: string, action: string, requestId: string, requestIdOfCall: string, detail: Record<string, unknown>): AuditEntry {
  return { actor, orgCode, action, target: `PUBREQ#${requestId}`, outcome: 'success', requestId: requestIdOfCall, detail };
}

/**
 * Read-modify-write under the revision condition, retried a few times (two departments decide at the same moment).
 * `supervision`: the clocks and counters the change moves (shared/publication/supervision.ts), carried by its audit
 * entry so the adapter writes them in the same transaction (as `withSupervision` does; inlined here to keep the
 * human-task kinds' bundles free of the supervision module).
 */
export async function changeRequest(
  ports: { readonly publications: PublicationRequestStore },
  requestId: string,
  mutate: (r: PublicationRequest) => { next: PublicationRequest; action: string; detail: Record<string, unknown>; orgCode?: string; supervision?: SupervisionEffects } | undefined,
  requestIdOfCall: string,
  actor: string,
): Promise<PublicationRequest> {
  for (let attempt = 0; ; attempt += 1) {
    const current = await ports.publications.get(requestId);
    if (!current) throw new NotFoundError(`发布申请 ${requestId} 不存在`);
    const out = mutate(current);
    if (!out) return current;
    try {
      const detail = out.supervision ? { ...out.detail, supervision: out.supervision } : out.detail;
      await ports.publications.update({ ...out.next, revision: current.revision + 1 }, audit(actor, out.orgCode ?? current.organiserOrg, out.action, requestId, requestIdOfCall, detail));
      return { ...out.next, revision: current.revision + 1 };
    } catch (error) {
      if (!(error instanceof PublicationChangedError) || attempt >= 4) throw error;
    }
  }
}
