import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { acknowledgementSchema, reportFileFormats, reportStatuses } from '#shared/catalogue-report/report.ts';
import { orgCodeSchema } from './submission.ts';

export const catalogueReportViewSchema = z.object({
  reportId: z.string(),
  custodianOrg: z.string().describe('报送单位（保管单位）'),
  organiserOrg: z.string().describe('保管单位所属组织单位'),
  recipientOrg: z.string().describe('接收上报的上一级组织单位'),
  status: z.enum(reportStatuses),
  statusLabel: z.string(),
  sentAt: z.string(),
  sentBy: z.string(),
  resultNumbers: z.array(z.string()),
  entryCount: z.number().int(),
  firstRegisteredAt: z.string().describe('报告中最早的条目登记（接收）时间'),
  dueDate: z.string().describe('上报期限：最早登记后 30 个工作日'),
  dueBasis: z.enum(['receipt', 'registration']).optional().describe('期限起算依据：receipt 保管单位接收 · registration 目录登记'),
  dueFrom: z.string().optional().describe('期限起算日期（北京时间）'),
  entryDues: z
    .array(z.object({ resultNumber: z.string(), dueBasis: z.enum(['receipt', 'registration']), dueFrom: z.string(), dueDate: z.string() }))
    .optional()
    .describe('各条目自己的上报期限（仅读者密级可见的条目；列表中不含）'),
  workingDaysLeft: z.number().int().describe('距期限的剩余工作日（逾期为负）'),
  overdue: z.boolean().describe('逾期未确认'),
  execution: z.string().optional(),
  acknowledgement: acknowledgementSchema.optional().describe('上级的确认记录（决定、意见、确认人、时间）'),
});

/** Contracts of the catalogue report routes (成果目录上报, R9.1), keyed by manifest function name. */
export const catalogueReportContracts = {
  SendCatalogueReport: contract({
    success: [202],
    response: z.object({ report: catalogueReportViewSchema }),
    description:
      '保管单位的成果保管人将自上次上报以来新登记的成果目录条目上报上一级组织单位（上报内容以 JSON 存档于文档库；CSV 表格与中文网页按读者密级下载），上一级审核人员经邮件链接确认接收。' +
      '没有新条目时返回 409 NOTHING_TO_REPORT。返回 202。',
  }),
  ListCatalogueReports: contract({
    query: z
      .object({
        custodianOrg: orgCodeSchema.optional().describe('保管单位组织代码：该单位上报的记录'),
        recipientOrg: orgCodeSchema.optional().describe('上级组织单位代码：该单位收到的下级上报（逐级查看）'),
      })
      .refine((q) => (q.custodianOrg === undefined) !== (q.recipientOrg === undefined), '请给出 custodianOrg 或 recipientOrg 之一'),
    response: z.object({ reports: z.array(catalogueReportViewSchema) }),
    description:
      '一个保管单位的成果目录上报记录（custodianOrg；保管单位、其组织单位、上一级组织单位及管理员可查），或一个上级组织单位收到的下级上报（recipientOrg，逐级查看；该单位人员及管理员可查）。' +
      '新的在前，含上报期限、剩余工作日与逾期标记。',
  }),
  GetCatalogueReport: contract({
    path: z.object({ reportId: z.string().min(1).max(100) }),
    response: z.object({ report: catalogueReportViewSchema, entries: z.array(z.object({ resultNumber: z.string(), redacted: z.boolean() }).loose()) }),
    description: '一份成果目录上报及其条目（上报时的内容）；超出读者密级的条目只显示统一编号与“（涉密，需相应密级查看）”。',
  }),
  CatalogueReportFile: contract({
    path: z.object({
      reportId: z.string().min(1).max(100),
      format: z.enum(reportFileFormats).describe('csv：表格（UTF-8 带 BOM，Excel/WPS 可直接打开）；html：中文网页；json：数据'),
    }),
    produces: ['text/csv', 'text/html', 'application/json'],
    description:
      '下载一份成果目录上报：按读者密级现场生成（超出密级的条目只显示统一编号与“（涉密，需相应密级查看）”），以附件形式返回。' +
      '文档库中只存档上报时的 JSON 原件，任何接口都不直接提供该原件。',
  }),
};
