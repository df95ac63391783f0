import * as z from 'zod/mini';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { destructionRequestBodySchema, destructionViewSchema } from '#shared/schemas/destruction.ts';
import type { platform } from '../platform/context.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';
import { destructionApprovalKind } from '#shared/destruction/approval-task.ts';

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

/** The destruction context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const destruction = defineContext({
  name: 'destruction',
  functions: {
    RequestDestruction: {
      entry: './request-destruction.ts',
      description: 'A custodian requests destruction with reasons (audited); starts Destruction; 409 while a round is pending.',
      tables: auditedWrites,
    },
    GetDestruction: {
      entry: './get-destruction.ts',
      description: 'The latest destruction round of a result and its approval record.',
      tables: readsRegistry,
    },
    DestroyCustodyObjects: {
      entry: './destroy-objects.ts',
      description: 'Destruction: THE privileged path — deletes every version of a result\'s custody objects and manifests (and the local backup copy), only after approval.',
      timeoutSeconds: 900,
      tables: readsRegistry,
      // Read binds the bucket's name; every delete goes through the destruction role's session (no PutObject, no standing bypass).
      buckets: { custody: 'read' },
      destroysCustodyObjects: true,
    },
    MarkDestroyed: {
      entry: './mark-destroyed.ts',
      description: 'Destruction: the catalogue entry marked destroyed (new version, number kept) with the approval record (audited).',
      tables: auditedWrites,
    },
    RefuseDestruction: {
      entry: './refuse-destruction.ts',
      description: 'Destruction: refused or unanswered — the round closes (audited), nothing else changes, the requester is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
  },
  routes: {
    RequestDestruction: {
      method: 'POST',
      path: '/catalogue/{resultNumber}/destruction',
      auth: ['custodian'],
      summary: '申请销毁成果（需组织单位审批）',
      contract: destructionContracts.RequestDestruction,
    },
    GetDestruction: {
      method: 'GET',
      path: '/catalogue/{resultNumber}/destruction',
      auth: 'any',
      summary: '成果销毁申请状态与审批记录',
      contract: destructionContracts.GetDestruction,
    },
  },
  starts: {
    RequestDestruction: ['Destruction'],
  },
  stateMachines: {
    Destruction: {
      file: 'statemachines/destruction.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'DestroyCustodyObjects', 'MarkDestroyed', 'RefuseDestruction', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
  },
  humanTaskKinds: { destructionApproval: destructionApprovalKind },
});
