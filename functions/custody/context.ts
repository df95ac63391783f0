import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { platform } from '../platform/context.ts';

/** The custody context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const custody = defineContext({
  name: 'custody',
  functions: {
    ListCustodyResults: {
      entry: './list-results.ts',
      description: 'IntegrityAudit: the custody copies the registry recorded (a key query on gsi1), in batches written to the documents bucket.',
      timeoutSeconds: 300,
      tables: readsRegistry,
      buckets: { documents: 'readWrite' },
    },
    CheckCustodyBatch: {
      entry: './check-batch.ts',
      description: 'IntegrityAudit: each custody manifest against the SHA-256 the registry recorded, then each object against the trusted file list (stored SHA-256, else stream and hash).',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: readsRegistry,
      buckets: { custody: 'read', documents: 'readWrite' },
    },
    WriteIntegrityReport: {
      entry: './write-report.ts',
      description: 'IntegrityAudit: the report (JSON + Chinese HTML) and the run\'s registry record (audited).',
      timeoutSeconds: 300,
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
    },
    AlertIntegrityProblems: {
      entry: './alert.ts',
      description: 'IntegrityAudit: emails custodian and organiser the missing or mismatched objects and the restore procedure.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
  },
  stateMachines: {
    IntegrityAudit: {
      file: 'statemachines/integrity-audit.asl.json',
      functions: ['ListCustodyResults', 'CheckCustodyBatch', 'WriteIntegrityReport', 'AlertIntegrityProblems', platform.ref.RecordWorkflowFailure],
    },
  },
  schedules: {
    WeeklyIntegrityAudit: {
      expression: 'cron(0 3 ? * SUN *)',
      timezone: 'Asia/Shanghai',
      target: {
        stateMachine: 'IntegrityAudit',
      },
      description: '每周日 03:00 核查全部保管成果的完整性（R10.1），异常即告警',
    },
  },
});
