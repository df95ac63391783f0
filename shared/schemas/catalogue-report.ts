import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { acknowledgementSchema, reportStatuses } from '#shared/catalogue-report/report.ts';

/** A catalogue report as readers see it (成果目录上报, R9.1). */
export const catalogueReportViewSchema = z.object({
  reportId: z.string(),
  custodianOrg: described(z.string(), '报送单位（保管单位）'),
  organiserOrg: described(z.string(), '保管单位所属组织单位'),
  recipientOrg: described(z.string(), '接收上报的上一级组织单位'),
  status: z.enum(reportStatuses),
  statusLabel: z.string(),
  sentAt: z.string(),
  sentBy: z.string(),
  resultNumbers: z.array(z.string()),
  entryCount: z.number().check(z.int()),
  firstRegisteredAt: described(z.string(), '报告中最早的条目登记（接收）时间'),
  dueDate: described(z.string(), '上报期限：最早登记后 30 个工作日'),
  dueBasis: described(z.optional(z.enum(['receipt', 'registration'])), '期限起算依据：receipt 保管单位接收 · registration 目录登记'),
  dueFrom: described(z.optional(z.string()), '期限起算日期（北京时间）'),
  entryDues: described(z.optional(z
    .array(z.object({ resultNumber: z.string(), dueBasis: z.enum(['receipt', 'registration']), dueFrom: z.string(), dueDate: z.string() }))), '各条目自己的上报期限（仅读者密级可见的条目；列表中不含）'),
  workingDaysLeft: described(z.number().check(z.int()), '距期限的剩余工作日（逾期为负）'),
  overdue: described(z.boolean(), '逾期未确认'),
  execution: z.optional(z.string()),
  acknowledgement: described(z.optional(acknowledgementSchema), '上级的确认记录（决定、意见、确认人、时间）'),
});
