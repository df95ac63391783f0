import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { noteListed, requireClearance } from '#shared/security/access.ts';
import { clearanceAllows } from '#shared/reference/classifications.ts';
import type { Role } from '#shared/identity/roles.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import {
  humanTaskStatusLabels,
  type HumanTask,
  type HumanTaskDecision,
  type HumanTaskDecisionValue,
  type HumanTaskStatus,
  type HumanTaskStore,
  type HumanTaskSubject,
  type TokenVault,
} from '#shared/ports/tasks.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal, User } from '#shared/schemas/identity.ts';
import { HumanTaskAlreadyDecidedError, HumanTaskExpiredError, HumanTaskNotFoundError, NotAssigneeError } from './errors.ts';
import { isTaskId } from './ids.ts';
import type { HumanTaskConditions, HumanTaskEvent, HumanTaskKind, HumanTaskKinds } from './kinds.ts';
import { decisionWordsFor, deliver, taskMail, type TaskMailKind } from './mail.ts';

/** Working days an assignee has to decide (shown as the due date; reminders start after it). */
export const decisionWorkingDays = 5;

/** An organisation chain is national → provincial → municipal → county, plus units under a department. */
const maxOrgDepth = 8;

export interface HumanTaskPorts {
  readonly tasks: HumanTaskStore;
  readonly vault: TokenVault;
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly workflow: Workflow;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  /** 128 random bits, base64url (newTaskId). */
  readonly newId: () => string;
  readonly appBaseUrl: string;
  readonly kinds: HumanTaskKinds;
}

function kindOf(kinds: HumanTaskKinds, kind: string): HumanTaskKind {
  const spec = kinds(kind);
  if (!spec) throw new ValidationError(`未知的任务类型：${kind}`, [{ field: 'input.kind', code: 'UNKNOWN_KIND', message: `未知的任务类型：${kind}` }]);
  return spec;
}

function systemEntry(fn: string, task: Pick<HumanTask, 'id' | 'assigneeOrg'>, action: string, requestId: string, detail: Record<string, unknown>): AuditEntry {
  return { actor: `system:${fn}`, orgCode: task.assigneeOrg, action, target: `HTASK#${task.id}`, outcome: 'success', requestId, detail };
}

/** Records on the subject's history; a failure there is logged by the caller's stack, never undoes the task. */
async function recordOn(kind: HumanTaskKind, task: HumanTask, events: readonly HumanTaskEvent[], requestId: string): Promise<void> {
  if (kind.record && events.length > 0) await kind.record(task, events, requestId);
}

/**
 * Who decides at an escalation level: the users holding `role` in the
 * assignee organisation and, for level L, in the first L organisations above
 * it that have such users (the "superior" the regulation escalates to).
 */
export async function assigneesFor(identity: IdentityRepository, org: string, role: Role, level: number): Promise<{ assignees: string[]; orgs: string[] }> {
  const holders = async (code: string) => (await identity.listUsers(code)).filter((u) => u.roles.includes(role)).map((u) => u.userId);
  const assignees = new Set(await holders(org));
  const orgs: string[] = [];
  let code: string | undefined = org;
  for (let depth = 0; depth < maxOrgDepth && orgs.length < level && code; depth += 1) {
    code = (await identity.getOrganisation(code))?.parentCode;
    if (!code) break;
    const above = await holders(code);
    if (above.length === 0) continue;
    orgs.push(code);
    above.forEach((u) => assignees.add(u));
  }
  return { assignees: [...assignees].sort(), orgs };
}

async function usersOf(identity: IdentityRepository, ids: readonly string[]): Promise<User[]> {
  return (await Promise.all(ids.map((id) => identity.getUser(id)))).filter((u): u is User => u !== undefined);
}

async function mailTo(
  ports: Pick<HumanTaskPorts, 'mailer' | 'identity' | 'appBaseUrl'>,
  kind: HumanTaskKind,
  task: HumanTask,
  userIds: readonly string[],
  mail: TaskMailKind,
  details: readonly string[],
  note?: string,
): Promise<string[]> {
  const sent: string[] = [];
  for (const user of await usersOf(ports.identity, userIds)) {
    await deliver(ports.mailer, taskMail({ kind: mail, task, to: user, kindLabel: kind.label, details, appBaseUrl: ports.appBaseUrl, ...(note ? { note } : {}) }));
    sent.push(user.userId);
  }
  return sent;
}

