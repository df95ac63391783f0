import type { Role } from '#shared/identity/roles.ts';
import type { HumanTask, HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { ProtectedRecord } from '#shared/security/access.ts';

/** What happened to a task, for the history its subject keeps (a submission's timeline). */
export type HumanTaskEventType = 'emailSent' | 'reminderSent' | 'escalated' | 'decided' | 'expired';

export interface HumanTaskEvent {
  readonly type: HumanTaskEventType;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * One kind of approval (technical review, publication approval, …). The
 * facility is generic — token, link, assignees, single decision, reminders,
 * escalation — and asks the kind only what differs: what the task is about,
 * who decides, and what the assignee sees.
 */
export interface HumanTaskKind {
  readonly kind: string;
  /** Chinese, e.g. 成果技术审核. */
  readonly label: string;
  /** The role that decides, in the assignee organisation and in the superiors it escalates to. */
  readonly role: Role;
  /** Title, deciding organisation and a few lines for the email, from the subject. */
  describe(subject: HumanTaskSubject): Promise<{ title: string; assigneeOrg: string; details: string[] }>;
  /** After the task is stored (e.g. the version becomes `awaitingReview`); must tolerate a retry. */
  opened?(task: HumanTask, requestId: string): Promise<void>;
  /** Appends to the subject's own history; failures here never undo the task change. */
  record?(task: HumanTask, events: readonly HumanTaskEvent[], requestId: string): Promise<void>;
  /** What an assignee sees on GET (package summary, report, …). */
  summary(task: HumanTask): Promise<unknown>;
  /**
   * The classified record the task is about (a submission, a catalogue entry),
   * for the access rule: an assignee whose clearance is below it does not
   * see the task (404), like the record itself. Undefined: nothing classified.
   */
  protects?(subject: HumanTaskSubject): Promise<ProtectedRecord | undefined>;
}

export type HumanTaskKinds = (kind: string) => HumanTaskKind | undefined;
