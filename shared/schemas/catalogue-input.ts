/**
 * The catalogue's two inputs that name a region (issue 10): an edit's spatial scope and the search's region are
 * checked against the GB/T 2260 code table (regionCodeSchema), so they live apart from the stored entry's schema
 * (shared/schemas/catalogue.ts), which every function that reads an entry carries, and the table (≈ 26 KB) stays in
 * the catalogue's own functions.
 */
import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { themeIdSchema } from '#shared/reference/themes.ts';
import { isoDateSchema } from './calendar.ts';
import { timePointInputSchema } from './catalogue.ts';
import { regionCodeSchema } from './identity.ts';
import { bboxSchema, orgCodeSchema, sharingModeSchema } from './submission.ts';

/** What an edit may change (R9.2 fields; number, theme, custodian and source are fixed). */
export const catalogueEditSchema = described(z
  .object({
    name: z.optional(z.string().check(z.trim()).check(z.minLength(2, '成果名称至少 2 个字')).check(z.maxLength(200, '成果名称不超过 200 字'))),
    content: z.optional(z.string().check(z.trim()).check(z.minLength(2, '成果内容至少 2 个字')).check(z.maxLength(2000, '成果内容不超过 2000 字'))),
    format: z.optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(200, '数据格式不超过 200 字'))),
    spatialScope: z.optional(z.object({ regionCode: regionCodeSchema, bbox: z.optional(bboxSchema) })),
    timePoint: z.optional(timePointInputSchema),
    classification: z.optional(classificationSchema),
    sharingMode: z.optional(sharingModeSchema),
    reason: described(z.string().check(z.trim()).check(z.minLength(2, '请说明修改原因（至少 2 个字）')).check(z.maxLength(500, '修改原因不超过 500 字')), '修改原因（记入审计与版本）'),
    expectedVersion: described(z.optional(z.number().check(z.int()).check(z.gte(1))), '期望的当前版本号；不一致时返回 409（防止覆盖他人的修改）'),
    confidentialityReviewId: described(z.optional(z.string().check(z.minLength(5)).check(z.maxLength(60))), '降低密级或公开时必填：组织单位同意本次修改的保密审查编号（POST /supervision/confidentiality-reviews）'),
  }), '目录条目修改（R9.2，留存版本并审计）');
export type CatalogueEdit = z.infer<typeof catalogueEditSchema>;

const csvNumbers = z.pipe(z
  .string(), z.transform((s) => s.split(',').map((x) => Number(x.trim())))).check(z.refine((a) => a.every((x) => Number.isFinite(x)), '范围应为数值'));

export const catalogueSearchQuerySchema = z.object({
  region: described(z.optional(regionCodeSchema), '行政区划代码；省级代码同时检索其下的市、县'),
  theme: z.optional(themeIdSchema),
  from: described(z.optional(isoDateSchema), '时间范围起（成果时点/时段与之重叠）'),
  to: described(z.optional(isoDateSchema), '时间范围止'),
  classification: described(z.optional(classificationSchema), '只看该密级（不超过本人密级权限）'),
  sharingMode: z.optional(sharingModeSchema),
  custodian: z.optional(orgCodeSchema),
  q: described(z.optional(z.string().check(z.trim()).check(z.minLength(2, '关键词至少 2 个字')).check(z.maxLength(50, '关键词不超过 50 字'))), '中文关键词；空格分隔多个词（均须出现）'),
  bbox: described(z.optional(csvNumbers.check(z.refine((a) => a.length === 4, '范围应为 西,南,东,北 四个数'))), '外包矩形 西,南,东,北（度），与条目范围相交'),
  includeDestroyed: described(z.optional(z.enum(['true', 'false'])), '是否包含已销毁的条目（编号不复用，条目保留）'),
  limit: z._default(z.coerce.number().check(z.int()).check(z.gte(1, '每页条数应在 1–100 之间')).check(z.lte(100, '每页条数应在 1–100 之间')), 20),
  cursor: z.optional(z.string().check(z.maxLength(2048, '分页游标无效'))),
});
export type CatalogueSearchQuery = z.infer<typeof catalogueSearchQuerySchema>;
