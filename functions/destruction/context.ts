import { defineContext } from '#runtime/define.ts';
import { destructionContracts } from '#shared/schemas/destruction-contracts.ts';
import { platform } from '../platform/context.ts';
import { tasks } from '../tasks/context.ts';
import { verification } from '../verification/context.ts';

/** The destruction context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const destruction = defineContext({
  name: 'destruction',
  functions: {
    RequestDestruction: {
      entry: './request-destruction.ts',
      description: 'A custodian requests destruction with reasons (audited); starts Destruction; 409 while a round is pending.',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    GetDestruction: {
      entry: './get-destruction.ts',
      description: 'The latest destruction round of a result and its approval record.',
      tables: {
        registry: 'read',
      },
    },
    DestroyCustodyObjects: {
      entry: './destroy-objects.ts',
      description: 'Destruction: THE privileged path — deletes every version of a result\'s custody objects and manifests (and the local backup copy), only after approval.',
      timeoutSeconds: 900,
      tables: {
        registry: 'read',
      },
      buckets: {
        custody: 'readWrite',
      },
      destroysCustodyObjects: true,
    },
    MarkDestroyed: {
      entry: './mark-destroyed.ts',
      description: 'Destruction: the catalogue entry marked destroyed (new version, number kept) with the approval record (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    RefuseDestruction: {
      entry: './refuse-destruction.ts',
      description: 'Destruction: refused or unanswered — the round closes (audited), nothing else changes, the requester is emailed.',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
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
      functions: [tasks.ref.CreateHumanTask, verification.ref.EscalateReview, 'DestroyCustodyObjects', 'MarkDestroyed', 'RefuseDestruction', platform.ref.RecordWorkflowFailure],
    },
  },
});
