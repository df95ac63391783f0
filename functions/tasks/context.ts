import { defineContext } from '#runtime/define.ts';
import { tasksContracts } from '#shared/schemas/tasks-contracts.ts';

/** The tasks context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const tasks = defineContext({
  name: 'tasks',
  functions: {
    CreateHumanTask: {
      entry: './create-human-task.ts',
      description: 'The waitForTaskToken step of every approval: stores the task (token sealed), emails the assignees the task page link (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'read',
      },
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    HumanTaskPage: {
      entry: './human-task-page.ts',
      description: 'The page an emailed task link opens: a public shell that reads and changes nothing; the signed-in browser loads the task.',
    },
    GetHumanTask: {
      entry: './get-human-task.ts',
      description: 'A human task as its assignee sees it: package summary, report, due date.',
      tables: {
        registry: 'read',
      },
      buckets: {
        documents: 'read',
      },
    },
    DecideHumanTask: {
      entry: './decide-human-task.ts',
      description: 'The assignee decides once (conditional write + audit), then SendTaskSuccess resumes the workflow.',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'read',
      },
      sealsTaskTokens: true,
      answers: 'humanTasks',
    },
    HumanTaskReminders: {
      entry: './human-task-reminders.ts',
      description: 'Daily: reminds assignees of overdue human tasks (once a day) and escalates to the superior organisation after 2 WD (audited).',
      timeoutSeconds: 300,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'read',
      },
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
