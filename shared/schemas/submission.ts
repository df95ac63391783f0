import * as z from 'zod';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { duplicatePaths, fileFolderClashes, maxFileBytes, maxFilesPerVersion, pathProblems } from '#shared/submission/manifest.ts';
import { isoDateSchema } from './calendar.ts';
import { organisationSchema, regionCodeSchema } from './identity.ts';
import { fileRoleSchema, themeIdSchema } from '#shared/reference/themes.ts';

/**
 * Survey tasks (调查监测任务), submissions (汇交), package versions and their
 * manifests (R6.1, R7.1, R7.2, R9.2, R5.1). Input schemas carry the Chinese
 * messages a submitter acts on; entity schemas parse what the registry holds.
 */

export const orgCodeSchema = organisationSchema.shape.code;
const uuid = z.uuid('编号格式不正确');
export const taskIdSchema = uuid.describe('调查监测任务编号（UUID）');
export const submissionIdSchema = uuid.describe('汇交编号（UUID）');

// ---- catalogue (R9.2) ------------------------------------------------------

/** R9.2 共享利用方式. */
export const sharingModes = ['online', 'offline', 'conditional', 'notShared'] as const;
export const sharingModeSchema = z.enum(sharingModes, { error: '共享方式应为 online（在线共享）、offline（离线共享）、conditional（有条件共享）或 notShared（不予共享）' });
export type SharingMode = z.infer<typeof sharingModeSchema>;
export const sharingModeLabels: Record<SharingMode, string> = {
  online: '在线共享',
  offline: '离线共享',
  conditional: '有条件共享',
  notShared: '不予共享',
};

/** [west, south, east, north] in CGCS2000 degrees. */
export const bboxSchema = z
  .tuple([z.number(), z.number(), z.number(), z.number()], { error: '范围应为 [西, 南, 东, 北] 四个经纬度数值' })
  .superRefine(([w, s, e, n], ctx) => {
    if (w < -180 || e > 180 || w >= e) ctx.addIssue({ code: 'custom', message: '经度应在 −180～180 之间，且西边界小于东边界' });
    if (s < -90 || n > 90 || s >= n) ctx.addIssue({ code: 'custom', message: '纬度应在 −90～90 之间，且南边界小于北边界' });
  })
  .describe('外包矩形 [西, 南, 东, 北]，CGCS2000 经纬度（度）');

export const catalogueSchema = z
  .object({
    name: z.string({ error: '请填写成果名称' }).trim().min(2, '成果名称至少 2 个字').max(200, '成果名称不超过 200 字').describe('成果名称'),
    content: z.string({ error: '请填写成果内容' }).trim().min(2, '成果内容至少 2 个字').max(2000, '成果内容不超过 2000 字').describe('成果内容（主要数据项、图件、报告）'),
    format: z.string({ error: '请填写数据格式' }).trim().min(1, '请填写数据格式').max(200, '数据格式不超过 200 字').describe('数据格式，如 “GeoPackage、Shapefile、GeoTIFF、PDF”'),
    spatialScope: z
      .object(
        {
          regionCode: regionCodeSchema.describe('空间范围所在行政区划代码（GB/T 2260）'),
          bbox: bboxSchema.optional(),
        },
        { error: '请填写空间范围 {regionCode, bbox?}' },
      )
      .describe('空间范围'),
    timePoint: isoDateSchema.describe('成果时点（标准时点），YYYY-MM-DD'),
    classification: classificationSchema.describe('密级：public 公开、internal 内部、secret 秘密、confidential 机密、topSecret 绝密'),
    sharingMode: sharingModeSchema.describe('共享利用方式'),
    custodian: orgCodeSchema.optional().describe('保管（提供）单位组织代码；不填则为任务登记的保管单位'),
  })
  .describe('成果目录信息（R9.2）');
export type CatalogueInput = z.infer<typeof catalogueSchema>;
/** As stored: the custodian is always filled in (from the task when omitted). */
export type Catalogue = CatalogueInput & { custodian: string };

