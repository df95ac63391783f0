import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { approvalSchema, destructionStatuses, minReasonLength } from '#shared/destruction/destruction.ts';
import { resultNumberSchema } from './catalogue.ts';

export const destructionViewSchema = z.object({
  resultNumber: z.string(),
  destructionId: z.string(),
  status: z.enum(destructionStatuses),
  statusLabel: z.string(),
  reasons: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  custodianOrg: z.string(),
  organiserOrg: z.string(),
  execution: z.string().optional(),
  approval: approvalSchema.optional().describe('组织单位的审批记录（决定、意见、审批人、时间）'),
  removedObjects: z.number().int().optional().describe('删除的保管对象（含各版本与备份）数'),
  closedAt: z.string().optional(),
});

export const destructionRequestBodySchema = z.object({
  reasons: z
    .string()
    .trim()
    .min(minReasonLength, `销毁理由至少 ${minReasonLength} 个字`)
    .max(2000, '销毁理由不超过 2000 字')
    .describe('销毁理由（记入审计，并展示给审批人）'),
});

const numberPath = z.object({ resultNumber: resultNumberSchema });

/** Contracts of the destruction routes (销毁), keyed by manifest function name. */
export const destructionContracts = {
  RequestDestruction: contract({
    success: [202],
    path: numberPath,
    body: destructionRequestBodySchema,
    response: z.object({ destruction: destructionViewSchema }),
    description:
      '保管单位的成果保管人申请销毁成果（理由至少 10 个字）：组织单位审核人员经邮件链接审批；批准后删除全部保管文件（含各版本与备份）及保管清单，目录条目标记为“已销毁”（统一编号保留），' +
      '不批准则一切保持不变并通知申请人。已有待审批的申请时返回 409。返回 202。',
  }),
  GetDestruction: contract({
    path: numberPath,
    response: z.object({ destruction: destructionViewSchema }),
    description: '成果最近一次销毁申请的状态与审批记录（保管单位、组织单位及其上级可查；超出密级权限的按不存在处理）。',
  }),
};
