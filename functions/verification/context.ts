import { defineContext } from '#runtime/define.ts';
import { verificationContracts } from '#shared/schemas/verification-contracts.ts';
import { tasks } from '../tasks/context.ts';

/** The verification context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const verification = defineContext({
  name: 'verification',
  functions: {
    PrepareChecks: {
      entry: './prepare-checks.ts',
      description: 'Verification: the sealed version\'s manifest and objects, planned into batches (written to the documents bucket).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: {
        registry: 'read',
      },
      buckets: {
        uploads: 'read',
        documents: 'readWrite',
      },
    },
    CheckBatch: {
      entry: './check-batch.ts',
      description: 'Verification: checks one batch of files by ranged reads (streams only for a missing store checksum).',
      memoryMb: 2048,
      timeoutSeconds: 900,
      buckets: {
        uploads: 'read',
        documents: 'readWrite',
      },
    },
    AssembleReport: {
      entry: './assemble-report.ts',
      description: 'Verification: package-wide checks, the verdict, report.json and report.html for the round (audited timeline event).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'readWrite',
      },
    },
    EscalateReview: {
      entry: './escalate-review.ts',
      description: 'Verification: a timed-out review task is expired and its assignees told; the next round goes one level up (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'read',
      },
      sendsEmail: true,
    },
    ReturnToSubmitter: {
      entry: './return-to-submitter.ts',
      description: 'Verification: R7.2 return with the defects and the 15 WD resubmission clock; emails the submitter (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'read',
      },
      sendsEmail: true,
    },
    MarkVerified: {
      entry: './mark-verified.ts',
      description: 'Verification: R7.1 verified, the R8.1 15 WD transfer clock; emails the submitter (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        documents: 'read',
      },
      sendsEmail: true,
    },
    RecordVerificationFailure: {
      entry: './record-verification-failure.ts',
      description: 'Verification: a failed step is recorded on the version (verificationFailed) and the timeline (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    GetVerificationReport: {
      entry: './get-report.ts',
      description: 'The verification report of one round (JSON).',
      tables: {
        registry: 'read',
      },
      buckets: {
        documents: 'read',
      },
    },
    ReportPage: {
      entry: './report-page.ts',
      description: 'The page a report link opens: a public shell that reads nothing; the signed-in browser loads the report.',
    },
    GetVerificationReportHtml: {
      entry: './get-report-html.ts',
      description: 'The verification report of one round as a Chinese HTML page.',
      tables: {
        registry: 'read',
      },
      buckets: {
        documents: 'read',
      },
    },
  },
  routes: {
    GetVerificationReport: {
      method: 'GET',
      path: '/submissions/{submissionId}/versions/{n}/report',
      auth: 'any',
      summary: '技术核验报告（JSON）',
      contract: verificationContracts.GetVerificationReport,
    },
    GetVerificationReportHtml: {
      method: 'GET',
      path: '/submissions/{submissionId}/versions/{n}/report.html',
      auth: 'any',
      summary: '技术核验报告（网页）',
      contract: verificationContracts.GetVerificationReportHtml,
    },
    ReportPage: {
      method: 'GET',
      path: '/submissions/{submissionId}/versions/{n}/report/page',
      auth: 'public',
      summary: '核验报告页面（邮件、命令行链接）',
      contract: verificationContracts.ReportPage,
    },
  },
  stateMachines: {
    Verification: {
      file: 'statemachines/verification.asl.json',
      functions: ['PrepareChecks', 'CheckBatch', 'AssembleReport', tasks.ref.CreateHumanTask, 'EscalateReview', 'ReturnToSubmitter', 'MarkVerified', 'RecordVerificationFailure'],
    },
  },
});