// ---- manifest ----------------------------------------------------------------

export const sha256HexSchema = z
  .string({ error: '请填写 SHA-256 校验值' })
  .regex(/^[0-9a-f]{64}$/, 'SHA-256 校验值应为 64 位小写十六进制字符（如 sha256sum 的输出）');

export const manifestPathSchema = z
  .string({ error: '请填写文件路径' })
  .superRefine((path, ctx) => {
    for (const message of pathProblems(path)) ctx.addIssue({ code: 'custom', message: `文件路径 “${printable(path)}” ${message}` });
  })
  .describe('包内相对路径（POSIX，“/”分隔）');

export const manifestFileSchema = z.object({
  path: manifestPathSchema,
  size: z
    .number({ error: '文件大小应为字节数（整数）' })
    .int('文件大小应为整数字节数')
    .min(1, '不接受空文件（0 字节）：请删除空文件或补充内容后重新生成清单')
    .max(maxFileBytes, '单个文件不能超过 5 TiB（对象存储上限）')
    .describe('字节数，1 – 5 TiB'),
  sha256: sha256HexSchema.describe('文件内容的 SHA-256（64 位小写十六进制）'),
  role: fileRoleSchema.describe('data 数据 · map 图件 · report 报告 · metadata 元数据 · technicalDocument 技术文档'),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const manifestFilesSchema = z
  .array(manifestFileSchema, { error: '请提供文件清单 files（数组）' })
  .min(1, '文件清单不能为空')
  .max(maxFilesPerVersion, `每个版本最多 ${maxFilesPerVersion} 个文件；更多文件请先打包归档（如按图幅压缩）`)
  .superRefine((files, ctx) => {
    for (const d of duplicatePaths(files.map((f) => f.path))) {
      ctx.addIssue({
        code: 'custom',
        path: [d.index, 'path'],
        message: d.exact
          ? `文件路径 “${printable(files[d.index]?.path ?? '')}” 与第 ${d.first} 项重复`
          : `文件路径 “${printable(files[d.index]?.path ?? '')}” 与第 ${d.first} 项 “${printable(files[d.first]?.path ?? '')}” 仅大小写或字符组合不同，在 Windows/macOS 磁盘上是同一文件`,
      });
    }
    for (const c of fileFolderClashes(files.map((f) => f.path))) {
      ctx.addIssue({
        code: 'custom',
        path: [c.index, 'path'],
        message: `文件 “${printable(files[c.index]?.path ?? '')}” 与第 ${c.inside} 项 “${printable(files[c.inside]?.path ?? '')}” 的目录同名：同一位置不能既是文件又是目录`,
      });
    }
  })
  .describe(`文件清单，1–${maxFilesPerVersion} 项`);

/**
 * A path inside a message: control, bidirectional and zero-width characters shown as \uXXXX so the
 * message stays one readable line and shows the name as it is, not as a bidi override would draw it.
 */
export function printable(path: string): string {
  const shown = path.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shown.length > 120 ? `${shown.slice(0, 117)}…` : shown;
}

// ---- survey tasks ------------------------------------------------------------

/** R13.2: the period a survey covers, compared with catalogue entries' time points. */
export const surveyPeriodSchema = z
  .object({ from: isoDateSchema.describe('起始日期'), to: isoDateSchema.describe('结束日期') }, { error: '调查时段应为 {from, to}' })
  .refine((p) => p.from <= p.to, '调查时段的起始日期不能晚于结束日期');

export const surveyTaskInputSchema = z.object({
  name: z.string({ error: '请填写任务名称' }).trim().min(2, '任务名称至少 2 个字').max(200, '任务名称不超过 200 字').describe('任务名称'),
  theme: themeIdSchema.describe('成果专题：landSurvey 国土调查 · forest 森林 · grassland 草原 · wetland 湿地 · water 水资源 · landCover 地表覆盖；以及 R22.1 另行规定的类别'),
  regionCode: regionCodeSchema.describe('调查区域行政区划代码（GB/T 2260）'),
  implementerOrg: orgCodeSchema.describe('实施单位组织代码'),
  custodianOrg: orgCodeSchema.optional().describe('保管单位组织代码（R4.1）；不填则采用组织单位为该专题设定的常设保管单位'),
  description: z.string().trim().max(2000, '说明不超过 2000 字').optional().describe('任务说明'),
  period: surveyPeriodSchema.optional().describe('调查时段 {from, to}；用于提示时空专题重叠的已有成果（R13.2）'),
  reviewOrg: orgCodeSchema.optional().describe('技术审核由哪个单位决定（R7.1）：组织单位设定的技术单位之一；不填则由组织单位本身的审核人决定'),
  countersignOrgs: z
    .array(orgCodeSchema)
    .max(20, '会签单位不超过 20 个')
    .optional()
    .describe('技术审核前须先给出会签意见（同意/不同意）的单位（R7.1）：组织单位设定的技术单位，或本任务的保管单位'),
});
export type SurveyTaskInput = z.infer<typeof surveyTaskInputSchema>;

export const surveyTaskSchema = z.object({
  taskId: z.string(),
  name: z.string(),
  theme: themeIdSchema,
  /** R22.1: the category follows its own rules; the workflow marks it instead of applying blindly. */
  followsOwnRules: z.boolean(),
  regionCode: z.string(),
  organiserOrg: z.string(),
  implementerOrg: z.string(),
  custodianOrg: z.string(),
  /** R7.1: the organiser's technical units when the task was registered (its standing designation). */
  technicalUnits: z.array(z.string()).optional(),
  /** R7.1: the technical unit that decides the technical review; absent: the organiser's own reviewers. */
  reviewOrg: z.string().optional(),
  /** R7.1: the units (technical units, the custodian) whose opinion is recorded before the review decision. */
  countersignOrgs: z.array(z.string()).optional(),
  description: z.string().optional(),
  period: z.object({ from: isoDateSchema, to: isoDateSchema }).optional(),
  completionDate: isoDateSchema.optional(),
  /** R6.1 due date as computed when the completion date was recorded; responses recompute it. */
  submissionDue: isoDateSchema.optional(),
  completionRecordedBy: z.string().optional(),
  completionRecordedAt: z.string().optional(),
  /** First time a version of any of its submissions was sealed (R6.1 met). */
  submittedAt: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type SurveyTask = z.infer<typeof surveyTaskSchema>;

// ---- submissions and versions ---------------------------------------------------

export const submissionStatuses = ['uploading', 'verifying', 'returned', 'verified', 'heldOffline'] as const;
export const submissionStatusSchema = z.enum(submissionStatuses);
export type SubmissionStatus = z.infer<typeof submissionStatusSchema>;
export const submissionStatusLabels: Record<SubmissionStatus, string> = {
  uploading: '上传中',
  verifying: '核验中',
  returned: '已退回（待修改后重新汇交）',
  verified: '核验通过',
  heldOffline: '涉密成果，由保管单位离线保管',
};

export const versionStatuses = ['open', 'sealed', 'verifying', 'awaitingReview', 'returned', 'verified', 'verificationFailed'] as const;
export const versionStatusSchema = z.enum(versionStatuses);
export type VersionStatus = z.infer<typeof versionStatusSchema>;
export const versionStatusLabels: Record<VersionStatus, string> = {
  open: '待上传',
  sealed: '已封存',
  verifying: '自动核验中',
  awaitingReview: '待技术审核',
  returned: '已退回',
  verified: '核验通过',
  // The workflow itself failed (not the package): recorded by the Verification state machine's failure path.
  verificationFailed: '核验流程异常（待重新核验）',
};

export const heldOfflineSchema = z.object({
  recordedAt: z.string(),
  recordedBy: z.string(),
  /** 中文：why the bytes stay offline (R5.1). */
  reason: z.string(),
  fileCount: z.number().int(),
  totalBytes: z.number(),
});

export const submissionSchema = z.object({
  submissionId: z.string(),
  taskId: z.string(),
  // Copied from the task so that every access check needs one read, not two.
  organiserOrg: z.string(),
  implementerOrg: z.string(),
  custodianOrg: z.string(),
  theme: themeIdSchema,
  status: submissionStatusSchema,
  /** 0 while no version exists (held offline). */
  currentVersion: z.number().int().min(0),
  catalogue: catalogueSchema.extend({ custodian: orgCodeSchema }),
  classification: classificationSchema,
  heldOffline: heldOfflineSchema.optional(),
  firstSealedAt: z.string().optional(),
  returnedAt: z.string().optional(),
  /** R7.2 due date as computed at the return; responses recompute it. */
  resubmissionDue: isoDateSchema.optional(),
  verifiedAt: z.string().optional(),
  /** R8.1 due date as computed at verification; absent when no transfer is needed. */
  transferDue: isoDateSchema.optional(),
  /** R8.1: no transfer when the implementer is its own custodian. */
  transferRequired: z.boolean().optional(),
  /** R8.1 met: the custodian's receipt (or the same unit's implicit one at the copy). */
  transferredAt: z.string().optional(),
  /**
   * The transfer's own state, the one guard of POST …/transfer (a single conditional write):
   * absent = not started; requested = a Transfer execution owns it; failed = it ended in
   * Transfer Failed and may be started again; received = custody confirmed (with transferredAt).
   */
  transferState: z.enum(['requested', 'failed', 'received']).optional(),
  /** 1 for the first start, +1 for each restart after a failure; names the execution (transferExecutionName). */
  transferAttempt: z.number().int().min(1).optional(),
  transferRequestedAt: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type Submission = z.infer<typeof submissionSchema>;

export const defectSchema = z.object({
  file: z.string(),
  rule: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
});
export type DefectView = z.infer<typeof defectSchema>;

export const versionSchema = z.object({
  submissionId: z.string(),
  n: z.number().int().min(1),
  status: versionStatusSchema,
  /** Identifies this version's file items: items left by a failed earlier attempt carry another id. */
  manifestId: z.string(),
  fileCount: z.number().int(),
  totalBytes: z.number(),
  catalogue: catalogueSchema.extend({ custodian: orgCodeSchema }),
  createdAt: z.string(),
  createdBy: z.string(),
  sealedAt: z.string().optional(),
  sealedBy: z.string().optional(),
  executionName: z.string().optional(),
  executionArn: z.string().optional(),
  verificationStartedAt: z.string().optional(),
  reviewTaskId: z.string().optional(),
  reviewRequestedAt: z.string().optional(),
  decision: z.enum(['returned', 'verified']).optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  reasons: z.array(z.string()).optional(),
  /** The first defects (an item holds at most 400 KB); the full list is in the report. */
  defects: z.array(defectSchema).optional(),
  defectCount: z.number().int().optional(),
  reportKey: z.string().optional(),
});
export type Version = z.infer<typeof versionSchema>;

export const uploadKinds = ['single', 'multipart'] as const;

export const versionFileSchema = z.object({
  submissionId: z.string(),
  n: z.number().int(),
  manifestId: z.string(),
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  role: fileRoleSchema,
  upload: z.enum(uploadKinds),
  partSize: z.number().int().optional(),
  partCount: z.number().int().optional(),
  /** The open multipart upload, once started. */
  uploadId: z.string().optional(),
  /** Multipart only: CompleteMultipartUpload succeeded. */
  uploaded: z.boolean().optional(),
  uploadedAt: z.string().optional(),
});
export type VersionFile = z.infer<typeof versionFileSchema>;

// ---- timeline -----------------------------------------------------------------

/** In the order a round runs: the timeline breaks ties between events of one instant by this order. */
export const timelineEventTypes = [
  'submissionOpened',
  'heldOffline',
  'versionOpened',
  'uploadUrlsIssued',
  'fileUploaded',
  'uploadsAborted',
  'versionSealed',
  'verificationStarted',
  'checksCompleted',
  'reviewRequested',
  // R7.1: a technical unit's or the custodian's opinion before the review (shared/verification/countersign.ts)
  'countersignRequested',
  'countersigned',
  'reminderSent',
  'escalated',
  'returned',
  'verified',
  'emailSent',
  'verificationFailed',
  // R8.1/R8.2 transfer to custody (shared/transfer)
  'transferRequested',
  'transferNotRequired',
  'numberAssigned',
  'custodyCopied',
  'receiptRequested',
  'custodyReceived',
  'transferFailed',
  'forestryCopySent',
  'forestryCopyAcknowledged',
] as const;
export const timelineEventTypeSchema = z.enum(timelineEventTypes);
export type TimelineEventType = z.infer<typeof timelineEventTypeSchema>;
export const timelineEventLabels: Record<TimelineEventType, string> = {
  submissionOpened: '新建汇交',
  heldOffline: '涉密成果登记为离线保管',
  versionOpened: '新建成果包版本',
  uploadUrlsIssued: '签发上传地址',
  fileUploaded: '分片上传完成',
  uploadsAborted: '取消未完成的上传',
  versionSealed: '成果包封存',
  verificationStarted: '开始技术核验',
  checksCompleted: '自动核验完成',
  reviewRequested: '提交技术审核',
  countersignRequested: '请技术单位（保管单位）会签',
  countersigned: '会签意见',
  reminderSent: '审核提醒',
  escalated: '审核逾期上报',
  returned: '核验未通过，退回',
  verified: '核验通过',
  emailSent: '发送邮件',
  verificationFailed: '核验流程异常',
  transferRequested: '组织单位启动移交',
  transferNotRequired: '汇交单位即保管单位，无需移交（R8.1）',
  numberAssigned: '赋统一编号并登记成果目录',
  custodyCopied: '成果复制入保管库',
  receiptRequested: '请保管单位确认接收',
  custodyReceived: '保管单位确认接收',
  transferFailed: '移交失败',
  forestryCopySent: '成果副本送同级自然资源主管部门（R8.2）',
  forestryCopyAcknowledged: '自然资源主管部门确认收到成果副本',
};

export const timelineEventSchema = z.object({
  submissionId: z.string(),
  /** ISO 8601 instant. */
  at: z.string(),
  type: timelineEventTypeSchema,
  /** userId, or `system:<function>`. */
  actor: z.string(),
  /** The version concerned, when there is one. */
  n: z.number().int().optional(),
  detail: z.record(z.string(), z.unknown()),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

// ---- deadlines ------------------------------------------------------------------

export const deadlineKinds = ['submission', 'resubmission', 'transfer', 'forestryCopy'] as const;
export const deadlineViewSchema = z.object({
  kind: z.enum(deadlineKinds),
  requirement: z.enum(['R6.1', 'R7.2', 'R8.1', 'R8.2']),
  /** 中文名称，如 “汇交期限（调查完成后 30 个工作日）” */
  label: z.string(),
  start: isoDateSchema,
  days: z.number().int(),
  due: isoDateSchema,
  provisional: z.boolean().describe('期限计算涉及尚无国务院通知的年份（暂定）'),
  provisionalYears: z.array(z.number().int()),
  basis: z.string(),
  today: isoDateSchema.describe('今天（中国时间）'),
  workingDaysLeft: z.number().int().describe('距期限的工作日数；期限当日为 0，逾期为负数；已完成的期限按完成日计算'),
  overdue: z.boolean(),
  met: z.boolean().describe('该期限对应的事项是否已完成'),
  metOn: isoDateSchema.optional().describe('完成日期（中国时间）'),
});
export type DeadlineView = z.infer<typeof deadlineViewSchema>;
