import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { evaluationIdPattern } from '#shared/supervision/evaluation.ts';
import { bulletinSchema, clockViewSchema, evaluationViewSchema, incidentViewSchema, regionCodeSchema, confidentialityReviewSchema, securityRecordViewSchema, selfInspectionSchema, supervisionOrgCode, unitFilingSchema } from '#shared/schemas/supervision.ts';
import { unitStatuses } from '#shared/supervision/self-inspection-kinds.ts';
import { checklistAreas } from '#shared/supervision/self-inspection-kinds.ts';
import { classifications } from '#shared/reference/classifications.ts';
import { incidentKinds, incidentStates } from '#shared/supervision/incident-kinds.ts';
import { clockListStates } from '#shared/supervision/clock-list.ts';
import { evaluationAckKind } from '#shared/supervision/evaluation-ack-kind.ts';
import type { platform } from '../platform/context.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';

/**
 * A unified result number, the pattern of resultNumberSchema (shared/schemas/catalogue.ts), written here so this
 * context module (imported by many bundles) does not pull in the catalogue and submission schemas.
 */
const resultNumber = z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}(?:-R\d{1,3})?$/, '统一编号格式应为 “保管单位代码-年份-专题代码-6 位序号”，如 440000-CUS-2026-GT-000001'));

const checkItem = z.object({
  ok: described(z.boolean(), 'true 符合要求；false 发现问题'),
  note: described(z._default(z.string().check(z.trim()).check(z.maxLength(2000)), ''), '检查情况说明（不合格时必填）'),
});

