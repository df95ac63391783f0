import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { isoDateSchema } from './calendar.ts';
import { bboxSchema, orgCodeSchema, sharingModeSchema, submissionIdSchema } from './submission.ts';
import { themeIdSchema } from '#shared/reference/themes.ts';

/**
 * Catalogue entries (成果目录, R9.1, R9.2): the eight R9.2 fields plus the
 * unified number, theme, versions and source submission.
 */

/** A time point is a date (标准时点) or a period; stored as a period (a date is from = to). */
export const periodSchema = z
  .object({ from: described(isoDateSchema, '起始日期'), to: described(isoDateSchema, '结束日期') }, { error: '时段应为 {from, to}' }).check(z.refine((p) => p.from <= p.to, '时段的起始日期不能晚于结束日期'));
export type Period = z.infer<typeof periodSchema>;

export const timePointInputSchema = described(z
  .union([isoDateSchema, periodSchema], { error: '成果时点应为日期 YYYY-MM-DD 或时段 {from, to}' }), '成果时点：日期（标准时点）或时段 {from, to}');

export const entryStatuses = ['active', 'destroyed'] as const;
export const entryStatusLabels: Record<(typeof entryStatuses)[number], string> = { active: '有效', destroyed: '已销毁' };

export const releaseStates = ['pending', 'approved', 'released', 'withdrawn'] as const;
export type ReleaseState = (typeof releaseStates)[number];

/** A file of a released version as the public downloads it (shared/publication/publish.ts). */
export const releasedFileSchema = z.object({ path: z.string(), size: z.number(), sha256: z.string(), type: z.string() });
export type ReleasedFile = z.infer<typeof releasedFileSchema>;

export const withdrawalRequestStatuses = ['pending', 'approved', 'refused'] as const;
const withdrawalDecisionSchema = z.object({ taskId: z.string(), decision: z.enum(['approve', 'return']), reasons: z.string(), decidedBy: z.string(), decidedAt: z.string() });
/**
 * A request to withdraw a released version (申请撤回): who asked and why, the rule of the authority table that
 * resolved its approvers (the same as for its publication; joint → both departments), and each department's
 * decision (同意撤回 / 不予撤回). One refusal ends it; the release is withdrawn when every department agreed.
 */
export const withdrawalRequestSchema = z.object({
  /** `<releaseNumber>-W<k>`. */
  id: z.string(),
  k: z.number(),
  reason: z.string(),
  requestedBy: z.string(),
  requestedByOrg: z.string(),
  requestedAt: z.string(),
  ruleId: z.string(),
  tableVersion: z.number(),
  joint: z.boolean(),
  explanation: z.string(),
  status: z.enum(withdrawalRequestStatuses),
  approvals: z.array(
    z.object({
      orgCode: z.string(),
      role: z.string(),
      decision: z.optional(withdrawalDecisionSchema),
      /** Closed undecided: the other department refused (不予撤回). */
      closed: z.optional(z.object({ at: z.string(), reason: z.string() })),
    }),
  ),
  closedAt: z.optional(z.string()),
});
export type WithdrawalRequest = z.infer<typeof withdrawalRequestSchema>;

/** A derived product as a release version names it (R18.2): its number, name and registering organisation. */
export const derivedProductRefSchema = z.object({ productId: z.string(), name: z.string(), registrantOrg: z.string() });

/**
 * Where a release version's publication stands (R11.1, R12.1, R17.2): pending → approved (approveRelease, by the
 * approval workflow) → released (PublishRelease: files in the published bucket) → withdrawn (the record stays).
 */
export const releaseInfoSchema = z.object({
  sourceNumber: z.string(),
  state: z.enum(releaseStates),
  /** Not released before this China date (R11.1). */
  embargoUntil: z.optional(z.string()),
  approval: z.optional(z.object({ at: z.string(), approvers: z.array(z.object({ userId: z.string(), orgCode: z.string() })), tableVersion: z.optional(z.number()), ruleId: z.optional(z.string()) })),
  releasedAt: z.optional(z.string()),
  files: z.optional(z.array(releasedFileSchema)),
  /** A publication for sale (出版物): the publisher's ordering information replaces the download. */
  forSale: z.optional(z.object({ publisher: z.string(), ordering: z.string() })),
  withdrawal: z.optional(z.object({ at: z.string(), by: z.string(), byOrg: z.string(), reason: z.string() })),
  /** Withdrawal requests (申请撤回, R11.1 step 8), every one kept: decided by the approvers the release's rule resolves (shared/publication/withdrawal.ts). */
  withdrawalRequests: z.optional(z.array(withdrawalRequestSchema)),
  /** R14.2: the external public platforms this release was announced to (shared/publication/announce.ts), one per platform. */
  announcements: z.optional(z.array(z.object({ platform: z.string(), email: z.string(), at: z.string(), messageId: z.string() }))),
  /** R18.2: the derived product this release version publishes (shared/sharing/derived-release.ts). */
  derivedProduct: z.optional(derivedProductRefSchema),
});
export type ReleaseInfo = z.infer<typeof releaseInfoSchema>;

export const resultNumberSchema = described(z
  .string().check(z.regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}(?:-R\d{1,3})?$/, '统一编号格式应为 “保管单位代码-年份-专题代码-6 位序号”，如 440000-CUS-2026-GT-000001')), '成果统一编号（R9.1）');

export const catalogueEntrySchema = z.object({
  resultNumber: z.string(),
  sequence: z.number().check(z.int()),
  year: z.number().check(z.int()),
  theme: themeIdSchema,
  // ---- R9.2 ----
  name: z.string(),
  content: z.string(),
  format: z.string(),
  spatialScope: z.object({ regionCode: z.string(), bbox: z.optional(bboxSchema) }),
  timePoint: periodSchema,
  classification: classificationSchema,
  sharingMode: sharingModeSchema,
  custodian: described(z.string(), '保管单位组织代码'),
  provider: described(z.string(), '提供单位组织代码（实施单位）'),
  // ----
  submissionId: z.string(),
  taskId: z.string(),
  organiserOrg: z.string(),
  status: z.enum(entryStatuses),
  /** A release version (发布版本, R11.1): its source and where its publication stands; public only once released. */
  release: described(z.optional(releaseInfoSchema), '发布版本：源成果编号与发布状态'),
  version: described(z.number().check(z.int()).check(z.gte(1)), '目录条目版本号；每次修改加 1'),
  /** R19.3: the package version of the submission that custody serves as current (absent = 1). */
  packageVersion: described(z.optional(z.number().check(z.int()).check(z.gte(1))), '现行成果包版本（缺省为 1）'),
  packageVersions: described(
    z.optional(z.array(z.object({ n: z.number().check(z.int()).check(z.gte(1)), at: z.string(), correctionOf: z.optional(z.array(z.string())) }))),
    '入库的各成果包版本（原版本保留）',
  ),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  /** R19.3: confirmed 重大 problems still open on the result (escalated, ordered to correct, correction under verification); moved with each problem. */
  openQualityProblems: z.optional(z.number().check(z.int())),
});
export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;


export const registerCatalogueBodySchema = z.object({
  submissionId: submissionIdSchema,
  timePoint: described(z.optional(timePointInputSchema), '不填则取汇交目录信息中的成果时点'),
});


export const overlapSchema = z.object({
  resultNumber: z.string(),
  name: z.string(),
  regionCode: z.string(),
  timePoint: periodSchema,
  custodian: z.string(),
  theme: themeIdSchema,
});
export type Overlap = z.infer<typeof overlapSchema>;
