import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { humanTaskDecisions, humanTaskStatuses } from '#shared/ports/tasks.ts';
import { isoDateSchema } from './calendar.ts';
import { defectSchema, versionStatusSchema } from './submission.ts';
import { themeIdSchema } from './theme.ts';

/** Body of a human-task decision (通过/退回). */
export const decideHumanTaskBodySchema = z.object({
  decision: described(z.enum(humanTaskDecisions, { error: '决定应为 approve（通过）或 return（退回）' }), 'approve 通过 · return 退回'),
  reasons: described(z._default(z
    .string({ error: '请填写理由（字符串）' }).check(z.maxLength(4000, '理由不超过 4000 字')), ''), '理由；退回时必填（至少 5 个字），将反馈给汇交单位（R7.2）'),
  conditions: described(z.optional(z.object({
    to: z.optional(isoDateSchema),
    files: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)).check(z.maxLength(1000))),
    scope: z.optional(z.string().check(z.trim()).check(z.minLength(2)).check(z.maxLength(1000))),
    useReportDue: z.optional(isoDateSchema),
    finding: z.optional(z.object({
      who: z.string({ error: '请填写责任方' }).check(z.trim()).check(z.maxLength(200, '责任方不超过 200 字')),
      what: z.string({ error: '请填写责任事项' }).check(z.trim()).check(z.maxLength(4000, '责任事项不超过 4000 字')),
      conclusion: z.string({ error: '请填写认定结论' }).check(z.trim()).check(z.maxLength(4000, '认定结论不超过 4000 字')),
    })),
    processing: z.optional(z.enum(['consent', 'refuse'])),
  })), '仅成果共享审核同意时：to 缩短期限至 · files 限定文件 · scope 限定使用范围 · useReportDue 利用情况报告应交日期（R19.1，默认为期限届满日）；重大质量问题核实属实时：finding 责任认定（who 责任方 · what 问题 · conclusion 结论，R19.3）；成果共享审核同意且申请加工时：processing（consent 同意加工 · refuse 只提供原始数据，R13.1）'),
});
export type DecideHumanTaskBody = z.infer<typeof decideHumanTaskBodySchema>;

/** The custodian's receipt (R8.1) and the forestry copy's acknowledgement (R8.2): the result and, once numbered, its entry. */
const transferSummarySchema = <K extends string>(kind: K) =>
  z.object({
    kind: z.literal(kind),
    submission: z.object({
      submissionId: z.string(),
      name: z.string(),
      theme: themeIdSchema,
      themeLabel: described(z.string(), '成果专题名称，如 国土调查'),
      organiserOrg: z.string(),
      organiserName: described(z.string(), '组织单位名称（未登记时为代码）'),
      implementerOrg: z.string(),
      implementerName: described(z.string(), '实施（汇交）单位名称'),
      custodianOrg: z.string(),
      custodianName: described(z.string(), '保管单位名称'),
      classificationLabel: z.string(),
      currentVersion: z.number().check(z.int()),
    }),
    entry: z.nullable(z.object({ resultNumber: z.string(), name: z.string(), custodian: z.string(), custodianName: z.string() })),
  });

/** R7.1: one countersigning unit's opinion, as the organiser's review page shows it. */
export const countersignOpinionSchema = z.object({
  org: z.string(),
  orgName: z.string(),
  capacity: described(z.string(), '技术单位 或 保管单位'),
  taskId: z.nullable(z.string()),
  status: described(z.enum([...humanTaskStatuses, 'pending']), 'pending 尚未开始 · open 待会签 · decided 已会签 · expired 已超时失效'),
  statusLabel: z.string(),
  opinion: described(z.optional(z.enum(humanTaskDecisions)), 'approve 同意 · return 不同意'),
  opinionLabel: z.optional(z.string()),
  reasons: z.optional(z.string()),
  decidedBy: z.optional(z.string()),
  decidedAt: z.optional(z.string()),
  decidedAtLabel: z.optional(z.string()),
});

