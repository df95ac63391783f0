import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { submissionIdSchema } from './submission.ts';

const submissionPath = z.object({ submissionId: submissionIdSchema });

/** R8.1 transfer to custody (functions/transfer). */
export const transferContracts = {
  StartTransfer: contract({
    success: [202, 200],
    path: submissionPath,
    response: z.object({
      submissionId: z.string(),
      executionName: z.string(),
      executionArn: z.string().optional(),
      started: z.boolean().describe('仅启动移交流程的那一次调用为 true（提交状态上的一次条件写入；并发请求只有一个为 true）'),
      attempt: z.number().int().min(1).describe('第几次移交：移交失败（transferFailed）后再次调用即重新启动，名称为 transfer-<汇交编号>-<次数>'),
      transferRequired: z.boolean().describe('汇交单位与保管单位不同（R8.1）；同一单位时无需移交，仍赋号、登记目录并复制入库'),
    }),
    description:
      '组织单位审核人员将核验通过的成果移交保管单位（R8.1）：检查成果包完整后赋统一编号、登记目录、复制入保管库，' +
      '再由保管单位确认接收（接收日期起算 30 个工作日的目录上报期限）。流程名称为 transfer-<汇交编号>，重复调用不会再次启动。首次启动返回 202，其余 200 started:false。' +
      '移交失败（transferFailed）后再次调用则重新启动移交（第 2 次起名称为 transfer-<汇交编号>-<次数>，审计记录 submission.transfer.restart）。',
  }),
};
