import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { humanTaskDecisions, humanTaskStatuses } from '#shared/ports/tasks.ts';
import { humanTaskIdSchema } from '#shared/tasks/ids.ts';
import { isoDateSchema } from './calendar.ts';
import { defectSchema, versionStatusSchema } from './submission.ts';
import { themeIdSchema } from './theme.ts';

/**
 * The human-task routes (architecture: "Human tasks"). The emailed link opens
 * the public page, which changes nothing and shows nothing by itself; the
 * signed-in assignee's browser then GETs the task and POSTs the decision.
 */
const taskPath = z.object({ id: humanTaskIdSchema });

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

/** Contracts of the human-task routes, keyed by manifest function name. */
export const tasksContracts = {
  HumanTaskPage: contract({
    path: taskPath,
    produces: 'text/html',
    description:
      '邮件链接打开的任务页面（无需令牌）：页面本身不读取、不显示、不改变任何数据——它在浏览器中用已登录用户的令牌读取任务（GET /human-tasks/{id}），由用户点击“通过/退回”提交（POST）。邮件安全网关预取链接不会产生任何影响。',
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
