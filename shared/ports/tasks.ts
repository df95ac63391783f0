import type { IsoDate } from '#shared/calendar/dates.ts';
import type { AuditEntry } from './audit.ts';

/**
 * The human-task facility (architecture: "Human tasks"): every approval is a
 * Step Functions `.waitForTaskToken` task whose token is kept here, sealed,
 * behind an opaque random id that the emailed link carries. The token itself
 * never leaves the store except to answer Step Functions.
 */
export const humanTaskStatuses = ['open', 'decided', 'expired'] as const;
export type HumanTaskStatus = (typeof humanTaskStatuses)[number];
export const humanTaskStatusLabels: Record<HumanTaskStatus, string> = {
  open: '待处理',
  decided: '已处理',
  expired: '已超时失效',
};

export const humanTaskDecisions = ['approve', 'return'] as const;
export type HumanTaskDecisionValue = (typeof humanTaskDecisions)[number];
export const humanTaskDecisionLabels: Record<HumanTaskDecisionValue, string> = { approve: '通过', return: '退回' };

export interface HumanTaskDecision {
  readonly decision: HumanTaskDecisionValue;
  /** Required for a return (R7.2: the reasons are fed back). */
  readonly reasons: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

/** What the task is about, per kind (technicalReview: submissionId and n). Flat, so it keys an index. */
export type HumanTaskSubject = Readonly<Record<string, string | number>>;

export interface HumanTask {
  /** 128 random bits, base64url (22 characters): the only thing the link carries. */
  readonly id: string;
  /** e.g. `technicalReview`; a kind defines who decides and what they see. */
  readonly kind: string;
  readonly subject: HumanTaskSubject;
  /** Chinese one-liner for emails and the page. */
  readonly title: string;
  /** The organisation whose users decide (before escalation). */
  readonly assigneeOrg: string;
  /** userIds allowed to see and decide the task. */
  readonly assignees: readonly string[];
  readonly status: HumanTaskStatus;
  readonly createdAt: string;
  /** The working-day due date shown to the assignees (reminders start after it). */
  readonly due: IsoDate;
  /** When Step Functions stops waiting (the state's TimeoutSeconds): a decision after it is refused. */
  readonly expiresAt: string;
  readonly execution?: string;
  /** 0 for the first round; each escalation to a superior organisation adds one. */
  readonly escalationLevel: number;
  /** Superior organisations whose reviewers were added by escalation. */
  readonly escalatedTo?: readonly string[];
  /** The China date of the last reminder (at most one per day). */
  readonly remindedOn?: IsoDate;
  readonly decision?: HumanTaskDecision;
  readonly expiredAt?: string;
  /** The task this one replaces after its wait timed out and was escalated. */
  readonly replaces?: string;
}

/**
 * Registry items HTASK#<id> (adapter: adapters/dynamo-tasks.ts). Every
 * write carries its audit entry in the same transaction, and every state
 * change is conditional, so a task is decided at most once.
 */
export interface HumanTaskStore {
  /** A new open task with its sealed token. */
  create(task: HumanTask, tokenCiphertext: string, entry: AuditEntry): Promise<void>;
  get(id: string): Promise<{ task: HumanTask; tokenCiphertext?: string } | undefined>;
  /**
   * open → decided, conditional on the task still being open and `at` before
   * expiresAt; the sealed token is removed in the same write (it is spent).
   * Throws HumanTaskAlreadyDecidedError or HumanTaskExpiredError.
   */
  decide(id: string, decision: HumanTaskDecision, entry: AuditEntry): Promise<void>;
  /**
   * The workflow re-entered this open task's waiting state (the local cloud resumed it after a
   * restart): the fresh token replaces the old one and the wait's new end becomes expiresAt —
   * conditional on the task still open; false when it is not.
   */
  reseal(id: string, tokenCiphertext: string, expiresAt: string, entry: AuditEntry): Promise<boolean>;
  /** decided → open with the token back, when the decision could not be delivered (transient failure). */
  reopen(id: string, tokenCiphertext: string, decidedAt: string, entry: AuditEntry): Promise<void>;
  /** open|decided → expired (the wait is over); the token is removed. Idempotent. */
  expire(id: string, at: string, entry: AuditEntry): Promise<void>;
  /** Open tasks whose due date is before `date`, oldest due first (a sparse index, never a scan). */
  listOpenDueBefore(date: IsoDate, limit: number): Promise<HumanTask[]>;
  /** Tasks of a kind about one subject, newest first. */
  listBySubject(kind: string, subject: HumanTaskSubject): Promise<HumanTask[]>;
  /** Records a reminder sent today; false when one was already recorded for `on` or the task is not open. */
  recordReminder(id: string, on: IsoDate, entry: AuditEntry): Promise<boolean>;
  /**
   * Adds assignees from a superior organisation, conditional on the task being
   * open at `fromLevel`; false when someone else escalated it first.
   */
  escalate(id: string, change: { fromLevel: number; orgs: readonly string[]; assignees: readonly string[] }, entry: AuditEntry): Promise<boolean>;
}

/**
 * Seals task tokens at rest: AES-256-GCM with a data key (KMS GenerateDataKey
 * on AWS, a key file in the local cloud). `context` (the task id) is bound as
 * additional authenticated data, so a ciphertext copied onto another task
 * does not open.
 */
export interface TokenVault {
  seal(token: string, context: string): Promise<string>;
  open(ciphertext: string, context: string): Promise<string>;
}