const reviewSummaryShape = {
  submission: z.object({
    submissionId: z.string(),
    name: z.string(),
    taskId: z.string(),
    taskName: described(z.string(), '调查监测任务名称'),
    theme: themeIdSchema,
    themeLabel: z.string(),
    regionCode: z.string(),
    regionName: described(z.string(), '行政区名称（GB/T 2260）'),
    classificationLabel: z.string(),
    organiserOrg: z.string(),
    implementerOrg: z.string(),
    implementerName: z.string(),
    custodianOrg: z.string(),
  }),
  version: z.object({
    n: z.number().check(z.int()),
    status: versionStatusSchema,
    statusLabel: z.string(),
    fileCount: z.number().check(z.int()),
    totalBytes: z.number(),
    totalSize: z.string(),
    sealedAt: z.optional(z.string()),
    sealedAtLabel: described(z.optional(z.string()), '封存时间（北京时间），供阅读'),
  }),
  report: described(z.nullable(z
    .object({
      passed: z.boolean(),
      checkedAt: z.string(),
      checkedAtLabel: described(z.string(), '核验时间（北京时间），供阅读'),
      profileLabel: z.string(),
      regionName: z.string(),
      summary: z.object({ files: z.number(), errors: z.number(), warnings: z.number(), checksumsFromStore: z.number(), checksumsStreamed: z.number() }),
      defectCount: z.number().check(z.int()),
      defects: described(z.array(defectSchema), '前 200 项问题；完整清单见核验报告'),
      jsonPath: z.string(),
      htmlPath: z.string(),
      pagePath: described(z.string(), '核验报告页面（浏览器打开，登录后显示）'),
      mapSvg: described(z.optional(z.string()), '数据范围示意图（SVG）：申报行政区外包框与各图层范围'),
    })), '自动核验报告摘要；尚未生成时为 null'),
};

export const technicalReviewSummarySchema = z.object({
  kind: z.literal('technicalReview'),
  ...reviewSummaryShape,
  reviewOrg: described(z.string(), '作出技术审核决定的单位（R7.1：组织单位或其指定的技术单位）'),
  countersign: described(z.array(countersignOpinionSchema), '技术审核前的会签意见（R7.1），每个会签单位一行；无会签时为空'),
});

/** R7.1: what a countersigning unit sees — the same package and report, and which unit it speaks for. */
export const technicalCountersignSummarySchema = z.object({
  kind: z.literal('technicalCountersign'),
  ...reviewSummaryShape,
  unit: z.object({ org: z.string(), orgName: z.string(), capacity: z.string() }),
});

/** Issue 15: what the confidentiality review and the approval of a publication show (shared/publication/tasks.ts). */
const publicationSummaryShape = {
  words: z.object({ approve: z.string(), ret: z.string() }),
  requestId: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  round: z.number(),
  release: z.record(z.string(), z.string()),
  desensitisation: described(z.nullable(z.record(z.string(), z.unknown())), '本轮发布版本的脱密脱敏记录（R11.1）'),
  rule: z.record(z.string(), z.unknown()),
  rounds: z.array(z.record(z.string(), z.unknown())),
  embargoUntil: z.optional(z.string()),
  programme: z.optional(z.string()),
};

