import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { decideHumanTaskBodySchema, humanTaskViewSchema, myHumanTaskItemSchema } from '#shared/schemas/tasks.ts';
import { humanTaskIdSchema } from '#shared/tasks/ids.ts';

/**
 * The human-task routes (architecture: "Human tasks"). The emailed link opens
 * the public page, which changes nothing and shows nothing by itself; the
 * signed-in assignee's browser then GETs the task and POSTs the decision.
 */
const taskPath = z.object({ id: humanTaskIdSchema });

/** Contracts of the human-task routes, keyed by manifest function name. */
export const tasksContracts = {
  HumanTaskPage: contract({
    path: taskPath,
    produces: 'text/html',
    description:
      '邮件链接打开的任务页面（无需令牌）：页面本身不读取、不显示、不改变任何数据——它在浏览器中用已登录用户的令牌读取任务（GET /human-tasks/{id}），由用户点击“通过/退回”提交（POST）。邮件安全网关预取链接不会产生任何影响。',
  }),
  ListMyHumanTasks: contract({
    query: z.object({
      limit: described(z._default(z.coerce.number({ error: '每页条数应为整数' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数应在 1–200 之间')).check(z.lte(200, '每页条数应在 1–200 之间')), 100), '最多返回的条数，1–200，默认 100'),
    }),
    response: z.object({
      items: z.array(myHumanTaskItemSchema),
      more: described(z.boolean(), '还有更多待办未列出（提高 limit）'),
    }),
    description:
      '我的待办：指派给本人（含指派给本单位而本人为办理人）的待处理任务，按办理期限由近到远。与任务详情同一访问规则：超出本人密级权限的任务不列出。',
  }),
  GetHumanTask: contract({
    path: taskPath,
    response: humanTaskViewSchema,
    description: '任务详情：仅任务指派的用户可查看（其他用户 403，不存在的编号 404）。含成果包概况、自动核验报告摘要、办理期限与剩余工作日。',
  }),
  DecideHumanTask: contract({
    path: taskPath,
    body: decideHumanTaskBodySchema,
    response: humanTaskViewSchema,
    description:
      '作出决定（通过/退回），每个任务只能决定一次：条件写入与审计记录在同一事务中，随后恢复流程（SendTaskSuccess）。再次决定返回 409 TASK_ALREADY_DECIDED；任务已超时返回 409 TASK_EXPIRED；非指派用户 403。',
  }),
};

/** The tasks context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const tasks = defineContext({
  name: 'tasks',
  functions: {
    CreateHumanTask: {
      entry: './create-human-task.ts',
      description: 'The waitForTaskToken step of every approval: stores the task (token sealed), emails the assignees the task page link (audited).',
      tables: auditedWrites,
      buckets: { documents: 'read' },
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    HumanTaskPage: {
      entry: './human-task-page.ts',
      description: 'The page an emailed task link opens: a public shell that reads and changes nothing; the signed-in browser loads the task.',
    },
    ListMyHumanTasks: {
      entry: './list-my-human-tasks.ts',
      description: '待办: the open human tasks the caller is an assignee of, earliest due first, within the caller\'s clearance.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    GetHumanTask: {
      entry: './get-human-task.ts',
      description: 'A human task as its assignee sees it: package summary, report, due date.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    DecideHumanTask: {
      entry: './decide-human-task.ts',
      description: 'The assignee decides once (conditional write + audit), then SendTaskSuccess resumes the workflow.',
      tables: auditedWrites,
      buckets: { documents: 'read' },
      sealsTaskTokens: true,
      answers: 'humanTasks',
    },
    HumanTaskReminders: {
      entry: './human-task-reminders.ts',
      description: 'Daily: reminds assignees of overdue human tasks (once a day) and escalates to the superior organisation after 2 WD (audited).',
      timeoutSeconds: 300,
      tables: auditedWrites,
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
  },
  routes: {
    HumanTaskPage: {
      method: 'GET',
      path: '/human-tasks/{id}/page',
      auth: 'public',
      summary: '待办任务页面（邮件链接）',
      contract: tasksContracts.HumanTaskPage,
    },
    ListMyHumanTasks: {
      method: 'GET',
      path: '/human-tasks',
      auth: 'any',
      summary: '我的待办',
      contract: tasksContracts.ListMyHumanTasks,
    },
    GetHumanTask: {
      method: 'GET',
      path: '/human-tasks/{id}',
      auth: 'any',
      summary: '待办任务详情（仅指派人员）',
      contract: tasksContracts.GetHumanTask,
    },
    DecideHumanTask: {
      method: 'POST',
      path: '/human-tasks/{id}/decision',
      auth: 'any',
      summary: '待办任务决定（通过/退回）',
      contract: tasksContracts.DecideHumanTask,
    },
  },
  schedules: {
    HumanTaskReminders: {
      expression: 'cron(0 9 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: {
        function: 'HumanTaskReminders',
      },
      description: '每日 09:00 催办逾期的待办任务，逾期 2 个工作日上报上级单位',
    },
  },
});
