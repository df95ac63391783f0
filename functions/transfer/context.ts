import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { submissionIdSchema } from '#shared/schemas/submission.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';
import { custodyReceiptKind, forestryCopyAckKind } from '#shared/transfer/task-kinds.ts';

const submissionPath = z.object({ submissionId: submissionIdSchema });

/** R8.1 transfer to custody (functions/transfer). */
export const transferContracts = {
  StartTransfer: contract({
    success: [202, 200],
    path: submissionPath,
    response: z.object({
      submissionId: z.string(),
      executionName: z.string(),
      executionArn: z.optional(z.string()),
      started: described(z.boolean(), '仅启动移交流程的那一次调用为 true（提交状态上的一次条件写入；并发请求只有一个为 true）'),
      attempt: described(z.number().check(z.int()).check(z.gte(1)), '第几次移交：移交失败（transferFailed）后再次调用即重新启动，名称为 transfer-<汇交编号>-<次数>'),
      transferRequired: described(z.boolean(), '汇交单位与保管单位不同（R8.1）；同一单位时无需移交，仍赋号、登记目录并复制入库'),
    }),
    description:
      '组织单位审核人员将核验通过的成果移交保管单位（R8.1）：检查成果包完整后赋统一编号、登记目录、复制入保管库，' +
      '再由保管单位确认接收（接收日期起算 30 个工作日的目录上报期限）。流程名称为 transfer-<汇交编号>，重复调用不会再次启动。首次启动返回 202，其余 200 started:false。' +
      '移交失败（transferFailed）后再次调用则重新启动移交（第 2 次起名称为 transfer-<汇交编号>-<次数>，审计记录 submission.transfer.restart）。',
  }),
};

/** The transfer context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const transfer = defineContext({
  name: 'transfer',
  functions: {
    StartTransfer: {
      entry: './start-transfer.ts',
      description: 'The organiser transfers a verified result: starts Transfer exactly once (execution transfer-<submissionId>), audited.',
      timeoutSeconds: 29,
      tables: auditedWrites,
    },
    AssignNumber: {
      entry: './assign-number.ts',
      description: 'Transfer: checks the package is verified and complete, then the unified number and catalogue entry (audited).',
      timeoutSeconds: 300,
      tables: auditedWrites,
      buckets: { uploads: 'read' },
    },
    PlanCustodyCopy: {
      entry: './plan-custody-copy.ts',
      description: 'Transfer: the verified package files cut into copy batches (at most 100 files or 16 GiB each) for the Distributed Map.',
      timeoutSeconds: 300,
      tables: readsRegistry,
    },
    CopyCustodyBatch: {
      entry: './copy-custody-batch.ts',
      description: 'Transfer (Distributed Map child): one batch of package files copied into custody server-side (CopyObject / UploadPartCopy), confirmed against the verified SHA-256.',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: readsRegistry,
      buckets: { uploads: 'read', custody: 'readWrite' },
    },
    CopyIntoCustody: {
      entry: './copy-into-custody.ts',
      description: 'Transfer: after the copy batches, every file confirmed present in custody, the custody manifest written last, then the audited transfer record.',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: auditedWrites,
      buckets: { uploads: 'read', custody: 'readWrite' },
    },
    RecordReceipt: {
      entry: './record-receipt.ts',
      description: 'Transfer: the custodian\'s receipt (or the same unit\'s implicit one) starts the R9.1 30 WD catalogue-report clock; emails the organiser (audited).',
      tables: auditedWrites,
      sendsEmail: true,
    },
    RecordCorrection: {
      entry: './record-correction.ts',
      description: 'Transfer (R19.3): a corrected version in custody becomes the catalogue entry\'s current version (the old kept), grant holders emailed, its quality problems closed as fixed (audited, R19.3.fixed counted); nothing for any other version.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    SendForestryCopy: {
      entry: './send-forestry-copy.ts',
      description: 'Transfer: R8.2 copy record for the natural-resources department of a forestry organiser\'s level, 30 WD due (audited).',
      tables: auditedWrites,
    },
    RecordTransferFailure: {
      entry: './record-transfer-failure.ts',
      description: 'Transfer: a failed step (or a refused receipt) is recorded on the submission timeline (audited).',
      tables: auditedWrites,
    },
  },
  routes: {
    StartTransfer: {
      method: 'POST',
      path: '/submissions/{submissionId}/transfer',
      auth: ['reviewer'],
      summary: '移交保管单位（赋号、入库、接收确认）',
      contract: transferContracts.StartTransfer,
    },
  },
  starts: {
    StartTransfer: ['Transfer'],
  },
  stateMachines: {
    Transfer: {
      file: 'statemachines/transfer.asl.json',
      functions: ['AssignNumber', 'PlanCustodyCopy', 'CopyCustodyBatch', 'CopyIntoCustody', refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordReceipt', 'RecordCorrection', 'SendForestryCopy', 'RecordTransferFailure'],
    },
  },
  humanTaskKinds: { custodyReceipt: custodyReceiptKind, forestryCopyAck: forestryCopyAckKind },
});
