import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { catalogueEntrySchema, registerCatalogueBodySchema, resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { catalogueEditSchema, catalogueSearchQuerySchema } from '#shared/schemas/catalogue-input.ts';

const entryViewSchema = z.extend(catalogueEntrySchema, {
  versions: described(z
    .array(z.object({ version: z.number().check(z.int()), updatedAt: z.string(), updatedBy: z.string(), classification: catalogueEntrySchema.shape.classification })), '历次版本（仅列出本人密级权限可见的版本）'),
  qualityStatus: described(z.optional(z.string()), '有经确认的重大质量问题正在处理（核实、责令改正、更正版本核验）时为“质量问题处理中”，改正入库后清除（R19.3）'),
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
    response: z.object({ items: z.array(catalogueEntrySchema), cursor: z.optional(z.string()) }),
    description:
      '检索成果目录：行政区划（省级代码含其下市县）、专题、时间范围、密级（不超过本人密级权限）、共享方式、保管单位、中文关键词、外包矩形；按成果时点由新到旧分页。' +
      '由键和索引查询完成，不做全表扫描；筛选条件很严时一页可能不足 limit 条，凭 cursor 继续。',
  }),
};

const publishResultSchema = z.object({
  entries: described(z.number().check(z.int()), '公开目录中的条目数'),
  written: described(z.number().check(z.int()), '写入的文件数'),
  deleted: described(z.number().check(z.int()), '删除的过期文件数（条目不再公开、已销毁或专题为空）'),
  generatedAt: described(z.iso.datetime(), '本次生成时间'),
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

/**
 * The public-catalogue publishers hold every file of the catalogue in memory and build it on the CPU:
 * one full vCPU (Lambda gives 1,769 MB one) — about 160 MiB of files at 50,000 public entries, and the
 * 10,000-entry rebuild well inside the refresh route's 29 s (npm run bench -- public-catalogue).
 */
export const publisherMemoryMb = 1769;

/** The catalogue context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const catalogue = defineContext({
  name: 'catalogue',
  functions: {
    RegisterCatalogueEntry: {
      entry: './register-catalogue-entry.ts',
      description: 'The custodian registers a verified result: unified number + catalogue entry in one transaction (audited).',
      tables: auditedWrites,
    },
    GetCatalogueEntry: {
      entry: './get-catalogue-entry.ts',
      description: 'One catalogue entry and its versions, within the caller\'s clearance.',
      tables: readsRegistry,
    },
    UpdateCatalogueEntry: {
      entry: './update-catalogue-entry.ts',
      description: 'The custodian edits a catalogue entry: a new version, audited, index rewritten.',
      tables: auditedWrites,
    },
    SearchCatalogue: {
      entry: './search-catalogue.ts',
      description: 'Catalogue search by index partitions (never a scan), within the caller\'s clearance.',
      tables: readsRegistry,
    },
    PublishPublicCatalogue: {
      entry: './publish-public-catalogue.ts',
      description: 'Daily: rebuilds the public catalogue (page, search index, STAC 1.0.0) of the national and provincial public entries into the published bucket.',
      timeoutSeconds: 300,
      memoryMb: publisherMemoryMb,
      tables: readsRegistry,
      buckets: { published: 'readWrite' },
      publishesPublicCatalogue: true,
    },
    PublishPublicCatalogueOnChange: {
      entry: './publish-public-catalogue-on-change.ts',
      description: 'R9.3 "updated when entries change": the registry stream\'s catalogue-entry changes, batched, republish the public catalogue when one of them is or was public.',
      timeoutSeconds: 300,
      reservedConcurrency: 1,
      memoryMb: publisherMemoryMb,
      tables: readsRegistry,
      buckets: { published: 'readWrite' },
      publishesPublicCatalogue: true,
    },
    RefreshPublicCatalogue: {
      entry: './refresh-public-catalogue.ts',
      description: 'A custodian or administrator republishes the public catalogue now, after entries changed.',
      timeoutSeconds: 29,
      memoryMb: publisherMemoryMb,
      tables: readsRegistry,
      buckets: { published: 'readWrite' },
      publishesPublicCatalogue: true,
    },
  },
  routes: {
    RegisterCatalogueEntry: {
      method: 'POST',
      path: '/catalogue',
      auth: ['custodian'],
      summary: '登记成果目录（赋统一编号）',
      contract: catalogueContracts.RegisterCatalogueEntry,
    },
    SearchCatalogue: {
      method: 'GET',
      path: '/catalogue',
      auth: 'any',
      summary: '检索成果目录',
      contract: catalogueContracts.SearchCatalogue,
    },
    GetCatalogueEntry: {
      method: 'GET',
      path: '/catalogue/{resultNumber}',
      auth: 'any',
      summary: '成果目录条目详情',
      contract: catalogueContracts.GetCatalogueEntry,
    },
    UpdateCatalogueEntry: {
      method: 'PATCH',
      path: '/catalogue/{resultNumber}',
      auth: ['custodian'],
      summary: '修改成果目录条目（留存版本）',
      contract: catalogueContracts.UpdateCatalogueEntry,
    },
    RefreshPublicCatalogue: {
      method: 'POST',
      path: '/public-catalogue/refresh',
      auth: ['custodian', 'administrator'],
      summary: '立即更新成果公开目录',
      contract: publicCatalogueContracts.RefreshPublicCatalogue,
    },
  },
  schedules: {
    PublicCatalogueRefresh: {
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: {
        function: 'PublishPublicCatalogue',
      },
      description: '每日 02:00 更新成果公开目录（R9.3 定期更新）',
    },
  },
  streams: {
    PublicCatalogueOnChange: {
      table: 'registry',
      function: 'PublishPublicCatalogueOnChange',
      keys: {
        pkPrefix: 'CAT#',
        sk: 'META',
      },
      batchingWindowSeconds: 5,
      batchSize: 100,
      description: '成果目录条目变更后更新成果公开目录（R9.3）',
    },
  },
});
