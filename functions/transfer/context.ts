import { defineContext } from '#runtime/define.ts';
import { transferContracts } from '#shared/schemas/transfer-contracts.ts';
import { tasks } from '../tasks/context.ts';
import { verification } from '../verification/context.ts';

/** The transfer context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const transfer = defineContext({
  name: 'transfer',
  functions: {
    StartTransfer: {
      entry: './start-transfer.ts',
      description: 'The organiser transfers a verified result: starts Transfer exactly once (execution transfer-<submissionId>), audited.',
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    AssignNumber: {
      entry: './assign-number.ts',
      description: 'Transfer: checks the package is verified and complete, then the unified number and catalogue entry (audited).',
      timeoutSeconds: 300,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        uploads: 'read',
      },
    },
    CopyIntoCustody: {
      entry: './copy-into-custody.ts',
      description: 'Transfer: copies the verified package into custody under its number (write-once), then the audited transfer record.',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        uploads: 'read',
        custody: 'readWrite',
      },
    },
    RecordReceipt: {
      entry: './record-receipt.ts',
      description: 'Transfer: the custodian\'s receipt (or the same unit\'s implicit one) starts the R9.1 30 WD catalogue-report clock; emails the organiser (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      sendsEmail: true,
    },
    SendForestryCopy: {
      entry: './send-forestry-copy.ts',
      description: 'Transfer: R8.2 copy record for the natural-resources department of a forestry organiser\'s level, 30 WD due (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    RecordTransferFailure: {
      entry: './record-transfer-failure.ts',
      description: 'Transfer: a failed step (or a refused receipt) is recorded on the submission timeline (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
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
      functions: ['AssignNumber', 'CopyIntoCustody', tasks.ref.CreateHumanTask, verification.ref.EscalateReview, 'RecordReceipt', 'SendForestryCopy', 'RecordTransferFailure'],
    },
  },
});
