import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { visibleEntry } from '#shared/catalogue/catalogue.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { publicationApprovalDue, publicationReviewDue } from '#shared/supervision/clock-types.ts';
import {
  approvalWords,
  publicationStatusLabels,
  type PublicationListSide,
  type PublicationRequest,
  type PublicationRequestStore,
  type PublicationStatus,
} from './request-store.ts';

/**
 * GET /publication/requests (issue 13, the console's 发布申请 list): the requests my organisation prepared, must
 * review (as the organiser: R11.1 保密审查) or must approve (an approving department: R12.1), newest first, a page
 * at a time. Each row says where the request is (status, step, what a hold waits for) and, while a review or an
 * approval is open, its statutory deadline with the working days left — the due date the R11.1 / R12.1 clock was
 * started with (shared/publication/supervision.ts: the same calendar, from the day the round was submitted or the
 * review passed).
 *
 * The clearance rule: a request is listed only when its release version's entry is visible to the reader (as
 * GET /publication/requests/{id}, which answers 404 otherwise); the side's organisation is the reader's own, so
 * every row listed is one the reader may open.
 */
export interface PublicationDeadline {
  /** The clock type (requirement id): R11.1 the confidentiality review, R12.1 the approval. */
  readonly type: 'R11.1' | 'R12.1';
  readonly label: string;
  readonly due: string;
  readonly workingDaysLeft: number;
  readonly overdue: boolean;
}

export interface PublicationRequestRow {
  readonly requestId: string;
  readonly releaseNumber: string;
  readonly sourceNumber: string;
  readonly round: number;
  readonly status: PublicationStatus;
  readonly statusLabel: string;
  /** Chinese: the step the request is at and who acts next. */
  readonly step: string;
  readonly organiserOrg: string;
  readonly approvers: readonly { readonly orgCode: string; readonly decisionLabel?: string }[];
  readonly hold?: { readonly waitingFor: readonly string[]; readonly embargoUntil?: string; readonly since: string };
  readonly deadline?: PublicationDeadline;
  /** On the listed side, my organisation acts next (reviews, approves, or resubmits after a return). */
  readonly awaitingMe: boolean;
  readonly requestedBy: string;
  readonly requestedByOrg: string;
  readonly requestedAt: string;
  readonly closedAt?: string;
}

export interface PublicationListPorts {
  readonly publications: Pick<PublicationRequestStore, 'listFor' | 'get'>;
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
}

function deadlineOf(r: PublicationRequest, calendar: WorkingDayCalendar, today: string): PublicationDeadline | undefined {
  const round = r.rounds.find((x) => x.round === r.round) ?? r.rounds.at(-1);
  if (!round) return undefined;
  const opened = r.status === 'review' ? round.submittedAt : r.status === 'approval' ? round.review?.decidedAt : undefined;
  if (!opened) return undefined;
  const type = r.status === 'review' ? publicationReviewDue : publicationApprovalDue;
  const due = calendar.deadline(chinaDate(new Date(opened)), type.days).due;
  return { type: type.id as PublicationDeadline['type'], label: type.label, due, workingDaysLeft: calendar.workingDaysLeft(due, today), overdue: today > due };
}

function stepOf(r: PublicationRequest): string {
  switch (r.status) {
    case 'review':
      return `第 ${r.round} 轮保密审查（组织单位 ${r.organiserOrg}）`;
    case 'returned':
      return `保密审查退回修改：待申请单位 ${r.requestedByOrg} 重新提交发布版本`;
    case 'approval': {
      const waiting = r.approvals.filter((a) => !a.decision && !a.closed).map((a) => a.orgCode);
      return `审批发布：待 ${waiting.join('、') || '—'} 审批${r.resolution.joint ? '（联合审批）' : ''}`;
    }
    case 'held':
      return `已批准，等待发布条件：${r.hold?.waitingFor.join('；') ?? '上级成果发布或解禁日期'}`;
    case 'refused':
      return '不予发布（申请已结束）';
    case 'approved':
      return '已批准发布（申请已结束）';
  }
}

/** On this side, my organisation acts next: reviews it (review), approves it (approval), resubmits it after a return (prepared). */
function awaiting(r: PublicationRequest, org: string, side: PublicationListSide): boolean {
  if (side === 'review') return r.status === 'review' && r.organiserOrg === org;
  if (side === 'approval') return r.status === 'approval' && r.approvals.some((a) => a.orgCode === org && !a.decision && !a.closed);
  return r.status === 'returned' && r.requestedByOrg === org;
}

export function publicationRow(r: PublicationRequest, org: string, side: PublicationListSide, calendar: WorkingDayCalendar, today: string): PublicationRequestRow {
  const deadline = deadlineOf(r, calendar, today);
  return {
    requestId: r.requestId,
    releaseNumber: r.releaseNumber,
    sourceNumber: r.sourceNumber,
    round: r.round,
    status: r.status,
    statusLabel: publicationStatusLabels[r.status],
    step: stepOf(r),
    organiserOrg: r.organiserOrg,
    approvers: r.approvals.map((a) => ({
      orgCode: a.orgCode,
      ...(a.decision ? { decisionLabel: a.decision.decision === 'approve' ? approvalWords.approve : approvalWords.ret } : a.closed ? { decisionLabel: '审批已关闭' } : {}),
    })),
    ...(r.hold && r.status === 'held' ? { hold: { waitingFor: r.hold.waitingFor, ...(r.hold.embargoUntil ? { embargoUntil: r.hold.embargoUntil } : {}), since: r.hold.since } } : {}),
    ...(deadline ? { deadline } : {}),
    awaitingMe: awaiting(r, org, side),
    requestedBy: r.requestedBy,
    requestedByOrg: r.requestedByOrg,
    requestedAt: r.requestedAt,
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
  };
}

export async function listPublicationRequests(
  ports: PublicationListPorts,
  cmd: { actor: Principal; side: PublicationListSide; status?: PublicationStatus; limit: number; cursor?: string },
): Promise<{ org: string; side: PublicationListSide; today: string; items: PublicationRequestRow[]; cursor?: string }> {
  const org = cmd.actor.orgCode;
  const page = await ports.publications.listFor(cmd.side, org, { limit: cmd.limit, ...(cmd.status ? { status: cmd.status } : {}), ...(cmd.cursor ? { cursor: cmd.cursor } : {}) });
  const calendar = await ports.calendar();
  const today = chinaDate(ports.now());
  const rows = await Promise.all(
    page.requestIds.map(async (id) => {
      const r = await ports.publications.get(id);
      if (!r || (cmd.status && r.status !== cmd.status)) return undefined;
      try {
        await visibleEntry(ports.catalogue, cmd.actor, r.releaseNumber);
      } catch (error) {
        // Above the reader's clearance (or gone): not listed, as GET /publication/requests/{id} answers 404.
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
      return publicationRow(r, org, cmd.side, calendar, today);
    }),
  );
  return { org, side: cmd.side, today, items: rows.filter((x): x is PublicationRequestRow => x !== undefined), ...(page.cursor ? { cursor: page.cursor } : {}) };
}
