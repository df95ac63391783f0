import { defineContext } from '#runtime/define.ts';
import { catalogueReportContracts } from '#shared/schemas/catalogue-report-contracts.ts';
import { platform } from '../platform/context.ts';
import { tasks } from '../tasks/context.ts';
import { verification } from '../verification/context.ts';

/** The catalogue-report context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const catalogueReport = defineContext({
  name: 'catalogue-report',
  functions: {
    SendCatalogueReport: {
      entry: './send-catalogue-report.ts',
      description: 'A custodian reports the entries registered since its last report (JSON, CSV, Chinese HTML in documents; audited); starts CatalogueReport; 409 when nothing is new.',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'readWrite',
      },
    },
    ListCatalogueReports: {
      entry: './list-catalogue-reports.ts',
      description: 'A custodian\'s catalogue reports with due date, working days left and overdue flag.',
      tables: {
        registry: 'read',
      },
    },
    GetCatalogueReport: {
      entry: './get-catalogue-report.ts',
      description: 'One catalogue report as sent; entries above the reader\'s clearance redacted to their number.',
      tables: {
        registry: 'read',
      },
      buckets: {
        documents: 'read',
      },
    },
    CatalogueReportFile: {
      entry: './catalogue-report-file.ts',
      description: 'A catalogue report as a CSV table, Chinese HTML page or JSON, rendered for the reader: lines above their clearance show only their number.',
      tables: {
        registry: 'read',
      },
      buckets: {
        documents: 'read',
      },
    },
    RecordReportAcknowledgement: {
      entry: './record-acknowledgement.ts',
      description: 'CatalogueReport: the upper level\'s acknowledgement (who, when, decision) recorded on the report (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
  },
  routes: {
    SendCatalogueReport: {
      method: 'POST',
      path: '/catalogue-reports',
      auth: ['custodian'],
      summary: '上报成果目录（自上次上报以来的新条目）',
      contract: catalogueReportContracts.SendCatalogueReport,
    },
    ListCatalogueReports: {
      method: 'GET',
      path: '/catalogue-reports',
      auth: 'any',
      summary: '成果目录上报记录（期限与逾期标记）',
      contract: catalogueReportContracts.ListCatalogueReports,
    },
    GetCatalogueReport: {
      method: 'GET',
      path: '/catalogue-reports/{reportId}',
      auth: 'any',
      summary: '成果目录上报详情',
      contract: catalogueReportContracts.GetCatalogueReport,
    },
    CatalogueReportFile: {
      method: 'GET',
      path: '/catalogue-reports/{reportId}/files/{format}',
      auth: 'any',
      summary: '下载成果目录上报（CSV、网页、JSON，按读者密级生成）',
      contract: catalogueReportContracts.CatalogueReportFile,
    },
  },
  starts: {
    SendCatalogueReport: ['CatalogueReport'],
  },
  stateMachines: {
    CatalogueReport: {
      file: 'statemachines/catalogue-report.asl.json',
      functions: [tasks.ref.CreateHumanTask, verification.ref.EscalateReview, 'RecordReportAcknowledgement', platform.ref.RecordWorkflowFailure],
    },
  },
});
