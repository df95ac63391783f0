import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { bulletinSchema, clockViewSchema, regionCodeSchema, supervisionOrgCode } from '#shared/schemas/supervision.ts';
import { clockListStates } from '#shared/supervision/clock-list.ts';

/** The supervision context (issue 14; R6.1–R9.1 clocks, R20.1, R21.1): the deadline watch, clock lists, bulletins. */
export const supervision = defineContext({
  name: 'supervision',
  functions: {
    DeadlineWatch: {
      entry: './deadline-watch.ts',
      description:
        'Daily: reads the running clocks due soon or overdue (one key query on the due-date index), emails their owners (N working days before, on the day, weekly while overdue) and the owner\'s supervisor when one becomes overdue; one notice per clock × day (audited).',
      timeoutSeconds: 300,
      tables: auditedWrites,
      sendsEmail: true,
    },
    ListClocks: {
      entry: './list-clocks.ts',
      description: 'Running, overdue or met statutory clocks of an organisation and those below it: one key query per organisation.',
      tables: readsRegistry,
    },
    IssueBulletin: {
      entry: './issue-bulletin.ts',
      description: 'A supervisor asks for a bulletin (R21.1): counters read by key queries, HTML with SVG charts, XLSX, stored write-once, audited, the supervisors emailed.',
      memoryMb: 1024,
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
      sendsEmail: true,
    },
    ListBulletins: {
      entry: './list-bulletins.ts',
      description: "An organisation's bulletins, newest first (one key query).",
      tables: readsRegistry,
    },
    GetBulletinFile: {
      entry: './get-bulletin-file.ts',
      description: "One bulletin's stored HTML, XLSX or JSON, for a reader in scope (404 otherwise).",
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    BulletinPage: {
      entry: './bulletin-page.ts',
      description: 'The page an emailed bulletin link opens: a public shell that reads nothing; the signed-in browser loads the bulletin.',
    },
    ScheduledBulletins: {
      entry: './scheduled-bulletins.ts',
      description: 'Monthly and quarterly: the last whole period\'s bulletin of every organiser with supervisors (write-once per organisation × period).',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
      sendsEmail: true,
    },
  },
  routes: {
    ListClocks: {
      method: 'GET',
      path: '/supervision/clocks',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '法定期限列表（运行中、逾期、已办结）',
      contract: contract({
        query: z.object({
          org: described(z.optional(supervisionOrgCode), '组织代码；默认本单位'),
          type: described(z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(20))), '期限类型（需求条目编号），如 R6.1、R7.2、R8.1、R9.1'),
          region: described(z.optional(regionCodeSchema), '行政区划代码：只列出该区域（含下级区域）的期限'),
          state: described(z._default(z.enum(clockListStates), 'open'), 'open 未办结（运行中与逾期）、running 未到期、overdue 已逾期、met 已办结'),
          subordinates: described(z._default(z.enum(['true', 'false']), 'true'), '是否包含下级单位（默认包含）'),
        }),
        response: z.object({
          org: z.string(),
          orgs: described(z.array(z.string()), '本次查询涉及的组织'),
          today: described(z.string(), '今天（北京时间）'),
          items: z.array(clockViewSchema),
        }),
        description:
          '法定期限（R6.1 汇交、R7.2 重新汇交、R8.1 移交、R9.1 目录上报；其他业务声明新的期限类型后自动纳入）。监督人员可查看本单位及下级单位，组织单位审核人可查看本单位所辖单位，系统管理员可查看任一单位。按组织的键查询，不做全表扫描。',
      }),
    },
    IssueBulletin: {
      method: 'POST',
      path: '/supervision/bulletins',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '生成监督通报（月度或季度）',
      contract: contract({
        success: [200, 201],
        body: z.object({
          period: described(z.string().check(z.trim()).check(z.minLength(1, '请填写通报期间')).check(z.maxLength(10)), '通报期间：月度 YYYY-MM（如 2026-11），季度 YYYY-Qn（如 2026-Q4）；不能是尚未开始的期间'),
          org: described(z.optional(supervisionOrgCode), '通报单位；默认本单位（须为本单位或下级单位）'),
        }),
        response: z.object({
          bulletin: bulletinSchema,
          created: described(z.boolean(), 'false 表示该期间的通报已存在（通报生成后不再修改），返回已有通报'),
          pageUrl: described(z.string(), '通报页面链接（邮件中的链接）'),
          emailed: described(z.array(z.string()), '已发送通报摘要的监督人员邮箱'),
        }),
        description:
          '按计数器生成通报（R21.1）：本单位及全部下级单位的汇交、核验、移交、目录上报、完整性核查、安全保密、发布、共享与利用情况，与上期对比；网页（A4 打印、红头“通报”、逾期单位排名、按期率趋势与地区逾期 SVG 图表）、Excel 表格（每部分一张工作表）、JSON 一次写入文档桶，不再修改；通报单位的监督人员收到三项主要指标、逾期最多的五个单位和链接。新生成返回 201，已存在返回 200。',
      }),
    },
    ListBulletins: {
      method: 'GET',
      path: '/supervision/bulletins',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '监督通报列表',
      contract: contract({
        query: z.object({ org: described(z.optional(supervisionOrgCode), '通报单位；默认本单位') }),
        response: z.object({ org: z.string(), items: z.array(bulletinSchema) }),
        description: '某单位的通报，按期间从新到旧（本单位及上级单位的监督人员、组织单位审核人、系统管理员）。',
      }),
    },
    GetBulletinFile: {
      method: 'GET',
      path: '/supervision/bulletins/{bulletinId}/files/{format}',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '通报文件（网页、Excel 表格、JSON）',
      contract: contract({
        path: z.object({
          bulletinId: described(z.string().check(z.minLength(3)).check(z.maxLength(80)), '通报编号，如 440000-NR.2026-11'),
          format: described(z.enum(['html', 'xlsx', 'json']), 'html 网页、xlsx Excel 表格、json 数据'),
        }),
        response: z.object({
          bulletin: bulletinSchema,
          fileName: z.string(),
          contentType: z.string(),
          text: described(z.optional(z.string()), 'html、json：文件内容'),
          base64: described(z.optional(z.string()), 'xlsx：文件内容（Base64）'),
        }),
        description: '通报存档文件（生成后不再修改）。不在本人监督范围内的通报返回 404，与不存在的通报相同。',
      }),
    },
    BulletinPage: {
      method: 'GET',
      path: '/supervision/bulletins/{bulletinId}/page',
      auth: 'public',
      summary: '通报页面（邮件链接）',
      contract: contract({
        path: z.object({ bulletinId: described(z.string().check(z.minLength(1)).check(z.maxLength(128)), '通报编号') }),
        produces: 'text/html',
        description: '邮件中的通报链接打开的页面（无需令牌）：页面本身不含通报内容——它在浏览器中用已登录用户的令牌读取通报并显示，可下载 Excel 表格；未登录时显示登录链接。',
      }),
    },
  },
  schedules: {
    MonthlyBulletins: {
      expression: 'cron(0 7 1 * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'ScheduledBulletins' },
      description: '每月 1 日 07:00 生成上月监督通报（R21.1）',
    },
    QuarterlyBulletins: {
      expression: 'cron(30 7 1 1,4,7,10 ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'ScheduledBulletins' },
      description: '每季度首日 07:30 生成上季度监督通报（R21.1）',
    },
    DailyDeadlineWatch: {
      expression: 'cron(0 8 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'DeadlineWatch' },
      description: '每日 08:00 检查法定期限：提前提醒、到期提醒、逾期每周提醒并告知上级监督人员',
    },
  },
});
