import { z } from 'zod';
import { organisationSchema, regionCodeSchema } from '#shared/schemas/identity.ts';
import { clockSchema } from '#shared/supervision/clocks.ts';

export const supervisionOrgCode = organisationSchema.shape.code.describe('组织代码：行政区划代码-类别，如 440000-NR');

export const clockViewSchema = clockSchema.extend({
  typeLabel: z.string().describe('期限类型中文名称'),
  overdue: z.boolean().describe('运行中：今天已过期限；已办结：办结晚于期限'),
  workingDaysLeft: z.number().int().optional().describe('距期限的工作日数（逾期为负数）；已办结时不返回'),
});

export { regionCodeSchema };