export const humanTaskViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  title: z.string(),
  status: described(z.enum(humanTaskStatuses), 'open 待处理 · decided 已处理 · expired 已超时失效'),
  statusLabel: z.string(),
  canDecide: z.boolean(),
  createdAt: z.string(),
  due: described(isoDateSchema, '办理期限（创建后 5 个工作日）'),
  workingDaysLeft: described(z.number().check(z.int()), '距办理期限的工作日数；逾期为负数'),
  overdue: z.boolean(),
  expiresAt: described(z.string(), '流程等待的最后时刻；此后的决定不被接受'),
  escalationLevel: described(z.number().check(z.int()), '0 为首轮；每上报一级加 1'),
  assignees: z.array(z.string()),
  decisionWords: described(z.object({ approve: z.string(), ret: z.string() }), '该类任务两种决定的中文用语（与任务页面和邮件相同），如 同意共享 / 不予共享'),
  needsTaskPage: described(z.boolean(), '该类任务除决定与理由外还需填写附加条件或认定（如共享条件、责任认定），请在任务页面办理'),
  decision: z.optional(z
    .object({
      decision: z.enum(humanTaskDecisions),
      decisionLabel: z.string(),
      reasons: z.string(),
      decidedBy: z.string(),
      decidedAt: z.string(),
      decidedAtLabel: described(z.string(), '决定时间（北京时间），供阅读'),
    })),
  details: described(z.array(z.string()), '任务说明（与邮件中相同的几行）'),
  summary: z.discriminatedUnion('kind', [
    technicalReviewSummarySchema,
    technicalCountersignSummarySchema,
    transferSummarySchema('custodyReceipt'),
    transferSummarySchema('forestryCopyAck'),
    z.object({
      kind: z.literal('destructionApproval'),
      entry: z.object({ resultNumber: z.string(), name: z.string(), theme: themeIdSchema, themeLabel: z.string(), regionCode: z.string(), regionName: z.string(), classificationLabel: z.string(), custodian: z.string(), custodianName: z.string(), organiserOrg: z.string() }),
      destruction: z.object({ destructionId: z.string(), status: z.string(), statusLabel: z.string(), reasons: z.string(), requestedBy: z.string(), requestedAt: z.string(), requestedAtLabel: z.string() }),
    }),
    z.object({
      kind: z.literal('sharingReview'),
      application: z.object({
        applicationId: z.string(), requesterOrg: z.string(), requesterName: z.string(), requestedBy: z.string(), requestedAtLabel: z.string(),
        purpose: z.string(), scope: z.string(), from: z.string(), to: z.string(), contact: z.string(), channelLabel: z.string(),
        items: z.array(z.object({ resultNumber: z.string(), name: z.string(), classificationLabel: z.string(), content: z.string() })),
        processing: z.optional(z.object({ kindLabels: z.string(), spec: z.string() })),
      }),
      history: z.object({ approved: z.number(), rejected: z.number(), grants: z.array(z.string()) }),
      otherGrants: described(z.array(z.object({ resultNumber: z.string(), holders: z.array(z.object({ org: z.string(), name: z.string(), grantId: z.string() })) })), '其他单位已获准共享的同一成果（授权不得转让，R18.1）'),
    }),
    z.object({
      kind: z.literal('problemVerification'),
      problem: z.object({
        problemId: z.string(), resultNumber: z.string(), file: z.string(), description: z.string(), severity: z.string(), stateLabel: z.string(),
        attachments: z.array(z.object({ n: z.number(), name: z.string(), size: z.number(), sha256: z.string() })),
      }),
    }),
    z.object({
      kind: z.literal('derivedProductReview'),
      product: z.object({ productId: z.string(), name: z.string(), description: z.string(), processing: z.string(), requesterOrg: z.string(), requesterName: z.string(), grantId: z.string(), registeredAtLabel: z.string() }),
      sources: z.array(z.object({ resultNumber: z.string(), classificationLabel: z.string() })),
    }),
    z.object({
      kind: z.literal('publicationReview'),
      ...publicationSummaryShape,
      package: z.nullable(z.object(reviewSummaryShape)),
      files: z.object({ count: z.number(), totalSize: z.string(), listed: z.array(z.record(z.string(), z.unknown())) }),
    }),
    z.object({
      kind: z.literal('publicationApproval'),
      ...publicationSummaryShape,
      approver: z.record(z.string(), z.string()),
      otherDecisions: described(z.array(z.record(z.string(), z.unknown())), '联合审批（R12.2）时另一审批单位的决定'),
      closed: described(z.optional(z.object({ at: z.string(), reason: z.string() })), '联合审批中另一审批单位不予发布，本审批已关闭（不能再作决定）的时间与原因'),
    }),
    z.object({
      kind: z.literal('publicationWithdrawal'),
      words: z.object({ approve: z.string(), ret: z.string() }),
      withdrawal: described(z.record(z.string(), z.string()), '撤回申请：编号、状态、原因、申请人、适用规则'),
      release: z.record(z.string(), z.string()),
      approver: z.record(z.string(), z.string()),
      otherDecisions: described(z.array(z.record(z.string(), z.unknown())), '共同决定（R12.2）时另一审批单位的决定'),
      closed: described(z.optional(z.object({ at: z.string(), reason: z.string() })), '另一审批单位不予撤回，本审批已关闭的时间与原因'),
    }),
    z.object({
      kind: z.literal('evaluationAck'),
      evaluation: z.object({
        evaluationId: z.string(), custodianOrg: z.string(), custodianName: z.string(), organiserOrg: z.string(), quarter: z.string(), quarterLabel: z.string(),
        figures: z.array(z.object({ key: z.string(), label: z.string(), value: z.number() })), key: z.string(), sha256: z.string(), filePath: z.string(),
      }),
    }),
    z.object({
      kind: z.literal('catalogueReportAck'),
      report: z.object({
        reportId: z.string(),
        custodianOrg: z.string(),
        custodianName: z.string(),
        recipientOrg: z.string(),
        status: z.string(),
        statusLabel: z.string(),
        sentBy: z.string(),
        sentAt: z.string(),
        dueDate: z.string(),
        resultNumbers: described(z.array(z.string()), '统一编号（条目内容按读者密级经 GET /catalogue-reports/{reportId} 读取）'),
      }),
    }),
  ]),
});


/** One line of 待办 (GET /human-tasks): an open task the caller may decide. */
export const myHumanTaskItemSchema = z.object({
  id: z.string(),
  kind: z.string(),
  kindLabel: described(z.string(), '任务类型中文名称，如 技术审核'),
  title: z.string(),
  createdAt: z.string(),
  due: described(isoDateSchema, '办理期限'),
  workingDaysLeft: described(z.number().check(z.int()), '距办理期限的工作日数；逾期为负数'),
  overdue: z.boolean(),
  escalationLevel: z.number().check(z.int()),
  assigneeOrg: described(z.string(), '任务指派的单位'),
  pagePath: described(z.string(), '任务页面（与邮件中的链接相同）'),
});
