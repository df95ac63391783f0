import { defineContext } from '#runtime/define.ts';
import { calendarContracts } from '#shared/schemas/calendar.ts';
import { docsContracts } from '#shared/schemas/contracts.ts';
import { platformContracts } from '#shared/schemas/platform-contracts.ts';

/** The platform context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const platform = defineContext({
  name: 'platform',
  functions: {
    // ASL convention 5: a failed workflow step leaves one audited record before the execution fails.
    RecordWorkflowFailure: {
      entry: './record-workflow-failure.ts',
      description: 'A workflow step failed after its retries: one audited workflow.failed record (machine, subject, error, execution) before the execution fails.',
      tables: {
        logs: 'readWrite',
      },
    },
    HealthCheck: {
      entry: './health.ts',
      description: 'Liveness: reads the registry table once.',
      tables: {
        registry: 'read',
      },
    },
    OpenApi: {
      entry: './openapi.ts',
      description: 'Serves the OpenAPI 3.1 document generated from the zod schemas.',
    },
    UpdateHolidayCalendar: {
      entry: './update-holiday-calendar.ts',
      description: 'An administrator loads a year of the State Council holiday notice (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    GetCalendar: {
      entry: './get-calendar.ts',
      description: 'Working-day arithmetic: a deadline from a start date and a number of working days.',
      tables: {
        registry: 'read',
      },
    },
    StartPing: {
      entry: './start-ping.ts',
      description: 'Starts the ping state machine (proves the human-task chain end to end).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    PingWait: {
      entry: './ping-wait.ts',
      description: 'The waitForTaskToken step of the ping state machine: records the task (token sealed) and emails the caller.',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    PingDone: {
      entry: './ping-done.ts',
      description: 'The last step of the ping state machine: records the outcome (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    AuditAnchor: {
      entry: './audit-anchor.ts',
      description: 'Hourly: verifies the audit chain against its signed anchors and the audited items against their records; signs and stores the next anchor (write-once).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: {
        registry: 'read',
        logs: 'read',
      },
      signsAuditAnchors: true,
    },
    DeadlineWatch: {
      entry: './deadline-watch.ts',
      description: 'Daily: records that the watch ran (the supervision context fills it in).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
  },
  routes: {
    HealthCheck: {
      method: 'GET',
      path: '/health',
      auth: 'public',
      summary: '健康检查',
      contract: platformContracts.HealthCheck,
    },
    OpenApi: {
      method: 'GET',
      path: '/openapi.json',
      auth: 'public',
      summary: 'OpenAPI 3.1 文档',
      contract: docsContracts.OpenApi,
    },
    UpdateHolidayCalendar: {
      method: 'PUT',
      path: '/calendar/{year}',
      auth: ['administrator'],
      summary: '更新年度节假日安排',
      contract: calendarContracts.UpdateHolidayCalendar,
    },
    GetCalendar: {
      method: 'GET',
      path: '/calendar/deadline',
      auth: 'any',
      summary: '计算工作日期限',
      contract: calendarContracts.GetCalendar,
    },
    StartPing: {
      method: 'POST',
      path: '/pings',
      auth: ['administrator'],
      summary: '启动连通性流程（人工任务；仅系统管理员）',
      contract: platformContracts.StartPing,
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
    DailyDeadlineWatch: {
      expression: 'cron(0 8 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: {
        function: 'DeadlineWatch',
      },
      description: '每日 08:00 检查法定期限',
    },
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
