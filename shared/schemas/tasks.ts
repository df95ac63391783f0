import * as z from 'zod';
import { humanTaskDecisions, humanTaskStatuses } from '#shared/ports/tasks.ts';
import { isoDateSchema } from './calendar.ts';
import { defectSchema, versionStatusSchema } from './submission.ts';
import { themeIdSchema } from './theme.ts';

/** Body of a human-task decision (通过/退回). */
export const decideHumanTaskBodySchema = z.object({
  decision: z.enum(humanTaskDecisions, { error: '决定应为 approve（通过）或 return（退回）' }).describe('approve 通过 · return 退回'),
  reasons: z
    .string({ error: '请填写理由（字符串）' })
    .max(4000, '理由不超过 4000 字')
    .default('')
    .describe('理由；退回时必填（至少 5 个字），将反馈给汇交单位（R7.2）'),
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
      themeLabel: z.string().describe('成果专题名称，如 国土调查'),
      organiserOrg: z.string(),
      organiserName: z.string().describe('组织单位名称（未登记时为代码）'),
      implementerOrg: z.string(),
      implementerName: z.string().describe('实施（汇交）单位名称'),
      custodianOrg: z.string(),
      custodianName: z.string().describe('保管单位名称'),
      classificationLabel: z.string(),
      currentVersion: z.number().int(),
    }),
    entry: z.object({ resultNumber: z.string(), name: z.string(), custodian: z.string(), custodianName: z.string() }).nullable(),
  });

export const technicalReviewSummarySchema = z.object({
  kind: z.literal('technicalReview'),
  submission: z.object({
    submissionId: z.string(),
    name: z.string(),
    taskId: z.string(),
    taskName: z.string().describe('调查监测任务名称'),
    theme: themeIdSchema,
    themeLabel: z.string(),
    regionCode: z.string(),
    regionName: z.string().describe('行政区名称（GB/T 2260）'),
    classificationLabel: z.string(),
    organiserOrg: z.string(),
    implementerOrg: z.string(),
    implementerName: z.string(),
    custodianOrg: z.string(),
  }),
  version: z.object({
    n: z.number().int(),
    status: versionStatusSchema,
    statusLabel: z.string(),
    fileCount: z.number().int(),
    totalBytes: z.number(),
    totalSize: z.string(),
    sealedAt: z.string().optional(),
    sealedAtLabel: z.string().optional().describe('封存时间（北京时间），供阅读'),
  }),
  report: z
    .object({
      passed: z.boolean(),
      checkedAt: z.string(),
      checkedAtLabel: z.string().describe('核验时间（北京时间），供阅读'),
      profileLabel: z.string(),
      regionName: z.string(),
      summary: z.object({ files: z.number(), errors: z.number(), warnings: z.number(), checksumsFromStore: z.number(), checksumsStreamed: z.number() }),
      defectCount: z.number().int(),
      defects: z.array(defectSchema).describe('前 200 项问题；完整清单见核验报告'),
      jsonPath: z.string(),
      htmlPath: z.string(),
      pagePath: z.string().describe('核验报告页面（浏览器打开，登录后显示）'),
      mapSvg: z.string().optional().describe('数据范围示意图（SVG）：申报行政区外包框与各图层范围'),
    })
    .nullable()
    .describe('自动核验报告摘要；尚未生成时为 null'),
});

export const humanTaskViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  title: z.string(),
  status: z.enum(humanTaskStatuses).describe('open 待处理 · decided 已处理 · expired 已超时失效'),
  statusLabel: z.string(),
  canDecide: z.boolean(),
  createdAt: z.string(),
  due: isoDateSchema.describe('办理期限（创建后 5 个工作日）'),
  workingDaysLeft: z.number().int().describe('距办理期限的工作日数；逾期为负数'),
  overdue: z.boolean(),
  expiresAt: z.string().describe('流程等待的最后时刻；此后的决定不被接受'),
  escalationLevel: z.number().int().describe('0 为首轮；每上报一级加 1'),
  assignees: z.array(z.string()),
  decision: z
    .object({
      decision: z.enum(humanTaskDecisions),
      decisionLabel: z.string(),
      reasons: z.string(),
      decidedBy: z.string(),
      decidedAt: z.string(),
      decidedAtLabel: z.string().describe('决定时间（北京时间），供阅读'),
    })
    .optional(),
  details: z.array(z.string()).describe('任务说明（与邮件中相同的几行）'),
  summary: z.discriminatedUnion('kind', [
    technicalReviewSummarySchema,
    transferSummarySchema('custodyReceipt'),
    transferSummarySchema('forestryCopyAck'),
    z.object({
      kind: z.literal('destructionApproval'),
      entry: z.object({ resultNumber: z.string(), name: z.string(), theme: themeIdSchema, themeLabel: z.string(), regionCode: z.string(), regionName: z.string(), classificationLabel: z.string(), custodian: z.string(), custodianName: z.string(), organiserOrg: z.string() }),
      destruction: z.object({ destructionId: z.string(), status: z.string(), statusLabel: z.string(), reasons: z.string(), requestedBy: z.string(), requestedAt: z.string(), requestedAtLabel: z.string() }),
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
        resultNumbers: z.array(z.string()).describe('统一编号（条目内容按读者密级经 GET /catalogue-reports/{reportId} 读取）'),
      }),
    }),
  ]),
});


/** One line of 待办 (GET /human-tasks): an open task the caller may decide. */
export const myHumanTaskItemSchema = z.object({
  id: z.string(),
  kind: z.string(),
  kindLabel: z.string().describe('任务类型中文名称，如 技术审核'),
  title: z.string(),
  createdAt: z.string(),
  due: isoDateSchema.describe('办理期限'),
  workingDaysLeft: z.number().int().describe('距办理期限的工作日数；逾期为负数'),
  overdue: z.boolean(),
  escalationLevel: z.number().int(),
  assigneeOrg: z.string().describe('任务指派的单位'),
  pagePath: z.string().describe('任务页面（与邮件中的链接相同）'),
});
