import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { reportFileFormats } from '#shared/catalogue-report/report.ts';
import { catalogueReportViewSchema } from '#shared/schemas/catalogue-report.ts';
import { orgCodeSchema } from '#shared/schemas/submission.ts';
import type { platform } from '../platform/context.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';
import { catalogueReportAckKind } from '#shared/catalogue-report/task-kind.ts';

/** The catalogue-report context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const catalogueReport = defineContext({
  name: 'catalogue-report',
  functions: {
    SendCatalogueReport: {
      entry: './send-catalogue-report.ts',
      description: 'A custodian reports the entries registered since its last report (JSON, CSV, Chinese HTML in documents; audited); starts CatalogueReport; 409 when nothing is new.',
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
    },
    ListCatalogueReports: {
      entry: './list-catalogue-reports.ts',
      description: 'A custodian\'s catalogue reports with due date, working days left and overdue flag.',
      tables: readsRegistry,
    },
    GetCatalogueReport: {
      entry: './get-catalogue-report.ts',
      description: 'One catalogue report as sent; entries above the reader\'s clearance redacted to their number.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    CatalogueReportFile: {
      entry: './catalogue-report-file.ts',
      description: 'A catalogue report as a CSV table, Chinese HTML page or JSON, rendered for the reader: lines above their clearance show only their number.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    RecordReportAcknowledgement: {
      entry: './record-acknowledgement.ts',
      description: 'CatalogueReport: the upper level\'s acknowledgement (who, when, decision) recorded on the report (audited).',
      tables: auditedWrites,
    },
  },
  routes: {
    SendCatalogueReport: {
      method: 'POST',
      path: '/catalogue-reports',
      auth: ['custodian'],
      summary: '上报成果目录（自上次上报以来的新条目）',
      contract: contract({
        success: [202],
        response: z.object({ report: catalogueReportViewSchema }),
        description:
          '保管单位的成果保管人将自上次上报以来新登记的成果目录条目上报上一级组织单位（上报内容以 JSON 存档于文档库；CSV 表格与中文网页按读者密级下载），上一级审核人员经邮件链接确认接收。' +
          '没有新条目时返回 409 NOTHING_TO_REPORT。返回 202。',
      }),
    },
    ListCatalogueReports: {
      method: 'GET',
      path: '/catalogue-reports',
      auth: 'any',
      summary: '成果目录上报记录（期限与逾期标记）',
      contract: contract({
        query: z
          .object({
            custodianOrg: described(z.optional(orgCodeSchema), '保管单位组织代码：该单位上报的记录'),
            recipientOrg: described(z.optional(orgCodeSchema), '上级组织单位代码：该单位收到的下级上报（逐级查看）'),
          }).check(z.refine((q) => (q.custodianOrg === undefined) !== (q.recipientOrg === undefined), '请给出 custodianOrg 或 recipientOrg 之一')),
        response: z.object({ reports: z.array(catalogueReportViewSchema) }),
        description:
          '一个保管单位的成果目录上报记录（custodianOrg；保管单位、其组织单位、上一级组织单位及管理员可查），或一个上级组织单位收到的下级上报（recipientOrg，逐级查看；该单位人员及管理员可查）。' +
          '新的在前，含上报期限、剩余工作日与逾期标记。',
      }),
    },
    GetCatalogueReport: {
      method: 'GET',
      path: '/catalogue-reports/{reportId}',
      auth: 'any',
      summary: '成果目录上报详情',
      contract: contract({
        path: z.object({ reportId: z.string().check(z.minLength(1)).check(z.maxLength(100)) }),
        response: z.object({ report: catalogueReportViewSchema, entries: z.array(z.looseObject({ resultNumber: z.string(), redacted: z.boolean() })) }),
        description: '一份成果目录上报及其条目（上报时的内容）；超出读者密级的条目只显示统一编号与“（涉密，需相应密级查看）”。',
      }),
    },
    CatalogueReportFile: {
      method: 'GET',
      path: '/catalogue-reports/{reportId}/files/{format}',
      auth: 'any',
      summary: '下载成果目录上报（CSV、网页、JSON，按读者密级生成）',
      contract: contract({
        path: z.object({
          reportId: z.string().check(z.minLength(1)).check(z.maxLength(100)),
          format: described(z.enum(reportFileFormats), 'csv：表格（UTF-8 带 BOM，Excel/WPS 可直接打开）；html：中文网页；json：数据'),
        }),
        produces: ['text/csv', 'text/html', 'application/json'],
        description:
          '下载一份成果目录上报：按读者密级现场生成（超出密级的条目只显示统一编号与“（涉密，需相应密级查看）”），以附件形式返回。' +
          '文档库中只存档上报时的 JSON 原件，任何接口都不直接提供该原件。',
      }),
    },
  },
  starts: {
    SendCatalogueReport: ['CatalogueReport'],
  },
  stateMachines: {
    CatalogueReport: {
      file: 'statemachines/catalogue-report.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordReportAcknowledgement', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
  },
  humanTaskKinds: { catalogueReportAck: catalogueReportAckKind },
});
