import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { duplicatePaths, fileFolderClashes, maxFileBytes, maxFilesPerVersion, pathProblems } from '#shared/submission/manifest.ts';
import { isoDateSchema } from './calendar.ts';
import { organisationRecordSchema, regionCodeAtTimePointSchema } from './identity-records.ts';
import { fileRoleSchema, themeIdSchema } from '#shared/reference/themes.ts';

/**
 * Survey tasks (调查监测任务), submissions (汇交), package versions and their
 * manifests (R6.1, R7.1, R7.2, R9.2, R5.1). Input schemas carry the Chinese
 * messages a submitter acts on; entity schemas parse what the registry holds.
 */

export const orgCodeSchema = organisationRecordSchema.shape.code;
const uuid = z.uuid('编号格式不正确');
export const taskIdSchema = described(uuid, '调查监测任务编号（UUID）');
export const submissionIdSchema = described(uuid, '汇交编号（UUID）');

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
export const bboxSchema = described(z
  .tuple([z.number(), z.number(), z.number(), z.number()], { error: '范围应为 [西, 南, 东, 北] 四个经纬度数值' }).check(z.superRefine(([w, s, e, n], ctx) => {
    if (w < -180 || e > 180 || w >= e) ctx.addIssue({ code: 'custom', message: '经度应在 −180～180 之间，且西边界小于东边界' });
    if (s < -90 || n > 90 || s >= n) ctx.addIssue({ code: 'custom', message: '纬度应在 −90～90 之间，且南边界小于北边界' });
  })), '外包矩形 [西, 南, 东, 北]，CGCS2000 经纬度（度）');

export const catalogueSchema = described(z
  .object({
    name: described(z.string({ error: '请填写成果名称' }).check(z.trim()).check(z.minLength(2, '成果名称至少 2 个字')).check(z.maxLength(200, '成果名称不超过 200 字')), '成果名称'),
    content: described(z.string({ error: '请填写成果内容' }).check(z.trim()).check(z.minLength(2, '成果内容至少 2 个字')).check(z.maxLength(2000, '成果内容不超过 2000 字')), '成果内容（主要数据项、图件、报告）'),
    format: described(z.string({ error: '请填写数据格式' }).check(z.trim()).check(z.minLength(1, '请填写数据格式')).check(z.maxLength(200, '数据格式不超过 200 字')), '数据格式，如 “GeoPackage、Shapefile、GeoTIFF、PDF”'),
    spatialScope: described(z
      .object(
        {
          regionCode: described(regionCodeAtTimePointSchema, '空间范围所在行政区划代码（GB/T 2260，成果时点当时的代码）'),
          bbox: z.optional(bboxSchema),
        },
        { error: '请填写空间范围 {regionCode, bbox?}' },
      ), '空间范围'),
    timePoint: described(isoDateSchema, '成果时点（标准时点），YYYY-MM-DD'),
    classification: described(classificationSchema, '密级：public 公开、internal 内部、secret 秘密、confidential 机密、topSecret 绝密'),
    sharingMode: described(sharingModeSchema, '共享利用方式'),
    custodian: described(z.optional(orgCodeSchema), '保管（提供）单位组织代码；不填则为任务登记的保管单位'),
  }), '成果目录信息（R9.2）');
export type CatalogueInput = z.infer<typeof catalogueSchema>;
/** As stored: the custodian is always filled in (from the task when omitted). */
export type Catalogue = CatalogueInput & { custodian: string };

// ---- manifest ----------------------------------------------------------------

export const sha256HexSchema = z
  .string({ error: '请填写 SHA-256 校验值' }).check(z.regex(/^[0-9a-f]{64}$/, 'SHA-256 校验值应为 64 位小写十六进制字符（如 sha256sum 的输出）'));

export const manifestPathSchema = described(z
  .string({ error: '请填写文件路径' }).check(z.superRefine((path, ctx) => {
    for (const message of pathProblems(path)) ctx.addIssue({ code: 'custom', message: `文件路径 “${printable(path)}” ${message}` });
  })), '包内相对路径（POSIX，“/”分隔）');

