import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { calendarYears } from '#shared/calendar/dates.ts';
import { deadlineQuerySchema, deadlineResponseSchema, holidayTableInputSchema, updateHolidayCalendarResponseSchema } from '#shared/schemas/calendar.ts';
import { healthSchema, pingViewSchema, startPingBodySchema } from '#shared/schemas/platform.ts';

/** The platform context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const platform = defineContext({
  name: 'platform',
  functions: {
    // ASL convention 5: a failed workflow step leaves one audited record before the execution fails.
    RecordWorkflowFailure: {
      entry: './record-workflow-failure.ts',
      description: 'A workflow step failed after its retries: one audited workflow.failed record (machine, subject, error, execution) before the execution fails.',
      tables: { logs: 'readWrite' },
    },
    HealthCheck: {
      entry: './health.ts',
      description: 'Liveness: reads the registry table once.',
      tables: readsRegistry,
    },
    OpenApi: {
      entry: './openapi.ts',
      description: 'Serves the OpenAPI 3.1 document generated from the zod schemas.',
    },
    UpdateHolidayCalendar: {
      entry: './update-holiday-calendar.ts',
      description: 'An administrator loads a year of the State Council holiday notice (audited).',
      tables: auditedWrites,
    },
    GetCalendar: {
      entry: './get-calendar.ts',
      description: 'Working-day arithmetic: a deadline from a start date and a number of working days.',
      tables: readsRegistry,
    },
    StartPing: {
      entry: './start-ping.ts',
      description: 'Starts the ping state machine (proves the human-task chain end to end).',
      tables: auditedWrites,
    },
    PingWait: {
      entry: './ping-wait.ts',
      description: 'The waitForTaskToken step of the ping state machine: records the task (token sealed) and emails the caller.',
      tables: auditedWrites,
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    SendMail: {
      entry: './send-mail.ts',
      description: 'The one function that sends mail (issue 10): every other mail-sending function hands its messages to it (asynchronous invoke); sends each once (a claim in the logs table), failures retried, then to its dead-letter queue.',
      timeoutSeconds: 60,
      tables: { logs: 'readWrite' },
      sendsEmail: true,
      deliversMail: true,
    },
    PingDone: {
      entry: './ping-done.ts',
      description: 'The last step of the ping state machine: records the outcome (audited).',
      tables: auditedWrites,
    },
    AuditAnchor: {
      entry: './audit-anchor.ts',
      description: 'Hourly: verifies the audit chain against its signed anchors and the audited items against their records; signs and stores the next anchor (write-once).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: { registry: 'read', logs: 'read' },
      signsAuditAnchors: true,
    },
  },
  routes: {
    HealthCheck: {
      method: 'GET',
      path: '/health',
      auth: 'public',
      summary: '健康检查',
      contract: contract({
        degraded: { status: 503, description: '登记表不可读：响应结构相同，status 为 degraded' },
        response: healthSchema,
        description: '存活检查：读取一次登记表。无需登录；表不可读时返回 503。',
      }),
    },
    OpenApi: {
      method: 'GET',
      path: '/openapi.json',
      auth: 'public',
      summary: 'OpenAPI 3.1 文档',
      contract: contract({
        response: z.looseObject({ openapi: z.literal('3.1.0') }),
        description: '本文档：由各接口的 zod 模式生成。',
      }),
    },
    UpdateHolidayCalendar: {
      method: 'PUT',
      path: '/calendar/{year}',
      auth: ['administrator'],
      summary: '更新年度节假日安排',
      contract: contract({
        path: z.object({
          year: described(z.coerce
            .number({ error: '年份应为数字' }).check(z.int('年份应为整数')).check(z.gte(calendarYears.first, `年份应在 ${calendarYears.first}–${calendarYears.last} 之间`)).check(z.lte(calendarYears.last, `年份应在 ${calendarYears.first}–${calendarYears.last} 之间`)), '年份，如 2027'),
        }),
        body: holidayTableInputSchema,
        response: updateHolidayCalendarResponseSchema,
        description:
          '载入某一年的国务院办公厅节假日安排通知（放假日期与调休上班日期），立即用于期限计算；同一内容重复提交不产生变更。操作写入审计链。',
      }),
    },
    GetCalendar: {
      method: 'GET',
      path: '/calendar/deadline',
      auth: 'any',
      summary: '计算工作日期限',
      contract: contract({
        query: deadlineQuerySchema,
        response: deadlineResponseSchema,
        description:
          '按国务院节假日安排计算工作日期限：起算日不计入，第 1 个工作日为起算日之后的第一个工作日，期限为第 N 个工作日。' +
          '若期限跨入尚无国务院通知的年份，按《全国年节及纪念日放假办法》法定节日推算并标记 provisional（暂定）。',
      }),
    },
    StartPing: {
      method: 'POST',
      path: '/pings',
      auth: ['administrator'],
      summary: '启动连通性流程（人工任务；仅系统管理员）',
      contract: contract({
        success: [202],
        body: startPingBodySchema,
        response: pingViewSchema,
        description:
          '启动连通性流程：写入测试记录（含审计），启动 Ping 状态机；流程在“等待确认”步骤给发起人发邮件并等待任务令牌回调（SendTaskSuccess）。返回 202。',
      }),
    },
  },
  starts: {
    StartPing: ['Ping'],
  },
  stateMachines: {
    Ping: {
      file: 'statemachines/ping.asl.json',
      functions: ['PingWait', 'PingDone'],
    },
  },
  schedules: {
    HourlyAuditAnchor: {
      expression: 'rate(1 hour)',
      timezone: 'Asia/Shanghai',
      target: {
        function: 'AuditAnchor',
      },
      description: '每小时校验审计链及其签名锚点，并将链头签名存证于保管桶（R10.1）',
    },
  },
});