export interface CreateHumanTaskInput {
  /** The Step Functions task token ($$.Task.Token): sealed at once, never logged, mailed or returned. */
  readonly taskToken: string;
  readonly kind: string;
  readonly subject: HumanTaskSubject;
  /** The waiting state's TimeoutSeconds: after it, a decision is refused. */
  readonly timeoutSeconds: number;
  readonly escalationLevel: number;
  readonly execution?: string;
  readonly replaces?: string;
  /** The waiting state was re-entered after a restart of the local cloud (sfn-engine.ts resumeInterrupted): reuse its open task. */
  readonly resumed?: boolean;
  readonly requestId: string;
  /** The function recorded as the actor. */
  readonly fn: string;
}

/**
 * The `.waitForTaskToken` step of every approval.
 *
 * Primary course:
 *  1. the kind describes the subject: title, deciding organisation;
 *  2. the assignees: that organisation's users with the kind's role (plus the
 *     superiors' for an escalated round) — none is an error, not a silent wait;
 *  3. a random 128-bit id; due = today + 5 WD; expiry = now + the state's timeout;
 *  4. an open task left by an earlier attempt of the same state (a retry) is
 *     expired; the token sealed (AES-GCM, bound to the id) and the task stored
 *     with its audit record — which names the task, never the token;
 *  5. the kind's `opened` hook (the version → awaitingReview);
 *  6. each assignee emailed the link to the task page (the id only).
 */
export async function createHumanTask(ports: Omit<HumanTaskPorts, 'workflow'>, input: CreateHumanTaskInput): Promise<{ task: HumanTask; emailed: string[] }> {
  const kind = kindOf(ports.kinds, input.kind);
  const { title, assigneeOrg, details, role = kind.role } = await kind.describe(input.subject);
  const { assignees, orgs } = await assigneesFor(ports.identity, assigneeOrg, role, input.escalationLevel);
  if (assignees.length === 0) {
    throw new ConflictError('NO_ASSIGNEES', `无法分派“${title}”：单位 ${assigneeOrg} 及其上级单位没有“${role}”角色的用户，请管理员先登记审核人员`);
  }
  const now = ports.now();
  if (input.resumed && input.execution) {
    // The same wait, re-entered: the task already emailed stays the task; only its token (and the wait's end) are new.
    const open = (await ports.tasks.listBySubject(kind.kind, input.subject)).find(
      (t) => t.status === 'open' && t.execution === input.execution && t.escalationLevel === input.escalationLevel,
    );
    if (open) {
      const expiresAt = new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString();
      const sealed = await ports.vault.seal(input.taskToken, open.id);
      const entry = systemEntry(input.fn, open, 'tasks.humanTask.reseal', input.requestId, { reason: 'workflowResumed', execution: input.execution, expiresAt });
      if (await ports.tasks.reseal(open.id, sealed, expiresAt, entry)) return { task: { ...open, expiresAt }, emailed: [] };
    }
  }
  const calendar = await ports.calendar();
  const id = ports.newId();
  const task: HumanTask = {
    id,
    kind: kind.kind,
    subject: input.subject,
    title,
    assigneeOrg,
    assignees,
    status: 'open',
    createdAt: now.toISOString(),
    due: calendar.deadline(chinaDate(now), decisionWorkingDays).due,
    expiresAt: new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString(),
    escalationLevel: input.escalationLevel,
    ...(orgs.length > 0 ? { escalatedTo: orgs } : {}),
    ...(input.execution ? { execution: input.execution } : {}),
    ...(input.replaces ? { replaces: input.replaces } : {}),
  };
  // A retried attempt of the same waiting state (a new token): the earlier attempt's task can never be answered.
  for (const earlier of await ports.tasks.listBySubject(kind.kind, input.subject)) {
    if (earlier.status !== 'open' || !input.execution || earlier.execution !== input.execution || earlier.escalationLevel !== input.escalationLevel) continue;
    await ports.tasks.expire(earlier.id, now.toISOString(), systemEntry(input.fn, earlier, 'tasks.humanTask.expire', input.requestId, { reason: 'supersededByRetry', by: id }));
  }
  const sealed = await ports.vault.seal(input.taskToken, id);
  await ports.tasks.create(
    task,
    sealed,
    systemEntry(input.fn, task, 'tasks.humanTask.create', input.requestId, {
      kind: task.kind,
      subject: task.subject,
      assignees,
      due: task.due,
      expiresAt: task.expiresAt,
      escalationLevel: task.escalationLevel,
      execution: task.execution ?? null,
      replaces: task.replaces ?? null,
    }),
  );
  await kind.opened?.(task, input.requestId);
  const emailed = await mailTo(ports, kind, task, assignees, input.escalationLevel > 0 ? 'escalated' : 'assigned', details);
  await recordOn(kind, task, [{ type: 'emailSent', detail: { mail: 'humanTaskAssigned', taskId: id, to: emailed, due: task.due } }], input.requestId);
  return { task, emailed };
}

