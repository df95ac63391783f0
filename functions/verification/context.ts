import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { reportPagePathSchema, verificationReportSchema } from '#shared/schemas/verification.ts';
import type { tasks } from '../tasks/context.ts';
import { technicalReviewKind } from '#shared/verification/review-task.ts';
import { technicalCountersignKind } from '#shared/verification/countersign.ts';

/** The path of the report routes: submission and round (R7.1, R7.2). */
const versionPath = reportPagePathSchema;

/** Contracts of the verification report routes (R7.1, R7.2), keyed by manifest function name. */
export const verificationContracts = {
  GetVerificationReport: contract({
    path: versionPath,
    response: verificationReportSchema,
    description: '某一版本（核验轮次）的技术核验报告（JSON）。仅组织、实施、保管单位及其上级，以及该任务的技术单位（R7.1）可查看；自动核验尚未完成时 404。',
  }),
  GetVerificationReportHtml: contract({
    path: versionPath,
    produces: 'text/html',
    description: '同一报告的中文 HTML 页面（无脚本、无外部资源）。权限同上。',
  }),
  ReportPage: contract({
    // Loose on purpose: the page answers 200 whatever the link says (an invalid-link page), so a link checker learns nothing from the status.
    path: z.object({ submissionId: described(z.string().check(z.minLength(1)).check(z.maxLength(128)), '汇交编号（UUID）'), n: described(z.string().check(z.minLength(1)).check(z.maxLength(16)), '版本号 n（v1 为 1）') }),
    produces: 'text/html',
    description:
      '邮件和命令行给出的核验报告链接打开的页面（无需令牌）：页面本身不含报告内容——它在浏览器中用已登录用户的令牌读取 report.html 并显示；未登录时显示登录链接。',
  }),
};

/** The verification context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const verification = defineContext({
  name: 'verification',
  functions: {
    PrepareChecks: {
      entry: './prepare-checks.ts',
      description: 'Verification: the sealed version\'s manifest and objects, planned into batches (written to the documents bucket).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: readsRegistry,
      buckets: { uploads: 'read', documents: 'readWrite' },
    },
    CheckBatch: {
      entry: './check-batch.ts',
      description: 'Verification: checks one batch of files by ranged reads (streams only for a missing store checksum).',
      memoryMb: 2048,
      timeoutSeconds: 900,
      buckets: { uploads: 'read', documents: 'readWrite' },
    },
    AssembleReport: {
      entry: './assemble-report.ts',
      description: 'Verification: package-wide checks, the verdict, report.json and report.html for the round (audited timeline event); the units that countersign (R7.1).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
    },
    EscalateReview: {
      entry: './escalate-review.ts',
      description: 'Verification: a timed-out review task is expired and its assignees told; the next round goes one level up (audited).',
      tables: auditedWrites,
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    ReturnToSubmitter: {
      entry: './return-to-submitter.ts',
      description: 'Verification: R7.2 return with the defects and the 15 WD resubmission clock; emails the submitter (audited).',
      tables: auditedWrites,
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    MarkVerified: {
      entry: './mark-verified.ts',
      description: 'Verification: R7.1 verified, the R8.1 15 WD transfer clock; emails the submitter (audited).',
      tables: auditedWrites,
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    RecordVerificationFailure: {
      entry: './record-verification-failure.ts',
      description: 'Verification: a failed step is recorded on the version (verificationFailed) and the timeline (audited).',
      tables: auditedWrites,
    },
    GetVerificationReport: {
      entry: './get-report.ts',
      description: 'The verification report of one round (JSON).',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    ReportPage: {
      entry: './report-page.ts',
      description: 'The page a report link opens: a public shell that reads nothing; the signed-in browser loads the report.',
    },
    GetVerificationReportHtml: {
      entry: './get-report-html.ts',
      description: 'The verification report of one round as a Chinese HTML page.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
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
      functions: ['PrepareChecks', 'CheckBatch', 'AssembleReport', refTo<typeof tasks>('tasks', 'CreateHumanTask'), 'EscalateReview', 'ReturnToSubmitter', 'MarkVerified', 'RecordVerificationFailure'],
    },
  },
  humanTaskKinds: { technicalReview: technicalReviewKind, technicalCountersign: technicalCountersignKind },
});
