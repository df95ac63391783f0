import * as z from 'zod';
import { acknowledgementSchema, reportStatuses } from '#shared/catalogue-report/report.ts';

/** A catalogue report as readers see it (成果目录上报, R9.1). */
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