export interface HumanTaskView {
  readonly id: string;
  readonly kind: string;
  readonly kindLabel: string;
  readonly title: string;
  /** `expired` once the wait is over, even before the store records it. */
  readonly status: HumanTaskStatus;
  readonly statusLabel: string;
  readonly canDecide: boolean;
  /** The kind's own words for the two decisions (as on the task page and in the email), e.g. 同意共享 / 不予共享. */
  readonly decisionWords: { readonly approve: string; readonly ret: string };
  /** The kind takes more than a decision and reasons (conditions, a finding): decided on the task page, which has those fields. */
  readonly needsTaskPage: boolean;
  readonly createdAt: string;
  readonly due: string;
  readonly workingDaysLeft: number;
  readonly overdue: boolean;
  readonly expiresAt: string;
  readonly escalationLevel: number;
  readonly assignees: readonly string[];
  readonly decision?: HumanTaskDecision & { readonly decisionLabel: string; readonly decidedAtLabel: string };
  /** The kind's own lines about the subject (as in the email), so the page says what is decided whatever the kind. */
  readonly details: readonly string[];
  readonly summary: unknown;
}

function effectiveStatus(task: HumanTask, now: Date): HumanTaskStatus {
  return task.status === 'open' && now.getTime() >= Date.parse(task.expiresAt) ? 'expired' : task.status;
}

/**
 * The task for its assignee — or, to read only (`read`), for a person of an organisation the kind names as a
 * reader (R7.1: a review task's technical units and custodian). Clearance first, as everywhere.
 */
async function loadForAssignee(ports: Pick<HumanTaskPorts, 'tasks' | 'kinds'>, actor: Principal, id: string, access: 'decide' | 'read' = 'decide') {
  if (!isTaskId(id)) throw new HumanTaskNotFoundError();
  const found = await ports.tasks.get(id);
  if (!found) throw new HumanTaskNotFoundError();
  // The access rule (shared/security/access.ts): a task about a record above the caller's clearance is absent.
  const kind = ports.kinds(found.task.kind);
  const record = await kind?.protects?.(found.task.subject);
  if (record) requireClearance(actor, record, new HumanTaskNotFoundError().message);
  const assignee = found.task.assignees.includes(actor.userId);
  if (!assignee && !(access === 'read' && kind?.readers && (await kind.readers(found.task.subject)).includes(actor.orgCode))) throw new NotAssigneeError(actor.userId);
  if (record) noteListed(record);
  return { ...found, assignee };
}

/** Open tasks read per 待办 request at most (the sparse open-task index; open tasks are few — see listMyHumanTasks). */
export const maxOpenTasksRead = 1000;

export interface MyHumanTaskItem {
  readonly id: string;
  readonly kind: string;
  readonly kindLabel: string;
  readonly title: string;
  readonly createdAt: string;
  readonly due: string;
  readonly workingDaysLeft: number;
  readonly overdue: boolean;
  readonly escalationLevel: number;
  readonly assigneeOrg: string;
  readonly pagePath: string;
}

/**
 * 待办: the open human tasks the caller is an assignee of (the organisation's
 * users are the assignees, so "mine or my organisation's"), earliest due
 * first. The same rule as GET /human-tasks/{id}: a task whose record is above
 * the caller's clearance is left out (as absent); each listed classified
 * record is noted for the security record. Reads the sparse index of open
 * tasks (never a scan), at most `maxOpenTasksRead` of them; a task whose wait
 * has run out is not listed.
 */
export async function listMyHumanTasks(
  ports: Pick<HumanTaskPorts, 'tasks' | 'calendar' | 'now' | 'kinds'>,
  cmd: { actor: Principal; limit: number },
): Promise<{ items: MyHumanTaskItem[]; more: boolean }> {
  const now = ports.now();
  const today = chinaDate(now);
  const open = await ports.tasks.listOpenDueBefore('9999-12-31', maxOpenTasksRead);
  const calendar = await ports.calendar();
  const items: MyHumanTaskItem[] = [];
  for (const task of open) {
    if (!task.assignees.includes(cmd.actor.userId) || effectiveStatus(task, now) !== 'open') continue;
    const kind = ports.kinds(task.kind);
    if (!kind) continue;
    const record = await kind.protects?.(task.subject);
    if (record && !clearanceAllows(cmd.actor.clearance, record.classification)) continue;
    if (items.length === cmd.limit) return { items, more: true };
    if (record) noteListed(record);
    items.push({
      id: task.id,
      kind: task.kind,
      kindLabel: kind.label,
      title: task.title,
      createdAt: task.createdAt,
      due: task.due,
      workingDaysLeft: calendar.workingDaysLeft(task.due, today),
      overdue: today > task.due,
      escalationLevel: task.escalationLevel,
      assigneeOrg: task.assigneeOrg,
      pagePath: `/human-tasks/${task.id}/page`,
    });
  }
  return { items, more: false };
}

