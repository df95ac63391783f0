import * as z from 'zod/mini';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { problemVerificationKind } from '#shared/feedback/verification-kind.ts';
import type { platform } from '../platform/context.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { described } from '#shared/schemas/described.ts';
import { attachmentBodySchema, attachmentViewSchema, decideProblemBodySchema, problemIdSchema, problemViewSchema, reportProblemBodySchema, verifyProblemBodySchema } from '#shared/schemas/feedback.ts';
import { problemStates, severities } from '#shared/feedback/problems.ts';

const problemPath = z.object({ problemId: problemIdSchema });
const changedResponse = z.object({ problem: problemViewSchema, changed: described(z.boolean(), 'false：已是该结果，未作改动') });

/** The feedback context (issue 17): quality problems on results (R19.2) and the escalation of major ones (R19.3). */
export const feedback = defineContext({
  name: 'feedback',
  functions: {
    ReportQualityProblem: {
      entry: './report-problem.ts',
      description: 'A requester or the custodian reports a quality problem on a file or layer of a result (R19.2): stored, audited, R19.2 clock started and counted in one transaction.',
      tables: auditedWrites,
    },
    ListQualityProblems: {
      entry: './list-problems.ts',
      description: 'The quality problems of a result, newest first (one key query), and 质量问题处理中 while a major one is open.',
      tables: readsRegistry,
    },
    ListOrgQualityProblems: {
      entry: './list-org-problems.ts',
      description: 'An organisation\'s quality problems across results (issue 13): the custodian\'s, or the organiser\'s escalated ones; one key query on the list copies, a page at a time, each result through the clearance rule.',
      tables: readsRegistry,
    },
    DecideQualityProblem: {
      entry: './decide-problem.ts',
      description: 'The custodian confirms or rejects a reported problem with reasons (R19.2 clock met, counted); a confirmed major one is escalated to the organiser (R19.3) and its ProblemVerification starts. Conditional, idempotent, audited.',
      tables: auditedWrites,
    },
    VerifyQualityProblem: {
      entry: './verify-problem.ts',
      description: 'The organiser verifies an escalated major problem (R19.3): upheld → responsibility finding recorded and the implementer\'s submitters emailed the order to correct; else dismissed; the open verification task is decided with it (the machine ends). Conditional, idempotent, audited.',
      tables: auditedWrites,
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    RecordProblemVerification: {
      entry: './record-problem-verification.ts',
      description: 'ProblemVerification: the emailed task\'s 属实 (with the finding) / 不属实 applied once on the problem (audited); 属实 emails the implementer\'s submitters the order to correct (R19.3).',
      tables: auditedWrites,
      sendsEmail: true,
    },
    DeclareProblemAttachment: {
      entry: './declare-attachment.ts',
      description: 'The reporter declares an attachment (name, type, size, SHA-256) on its quality problem (R19.2): listed on the problem (conditional, audited) and a presigned write-once PUT on the documents bucket issued.',
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
    },
    GetProblemAttachment: {
      entry: './get-attachment.ts',
      description: 'An attachment of a quality problem for the reporter, the custodian or the organiser (R19.2): 302 to a presigned GET of minutes on the documents bucket; audited.',
      tables: { registry: 'read', logs: 'readWrite' },
      buckets: { documents: 'read' },
    },
  },
  routes: {
    ReportQualityProblem: {
      method: 'POST',
      path: '/feedback/problems',
      auth: ['requester', 'custodian'],
      summary: '报告成果质量问题',
      contract: contract({
        success: [201],
        body: reportProblemBodySchema,
        response: z.object({ problem: problemViewSchema }),
        description:
          '成果需求人（或成果的保管单位）报告质量问题（R19.2）：成果包中的文件或图层（不存在时返回 400 并指明）、位置（范围或要素编号）、问题说明、严重程度（一般/重大）。' +
          '保管单位须在 10 个工作日内确认或驳回（期限监督提醒）。看不到的成果按不存在处理（404）。返回 201。',
      }),
    },
    ListQualityProblems: {
      method: 'GET',
      path: '/feedback/results/{resultNumber}/problems',
      auth: 'any',
      summary: '成果的质量问题列表',
      contract: contract({
        path: z.object({ resultNumber: resultNumberSchema }),
        response: z.object({
          problems: z.array(problemViewSchema),
          qualityStatus: described(z.optional(z.string()), '有未处理完的重大质量问题时为“质量问题处理中”'),
        }),
        description: '成果的全部质量问题，按报告时间从新到旧；有重大问题正在处理时返回 qualityStatus=质量问题处理中。读者看不到的成果按不存在处理（404）。',
      }),
    },
    ListOrgQualityProblems: {
      method: 'GET',
      path: '/feedback/problems',
      auth: ['custodian', 'reviewer'],
      summary: '本单位的质量问题（保管单位待确认的、组织单位待核实的）',
      contract: contract({
        query: z.object({
          side: described(z.optional(z.enum(['custodian', 'organiser'])), 'custodian 本保管单位所保管成果的质量问题（R19.2）；organiser 本单位组织的成果中已提请核实的重大问题（R19.3）；默认：成果保管人为 custodian，否则 organiser'),
          state: described(z.optional(z.enum(problemStates)), '按状态筛选，如 reported 待确认、escalated 待组织单位核实'),
          severity: described(z.optional(z.enum(severities)), '按严重程度筛选：一般 或 重大'),
          result: described(z.optional(z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}(?:-R\d{1,3})?$/, '统一编号格式应为 “保管单位代码-年份-专题代码-6 位序号”，如 440000-CUS-2026-GT-000001'))), '只列出某一成果的问题'),
          limit: described(z._default(z.coerce.number({ error: '每页条数应为数字' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数 1–100')).check(z.lte(100, '每页条数 1–100')), 20), '每页条数 1–100（默认 20）'),
          cursor: described(z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[0-9:.]+Z#QP-\d{8}-[0-9a-f]{4,16}$/, '翻页参数 cursor 应为上一页返回的值'))), '上一页返回的 cursor'),
        }),
        response: z.object({
          org: z.string(),
          side: z.enum(['custodian', 'organiser']),
          today: described(z.string(), '今天（北京时间）'),
          problems: z.array(
            z.extend(problemViewSchema, {
              workingDaysLeft: described(z.optional(z.number().check(z.int())), '待确认时距确认期限（R19.2）的剩余工作日，负数为逾期工作日'),
              overdue: described(z.boolean(), '待确认且已过确认期限'),
            }),
          ),
          cursor: described(z.optional(z.string()), '还有更早的问题时返回：作为下一页的 cursor'),
        }),
        description:
          '工作台“质量问题处理”：成果保管人查看本保管单位所保管的全部成果的质量问题（待确认的给出 R19.2 确认期限与剩余工作日），组织单位审核人员查看本单位组织的成果中已提请核实的重大问题（R19.3）。' +
          '按报告时间从新到旧分页，可按状态、严重程度、成果筛选；超出本人密级的成果的问题不列出（与单个成果的问题列表返回 404 一致）。无相应角色时 403。',
      }),
    },
    DecideQualityProblem: {
      method: 'POST',
      path: '/feedback/problems/{problemId}/decision',
      auth: ['custodian'],
      summary: '确认或驳回质量问题',
      contract: contract({
        path: problemPath,
        body: decideProblemBodySchema,
        response: changedResponse,
        description:
          '成果保管单位的保管人确认或驳回质量问题并说明理由（R19.2）；确认的重大问题即提交组织单位核实（R19.3）。重复提交同一决定不作改动（changed=false），已作出另一决定返回 409。',
      }),
    },
    DeclareProblemAttachment: {
      method: 'POST',
      path: '/feedback/problems/{problemId}/attachments',
      auth: ['requester', 'custodian'],
      summary: '为质量问题添加附件',
      contract: contract({
        success: [200, 201],
        path: problemPath,
        body: attachmentBodySchema,
        response: z.object({
          problem: problemViewSchema,
          attachment: attachmentViewSchema,
          upload: described(z.object({ url: z.string(), headers: z.record(z.string(), z.string()), expiresAt: z.string() }), '预签名 PUT（5 分钟）：按 headers 原样发送，内容须与申报的 SHA-256 和字节数一致，只能写入一次'),
          changed: described(z.boolean(), 'false：同一 SHA-256 已申报过，返回新的上传地址，未作改动'),
        }),
        description:
          `质量问题的报告人添加附件（R19.2）：照片、截图（JPEG/PNG，不超过 10 MB）或 GeoJSON（不超过 2 MB），每个问题最多 5 个。` +
          '申报文件名、类型、字节数和 SHA-256 后返回有效期 5 分钟的预签名 PUT（只能写入一次），附件连同大小和校验值列在问题上（审计）。' +
          '非报告人 403；问题已办结 409；超过 5 个 409；同一 SHA-256 再次申报返回 200 和新的上传地址。新申报返回 201。',
      }),
    },
    GetProblemAttachment: {
      method: 'GET',
      path: '/feedback/problems/{problemId}/attachments/{n}',
      auth: 'any',
      summary: '查看质量问题附件（302 预签名地址）',
      contract: contract({
        success: [302],
        path: z.object({ problemId: problemIdSchema, n: described(z.coerce.number().check(z.int('附件序号应为整数')).check(z.gte(1, '附件序号从 1 开始')).check(z.lte(100, '附件序号不超过 100')), '附件序号') }),
        description:
          '报告人、成果保管单位和组织单位查看质量问题的附件（R19.2）：302 重定向到有效期 5 分钟的预签名地址，文件由对象存储直接传给读者，不经过函数；每次签发都记录审计。' +
          '其他人 403；看不到的成果或不存在的附件 404。',
      }),
    },
    VerifyQualityProblem: {
      method: 'POST',
      path: '/feedback/problems/{problemId}/verification',
      auth: ['reviewer'],
      summary: '组织单位核实重大质量问题',
      contract: contract({
        path: problemPath,
        body: verifyProblemBodySchema,
        response: z.extend(changedResponse, { ordered: described(z.array(z.string()), '已发送责令改正邮件的实施单位人员邮箱') }),
        description:
          '成果组织单位的审核人员核实重大质量问题（R19.3）：属实则记录责任认定（责任方、问题、结论）并以邮件责令实施单位改正；否则不予责令改正。重复提交同一结果不作改动，不在待核实状态返回 409。',
      }),
    },
  },
  starts: {
    DecideQualityProblem: ['ProblemVerification'],
  },
  stateMachines: {
    ProblemVerification: {
      file: 'statemachines/problem-verification.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordProblemVerification', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
  },
  humanTaskKinds: { problemVerification: problemVerificationKind },
});