const isoInstantOrDay = z.union([z.iso.date(), z.iso.datetime()]);

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
      description: 'A supervisor asks for a bulletin (R21.1): period and scope checked, then the Bulletin machine builds it (202); an existing bulletin is answered at once (200).',
      tables: readsRegistry,
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
      description: 'Monthly and quarterly: one Bulletin execution per organiser with supervisors for the last whole period (write-once per organisation × period; the execution name makes a second firing start nothing).',
      timeoutSeconds: 300,
      tables: readsRegistry,
    },
    QuarterlyEvaluations: {
      entry: './quarterly-evaluations.ts',
      description: 'Quarterly (R19.2): for each custodian × organiser with activity in its counters (three items per custodian, never the applications), the use-and-quality evaluation of the last whole quarter as Chinese HTML, write-once in the documents bucket, with its record (key, SHA-256, figures; audited); the organiser\'s reviewers emailed once and their acknowledgement task started once per evaluation (EvaluationAcknowledgement; a re-run writes, starts and sends nothing).',
      timeoutSeconds: 300,
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
      sendsEmail: true,
    },
    RecordEvaluationAcknowledgement: {
      entry: './record-evaluation-acknowledgement.ts',
      description: 'EvaluationAcknowledgement: the organiser\'s 已阅 / 有异议 (who, when, note) recorded once on the evaluation record (audited).',
      tables: auditedWrites,
    },
    GetEvaluationFile: {
      entry: './get-evaluation-file.ts',
      description: "One quarterly evaluation's stored HTML with its record (figures, SHA-256, decision), for the custodian and the organiser's reviewers and supervisors (404 otherwise).",
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    GatherBulletin: {
      entry: './gather-bulletin.ts',
      description: 'Bulletin › Gather Counters: the figures of an organisation and every unit below it from the counters (key queries, never the events), stored write-once as the bulletin\'s JSON.',
      memoryMb: 1024,
      timeoutSeconds: 600,
      tables: readsRegistry,
      buckets: { documents: 'readWrite' },
    },
    RenderBulletin: {
      entry: './render-bulletin.ts',
      description: 'Bulletin › Render: the Chinese A4 HTML with its SVG charts (d3-scale, d3-array, d3-path) and the XLSX (write-excel-file) from the stored JSON, write-once. The only function that bundles the chart and workbook writers.',
      memoryMb: 1024,
      timeoutSeconds: 600,
      buckets: { documents: 'readWrite' },
    },
    RecordBulletin: {
      entry: './record-bulletin.ts',
      description: 'Bulletin › Record: the bulletin\'s index entry with its audit record, write-once.',
      tables: auditedWrites,
    },
    EmailBulletin: {
      entry: './email-bulletin.ts',
      description: 'Bulletin › Email: the organisation\'s supervisors get three key figures, the worst five units and the link.',
      tables: readsRegistry,
      sendsEmail: true,
    },
    ReportIncident: {
      entry: './report-incident.ts',
      description: 'Any signed-in user reports a security incident (泄密、丢失、损毁; R20.1): stored with its first timeline step, audited and counted in one transaction; the organisers and the supervisors above them emailed at once.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    MoveIncident: {
      entry: './move-incident.ts',
      description: 'The next step of an incident\'s timeline (verified → measures → closed with conclusions) by the organiser\'s reviewers or a supervisor: conditional, idempotent, audited.',
      tables: auditedWrites,
    },
    ListIncidents: {
      entry: './list-incidents.ts',
      description: 'Security incidents of an organisation and those below it, newest first (one key query per organisation); results above the reader\'s clearance show their number only.',
      tables: readsRegistry,
    },
    GetIncident: {
      entry: './get-incident.ts',
      description: 'One security incident with its timeline, for the reporter, the organiser\'s reviewers and supervisors (404 otherwise); results above the reader\'s clearance show their number only.',
      tables: readsRegistry,
    },
    SupervisionSecurityRecords: {
      entry: './list-security-records.ts',
      description: 'Security records (R20.1: refused requests, reads of 内部 and above) of the caller\'s organisation and those below it, for its supervisors: one key query per organisation and time range, paginated.',
      tables: { registry: 'read', logs: 'read' },
    },
    FileSelfInspection: {
      entry: './file-self-inspection.ts',
      description: 'A custodian or requesting department files its self-inspection (R20.1) for a period: write-once, with the R20.1 clock of each rectification and the counters in the same audited transaction.',
      tables: auditedWrites,
    },
    ListSelfInspections: {
      entry: './list-self-inspections.ts',
      description: 'Who filed a self-inspection for a period, who is late, and the open rectifications, for an organisation and those below it (one key read per unit, one key query per organisation).',
      tables: readsRegistry,
    },
    ListOwnSelfInspections: {
      entry: './list-own-self-inspections.ts',
      description: 'A custodian\'s or requesting department\'s own self-inspections, newest period first (one key query on its partition, paginated), with each rectification\'s R20.1 due date and working days left.',
      tables: readsRegistry,
    },
    CloseRectification: {
      entry: './close-rectification.ts',
      description: 'A rectification item of a self-inspection closed by the unit or a supervisor: its R20.1 clock met in the same audited transaction; conditional and idempotent.',
      tables: auditedWrites,
    },
    OpenSelfInspections: {
      entry: './open-self-inspections.ts',
      description: 'Monthly: opens the period\'s self-inspection clock (R20.1, due on its last day) for every custodian and requesting department that has not filed, once per unit × period (audited); the deadline watch reminds them and tells their supervisors when late.',
      timeoutSeconds: 300,
      tables: auditedWrites,
    },
    RecordConfidentialityReview: {
      entry: './record-confidentiality-review.ts',
      description: 'The organiser\'s reviewer records a confidentiality review (保密审查, R20.1) of one catalogue entry version: who, when, conclusion, basis; write-once, audited and counted. A catalogue edit that lowers the classification applies it.',
      tables: auditedWrites,
    },
    ListConfidentialityReviews: {
      entry: './list-confidentiality-reviews.ts',
      description: 'Confidentiality reviews of an organisation and those below it, newest first (one key query per organisation); entry names above the reader\'s clearance hidden.',
      tables: readsRegistry,
    },
  },
  routes: {
    ListClocks: {
      method: 'GET',
      path: '/supervision/clocks',
      auth: ['supervisor', 'reviewer', 'administrator', 'custodian'],
      summary: '法定期限列表（运行中、逾期、已办结）',
      contract: contract({
        query: z.object({
          org: described(z.optional(supervisionOrgCode), '组织代码；默认本单位'),
          type: described(z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(20))), '期限类型（需求条目编号），如 R6.1、R7.2、R8.1、R9.1'),
          region: described(z.optional(regionCodeSchema), '行政区划代码：只列出该区域（含下级区域）的期限'),
          state: described(z._default(z.enum(clockListStates), 'open'), 'open 未办结（运行中与逾期）、running 未到期、overdue 已逾期、met 已办结、cancelled 已取消（因另一单位的决定而无需办理）'),
          subordinates: described(z._default(z.enum(['true', 'false']), 'true'), '是否包含下级单位（默认包含）'),
        }),
        response: z.object({
          org: z.string(),
          orgs: described(z.array(z.string()), '本次查询涉及的组织'),
          today: described(z.string(), '今天（北京时间）'),
          items: z.array(clockViewSchema),
        }),
        description:
          '法定期限（R6.1 汇交、R7.2 重新汇交、R8.1 移交、R9.1 目录上报；其他业务声明新的期限类型后自动纳入）。监督人员可查看本单位及下级单位，组织单位审核人可查看本单位所辖单位，系统管理员可查看任一单位；保管单位只能查看本单位的期限（其他单位返回 403）。按组织的键查询，不做全表扫描。',
      }),
    },
    IssueBulletin: {
      method: 'POST',
      path: '/supervision/bulletins',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '生成监督通报（月度或季度）',
      contract: contract({
        success: [200, 202],
        body: z.object({
          period: described(z.string().check(z.trim()).check(z.minLength(1, '请填写通报期间')).check(z.maxLength(10)), '通报期间：月度 YYYY-MM（如 2026-11），季度 YYYY-Qn（如 2026-Q4）；不能是尚未开始的期间'),
          org: described(z.optional(supervisionOrgCode), '通报单位；默认本单位（须为本单位或下级单位）'),
        }),
        response: z.object({
          bulletinId: described(z.string(), '通报编号：组织代码.期间'),
          state: described(z.enum(['issued', 'issuing']), 'issued 该期间的通报已存在（生成后不再修改），issuing 正在生成'),
          bulletin: described(z.optional(bulletinSchema), '已存在的通报'),
          pageUrl: described(z.string(), '通报页面链接（邮件中的链接）'),
        }),
        description:
          '按计数器生成通报（R21.1）：本单位及全部下级单位的汇交、核验、移交、目录上报、完整性核查、安全保密、发布、共享与利用情况，与上期对比。' +
          '由通报流程（状态机 Bulletin：汇总计数器 → 生成网页、SVG 图表与 Excel 表格 → 一次写入文档桶 → 邮件通知）生成：网页（A4 打印、红头“通报”、逾期单位排名、按期率趋势与地区逾期 SVG 图表）、Excel 表格（每部分一张工作表）、JSON，不再修改；通报单位的监督人员收到三项主要指标、逾期最多的五个单位和链接。' +
          '开始生成返回 202（生成后出现在通报列表中），该期间的通报已存在返回 200。',
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
    GetEvaluationFile: {
      method: 'GET',
      path: '/supervision/evaluations/{evaluationId}/file',
      auth: 'any',
      summary: '成果利用与质量季度评价文件',
      contract: contract({
        path: z.object({
          evaluationId: described(z.string().check(z.regex(evaluationIdPattern, '评价编号格式应为 “保管单位代码.组织单位代码.YYYY-Qn”')), '评价编号：保管单位代码.组织单位代码.季度，如 440000-CUS.440000-NR.2026-Q4'),
        }),
        response: z.object({
          evaluation: evaluationViewSchema,
          fileName: z.string(),
          contentType: z.string(),
          text: described(z.string(), '评价文件（HTML）内容'),
        }),
        description: '保管单位的季度成果利用与质量评价存档文件（R19.2，生成后不再修改）及其记录（各项数据、SHA-256、组织单位的确认结果）。保管单位本单位人员、组织单位审核人员及其上级监督人员、系统管理员可查看；其他人返回 404，与不存在的评价相同。',
      }),
    },
    ReportIncident: {
      method: 'POST',
      path: '/supervision/incidents',
      auth: 'any',
      summary: '报告安全保密事件（泄密、丢失、损毁）',
      contract: contract({
        success: [201],
        body: z.object({
          kind: described(z.enum(incidentKinds), 'leak 泄密、loss 丢失、damage 损毁'),
          description: described(z.string().check(z.trim()).check(z.minLength(5, '请说明发生了什么（至少 5 个字）')).check(z.maxLength(4000)), '发生了什么'),
          resultNumbers: described(z.array(resultNumber).check(z.minLength(1, '请填写涉及的成果统一编号')).check(z.maxLength(50)), '涉及成果的统一编号'),
          foundOn: described(z.iso.date(), '发现日期 YYYY-MM-DD（不能晚于今天）'),
          measures: described(z.string().check(z.trim()).check(z.minLength(2, '请填写已采取的措施')).check(z.maxLength(4000)), '已采取的措施'),
        }),
        response: z.object({ incident: incidentViewSchema, notified: described(z.array(z.string()), '已立即通知的人员邮箱') }),
        description:
          '任何已登录用户均可立即报告安全保密事件（R20.1）：成果的组织单位审核人员及其监督人员、上级监督人员立即收到邮件（邮件只列统一编号）。事件按时间线处理：已报告 → 已核实 → 已采取处置措施 → 已结案（须填写结论），并计入下一期通报的“安全保密”部分。',
      }),
    },
    MoveIncident: {
      method: 'POST',
      path: '/supervision/incidents/{incidentId}/transitions',
      auth: 'any',
      summary: '处理安全保密事件（核实、处置、结案）',
      contract: contract({
        path: z.object({ incidentId: described(z.string().check(z.minLength(5)).check(z.maxLength(60)), '事件编号') }),
        body: z.object({
          to: described(z.enum(['verified', 'measures', 'closed']), '下一步：verified 已核实、measures 已采取处置措施、closed 已结案'),
          note: described(z.string().check(z.trim()).check(z.minLength(2, '请填写说明')).check(z.maxLength(4000)), '核实情况或处置措施'),
          conclusions: described(z.optional(z.string().check(z.trim()).check(z.maxLength(4000))), '结案结论（结案时必填）'),
        }),
        response: z.object({ incident: incidentViewSchema, changed: described(z.boolean(), 'false：事件已处于该状态，未作改动') }),
        description:
          '成果组织单位的审核人员或本级及上级监督人员推进事件时间线，每次只能进入下一步；重复提交同一步不作改动（changed=false）；跳步返回 409；事件刚被他人处理返回 409。报告人可查看但不能处理（403）；其他人返回 404。',
      }),
    },
    ListIncidents: {
      method: 'GET',
      path: '/supervision/incidents',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '安全保密事件列表',
      contract: contract({
        query: z.object({
          org: described(z.optional(supervisionOrgCode), '组织代码；默认本单位（含下级单位）'),
          state: described(z.optional(z.enum(['open', ...incidentStates])), 'open 未结案，或某一状态'),
        }),
        response: z.object({ org: z.string(), items: z.array(incidentViewSchema) }),
        description: '本单位及下级单位的安全保密事件，按报告时间从新到旧；密级高于读者的成果只显示统一编号。',
      }),
    },
    GetIncident: {
      method: 'GET',
      path: '/supervision/incidents/{incidentId}',
      auth: 'any',
      summary: '安全保密事件详情与时间线',
      contract: contract({
        path: z.object({ incidentId: described(z.string().check(z.minLength(5)).check(z.maxLength(60)), '事件编号') }),
        response: z.object({ incident: incidentViewSchema }),
        description: '报告人、成果组织单位的审核人员和监督人员可查看；其他人返回 404。密级高于读者的成果只显示统一编号。',
      }),
    },
    SupervisionSecurityRecords: {
      method: 'GET',
      path: '/supervision/security-records',
      auth: ['supervisor', 'administrator'],
      summary: '安全记录（被拒绝的请求与内部及以上密级记录的读取）',
      contract: contract({
        query: z.object({
          org: described(z.optional(supervisionOrgCode), '组织代码；默认本单位（含下级单位）'),
          from: described(z.optional(isoInstantOrDay), '起始时间（含），ISO 8601 日期或时间；默认 30 天前'),
          to: described(z.optional(isoInstantOrDay), '结束时间（含当日），ISO 8601 日期或时间'),
          subordinates: described(z._default(z.enum(['true', 'false']), 'true'), '是否包含下级单位的记录（默认包含）'),
          limit: described(z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(200)), 50), '每页条数 1–200（默认 50）'),
          cursor: described(z.optional(z.string().check(z.iso.datetime())), '上一页返回的 cursor（该时间之前的记录）'),
        }),
        response: z.object({
          org: z.string(),
          orgs: described(z.array(z.string()), '本次查询涉及的组织'),
          items: z.array(securityRecordViewSchema),
          cursor: described(z.optional(z.string()), '还有更早的记录时返回：作为下一页的 cursor'),
        }),
        description:
          '安全记录（R20.1）：被拒绝的请求（401、403、因密级返回的 404、涉及受保护记录的 409）和对内部及以上密级记录的每次读取。监督人员查看本单位及下级单位的记录（其他单位 403），系统管理员可查看任一单位；按组织与时间的键查询，不做全表扫描，按时间从新到旧分页。',
      }),
    },
    FileSelfInspection: {
      method: 'POST',
      path: '/supervision/self-inspections',
      auth: ['custodian', 'requester'],
      summary: '填报保密自查报告',
      contract: contract({
        success: [200, 201],
        body: z.object({
          period: described(z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(10))), '自查期间：默认本期；季度 YYYY-Qn（如 2026-Q4），按月自查时 YYYY-MM；可补报以前的期间，不能是尚未开始的期间'),
          checklist: described(
            z.object(Object.fromEntries(checklistAreas.map((a) => [a, checkItem])) as Record<(typeof checklistAreas)[number], typeof checkItem>),
            '检查清单：storage 存储、access 访问控制、media 介质管理、training 人员培训；不合格项须说明情况',
          ),
          findings: described(z.string().check(z.trim()).check(z.minLength(2, '请填写发现的问题（没有问题请填“未发现问题”）')).check(z.maxLength(4000)), '发现的问题'),
          rectifications: described(
            z._default(
              z.array(
                z.object({
                  item: described(z.string().check(z.trim()).check(z.minLength(2, '请填写整改事项')).check(z.maxLength(500)), '整改事项'),
                  owner: described(z.string().check(z.trim()).check(z.minLength(2, '请填写责任人')).check(z.maxLength(100)), '责任人'),
                  due: described(z.iso.date(), '整改期限 YYYY-MM-DD（晚于今天）'),
                }),
              ).check(z.maxLength(50)),
              [],
            ),
            '整改事项：每项成为一个 R20.1 整改期限，由期限监控提醒责任单位',
          ),
        }),
        response: z.object({ selfInspection: selfInspectionSchema, created: described(z.boolean(), 'false：该期间已填报，未作改动') }),
        description:
          '成果保管单位和需求部门按期（默认每季度）填报保密自查报告（R20.1）：检查清单（存储、访问控制、介质管理、人员培训）、发现的问题和整改事项（责任人、整改期限）。每个整改事项成为一个整改期限，与报告同一事务记录并审计，计入通报“安全保密”部分。同一期间只填报一次：再次提交返回已填报的报告（200，created=false）。',
      }),
    },
    ListSelfInspections: {
      method: 'GET',
      path: '/supervision/self-inspections',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '保密自查填报情况与未完成的整改',
      contract: contract({
        query: z.object({
          org: described(z.optional(supervisionOrgCode), '组织代码；默认本单位（含下级单位）'),
          period: described(z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(10))), '自查期间；默认本期（季度 YYYY-Qn，按月自查时 YYYY-MM）'),
        }),
        response: z.object({
          org: z.string(),
          period: z.string(),
          periodLabel: z.string(),
          due: described(z.string(), '该期间的填报期限'),
          today: z.string(),
          units: described(z.array(unitFilingSchema), '应填报的单位（保管单位、需求部门）：逾期未填报在前'),
          openRectifications: described(z.array(clockViewSchema), '未完成的整改事项（R20.1 整改期限），期限早的在前'),
        }),
        description: '组织单位审核人员、监督人员（本单位及下级单位）和系统管理员查看：哪些单位已填报、哪些逾期未填报，以及未完成的整改事项。按单位的键读取，不做全表扫描。',
      }),
    },
    ListOwnSelfInspections: {
      method: 'GET',
      path: '/supervision/self-inspections/own',
      auth: ['custodian', 'requester'],
      summary: '本单位的保密自查报告与整改事项',
      contract: contract({
        query: z.object({
          limit: described(z._default(z.coerce.number({ error: '每页条数应为数字' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数 1–50')).check(z.lte(50, '每页条数 1–50')), 8), '每页条数 1–50（默认 8）'),
          cursor: described(z.optional(z.string().check(z.regex(/^\d{4}-(?:\d{2}|Q[1-4])$/, '翻页参数 cursor 应为上一页返回的自查期间'))), '上一页返回的 cursor（更早的期间）'),
        }),
        response: z.object({
          org: z.string(),
          orgName: z.string(),
          today: described(z.string(), '今天（北京时间）'),
          current: described(
            z.object({ period: z.string(), periodLabel: z.string(), due: z.string(), status: z.enum(unitStatuses), statusLabel: z.string() }),
            '本期：填报期限与填报情况（filed 已按期填报、filedLate 逾期填报、pending 尚未填报、late 逾期未填报）',
          ),
          items: z.array(
            z.extend(selfInspectionSchema, {
              rectifications: z.array(
                z.extend(selfInspectionSchema.shape.rectifications._zod.def.element, {
                  workingDaysLeft: described(z.optional(z.number().check(z.int())), '整改中：距整改期限（R20.1）的剩余工作日，负数为逾期工作日'),
                  overdue: described(z.boolean(), '整改中且已过期限，或晚于期限整改完成'),
                }),
              ),
            }),
          ),
          cursor: described(z.optional(z.string()), '还有更早的期间时返回：作为下一页的 cursor'),
        }),
        description:
          '成果保管单位和需求部门查看本单位历次保密自查报告（R20.1），按期间从新到旧分页：检查清单、发现的问题和每个整改事项（责任人、整改期限、剩余工作日或逾期、整改情况），以及本期的填报期限与填报情况。只能查看本单位；不需填报自查的单位返回 403。',
      }),
    },
    CloseRectification: {
      method: 'POST',
      path: '/supervision/self-inspections/{inspectionId}/rectifications/{index}/close',
      auth: 'any',
      summary: '关闭整改事项（整改完成）',
      contract: contract({
        path: z.object({
          inspectionId: described(z.string().check(z.minLength(5)).check(z.maxLength(80)), '自查报告编号，如 440000-CUS.2026-Q4'),
          index: described(z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(49)), '整改事项序号（从 0 起）'),
        }),
        body: z.object({ note: described(z.string().check(z.trim()).check(z.minLength(2, '请说明整改情况')).check(z.maxLength(4000)), '整改情况') }),
        response: z.object({ selfInspection: selfInspectionSchema, changed: described(z.boolean(), 'false：该事项已关闭，未作改动') }),
        description: '填报单位或其监督人员（组织单位审核人员）关闭整改事项：其整改期限同一事务办结（按期或逾期），审计。已关闭的再次提交不作改动；不在范围内返回 404；刚被他人更新返回 409。',
      }),
    },
    RecordConfidentialityReview: {
      method: 'POST',
      path: '/supervision/confidentiality-reviews',
      auth: ['reviewer', 'publisher'],
      summary: '记录保密审查结论（目录条目降密或公开前）',
      contract: contract({
        success: [201],
        body: z.object({
          resultNumber: described(resultNumber, '成果统一编号'),
          toClassification: described(z._default(z.enum(classifications), 'public'), '审查的目标密级（默认 public 公开），须低于条目当前密级'),
          conclusion: described(z.enum(['approved', 'refused']), 'approved 同意；refused 不同意'),
          basis: described(z.string().check(z.trim()).check(z.minLength(5, '请填写审查依据（至少 5 个字）')).check(z.maxLength(4000)), '审查依据：对照的保密事项范围、脱密处理情况等'),
        }),
        response: z.object({ review: confidentialityReviewSchema }),
        description:
          '目录条目公开或降低密级之前，成果组织单位的审核人员或发布审批人员记录保密审查结论（R20.1）：审查人、时间、结论、依据，针对条目的当前版本和目标密级，单独记录并审计。保管人修改目录降低密级时须填写同意的审查编号（confidentialityReviewId），同一审查只能使用一次。超出本人密级的条目返回 404。',
      }),
    },
    ListConfidentialityReviews: {
      method: 'GET',
      path: '/supervision/confidentiality-reviews',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '保密审查记录',
      contract: contract({
        query: z.object({
          org: described(z.optional(supervisionOrgCode), '组织代码；默认本单位（含下级单位）'),
          resultNumber: described(z.optional(resultNumber), '只列出某一成果的审查'),
          conclusion: described(z.optional(z.enum(['approved', 'refused'])), '按结论筛选'),
        }),
        response: z.object({ org: z.string(), items: z.array(confidentialityReviewSchema) }),
        description: '本单位及下级单位（按成果的组织单位）的保密审查记录，从新到旧；条目密级高于读者时不显示名称。其他省的单位返回 404。',
      }),
    },
  },
  starts: {
    IssueBulletin: ['Bulletin'],
    ScheduledBulletins: ['Bulletin'],
    QuarterlyEvaluations: ['EvaluationAcknowledgement'],
  },
  stateMachines: {
    Bulletin: {
      file: 'statemachines/bulletin.asl.json',
      functions: ['GatherBulletin', 'RenderBulletin', 'RecordBulletin', 'EmailBulletin', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
    EvaluationAcknowledgement: {
      file: 'statemachines/evaluation-acknowledgement.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordEvaluationAcknowledgement', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
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
    QuarterlyEvaluations: {
      expression: 'cron(0 8 1 1,4,7,10 ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'QuarterlyEvaluations' },
      description: '每季度首日 08:00 生成上季度各保管单位成果利用与质量评价，报送组织单位（R19.2）',
    },
    SelfInspectionReminders: {
      expression: 'cron(0 9 1 * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'OpenSelfInspections' },
      description: '每月 1 日 09:00：为尚未填报本期保密自查的保管单位和需求部门开始本期填报期限（期间最后一天到期）；由每日期限监控提前提醒、到期提醒，逾期告知上级监督人员（周期由 SELF_INSPECTION_CADENCE 配置，默认每季度）',
    },
    DailyDeadlineWatch: {
      expression: 'cron(0 8 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'DeadlineWatch' },
      description: '每日 08:00 检查法定期限：提前提醒、到期提醒、逾期每周提醒并告知上级监督人员',
    },
  },
  humanTaskKinds: { evaluationAck: evaluationAckKind },
});