/** GET: an assignee sees the task (and a reader the kind names, without deciding); reading changes nothing. */
export async function getHumanTask(
  ports: Pick<HumanTaskPorts, 'tasks' | 'calendar' | 'now' | 'kinds'>,
  cmd: { actor: Principal; id: string },
): Promise<HumanTaskView> {
  const { task, assignee } = await loadForAssignee(ports, cmd.actor, cmd.id, 'read');
  const kind = kindOf(ports.kinds, task.kind);
  return viewOf(task, kind, await ports.calendar(), ports.now(), await kind.summary(task), (await kind.describe(task.subject)).details, assignee);
}

function viewOf(task: HumanTask, kind: HumanTaskKind, calendar: WorkingDayCalendar, now: Date, summary: unknown, details: readonly string[], assignee = true): HumanTaskView {
  const status = effectiveStatus(task, now);
  const today = chinaDate(now);
  const words = decisionWordsFor(task.kind);
  return {
    id: task.id,
    kind: task.kind,
    kindLabel: kind.label,
    title: task.title,
    status,
    statusLabel: humanTaskStatusLabels[status],
    canDecide: status === 'open' && assignee,
    decisionWords: { approve: words.approve, ret: words.ret },
    needsTaskPage: kind.acceptsConditions === true,
    createdAt: task.createdAt,
    due: task.due,
    workingDaysLeft: calendar.workingDaysLeft(task.due, today),
    overdue: today > task.due,
    expiresAt: task.expiresAt,
    escalationLevel: task.escalationLevel,
    assignees: task.assignees,
    ...(task.decision ? { decision: { ...task.decision, decisionLabel: task.decision.decision === 'approve' ? words.approve : words.ret, decidedAtLabel: chinaDateTime(task.decision.decidedAt) } } : {}),
    details,
    summary,
  };
}

function isClosedTask(error: unknown): boolean {
  // adapters/sfn.ts maps TaskTimedOut to TASK_CLOSED and TaskDoesNotExist/InvalidToken to NotFoundError.
  return (error instanceof ConflictError && error.code === 'TASK_CLOSED') || error instanceof NotFoundError;
}

/**
 * POST: the decision, taken once.
 *
 * Primary course:
 *  1. the task exists (else 404) and the caller is an assignee (else 403);
 *  2. it is still open and its wait has not run out (else 409 TASK_ALREADY_DECIDED / TASK_EXPIRED,
 *     nothing written);
 *  3. open → decided with the audit record in one conditional transaction —
 *     of two concurrent decisions exactly one passes; the sealed token leaves the store;
 *  4. the token is opened and SendTaskSuccess({decision, reasons, decidedBy}) resumes the workflow.
 * Alternatives:
 *  4a. Step Functions says the task is over (TaskTimedOut): the task is recorded
 *      expired and the caller told so;
 *  4b. any other failure: the task is reopened (token back) so the decision can be retried.
 */
