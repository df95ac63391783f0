import type { CatalogueReportStore } from '#shared/catalogue-report/report.ts';
import type { DestructionStore } from '#shared/destruction/destruction.ts';
import type { Role } from '#shared/identity/roles.ts';
import type { CatalogueEntryReader } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { OutcomePorts } from '#shared/ports/submission.ts';
import type { HumanTask, HumanTaskDecisionValue, HumanTaskStore, HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { PublicationRequestStore } from '#shared/publication/request-store.ts';
import type { ProtectedRecord } from '#shared/security/access.ts';
import type { SharingStore } from '#shared/sharing/model.ts';
import type { DerivedProductStore } from '#shared/sharing/derived.ts';
import type { ProblemStore } from '#shared/feedback/problems.ts';
import type { EvaluationStore } from '#shared/supervision/evaluation.ts';

/** Conditions an approval may carry (only kinds with `acceptsConditions`): passed on to the workflow with the decision. */
export interface HumanTaskConditions {
  readonly to?: string | undefined;
  readonly files?: readonly string[] | undefined;
  readonly scope?: string | undefined;
  /** R19.1: the date the use report is due (default: the end of the period). */
  readonly useReportDue?: string | undefined;
  /** R19.3: the organiser's responsibility finding with 属实 (problemVerification). */
  readonly finding?: { readonly who: string; readonly what: string; readonly conclusion: string } | undefined;
  /** R13.1: the organiser's explicit answer to processing asked for (consent / refuse: the plain data). */
  readonly processing?: 'consent' | 'refuse' | undefined;
}

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
export interface HumanTaskKind<K extends string = string> {
  /** The kind's id: the key it is declared under in its context module's `humanTaskKinds`. */
  readonly kind: K;
  /** Chinese, e.g. 成果技术审核. */
  readonly label: string;
  /** The role that decides, in the assignee organisation and in the superiors it escalates to. */
  readonly role: Role;
  /**
   * Title, deciding organisation and a few lines for the email, from the subject; `role` when the deciding role
   * depends on the subject (a countersign by a custodian is its custodian's, by a technical unit its reviewer's).
   */
  describe(subject: HumanTaskSubject): Promise<{ title: string; assigneeOrg: string; details: string[]; role?: Role }>;
  /**
   * Organisations whose people may read the task, never decide it (R7.1: a review task for the survey task's
   * technical units and custodian); still within clearance (`protects`). Undefined: assignees only.
   */
  readers?(subject: HumanTaskSubject): Promise<readonly string[]>;
  /**
   * A kind's own rule on a decision, checked before anything is written (e.g. approving over a countersigning
   * unit's dissent needs reasons): throws a ValidationError naming the field.
   */
  checkDecision?(task: HumanTask, decision: { decision: HumanTaskDecisionValue; reasons: string; conditions?: HumanTaskConditions }): Promise<void>;
  /** The kind accepts conditions with an approval (a sharing review: period, files, scope); others refuse them (400). */
  readonly acceptsConditions?: boolean;
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

/**
 * What the tasks facility gives every kind to describe, summarise and protect its
 * subject (built once per cold start by runtime/ports/human-task-kinds.ts): a kind
 * declares the part it reads by the type of its factory's parameter.
 */
export interface HumanTaskKindPorts extends OutcomePorts {
  readonly identity: IdentityRepository;
  readonly documents: DocumentStore;
  /** Entries by number or submission only (the kinds' one read; adapters/dynamo-catalogue.ts DynamoCatalogueEntryReader). */
  readonly catalogue: CatalogueEntryReader;
  readonly destructions: Pick<DestructionStore, 'get'>;
  readonly reports: Pick<CatalogueReportStore, 'get'>;
  /** Sharing applications (the organiser's review reads the application and the requester's history). */
  readonly sharing: Pick<SharingStore, 'getApplication' | 'listApplications'>;
  /** Other tasks about a subject (a review reads the countersign opinions given before it, R7.1). */
  readonly humanTasks: Pick<HumanTaskStore, 'listBySubject'>;
  /** Publication requests (what their review and approval tasks are about). */
  readonly publications: Pick<PublicationRequestStore, 'get'>;
  /** Derived products (R18.2: the organiser's confidentiality review reads the product). */
  readonly derived: Pick<DerivedProductStore, 'get'>;
  /** Quality problems (R19.3: the organiser's verification reads the problem). */
  readonly problems: Pick<ProblemStore, 'get'>;
  /** Quarterly evaluation records (R19.2: the organiser's acknowledgement reads the figures and the document's key). */
  readonly evaluations: Pick<EvaluationStore, 'get'>;
}

/**
 * How a context module declares a kind (`humanTaskKinds` in functions/<ctx>/context.ts):
 * the key is the kind's id, the factory builds it from the facility's ports. A factory
 * whose kind has another id than its key does not compile.
 */
export type HumanTaskKindFactory<K extends string = string> = (ports: HumanTaskKindPorts) => HumanTaskKind<K>;

/** Every kind by name (undefined: unknown kind, refused by the domain). */
export function registeredKinds(list: readonly HumanTaskKind[]): HumanTaskKinds {
  const byName = new Map(list.map((k) => [k.kind, k]));
  return (kind) => byName.get(kind);
}
