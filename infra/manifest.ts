/**
 * The one manifest: every function, HTTP route, state machine and schedule.
 * Both the CDK app (infra/stacks) and the local cloud (infra/local) read it,
 * so the cloud and the laptop cannot drift apart (test/infra/manifest.test.ts).
 */
import type { Role } from '#shared/identity/roles.ts';

export type TableName = 'registry' | 'logs';
export type BucketName = 'uploads' | 'custody' | 'backup' | 'published' | 'documents';
export type Access = 'read' | 'readWrite';

export interface FunctionDef {
  /** PascalCase id, unique; the Lambda's logical name and the local handler key. */
  readonly name: string;
  /** Path from the project root to a module exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly tables?: Partial<Record<TableName, Access>>;
  readonly buckets?: Partial<Record<BucketName, Access>>;
  /** State machines this function may start (StartExecution/DescribeExecution). */
  readonly startsStateMachines?: readonly string[];
  /** State machines whose task tokens this function answers (SendTask*). */
  readonly answersStateMachines?: readonly string[];
  readonly sendsEmail?: boolean;
  /** Needs the JWT settings (HTTP functions that authenticate callers). */
  readonly verifiesJwt?: boolean;
  /** Seals or opens Step Functions task tokens (human tasks): gets the task-token KMS key. */
  readonly sealsTaskTokens?: boolean;
  /**
   * Destruction only (销毁): may delete custody object versions, bypassing
   * Object Lock GOVERNANCE retention. Exactly one function holds it
   * (test/infra); every other custody grant is read or write-once.
   */
  readonly destroysCustodyObjects?: boolean;
  /**
   * The audit anchor job (R10.1): may Sign with the asymmetric anchor key and
   * write under audit-anchors/ of the custody bucket. Exactly one function
   * holds it (test/infra).
   */
  readonly signsAuditAnchors?: boolean;
  /**
   * The public-catalogue publishers (R9.3): may delete under the published
   * bucket's public-catalogue/ prefix only, so an entry taken out of the public
   * catalogue (reclassified, destroyed) stops being served. No other delete.
   */
  readonly publishesPublicCatalogue?: boolean;
  /**
   * At most this many instances at once (Lambda reserved concurrency). The
   * public-catalogue publisher takes 1, so two rebuilds never interleave their
   * writes and an older rebuild cannot finish after a newer one.
   */
  readonly reservedConcurrency?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef {
  readonly method: HttpMethod;
  /** API Gateway path syntax: /orgs/{code} */
  readonly path: string;
  readonly function: string;
  /** 'public' = no token; otherwise any one of these roles (or 'any' signed-in user). */
  readonly auth: 'public' | 'any' | readonly Role[];
  readonly summary: string;
}

export interface StateMachineDef {
  readonly name: string;
  /** Path from the project root to the ASL file. */
  readonly file: string;
  /** ${Placeholder} → function name in this manifest. */
  readonly functions: Readonly<Record<string, string>>;
}

export interface ScheduleDef {
  readonly name: string;
  /** EventBridge Scheduler expression: rate(…) or cron(…) (6 fields). */
  readonly expression: string;
  readonly timezone: string;
  readonly target: { readonly function: string } | { readonly stateMachine: string };
  readonly input?: Readonly<Record<string, unknown>>;
  readonly description: string;
}

/**
 * A table's change stream feeding one function: a DynamoDB Streams event
 * source mapping on AWS (NEW_AND_OLD_IMAGES, filtered by key), and the local
 * cloud's stream poller on DynamoDB Local's own streams (infra/local).
 */
export interface StreamDef {
  readonly name: string;
  /** The table whose stream is read; infra/tables.ts must give it a stream. */
  readonly table: TableName;
  readonly function: string;
  /**
   * Only records whose keys match reach the function: pk starts with
   * `pkPrefix` and, when given, sk equals `sk` (Lambda event filtering on
   * AWS; the local poller applies the same rule).
   */
  readonly keys: { readonly pkPrefix: string; readonly sk?: string };
  /** Records are gathered for up to this long before one invocation: a burst of changes becomes one run. */
  readonly batchingWindowSeconds: number;
  readonly batchSize: number;
  readonly description: string;
}

export interface Manifest {
  readonly functions: readonly FunctionDef[];
  readonly routes: readonly RouteDef[];
  readonly stateMachines: readonly StateMachineDef[];
  readonly schedules: readonly ScheduleDef[];
  readonly streams: readonly StreamDef[];
}

/**
 * The public-catalogue publishers hold every file of the catalogue in memory and build it on the CPU:
 * one full vCPU (Lambda gives 1,769 MB one) — about 160 MiB of files at 50,000 public entries, and the
 * 10,000-entry rebuild well inside the refresh route's 29 s (npm run bench -- public-catalogue).
 */
export const publisherMemoryMb = 1769;

// ==== BEGIN issue 9 step 5 — ASL conventions (branch i9-asl; docs/architecture.md "ASL conventions") ====
// One recorder for the machines whose domain has no failure state of its own: a failed step leaves one
// audited `workflow.failed` record before the execution fails (convention 5). At the merge into context
// modules: `recordWorkflowFailure` goes into functions/platform/context.ts, and `RecordWorkflowFailure`
// into the functions of the Destruction, CatalogueReport and IntegrityAudit machines (placeholder derived).
// Outside this block: one reference in `functions`, one spread in each of those three machines, and
// (convention 4, escalation) `EscalateReviewFunctionArn` in Destruction and CatalogueReport; Transfer's
// `EscalateTaskFunctionArn` renamed `EscalateReviewFunctionArn` (convention 1).
const recordWorkflowFailure: FunctionDef = {
  name: 'RecordWorkflowFailure',
  entry: 'functions/platform/record-workflow-failure.ts',
  description: 'A workflow step failed after its retries: one audited workflow.failed record (machine, subject, error, execution) before the execution fails.',
  tables: { logs: 'readWrite' },
};
const recordsWorkflowFailures = { RecordWorkflowFailureFunctionArn: recordWorkflowFailure.name } as const;
// ==== END issue 9 step 5 ====

export const manifest: Manifest = {
  functions: [
    {
      name: 'HealthCheck',
      entry: 'functions/platform/health.ts',
      description: 'Liveness: reads the registry table once.',
      tables: { registry: 'read' },
    },
    {
      name: 'OpenApi',
      entry: 'functions/platform/openapi.ts',
      description: 'Serves the OpenAPI 3.1 document generated from the zod schemas.',
    },
    {
      name: 'GetMe',
      entry: 'functions/identity/get-me.ts',
      description: 'The signed-in user, with organisation, roles and clearance.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'ListOrganisations',
      entry: 'functions/identity/list-organisations.ts',
      description: 'Organisations, optionally under a parent.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'GetOrganisation',
      entry: 'functions/identity/get-organisation.ts',
      description: 'One organisation and its users.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'ListUsers',
      entry: 'functions/identity/list-users.ts',
      description: 'Users of an organisation.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'ListSecurityRecords',
      entry: 'functions/identity/list-security-records.ts',
      description: 'Security records (R20.1) of an organisation and those below it, for its supervisor: one key query per organisation.',
      tables: { registry: 'read', logs: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'UpdateUserClearance',
      entry: 'functions/identity/update-user-clearance.ts',
      description: 'An administrator changes a user clearance (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'UpdateHolidayCalendar',
      entry: 'functions/platform/update-holiday-calendar.ts',
      description: 'An administrator loads a year of the State Council holiday notice (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'GetCalendar',
      entry: 'functions/platform/get-calendar.ts',
      description: 'Working-day arithmetic: a deadline from a start date and a number of working days.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'StartPing',
      entry: 'functions/platform/start-ping.ts',
      description: 'Starts the ping state machine (proves the human-task chain end to end).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      startsStateMachines: ['Ping'],
      verifiesJwt: true,
    },
    {
      name: 'PingWait',
      entry: 'functions/platform/ping-wait.ts',
      description: 'The waitForTaskToken step of the ping state machine: records the task (token sealed) and emails the caller.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    {
      name: 'PingDone',
      entry: 'functions/platform/ping-done.ts',
      description: 'The last step of the ping state machine: records the outcome (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    {
      name: 'AuditAnchor',
      entry: 'functions/platform/audit-anchor.ts',
      description: 'Hourly: verifies the audit chain against its signed anchors and the audited items against their records; signs and stores the next anchor (write-once).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: { registry: 'read', logs: 'read' },
      signsAuditAnchors: true,
    },
    {
      name: 'DeadlineWatch',
      entry: 'functions/platform/deadline-watch.ts',
      description: 'Daily: records that the watch ran (the supervision context fills it in).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    // ---- submission (issue 3): survey tasks, submissions, package versions, presigned uploads ----
    {
      name: 'RegisterSurveyTask',
      entry: 'functions/submission/register-survey-task.ts',
      description: 'An organiser registers a survey task (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'ListSurveyTasks',
      entry: 'functions/submission/list-survey-tasks.ts',
      description: 'Survey tasks of an organisation, with their R6.1 deadlines.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'GetSurveyTask',
      entry: 'functions/submission/get-survey-task.ts',
      description: 'One survey task, its R6.1 deadline and its submissions.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'RecordTaskCompletion',
      entry: 'functions/submission/record-task-completion.ts',
      description: 'The implementer records the completion date; starts the R6.1 clock (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'OpenSubmission',
      entry: 'functions/submission/open-submission.ts',
      description: 'Opens a submission with its R9.2 catalogue and the v1 manifest (up to 10,000 file items); classified → held offline (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'CreateSubmissionVersion',
      entry: 'functions/submission/create-submission-version.ts',
      description: 'The next version after a return (R7.2), with its manifest (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'IssueUploadUrls',
      entry: 'functions/submission/issue-upload-urls.ts',
      description: 'Presigned PUT / UploadPart URLs with signed checksum headers; starts multipart uploads (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { uploads: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'GetUploadStatus',
      entry: 'functions/submission/get-upload-status.ts',
      description: 'What of a version has arrived (ListObjectsV2, ListParts) and what is still to send.',
      memoryMb: 1024,
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'read' },
      buckets: { uploads: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'CompleteFileUpload',
      entry: 'functions/submission/complete-file-upload.ts',
      description: 'CompleteMultipartUpload of one file (audited).',
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { uploads: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'AbortUploads',
      entry: 'functions/submission/abort-uploads.ts',
      description: 'AbortMultipartUpload for every open multipart upload of a version (audited).',
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { uploads: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'CompleteVersion',
      entry: 'functions/submission/complete-version.ts',
      description: 'Checks every manifest file arrived, seals the version and starts Verification exactly once (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { uploads: 'read' },
      startsStateMachines: ['Verification'],
      verifiesJwt: true,
    },
    {
      name: 'GetSubmission',
      entry: 'functions/submission/get-submission.ts',
      description: 'A submission with its versions, outcomes and deadlines.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'GetSubmissionTimeline',
      entry: 'functions/submission/get-submission-timeline.ts',
      description: 'A submission\'s events and deadlines in time order.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    // ---- human tasks (issue 3): the facility every approval uses ----
    {
      name: 'CreateHumanTask',
      entry: 'functions/tasks/create-human-task.ts',
      description: 'The waitForTaskToken step of every approval: stores the task (token sealed), emails the assignees the task page link (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'read' },
      sendsEmail: true,
      sealsTaskTokens: true,
    },
    {
      name: 'HumanTaskPage',
      entry: 'functions/tasks/human-task-page.ts',
      description: 'The page an emailed task link opens: a public shell that reads and changes nothing; the signed-in browser loads the task.',
    },
    {
      name: 'GetHumanTask',
      entry: 'functions/tasks/get-human-task.ts',
      description: 'A human task as its assignee sees it: package summary, report, due date.',
      tables: { registry: 'read' },
      buckets: { documents: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'DecideHumanTask',
      entry: 'functions/tasks/decide-human-task.ts',
      description: 'The assignee decides once (conditional write + audit), then SendTaskSuccess resumes the workflow.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'read' },
      answersStateMachines: ['Verification', 'Destruction', 'Transfer', 'CatalogueReport'],
      verifiesJwt: true,
      sealsTaskTokens: true,
    },
    {
      name: 'HumanTaskReminders',
      entry: 'functions/tasks/human-task-reminders.ts',
      description: 'Daily: reminds assignees of overdue human tasks (once a day) and escalates to the superior organisation after 2 WD (audited).',
      timeoutSeconds: 300,
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    // ---- verification (issue 3): the Verification state machine's steps and the report routes ----
    {
      name: 'PrepareChecks',
      entry: 'functions/verification/prepare-checks.ts',
      description: 'Verification: the sealed version\'s manifest and objects, planned into batches (written to the documents bucket).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: { registry: 'read' },
      buckets: { uploads: 'read', documents: 'readWrite' },
    },
    {
      name: 'CheckBatch',
      entry: 'functions/verification/check-batch.ts',
      description: 'Verification: checks one batch of files by ranged reads (streams only for a missing store checksum).',
      memoryMb: 2048,
      timeoutSeconds: 900,
      buckets: { uploads: 'read', documents: 'readWrite' },
    },
    {
      name: 'AssembleReport',
      entry: 'functions/verification/assemble-report.ts',
      description: 'Verification: package-wide checks, the verdict, report.json and report.html for the round (audited timeline event).',
      memoryMb: 1024,
      timeoutSeconds: 300,
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'readWrite' },
    },
    {
      name: 'EscalateReview',
      entry: 'functions/verification/escalate-review.ts',
      description: 'Verification: a timed-out review task is expired and its assignees told; the next round goes one level up (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    {
      name: 'ReturnToSubmitter',
      entry: 'functions/verification/return-to-submitter.ts',
      description: 'Verification: R7.2 return with the defects and the 15 WD resubmission clock; emails the submitter (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    {
      name: 'MarkVerified',
      entry: 'functions/verification/mark-verified.ts',
      description: 'Verification: R7.1 verified, the R8.1 15 WD transfer clock; emails the submitter (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    {
      name: 'RecordVerificationFailure',
      entry: 'functions/verification/record-verification-failure.ts',
      description: 'Verification: a failed step is recorded on the version (verificationFailed) and the timeline (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    {
      name: 'GetVerificationReport',
      entry: 'functions/verification/get-report.ts',
      description: 'The verification report of one round (JSON).',
      tables: { registry: 'read' },
      buckets: { documents: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'ReportPage',
      entry: 'functions/verification/report-page.ts',
      description: 'The page a report link opens: a public shell that reads nothing; the signed-in browser loads the report.',
    },
    {
      name: 'GetVerificationReportHtml',
      entry: 'functions/verification/get-report-html.ts',
      description: 'The verification report of one round as a Chinese HTML page.',
      tables: { registry: 'read' },
      buckets: { documents: 'read' },
      verifiesJwt: true,
    },
    // ---- catalogue (issue 4): unified numbers, entries, search (R9.1, R9.2) ----
    {
      name: 'RegisterCatalogueEntry',
      entry: 'functions/catalogue/register-catalogue-entry.ts',
      description: 'The custodian registers a verified result: unified number + catalogue entry in one transaction (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'GetCatalogueEntry',
      entry: 'functions/catalogue/get-catalogue-entry.ts',
      description: 'One catalogue entry and its versions, within the caller\'s clearance.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'UpdateCatalogueEntry',
      entry: 'functions/catalogue/update-catalogue-entry.ts',
      description: 'The custodian edits a catalogue entry: a new version, audited, index rewritten.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'SearchCatalogue',
      entry: 'functions/catalogue/search-catalogue.ts',
      description: 'Catalogue search by index partitions (never a scan), within the caller\'s clearance.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    // ---- public catalogue (issue 4, R9.3): static files in the published bucket ----
    {
      name: 'PublishPublicCatalogue',
      entry: 'functions/catalogue/publish-public-catalogue.ts',
      description: 'Daily: rebuilds the public catalogue (page, search index, STAC 1.0.0) of the national and provincial public entries into the published bucket.',
      timeoutSeconds: 300,
      memoryMb: publisherMemoryMb,
      tables: { registry: 'read' },
      buckets: { published: 'readWrite' },
      publishesPublicCatalogue: true,
    },
    {
      name: 'PublishPublicCatalogueOnChange',
      entry: 'functions/catalogue/publish-public-catalogue-on-change.ts',
      description: 'R9.3 "updated when entries change": the registry stream\'s catalogue-entry changes, batched, republish the public catalogue when one of them is or was public.',
      timeoutSeconds: 300,
      reservedConcurrency: 1,
      memoryMb: publisherMemoryMb,
      tables: { registry: 'read' },
      buckets: { published: 'readWrite' },
      publishesPublicCatalogue: true,
    },
    {
      name: 'RefreshPublicCatalogue',
      entry: 'functions/catalogue/refresh-public-catalogue.ts',
      description: 'A custodian or administrator republishes the public catalogue now, after entries changed.',
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      memoryMb: publisherMemoryMb,
      tables: { registry: 'read' },
      buckets: { published: 'readWrite' },
      publishesPublicCatalogue: true,
      verifiesJwt: true,
    },
    // ---- custody integrity (issue 4, R10.1): the IntegrityAudit state machine's steps ----
    {
      name: 'ListCustodyResults',
      entry: 'functions/custody/list-results.ts',
      description: 'IntegrityAudit: the custody copies the registry recorded (a key query on gsi1), in batches written to the documents bucket.',
      timeoutSeconds: 300,
      tables: { registry: 'read' },
      buckets: { documents: 'readWrite' },
    },
    {
      name: 'CheckCustodyBatch',
      entry: 'functions/custody/check-batch.ts',
      description: 'IntegrityAudit: each custody manifest against the SHA-256 the registry recorded, then each object against the trusted file list (stored SHA-256, else stream and hash).',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: { registry: 'read' },
      buckets: { custody: 'read', documents: 'readWrite' },
    },
    {
      name: 'WriteIntegrityReport',
      entry: 'functions/custody/write-report.ts',
      description: 'IntegrityAudit: the report (JSON + Chinese HTML) and the run\'s registry record (audited).',
      timeoutSeconds: 300,
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'readWrite' },
    },
    {
      name: 'AlertIntegrityProblems',
      entry: 'functions/custody/alert.ts',
      description: 'IntegrityAudit: emails custodian and organiser the missing or mismatched objects and the restore procedure.',
      tables: { registry: 'read' },
      buckets: { documents: 'read' },
      sendsEmail: true,
    },
    // ---- destruction (issue 4, 销毁): request → organiser approval → the one privileged delete → entry destroyed ----
    {
      name: 'RequestDestruction',
      entry: 'functions/destruction/request-destruction.ts',
      description: 'A custodian requests destruction with reasons (audited); starts Destruction; 409 while a round is pending.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      startsStateMachines: ['Destruction'],
      verifiesJwt: true,
    },
    {
      name: 'GetDestruction',
      entry: 'functions/destruction/get-destruction.ts',
      description: 'The latest destruction round of a result and its approval record.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'DestroyCustodyObjects',
      entry: 'functions/destruction/destroy-objects.ts',
      description: 'Destruction: THE privileged path — deletes every version of a result\'s custody objects and manifests (and the local backup copy), only after approval.',
      timeoutSeconds: 900,
      tables: { registry: 'read' },
      buckets: { custody: 'readWrite' },
      destroysCustodyObjects: true,
    },
    {
      name: 'MarkDestroyed',
      entry: 'functions/destruction/mark-destroyed.ts',
      description: 'Destruction: the catalogue entry marked destroyed (new version, number kept) with the approval record (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    {
      name: 'RefuseDestruction',
      entry: 'functions/destruction/refuse-destruction.ts',
      description: 'Destruction: refused or unanswered — the round closes (audited), nothing else changes, the requester is emailed.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      sendsEmail: true,
    },
    // ---- catalogue reports upward (issue 4, R9.1): custodian → next-higher organiser, acknowledged by human task ----
    {
      name: 'SendCatalogueReport',
      entry: 'functions/catalogue-report/send-catalogue-report.ts',
      description: 'A custodian reports the entries registered since its last report (JSON, CSV, Chinese HTML in documents; audited); starts CatalogueReport; 409 when nothing is new.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { documents: 'readWrite' },
      startsStateMachines: ['CatalogueReport'],
      verifiesJwt: true,
    },
    {
      name: 'ListCatalogueReports',
      entry: 'functions/catalogue-report/list-catalogue-reports.ts',
      description: "A custodian's catalogue reports with due date, working days left and overdue flag.",
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'GetCatalogueReport',
      entry: 'functions/catalogue-report/get-catalogue-report.ts',
      description: 'One catalogue report as sent; entries above the reader\'s clearance redacted to their number.',
      tables: { registry: 'read' },
      buckets: { documents: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'CatalogueReportFile',
      entry: 'functions/catalogue-report/catalogue-report-file.ts',
      description: 'A catalogue report as a CSV table, Chinese HTML page or JSON, rendered for the reader: lines above their clearance show only their number.',
      tables: { registry: 'read' },
      buckets: { documents: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'RecordReportAcknowledgement',
      entry: 'functions/catalogue-report/record-acknowledgement.ts',
      description: "CatalogueReport: the upper level's acknowledgement (who, when, decision) recorded on the report (audited).",
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    // ---- transfer to custody (issue 4, R8.1, R8.2): the Transfer state machine's steps and its start route ----
    {
      name: 'StartTransfer',
      entry: 'functions/transfer/start-transfer.ts',
      description: 'The organiser transfers a verified result: starts Transfer exactly once (execution transfer-<submissionId>), audited.',
      timeoutSeconds: 29, // API Gateway gives up at 30 s
      tables: { registry: 'readWrite', logs: 'readWrite' },
      startsStateMachines: ['Transfer'],
      verifiesJwt: true,
    },
    {
      name: 'AssignNumber',
      entry: 'functions/transfer/assign-number.ts',
      description: 'Transfer: checks the package is verified and complete, then the unified number and catalogue entry (audited).',
      timeoutSeconds: 300,
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { uploads: 'read' },
    },
    {
      name: 'CopyIntoCustody',
      entry: 'functions/transfer/copy-into-custody.ts',
      description: 'Transfer: copies the verified package into custody under its number (write-once), then the audited transfer record.',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: { registry: 'readWrite', logs: 'readWrite' },
      buckets: { uploads: 'read', custody: 'readWrite' },
    },
    {
      name: 'RecordReceipt',
      entry: 'functions/transfer/record-receipt.ts',
      description: 'Transfer: the custodian\'s receipt (or the same unit\'s implicit one) starts the R9.1 30 WD catalogue-report clock; emails the organiser (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      sendsEmail: true,
    },
    {
      name: 'SendForestryCopy',
      entry: 'functions/transfer/send-forestry-copy.ts',
      description: 'Transfer: R8.2 copy record for the natural-resources department of a forestry organiser\'s level, 30 WD due (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    {
      name: 'RecordTransferFailure',
      entry: 'functions/transfer/record-transfer-failure.ts',
      description: 'Transfer: a failed step (or a refused receipt) is recorded on the submission timeline (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    recordWorkflowFailure,
  ],
  routes: [
    { method: 'GET', path: '/health', function: 'HealthCheck', auth: 'public', summary: '健康检查' },
    { method: 'GET', path: '/openapi.json', function: 'OpenApi', auth: 'public', summary: 'OpenAPI 3.1 文档' },
    { method: 'GET', path: '/me', function: 'GetMe', auth: 'any', summary: '当前用户' },
    { method: 'GET', path: '/orgs', function: 'ListOrganisations', auth: 'any', summary: '组织列表' },
    { method: 'GET', path: '/orgs/{code}', function: 'GetOrganisation', auth: 'any', summary: '组织详情' },
    { method: 'GET', path: '/orgs/{code}/users', function: 'ListUsers', auth: 'any', summary: '组织用户' },
    { method: 'GET', path: '/security-records', function: 'ListSecurityRecords', auth: ['supervisor', 'administrator'], summary: '安全记录（拒绝的请求与涉密读取）' },
    { method: 'PUT', path: '/users/{userId}/clearance', function: 'UpdateUserClearance', auth: ['administrator'], summary: '调整用户密级权限' },
    { method: 'PUT', path: '/calendar/{year}', function: 'UpdateHolidayCalendar', auth: ['administrator'], summary: '更新年度节假日安排' },
    { method: 'GET', path: '/calendar/deadline', function: 'GetCalendar', auth: 'any', summary: '计算工作日期限' },
    { method: 'POST', path: '/pings', function: 'StartPing', auth: ['administrator'], summary: '启动连通性流程（人工任务；仅系统管理员）' },
    // ---- submission (issue 3) ----
    { method: 'POST', path: '/survey-tasks', function: 'RegisterSurveyTask', auth: ['reviewer', 'administrator'], summary: '登记调查监测任务' },
    { method: 'GET', path: '/survey-tasks', function: 'ListSurveyTasks', auth: 'any', summary: '调查监测任务列表' },
    { method: 'GET', path: '/survey-tasks/{taskId}', function: 'GetSurveyTask', auth: 'any', summary: '调查监测任务详情与汇交期限' },
    { method: 'PUT', path: '/survey-tasks/{taskId}/completion', function: 'RecordTaskCompletion', auth: ['submitter'], summary: '登记调查工作完成日期' },
    { method: 'POST', path: '/survey-tasks/{taskId}/submissions', function: 'OpenSubmission', auth: ['submitter'], summary: '新建汇交（目录信息与文件清单）' },
    { method: 'POST', path: '/submissions/{submissionId}/versions', function: 'CreateSubmissionVersion', auth: ['submitter'], summary: '退回后提交新版本' },
    { method: 'POST', path: '/submissions/{submissionId}/versions/{n}/upload-urls', function: 'IssueUploadUrls', auth: ['submitter'], summary: '申请预签名上传地址' },
    { method: 'GET', path: '/submissions/{submissionId}/versions/{n}/uploads', function: 'GetUploadStatus', auth: 'any', summary: '上传进度（续传）' },
    { method: 'POST', path: '/submissions/{submissionId}/versions/{n}/files/complete', function: 'CompleteFileUpload', auth: ['submitter'], summary: '完成分片上传' },
    { method: 'DELETE', path: '/submissions/{submissionId}/versions/{n}/uploads', function: 'AbortUploads', auth: ['submitter'], summary: '取消未完成的上传' },
    { method: 'POST', path: '/submissions/{submissionId}/versions/{n}/complete', function: 'CompleteVersion', auth: ['submitter'], summary: '完成上传：封存并启动核验' },
    { method: 'GET', path: '/submissions/{submissionId}', function: 'GetSubmission', auth: 'any', summary: '汇交详情' },
    { method: 'GET', path: '/submissions/{submissionId}/timeline', function: 'GetSubmissionTimeline', auth: 'any', summary: '汇交时间线' },
    // ---- human tasks and verification reports (issue 3) ----
    { method: 'GET', path: '/human-tasks/{id}/page', function: 'HumanTaskPage', auth: 'public', summary: '待办任务页面（邮件链接）' },
    { method: 'GET', path: '/human-tasks/{id}', function: 'GetHumanTask', auth: 'any', summary: '待办任务详情（仅指派人员）' },
    { method: 'POST', path: '/human-tasks/{id}/decision', function: 'DecideHumanTask', auth: 'any', summary: '待办任务决定（通过/退回）' },
    { method: 'GET', path: '/submissions/{submissionId}/versions/{n}/report', function: 'GetVerificationReport', auth: 'any', summary: '技术核验报告（JSON）' },
    { method: 'GET', path: '/submissions/{submissionId}/versions/{n}/report.html', function: 'GetVerificationReportHtml', auth: 'any', summary: '技术核验报告（网页）' },
    { method: 'GET', path: '/submissions/{submissionId}/versions/{n}/report/page', function: 'ReportPage', auth: 'public', summary: '核验报告页面（邮件、命令行链接）' },
    // ---- catalogue (issue 4) ----
    { method: 'POST', path: '/catalogue', function: 'RegisterCatalogueEntry', auth: ['custodian'], summary: '登记成果目录（赋统一编号）' },
    { method: 'GET', path: '/catalogue', function: 'SearchCatalogue', auth: 'any', summary: '检索成果目录' },
    { method: 'GET', path: '/catalogue/{resultNumber}', function: 'GetCatalogueEntry', auth: 'any', summary: '成果目录条目详情' },
    { method: 'PATCH', path: '/catalogue/{resultNumber}', function: 'UpdateCatalogueEntry', auth: ['custodian'], summary: '修改成果目录条目（留存版本）' },
    { method: 'POST', path: '/catalogue/{resultNumber}/destruction', function: 'RequestDestruction', auth: ['custodian'], summary: '申请销毁成果（需组织单位审批）' },
    { method: 'GET', path: '/catalogue/{resultNumber}/destruction', function: 'GetDestruction', auth: 'any', summary: '成果销毁申请状态与审批记录' },
    { method: 'POST', path: '/catalogue-reports', function: 'SendCatalogueReport', auth: ['custodian'], summary: '上报成果目录（自上次上报以来的新条目）' },
    { method: 'GET', path: '/catalogue-reports', function: 'ListCatalogueReports', auth: 'any', summary: '成果目录上报记录（期限与逾期标记）' },
    { method: 'GET', path: '/catalogue-reports/{reportId}', function: 'GetCatalogueReport', auth: 'any', summary: '成果目录上报详情' },
    { method: 'GET', path: '/catalogue-reports/{reportId}/files/{format}', function: 'CatalogueReportFile', auth: 'any', summary: '下载成果目录上报（CSV、网页、JSON，按读者密级生成）' },
    { method: 'POST', path: '/public-catalogue/refresh', function: 'RefreshPublicCatalogue', auth: ['custodian', 'administrator'], summary: '立即更新成果公开目录' },
    { method: 'POST', path: '/submissions/{submissionId}/transfer', function: 'StartTransfer', auth: ['reviewer'], summary: '移交保管单位（赋号、入库、接收确认）' },
  ],
  stateMachines: [
    {
      name: 'Ping',
      file: 'statemachines/ping.asl.json',
      functions: { PingWaitFunctionArn: 'PingWait', PingDoneFunctionArn: 'PingDone' },
    },
    {
      name: 'Verification',
      file: 'statemachines/verification.asl.json',
      functions: {
        PrepareChecksFunctionArn: 'PrepareChecks',
        CheckBatchFunctionArn: 'CheckBatch',
        AssembleReportFunctionArn: 'AssembleReport',
        CreateHumanTaskFunctionArn: 'CreateHumanTask',
        EscalateReviewFunctionArn: 'EscalateReview',
        ReturnToSubmitterFunctionArn: 'ReturnToSubmitter',
        MarkVerifiedFunctionArn: 'MarkVerified',
        RecordVerificationFailureFunctionArn: 'RecordVerificationFailure',
      },
    },
    {
      name: 'IntegrityAudit',
      file: 'statemachines/integrity-audit.asl.json',
      functions: {
        ListCustodyResultsFunctionArn: 'ListCustodyResults',
        CheckCustodyBatchFunctionArn: 'CheckCustodyBatch',
        WriteIntegrityReportFunctionArn: 'WriteIntegrityReport',
        AlertIntegrityProblemsFunctionArn: 'AlertIntegrityProblems',
        ...recordsWorkflowFailures,
      },
    },
    {
      name: 'Destruction',
      file: 'statemachines/destruction.asl.json',
      functions: {
        CreateHumanTaskFunctionArn: 'CreateHumanTask',
        DestroyCustodyObjectsFunctionArn: 'DestroyCustodyObjects',
        MarkDestroyedFunctionArn: 'MarkDestroyed',
        RefuseDestructionFunctionArn: 'RefuseDestruction',
        EscalateReviewFunctionArn: 'EscalateReview',
        ...recordsWorkflowFailures,
      },
    },
    {
      name: 'CatalogueReport',
      file: 'statemachines/catalogue-report.asl.json',
      functions: {
        CreateHumanTaskFunctionArn: 'CreateHumanTask',
        RecordReportAcknowledgementFunctionArn: 'RecordReportAcknowledgement',
        EscalateReviewFunctionArn: 'EscalateReview',
        ...recordsWorkflowFailures,
      },
    },
    {
      name: 'Transfer',
      file: 'statemachines/transfer.asl.json',
      functions: {
        AssignNumberFunctionArn: 'AssignNumber',
        CopyIntoCustodyFunctionArn: 'CopyIntoCustody',
        CreateHumanTaskFunctionArn: 'CreateHumanTask',
        EscalateReviewFunctionArn: 'EscalateReview',
        RecordReceiptFunctionArn: 'RecordReceipt',
        SendForestryCopyFunctionArn: 'SendForestryCopy',
        RecordTransferFailureFunctionArn: 'RecordTransferFailure',
      },
    },
  ],
  schedules: [
    {
      name: 'DailyDeadlineWatch',
      expression: 'cron(0 8 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'DeadlineWatch' },
      description: '每日 08:00 检查法定期限',
    },
    {
      name: 'HourlyAuditAnchor',
      expression: 'rate(1 hour)',
      timezone: 'Asia/Shanghai',
      target: { function: 'AuditAnchor' },
      description: '每小时校验审计链及其签名锚点，并将链头签名存证于保管桶（R10.1）',
    },
    {
      name: 'HumanTaskReminders',
      expression: 'cron(0 9 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'HumanTaskReminders' },
      description: '每日 09:00 催办逾期的待办任务，逾期 2 个工作日上报上级单位',
    },
    {
      name: 'PublicCatalogueRefresh',
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'PublishPublicCatalogue' },
      description: '每日 02:00 更新成果公开目录（R9.3 定期更新）',
    },
    {
      name: 'WeeklyIntegrityAudit',
      expression: 'cron(0 3 ? * SUN *)',
      timezone: 'Asia/Shanghai',
      target: { stateMachine: 'IntegrityAudit' },
      description: '每周日 03:00 核查全部保管成果的完整性（R10.1），异常即告警',
    },
  ],
  streams: [
    {
      name: 'PublicCatalogueOnChange',
      table: 'registry',
      function: 'PublishPublicCatalogueOnChange',
      keys: { pkPrefix: 'CAT#', sk: 'META' },
      batchingWindowSeconds: 5,
      batchSize: 100,
      description: '成果目录条目变更后更新成果公开目录（R9.3）',
    },
  ],
};

export function functionByName(name: string): FunctionDef {
  const fn = manifest.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`manifest: no function named ${name}`);
  return fn;
}
