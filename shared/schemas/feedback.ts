import * as z from 'zod/mini';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { attachmentContentTypes, maxAttachmentBytes, problemStates, severities } from '#shared/feedback/problems.ts';
import { described } from './described.ts';
import { bboxSchema } from './submission.ts';

/** Quality feedback (R19.2, R19.3): request bodies and the problem view. */
export const problemIdSchema = described(z.string().check(z.regex(/^QP-\d{8}-[0-9a-f]{4,16}$/, '质量问题编号格式应为 QP-YYYYMMDD-xxxxxxxx')), '质量问题编号');

const text = (min: number, max: number, what: string) => z.string().check(z.trim()).check(z.minLength(min, `请填写${what}（至少 ${min} 个字）`)).check(z.maxLength(max, `${what}不超过 ${max} 字`));

export const reportProblemBodySchema = z.object({
  resultNumber: described(z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}(?:-R\d{1,3})?$/, '统一编号格式应为 “保管单位代码-年份-专题代码-6 位序号”，如 440000-CUS-2026-GT-000001')), '成果统一编号'),
  file: described(text(1, 500, '文件或图层'), '成果包中的文件路径或图层（文件夹），如 data/DLTB.shp 或 data'),
  location: described(
    z.object({
      bbox: z.optional(bboxSchema),
      featureIds: described(z.optional(z.array(z.string().check(z.minLength(1)).check(z.maxLength(100))).check(z.maxLength(1000))), '要素编号'),
    }),
    '问题位置：范围（bbox）或要素编号，至少一项',
  ),
  description: described(text(5, 4000, '问题说明'), '哪里有什么问题'),
  severity: described(z.enum(severities), '一般 或 重大'),
});

export const decideProblemBodySchema = z.object({
  decision: described(z.enum(['confirm', 'reject']), 'confirm 确认、reject 驳回'),
  reasons: described(text(2, 4000, '理由'), '确认或驳回的理由'),
});

const findingSchema = z.object({
  who: described(text(2, 200, '责任方'), '责任方（单位或人员）'),
  what: described(text(2, 4000, '问题'), '责任事项'),
  conclusion: described(text(2, 4000, '结论'), '认定结论'),
});

export const verifyProblemBodySchema = z.object({
  upheld: described(z.boolean(), 'true：核实属实，责令实施单位改正；false：不予责令改正'),
  note: described(text(2, 4000, '核实意见'), '核实意见'),
  finding: described(z.optional(findingSchema), '责任认定（责令改正时必填）'),
});

/** POST /feedback/problems/{problemId}/attachments (R19.2): one file declared before its presigned PUT. */
export const attachmentBodySchema = z.object({
  name: described(z.string({ error: '请填写附件文件名' }).check(z.trim()).check(z.minLength(1, '请填写附件文件名')).check(z.maxLength(200, '文件名不超过 200 字')).check(z.regex(/^[^/\\\u0000-\u001f]+$/, '文件名不能含路径分隔符或控制字符')), '附件文件名（照片、截图或 GeoJSON）'),
  contentType: described(z.enum(attachmentContentTypes, { error: '附件应为 JPEG、PNG 照片或截图，或 GeoJSON（application/geo+json）' }), '附件类型'),
  size: described(z.number({ error: '请填写附件字节数' }).check(z.int('字节数应为整数')).check(z.gte(1, '附件不能为空')).check(z.lte(maxAttachmentBytes, `附件不超过 ${maxAttachmentBytes / 1024 / 1024} MB`)), '字节数'),
  sha256: described(z.string({ error: '请填写附件的 SHA-256' }).check(z.regex(/^[0-9a-fA-F]{64}$/, 'SHA-256 应为 64 位十六进制')), '附件内容的 SHA-256（预签名 PUT 按此校验）'),
});

export const attachmentViewSchema = z.object({
  n: described(z.number(), '附件序号'),
  name: z.string(),
  contentType: z.enum(attachmentContentTypes),
  size: z.number(),
  sha256: z.string(),
  key: z.string(),
  declaredBy: z.string(),
  declaredAt: z.string(),
});

export const problemViewSchema = z.object({
  problemId: z.string(),
  resultNumber: z.string(),
  classification: classificationSchema,
  custodianOrg: z.string(),
  organiserOrg: z.string(),
  implementerOrg: z.string(),
  submissionId: z.optional(described(z.string(), '成果所属汇交（责令改正时实施单位在其下提交更正版本，R19.3）')),
  taskId: z.optional(described(z.string(), '成果所属调查监测任务')),
  file: z.string(),
  location: z.object({ bbox: z.optional(z.array(z.number())), featureIds: z.optional(z.array(z.string())) }),
  description: z.string(),
  severity: z.enum(severities),
  reportedBy: z.string(),
  reporterOrg: z.string(),
  reportedAt: z.string(),
  decisionDue: described(z.string(), '保管单位确认期限（R19.2）'),
  state: described(z.enum(problemStates), 'reported 待确认 → confirmed 已确认 / rejected 已驳回；重大：escalated 待组织单位核实 → correcting 已责令改正 → correctionSubmitted 更正版本核验中 → fixed 已改正 / dismissed 不予责令改正'),
  stateLabel: z.string(),
  timeline: z.array(z.object({ state: z.enum(problemStates), at: z.string(), by: z.string(), byName: z.string(), note: z.string() })),
  finding: z.optional(findingSchema),
  correction: described(z.optional(z.object({ submissionId: z.string(), n: z.number(), openedAt: z.string(), openedBy: z.string() })), '实施单位提交的更正版本（R19.3）'),
  fixed: described(z.optional(z.object({ n: z.number(), at: z.string(), notified: z.array(z.string()) })), '更正版本入库为现行版本的时间与已通知的共享成果使用人邮箱'),
  attachments: described(z.optional(z.array(attachmentViewSchema)), '附件（大小与 SHA-256；报告人、保管单位和组织单位经 302 预签名地址查看）'),
});
