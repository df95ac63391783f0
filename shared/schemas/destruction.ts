import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { approvalSchema, destructionStatuses, minReasonLength } from '#shared/destruction/destruction.ts';

/** The view of a destruction request (销毁申请), as routes return it. */
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
  regionName: described(z.optional(z.string()), '成果所在行政区名称（GB/T 2260，申请时记录）'),
  execution: z.optional(z.string()),
  approval: described(z.optional(approvalSchema), '组织单位的审批记录（决定、意见、审批人、时间）'),
  removedObjects: described(z.optional(z.number().check(z.int())), '删除的保管对象（含各版本与备份）数'),
  closedAt: z.optional(z.string()),
});

/** Body of a destruction request: the reasons (at least minReasonLength characters). */
export const destructionRequestBodySchema = z.object({
  reasons: described(z
    .string().check(z.trim()).check(z.minLength(minReasonLength, `销毁理由至少 ${minReasonLength} 个字`)).check(z.maxLength(2000, '销毁理由不超过 2000 字')), '销毁理由（记入审计，并展示给审批人）'),
});
