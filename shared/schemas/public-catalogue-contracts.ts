import { z } from 'zod';
import { contract } from '#runtime/contract.ts';

export const publishResultSchema = z.object({
  entries: z.number().int().describe('公开目录中的条目数'),
  written: z.number().int().describe('写入的文件数'),
  deleted: z.number().int().describe('删除的过期文件数（条目不再公开、已销毁或专题为空）'),
  generatedAt: z.iso.datetime().describe('本次生成时间'),
});

/** Contracts of the public catalogue routes (R9.3), keyed by manifest function name. */
export const publicCatalogueContracts = {
  RefreshPublicCatalogue: contract({
    response: publishResultSchema,
    description:
      '立即重新生成成果公开目录（R9.3）：国家级和省级保管单位目录中密级为“公开”且有效的条目，发布为静态网页（含检索）与 STAC 1.0.0 目录（catalog.json、各专题集合与条目）。' +
      '每日定时更新；条目变更后保管人或管理员可调用本接口即时更新。',
  }),
};
