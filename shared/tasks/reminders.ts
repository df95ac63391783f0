import { chinaDate } from '#shared/calendar/dates.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import { assigneesFor, type HumanTaskPorts } from './human-tasks.ts';
import type { HumanTaskKind } from './kinds.ts';
import { deliver, taskMail } from './mail.ts';

/** Working days overdue before each escalation one level up (2 WD: the superior is told). */
export const escalateEveryWorkingDays = 2;

/** Tasks handled per run; the rest wait for tomorrow's run (a run stays well inside the Lambda timeout). */
export const remindersPerRun = 500;

export interface ReminderRun {
  readonly today: string;
  readonly checked: number;
  readonly reminded: number;
  readonly escalated: number;
}

/**
 * The daily reminder (schedule HumanTaskReminders), for every kind.
 *
 * Primary course, for each open task whose due date has passed:
 *  1. 2 WD overdue per level and a superior organisation with deciders exists:
 *     those deciders are added to the task (same link; conditional on the level,
 *     so two runs cannot escalate twice) and emailed;
 *  2. at most one reminder a day (conditional on remindedOn) to every assignee.
 * Tasks whose wait has already run out are left to the workflow's timeout path.
 */
export async function runHumanTaskReminders(
  ports: Pick<HumanTaskPorts, 'tasks' | 'identity' | 'mailer' | 'calendar' | 'now' | 'appBaseUrl' | 'kinds'>,
  input: { requestId: string; fn: string },
): Promise<ReminderRun> {
  const now = ports.now();
  const today = chinaDate(now);
  const calendar = await ports.calendar();
  const overdueTasks = await ports.tasks.listOpenDueBefore(today, remindersPerRun);
  let reminded = 0;
  let escalated = 0;
  for (const task of overdueTasks) {
    if (now.getTime() >= Date.parse(task.expiresAt)) continue;
    const kind = ports.kinds(task.kind);
    if (!kind) continue;
    const entry = (action: string, detail: Record<string, unknown>): AuditEntry => ({
      actor: `system:${input.fn}`,
      orgCode: task.assigneeOrg,
      action,
      target: `HTASK#${task.id}`,
      outcome: 'success',
      requestId: input.requestId,
      detail: { kind: task.kind, subject: task.subject, due: task.due, ...detail },
    });
    const overdueDays = calendar.countWorkingDays(task.due, today);
    const { details } = await kind.describe(task.subject);
    let current: HumanTask = task;

    if (overdueDays >= escalateEveryWorkingDays * (task.escalationLevel + 1)) {
      const next = await assigneesFor(ports.identity, task.assigneeOrg, (await kind.describe(task.subject)).role ?? kind.role, task.escalationLevel + 1);
      const added = next.assignees.filter((a) => !task.assignees.includes(a));
      if (next.orgs.length > task.escalationLevel && added.length > 0) {
        const done = await ports.tasks.escalate(
          task.id,
          { fromLevel: task.escalationLevel, orgs: next.orgs, assignees: next.assignees },
          entry('tasks.humanTask.escalate', { overdueWorkingDays: overdueDays, orgs: next.orgs, added }),
        );
        if (done) {
          current = { ...task, assignees: next.assignees, escalatedTo: next.orgs, escalationLevel: task.escalationLevel + 1 };
          const notified = await send(ports, kind, current, added, 'escalated', details, `该任务已逾期 ${overdueDays} 个工作日，按规定上报贵单位。`);
          escalated += 1;
          await kind.record?.(current, [{ type: 'escalated', detail: { taskId: task.id, level: current.escalationLevel, orgs: next.orgs, notified, overdueWorkingDays: overdueDays } }], input.requestId);
        }
      }
    }

    if (await ports.tasks.recordReminder(task.id, today, entry('tasks.humanTask.remind', { overdueWorkingDays: overdueDays }))) {
      const notified = await send(ports, kind, current, current.assignees, 'reminder', details);
      reminded += 1;
      await kind.record?.(current, [{ type: 'reminderSent', detail: { taskId: task.id, to: notified, overdueWorkingDays: overdueDays } }], input.requestId);
    }
  }
  return { today, checked: overdueTasks.length, reminded, escalated };
}

async function send(
  ports: Pick<HumanTaskPorts, 'identity' | 'mailer' | 'appBaseUrl'>,
  kind: HumanTaskKind,
  task: HumanTask,
  userIds: readonly string[],
  mail: 'reminder' | 'escalated',
  details: readonly string[],
  note?: string,
): Promise<string[]> {
  const sent: string[] = [];
  for (const id of userIds) {
    const user = await ports.identity.getUser(id);
    if (!user) continue;
    await deliver(ports.mailer, taskMail({ kind: mail, task, to: user, kindLabel: kind.label, details, appBaseUrl: ports.appBaseUrl, ...(note ? { note } : {}) }));
    sent.push(id);
  }
  return sent;
}
