import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { catalogueEditSchema, catalogueEntrySchema, catalogueSearchQuerySchema, registerCatalogueBodySchema, resultNumberSchema } from './catalogue.ts';

export const entryViewSchema = catalogueEntrySchema.extend({
  versions: z
    .array(z.object({ version: z.number().int(), updatedAt: z.string(), updatedBy: z.string(), classification: catalogueEntrySchema.shape.classification }))
    .describe('历次版本（仅列出本人密级权限可见的版本）'),
});

const numberPath = z.object({ resultNumber: resultNumberSchema });

/** Contracts of the catalogue routes (R9.1, R9.2, R5.1), keyed by manifest function name. */
export const catalogueContracts = {
  RegisterCatalogueEntry: contract({
    success: [201, 200],
    body: registerCatalogueBodySchema,
    response: z.object({ entry: catalogueEntrySchema, created: z.boolean() }),
    description:
      '保管单位的成果保管人为核验通过（或涉密离线保管）的汇交登记成果目录：赋统一编号（R9.1，“保管单位代码-年份-专题代码-6 位序号”，按保管单位和年度连续、不重复、不复用），' +
      '登记 R9.2 八项目录信息。同一汇交重复登记返回同一条目与编号（200，created=false）；首次登记返回 201。',
  }),
  GetCatalogueEntry: contract({
    path: numberPath,
    response: z.object({ entry: entryViewSchema }),
    description: '目录条目详情与版本。超出本人密级权限的条目按不存在处理（404），不泄露其存在。',
  }),
  UpdateCatalogueEntry: contract({
    path: numberPath,
    body: catalogueEditSchema,
    response: z.object({ entry: catalogueEntrySchema, changed: z.boolean() }),
    description: '保管单位的成果保管人修改目录信息（R9.2）：每次修改生成新版本并记入审计；统一编号、专题、保管单位与来源汇交不可修改。可提高密级；降低密级或改为公开须经保密审查和发布审批（R5.1、R12.1），此处返回 409 DECLASSIFICATION_NEEDS_APPROVAL。',
  }),
  SearchCatalogue: contract({
    query: catalogueSearchQuerySchema,
    response: z.object({ items: z.array(catalogueEntrySchema), cursor: z.string().optional() }),
    description:
      '检索成果目录：行政区划（省级代码含其下市县）、专题、时间范围、密级（不超过本人密级权限）、共享方式、保管单位、中文关键词、外包矩形；按成果时点由新到旧分页。' +
      '由键和索引查询完成，不做全表扫描；筛选条件很严时一页可能不足 limit 条，凭 cursor 继续。',
  }),
};