export const manifestFileSchema = z.object({
  path: manifestPathSchema,
  size: described(z
    .number({ error: '文件大小应为字节数（整数）' }).check(z.int('文件大小应为整数字节数')).check(z.gte(1, '不接受空文件（0 字节）：请删除空文件或补充内容后重新生成清单')).check(z.lte(maxFileBytes, '单个文件不能超过 5 TiB（对象存储上限）')), '字节数，1 – 5 TiB'),
  sha256: described(sha256HexSchema, '文件内容的 SHA-256（64 位小写十六进制）'),
  role: described(fileRoleSchema, 'data 数据 · map 图件 · report 报告 · metadata 元数据 · technicalDocument 技术文档'),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const manifestFilesSchema = described(z
  .array(manifestFileSchema, { error: '请提供文件清单 files（数组）' }).check(z.minLength(1, '文件清单不能为空')).check(z.maxLength(maxFilesPerVersion, `每个版本最多 ${maxFilesPerVersion} 个文件；更多文件请先打包归档（如按图幅压缩）`)).check(z.superRefine((files, ctx) => {
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
  })), `文件清单，1–${maxFilesPerVersion} 项`);

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
  .object({ from: described(isoDateSchema, '起始日期'), to: described(isoDateSchema, '结束日期') }, { error: '调查时段应为 {from, to}' }).check(z.refine((p) => p.from <= p.to, '调查时段的起始日期不能晚于结束日期'));


/** R7.1: who decided a round's technical review and who countersigned it first, before a change; rounds sealed before `until` used it. */
export const reviewArrangementSchema = z.object({ reviewOrg: z.optional(z.string()), countersignOrgs: z.optional(z.array(z.string())), until: z.string(), changedBy: z.string() });
export type ReviewArrangement = z.infer<typeof reviewArrangementSchema>;


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
  technicalUnits: z.optional(z.array(z.string())),
  /** R7.1: the technical unit that decides the technical review; absent: the organiser's own reviewers. */
  reviewOrg: z.optional(z.string()),
  /** R7.1: the units (technical units, the custodian) whose opinion is recorded before the review decision. */
  countersignOrgs: z.optional(z.array(z.string())),
  /** R7.1: how often `reviewOrg`/`countersignOrgs` were changed (absent: never); the arrangements replaced, oldest first. */
  arrangementRev: z.optional(z.number()),
  earlierArrangements: z.optional(z.array(reviewArrangementSchema)),
  description: z.optional(z.string()),
  period: z.optional(z.object({ from: isoDateSchema, to: isoDateSchema })),
  /** R11.1 level-by-level: the same-theme task of the level above (a programme's national parent, a province's part …). */
  parentTaskId: z.optional(z.string()),
  /** The programme: the top task of the parentTaskId chain (its own id when it has no parent). */
  programmeTaskId: z.optional(z.string()),
  completionDate: z.optional(isoDateSchema),
  /** R6.1 due date as computed when the completion date was recorded; responses recompute it. */
  submissionDue: z.optional(isoDateSchema),
  completionRecordedBy: z.optional(z.string()),
  completionRecordedAt: z.optional(z.string()),
  /** First time a version of any of its submissions was sealed (R6.1 met). */
  submittedAt: z.optional(z.string()),
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
  fileCount: z.number().check(z.int()),
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
  currentVersion: z.number().check(z.int()).check(z.gte(0)),
  catalogue: z.extend(catalogueSchema, { custodian: orgCodeSchema }),
  classification: classificationSchema,
  heldOffline: z.optional(heldOfflineSchema),
  firstSealedAt: z.optional(z.string()),
  returnedAt: z.optional(z.string()),
  /** R7.2 due date as computed at the return; responses recompute it. */
  resubmissionDue: z.optional(isoDateSchema),
  verifiedAt: z.optional(z.string()),
  /** R8.1 due date as computed at verification; absent when no transfer is needed. */
  transferDue: z.optional(isoDateSchema),
  /** R8.1: no transfer when the implementer is its own custodian. */
  transferRequired: z.optional(z.boolean()),
  /** R8.1 met: the custodian's receipt (or the same unit's implicit one at the copy). */
  transferredAt: z.optional(z.string()),
  /**
   * The transfer's own state, the one guard of POST …/transfer (a single conditional write):
   * absent = not started; requested = a Transfer execution owns it; failed = it ended in
   * Transfer Failed and may be started again; received = custody confirmed (with transferredAt).
   */
  transferState: z.optional(z.enum(['requested', 'failed', 'received'])),
  /** 1 for the first start, +1 for each restart after a failure; names the execution (transferExecutionName). */
  transferAttempt: z.optional(z.number().check(z.int()).check(z.gte(1))),
  transferRequestedAt: z.optional(z.string()),
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
  n: z.number().check(z.int()).check(z.gte(1)),
  status: versionStatusSchema,
  /** Identifies this version's file items: items left by a failed earlier attempt carry another id. */
  manifestId: z.string(),
  fileCount: z.number().check(z.int()),
  totalBytes: z.number(),
  catalogue: z.extend(catalogueSchema, { custodian: orgCodeSchema }),
  createdAt: z.string(),
  createdBy: z.string(),
  sealedAt: z.optional(z.string()),
  sealedBy: z.optional(z.string()),
  executionName: z.optional(z.string()),
  executionArn: z.optional(z.string()),
  verificationStartedAt: z.optional(z.string()),
  reviewTaskId: z.optional(z.string()),
  reviewRequestedAt: z.optional(z.string()),
  decision: z.optional(z.enum(['returned', 'verified'])),
  decidedBy: z.optional(z.string()),
  decidedAt: z.optional(z.string()),
  reasons: z.optional(z.array(z.string())),
  /** The first defects (an item holds at most 400 KB); the full list is in the report. */
  defects: z.optional(z.array(defectSchema)),
  defectCount: z.optional(z.number().check(z.int())),
  reportKey: z.optional(z.string()),
  /** R19.3: the quality problems (ids) this version corrects, when it was opened on the organiser's order to correct. */
  correctionOf: z.optional(z.array(z.string())),
});
export type Version = z.infer<typeof versionSchema>;

