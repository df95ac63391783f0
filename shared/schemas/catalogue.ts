import * as z from 'zod';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { isoDateSchema } from './calendar.ts';
import { regionCodeSchema } from './identity.ts';
import { bboxSchema, orgCodeSchema, sharingModeSchema, submissionIdSchema } from './submission.ts';
import { themeIdSchema } from '#shared/reference/themes.ts';

/**
 * Catalogue entries (成果目录, R9.1, R9.2): the eight R9.2 fields plus the
 * unified number, theme, versions and source submission.
 */

/** A time point is a date (标准时点) or a period; stored as a period (a date is from = to). */
export const periodSchema = z
  .object({ from: isoDateSchema.describe('起始日期'), to: isoDateSchema.describe('结束日期') }, { error: '时段应为 {from, to}' })
  .refine((p) => p.from <= p.to, '时段的起始日期不能晚于结束日期');
export type Period = z.infer<typeof periodSchema>;

export const timePointInputSchema = z
  .union([isoDateSchema, periodSchema], { error: '成果时点应为日期 YYYY-MM-DD 或时段 {from, to}' })
  .describe('成果时点：日期（标准时点）或时段 {from, to}');

export const entryStatuses = ['active', 'destroyed'] as const;
export const entryStatusLabels: Record<(typeof entryStatuses)[number], string> = { active: '有效', destroyed: '已销毁' };

export const releaseStates = ['pending', 'released', 'withdrawn'] as const;
export type ReleaseState = (typeof releaseStates)[number];

export const resultNumberSchema = z
  .string()
  .regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}(?:-R\d{1,3})?$/, '统一编号格式应为 “保管单位代码-年份-专题代码-6 位序号”，如 440000-CUS-2026-GT-000001')
  .describe('成果统一编号（R9.1）');

export const catalogueEntrySchema = z.object({
  resultNumber: z.string(),
  sequence: z.number().int(),
  year: z.number().int(),
  theme: themeIdSchema,
  // ---- R9.2 ----
  name: z.string(),
  content: z.string(),
  format: z.string(),
  spatialScope: z.object({ regionCode: z.string(), bbox: bboxSchema.optional() }),
  timePoint: periodSchema,
  classification: classificationSchema,
  sharingMode: sharingModeSchema,
  custodian: z.string().describe('保管单位组织代码'),
  provider: z.string().describe('提供单位组织代码（实施单位）'),
  // ----
  submissionId: z.string(),
  taskId: z.string(),
  organiserOrg: z.string(),
  status: z.enum(entryStatuses),
  /** A release version (发布版本, R11.1): its source and where its publication stands; public only once released. */
  release: z
    .object({ sourceNumber: z.string(), state: z.enum(releaseStates) })
    .optional()
    .describe('发布版本：源成果编号与发布状态'),
  version: z.number().int().min(1).describe('目录条目版本号；每次修改加 1'),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;

/** What an edit may change (R9.2 fields; number, theme, custodian and source are fixed). */
export const catalogueEditSchema = z
  .object({
    name: z.string().trim().min(2, '成果名称至少 2 个字').max(200, '成果名称不超过 200 字').optional(),
    content: z.string().trim().min(2, '成果内容至少 2 个字').max(2000, '成果内容不超过 2000 字').optional(),
    format: z.string().trim().min(1).max(200, '数据格式不超过 200 字').optional(),
    spatialScope: z.object({ regionCode: regionCodeSchema, bbox: bboxSchema.optional() }).optional(),
    timePoint: timePointInputSchema.optional(),
    classification: classificationSchema.optional(),
    sharingMode: sharingModeSchema.optional(),
    reason: z.string().trim().min(2, '请说明修改原因（至少 2 个字）').max(500, '修改原因不超过 500 字').describe('修改原因（记入审计与版本）'),
    expectedVersion: z.number().int().min(1).optional().describe('期望的当前版本号；不一致时返回 409（防止覆盖他人的修改）'),
  })
  .describe('目录条目修改（R9.2，留存版本并审计）');
export type CatalogueEdit = z.infer<typeof catalogueEditSchema>;

export const registerCatalogueBodySchema = z.object({
  submissionId: submissionIdSchema,
  timePoint: timePointInputSchema.optional().describe('不填则取汇交目录信息中的成果时点'),
});

const csvNumbers = z
  .string()
  .transform((s) => s.split(',').map((x) => Number(x.trim())))
  .refine((a) => a.every((x) => Number.isFinite(x)), '范围应为数值');

export const catalogueSearchQuerySchema = z.object({
  region: regionCodeSchema.optional().describe('行政区划代码；省级代码同时检索其下的市、县'),
  theme: themeIdSchema.optional(),
  from: isoDateSchema.optional().describe('时间范围起（成果时点/时段与之重叠）'),
  to: isoDateSchema.optional().describe('时间范围止'),
  classification: classificationSchema.optional().describe('只看该密级（不超过本人密级权限）'),
  sharingMode: sharingModeSchema.optional(),
  custodian: orgCodeSchema.optional(),
  q: z.string().trim().min(2, '关键词至少 2 个字').max(50, '关键词不超过 50 字').optional().describe('中文关键词；空格分隔多个词（均须出现）'),
  bbox: csvNumbers.refine((a) => a.length === 4, '范围应为 西,南,东,北 四个数').optional().describe('外包矩形 西,南,东,北（度），与条目范围相交'),
  includeDestroyed: z.enum(['true', 'false']).optional().describe('是否包含已销毁的条目（编号不复用，条目保留）'),
  limit: z.coerce.number().int().min(1, '每页条数应在 1–100 之间').max(100, '每页条数应在 1–100 之间').default(20),
  cursor: z.string().max(2048, '分页游标无效').optional(),
});
export type CatalogueSearchQuery = z.infer<typeof catalogueSearchQuerySchema>;

export const overlapSchema = z.object({
  resultNumber: z.string(),
  name: z.string(),
  regionCode: z.string(),
  timePoint: periodSchema,
  custodian: z.string(),
  theme: themeIdSchema,
});
export type Overlap = z.infer<typeof overlapSchema>;
