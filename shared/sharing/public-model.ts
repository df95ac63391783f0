import type { AuditEntry } from '#shared/ports/audit.ts';

/**
 * Public applications (公众申请, R14.2, R16.3): a citizen or organisation,
 * without an account, applies from the public page to use a published result
 * further, or makes a government-information disclosure application. The
 * email is verified by a one-time code (stored hashed, expiring, attempts
 * bounded); only then is the application received and its 20-working-day
 * answer clock started. Answered by the result's organiser, or by the
 * organisation the applicant named.
 */
export const publicApplicationKinds = ['reuse', 'disclosure'] as const;
export type PublicApplicationKind = (typeof publicApplicationKinds)[number];
export const publicApplicationKindLabels: Record<PublicApplicationKind, string> = {
  reuse: '已发布成果进一步利用申请',
  disclosure: '政府信息公开申请',
};

export const publicApplicationStatuses = ['unverified', 'open', 'answered'] as const;
export type PublicApplicationStatus = (typeof publicApplicationStatuses)[number];
export const publicApplicationStatusLabels: Record<PublicApplicationStatus, string> = {
  unverified: '待验证邮箱',
  open: '办理中',
  answered: '已答复',
};

export const publicAnswerOutcomes = ['granted', 'partly', 'refused'] as const;
export type PublicAnswerOutcome = (typeof publicAnswerOutcomes)[number];
export const publicAnswerOutcomeLabels: Record<PublicAnswerOutcome, string> = {
  granted: '予以提供（公开）',
  partly: '部分提供（部分公开）',
  refused: '不予提供（不予公开）',
};

/** The one-time code: 6 digits, valid this long, this many wrong tries. */
export const verificationCodeMinutes = 30;
export const maxVerificationAttempts = 5;
/** Applications one email address may submit per China day (the code emails it triggers are bounded with it). */
export const maxApplicationsPerEmailPerDay = 5;
/** The answer is due this many working days after receipt; extendable once by as many (R16.3). */
export const answerWorkingDays = 20;
export const extensionWorkingDays = 20;

export interface PublicTimelineEvent {
  readonly at: string;
  readonly type: string;
  readonly by: string;
  readonly note: string;
}

export interface PublicApplication {
  readonly applicationId: string;
  readonly kind: PublicApplicationKind;
  readonly applicant: { readonly name: string; readonly organisation?: string; readonly phone: string; readonly address?: string };
  readonly email: string;
  /** The published result concerned (reuse: required; disclosure: when the information is a result). */
  readonly resultNumber?: string;
  /** Who answers: the result's organiser, or the organisation named. */
  readonly answeringOrg: string;
  readonly regionCode: string;
  /** What result or information is asked for. */
  readonly subject: string;
  /** Why (the intended use). */
  readonly purpose: string;
  readonly submittedAt: string;
  readonly status: PublicApplicationStatus;
  /** The one-time code, hashed (SHA-256 of `<applicationId>:<code>`); removed once verified. */
  readonly verification?: { readonly codeHash: string; readonly expiresAt: string; readonly attempts: number };
  readonly verifiedAt?: string;
  /** Set on receipt (verification): the answer clock. */
  readonly receivedOn?: string;
  readonly due?: string;
  readonly dueBasis?: string;
  readonly extension?: { readonly by: string; readonly at: string; readonly reason: string; readonly previousDue: string; readonly due: string };
  readonly answer?: { readonly outcome: PublicAnswerOutcome; readonly legalGround?: string; readonly text: string; readonly by: string; readonly at: string };
  readonly timeline: readonly PublicTimelineEvent[];
  /** Every change is conditional on the version read. */
  readonly version: number;
}

/**
 * The registry items PUBAPP#<id>, the answering organisation's list
 * PUBAPPS#TO#<org> (written on receipt) and the per-email-per-day counter
 * PUBRATE#<sha256(email)> (adapters/dynamo-public-applications.ts); every
 * change with its audit record in one transaction.
 */
export interface PublicApplicationStore {
  /** Creates the application and counts it against the email's day; over the day's limit → ConflictError TOO_MANY_APPLICATIONS, nothing stored. */
  create(app: PublicApplication, rate: { readonly emailKey: string; readonly day: string; readonly max: number }, audit: AuditEntry): Promise<void>;
  get(applicationId: string): Promise<PublicApplication | undefined>;
  /** Conditional on `previousVersion` (else ConflictError PUBLIC_APPLICATION_CHANGED); `listed` also writes the answering organisation's list item. */
  update(app: PublicApplication, previousVersion: number, audit: AuditEntry, opts?: { readonly listed?: boolean }): Promise<void>;
  /** Received applications addressed to an organisation, newest first. */
  listAddressed(orgCode: string, limit: number): Promise<PublicApplication[]>;
}