export const uploadKinds = ['single', 'multipart'] as const;

export const versionFileSchema = z.object({
  submissionId: z.string(),
  n: z.number().check(z.int()),
  manifestId: z.string(),
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  role: fileRoleSchema,
  upload: z.enum(uploadKinds),
  partSize: z.optional(z.number().check(z.int())),
  partCount: z.optional(z.number().check(z.int())),
  /** The open multipart upload, once started. */
  uploadId: z.optional(z.string()),
  /** Multipart only: CompleteMultipartUpload succeeded. */
  uploaded: z.optional(z.boolean()),
  uploadedAt: z.optional(z.string()),
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
  // R19.3: a corrected version in custody became the catalogue entry's current version (shared/feedback/correction.ts)
  'correctionRecorded',
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
  correctionRecorded: '更正版本入库为现行版本（R19.3）',
};

export const timelineEventSchema = z.object({
  submissionId: z.string(),
  /** ISO 8601 instant. */
  at: z.string(),
  type: timelineEventTypeSchema,
  /** userId, or `system:<function>`. */
  actor: z.string(),
  /** The version concerned, when there is one. */
  n: z.optional(z.number().check(z.int())),
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
  days: z.number().check(z.int()),
  due: isoDateSchema,
  provisional: described(z.boolean(), '期限计算涉及尚无国务院通知的年份（暂定）'),
  provisionalYears: z.array(z.number().check(z.int())),
  basis: z.string(),
  today: described(isoDateSchema, '今天（中国时间）'),
  workingDaysLeft: described(z.number().check(z.int()), '距期限的工作日数；期限当日为 0，逾期为负数；已完成的期限按完成日计算'),
  overdue: z.boolean(),
  met: described(z.boolean(), '该期限对应的事项是否已完成'),
  metOn: described(z.optional(isoDateSchema), '完成日期（中国时间）'),
});
export type DeadlineView = z.infer<typeof deadlineViewSchema>;