export async function decideHumanTask(
  ports: Pick<HumanTaskPorts, 'tasks' | 'vault' | 'workflow' | 'calendar' | 'now' | 'kinds'>,
  cmd: { actor: Principal; id: string; decision: HumanTaskDecisionValue; reasons: string; conditions?: HumanTaskConditions | undefined; requestId: string },
): Promise<HumanTaskView> {
  const { task, tokenCiphertext } = await loadForAssignee(ports, cmd.actor, cmd.id);
  const kind = kindOf(ports.kinds, task.kind);
  const now = ports.now();
  if (task.status === 'decided') throw new HumanTaskAlreadyDecidedError(task.decision?.decidedBy, task.decision?.decidedAt);
  if (effectiveStatus(task, now) === 'expired' || !tokenCiphertext) throw new HumanTaskExpiredError();
  const reasons = cmd.reasons.trim();
  if (cmd.decision === 'return' && reasons.length < 5) {
    const message = '退回时请填写退回理由（至少 5 个字），理由将反馈给提交方';
    throw new ValidationError(message, [{ field: 'body.reasons', code: 'REASONS_REQUIRED', message }]);
  }
  const conditions = cmd.conditions && Object.values(cmd.conditions).some((v) => v !== undefined) ? cmd.conditions : undefined;
  if (conditions && (!kind.acceptsConditions || cmd.decision !== 'approve')) {
    const message = kind.acceptsConditions ? '只有同意时可以附加条件' : `“${kind.label}”任务不接受附加条件`;
    throw new ValidationError(message, [{ field: 'body.conditions', code: 'CONDITIONS_NOT_ACCEPTED', message }]);
  }
  await kind.checkDecision?.(task, { decision: cmd.decision, reasons, ...(conditions ? { conditions } : {}) });

  const decision: HumanTaskDecision = { decision: cmd.decision, reasons, decidedBy: cmd.actor.userId, decidedAt: now.toISOString() };
  const entry = (action: string, detail: Record<string, unknown>): AuditEntry => ({
    actor: cmd.actor.userId,
    orgCode: cmd.actor.orgCode,
    action,
    target: `HTASK#${task.id}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { kind: task.kind, subject: task.subject, ...detail },
  });
  await ports.tasks.decide(task.id, decision, entry('tasks.humanTask.decide', { decision: cmd.decision, reasons, ...(conditions ? { conditions } : {}) }));

  try {
    const token = await ports.vault.open(tokenCiphertext, task.id);
    await ports.workflow.sendTaskSuccess(token, { taskId: task.id, decision: cmd.decision, reasons, decidedBy: cmd.actor.userId, decidedAt: decision.decidedAt, ...(conditions ? { conditions } : {}) });
  } catch (error) {
    if (isClosedTask(error)) {
      await ports.tasks.expire(task.id, ports.now().toISOString(), entry('tasks.humanTask.expire', { reason: 'workflowNoLongerWaiting' }));
      await recordOn(kind, task, [{ type: 'expired', detail: { taskId: task.id, reason: 'workflowNoLongerWaiting' } }], cmd.requestId);
      throw new HumanTaskExpiredError();
    }
    await ports.tasks.reopen(task.id, tokenCiphertext, decision.decidedAt, entry('tasks.humanTask.reopen', { reason: 'decisionNotDelivered' }));
    throw error;
  }
  const decided: HumanTask = { ...task, status: 'decided', decision };
  await recordOn(kind, decided, [{ type: 'decided', detail: { taskId: task.id, decision: cmd.decision, reasons, decidedBy: cmd.actor.userId } }], cmd.requestId);
  return viewOf(decided, kind, await ports.calendar(), ports.now(), await kind.summary(decided), (await kind.describe(decided.subject)).details);
}

/**
 * After a wait timed out (the workflow's Catch on States.Timeout): the
 * subject's open task is recorded expired, its assignees told, and the next
 * round is one level up. The workflow then creates the escalated task, which
 * emails everyone who may now decide.
 */
export async function escalateTimedOutTask(
  ports: Pick<HumanTaskPorts, 'tasks' | 'identity' | 'mailer' | 'appBaseUrl' | 'now' | 'kinds'>,
  input: { kind: string; subject: HumanTaskSubject; requestId: string; fn: string },
): Promise<{ level: number; previousTaskId: string | null; orgs: string[] }> {
  const kind = kindOf(ports.kinds, input.kind);
  const [latest] = await ports.tasks.listBySubject(kind.kind, input.subject);
  if (!latest) return { level: 1, previousTaskId: null, orgs: [] };
  const level = latest.escalationLevel + 1;
  const { orgs } = await assigneesFor(ports.identity, latest.assigneeOrg, (await kind.describe(latest.subject)).role ?? kind.role, level);
  if (latest.status === 'open') {
    await ports.tasks.expire(
      latest.id,
      ports.now().toISOString(),
      systemEntry(input.fn, latest, 'tasks.humanTask.expire', input.requestId, { reason: 'timedOut', nextLevel: level, escalateTo: orgs }),
    );
    const note = orgs.length > 0 ? `该任务逾期未办，已上报上级单位（${orgs.join('、')}），原链接已失效，新的任务邮件将另行发送。` : '该任务逾期未办，原链接已失效，新的任务邮件将另行发送。';
    const { details } = await kind.describe(latest.subject);
    const reminded = await mailTo(ports, kind, latest, latest.assignees, 'reminder', details, note);
    await recordOn(
      kind,
      latest,
      [
        { type: 'expired', detail: { taskId: latest.id, reason: 'timedOut' } },
        { type: 'escalated', detail: { taskId: latest.id, level, orgs, notified: reminded } },
      ],
      input.requestId,
    );
  }
  return { level, previousTaskId: latest.id, orgs };
}

