import * as z from 'zod/mini';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { described } from '#shared/schemas/described.ts';
import type { platform } from '../platform/context.ts';

const runViewSchema = z.object({
  runId: described(z.string(), '检查编号：日期.执行名称'),
  date: z.string(),
  executionName: z.string(),
  checkedAt: z.string(),
  passed: described(z.boolean(), '全部保管对象与保管清单一致'),
  objects: described(z.number().check(z.int()), '检查的对象数（全部保管单位）'),
  problems: described(z.number().check(z.int()), '发现的问题数（全部保管单位）'),
  mine: described(z.number().check(z.int()), '涉及本单位（或下级单位）的问题数'),
});

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
    ListIntegrityAudits: {
      entry: './list-integrity-audits.ts',
      description: 'The integrity audit runs, newest first (one key query on gsi1), each with the findings that concern the reader (its report read back from the documents bucket).',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    GetIntegrityAudit: {
      entry: './get-integrity-audit.ts',
      description: "One integrity audit run's findings that concern the reader, within the reader's clearance (a result above it by number only).",
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    AlertIntegrityProblems: {
      entry: './alert.ts',
      description: 'IntegrityAudit: emails custodian and organiser the missing or mismatched objects and the restore procedure.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
  },
  routes: {
    ListIntegrityAudits: {
      method: 'GET',
      path: '/custody/integrity-audits',
      auth: ['custodian', 'reviewer', 'supervisor', 'administrator'],
      summary: '保管成果完整性检查记录',
      contract: contract({
        query: z.object({ limit: described(z._default(z.string().check(z.regex(/^([1-9]|[1-4]\d|5[0-2])$/, '条数应为 1–52')), '20'), '最多列出的检查次数（1–52，默认 20）') }),
        response: z.object({ items: z.array(runViewSchema) }),
        description: '每周完整性检查（R10.1）的运行记录，从新到旧（一次键查询）；mine 为涉及本单位（或下级单位）的问题数。',
      }),
    },
    GetIntegrityAudit: {
      method: 'GET',
      path: '/custody/integrity-audits/{runId}',
      auth: ['custodian', 'reviewer', 'supervisor', 'administrator'],
      summary: '一次完整性检查的结果',
      contract: contract({
        path: z.object({ runId: described(z.string().check(z.minLength(12)).check(z.maxLength(92)), '检查编号：日期.执行名称，如 2026-11-29.weekly-1') }),
        response: z.object({
          run: runViewSchema,
          findings: described(
            z.array(
              z.object({
                resultNumber: z.string(),
                n: described(z.number().check(z.int()), '成果版本'),
                status: z.enum(['missing', 'mismatch', 'manifestMissing', 'manifestMismatch', 'unverifiable']),
                statusLabel: z.string(),
                custodianOrg: z.string(),
                organiserOrg: z.string(),
                hidden: described(z.boolean(), 'true：成果密级高于读者密级（或未登记目录），只显示统一编号与问题类型'),
                key: described(z.optional(z.string()), '保管对象'),
                classificationLabel: z.optional(z.string()),
                expectedSha256: z.optional(z.string()),
                actualSha256: z.optional(z.string()),
                expectedSize: z.optional(z.number()),
                actualSize: z.optional(z.number()),
              }),
            ),
            '涉及本单位（或下级单位）的问题',
          ),
        }),
        description: '检查报告（文档存储中的 JSON）中涉及本单位、其下级单位（保管单位或组织单位）的问题；密级高于读者的成果只显示统一编号和问题类型。不存在的检查返回 404。',
      }),
    },
  },
  stateMachines: {
    IntegrityAudit: {
      file: 'statemachines/integrity-audit.asl.json',
      functions: ['ListCustodyResults', 'CheckCustodyBatch', 'WriteIntegrityReport', 'AlertIntegrityProblems', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
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
