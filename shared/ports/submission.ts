import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { ProblemState, QualityProblem } from '#shared/feedback/problems.ts';
import type {
  ReviewArrangement,
  Submission,
  SurveyTask,
  TimelineEvent,
  Version,
  VersionFile,
} from '#shared/schemas/submission.ts';

export interface Page<T> {
  readonly items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  readonly cursor?: string;
}

/**
 * The registry items of the submission context (key design in
 * adapters/dynamo.ts). Every write carries its audit entry and is one
 * DynamoDB transaction with it; every write that changes a version's upload
 * state is conditional on the version still being `open`, so a sealed
 * version cannot change (R10.1). A failed condition throws the named domain
 * error given in each method's comment.
 * Adapter: adapters/dynamo-submission.ts.
 */
export interface SubmissionStore {
  getTask(taskId: string): Promise<SurveyTask | undefined>;
  /** Newest first, by organiser (gsi1) or by implementer (gsi2). */
  listTasks(query: { by: 'organiser' | 'implementer'; org: string; limit: number; cursor?: string }): Promise<Page<SurveyTask>>;
  createTask(task: SurveyTask, entry: AuditEntry): Promise<void>;
  /**
   * Sets the completion date and the R6.1 due date, conditional on the
   * stored completion date still being `previousDate` and no version having
   * been sealed yet. Else ConflictError COMPLETION_CHANGED.
   */
  recordCompletion(
    update: { taskId: string; completionDate: string; submissionDue: string; recordedBy: string; recordedAt: string; previousDate: string | undefined },
    entry: AuditEntry,
  ): Promise<void>;

  /**
   * R7.1: the task's review arrangement replaced (`reviewOrg` absent: removed; `countersignOrgs` empty: removed)
   * with `earlierArrangements` and arrangementRev = rev + 1, conditional on the stored arrangementRev still
   * being `rev` (absent counts as 0). Else ConflictError ARRANGEMENT_CHANGED.
   */
  changeArrangement(
    change: { taskId: string; rev: number; reviewOrg?: string; countersignOrgs: readonly string[]; earlierArrangements: readonly ReviewArrangement[] },
    entry: AuditEntry,
  ): Promise<void>;

  getSubmission(submissionId: string): Promise<Submission | undefined>;
  listSubmissionsOfTask(taskId: string): Promise<Submission[]>;
  getVersion(submissionId: string, n: number): Promise<Version | undefined>;
  listVersions(submissionId: string): Promise<Version[]>;
  getFile(submissionId: string, n: number, manifestId: string, path: string): Promise<VersionFile | undefined>;
  /** The version's manifest in path order; `after`/`limit` page through it. */
  listFiles(submissionId: string, n: number, manifestId: string, page?: { after?: string; limit?: number }): Promise<VersionFile[]>;
  listEvents(submissionId: string): Promise<TimelineEvent[]>;

  /**
   * A new submission with v1 (or none when held offline). The file items are
   * written first (up to 10,000: batched, outside the transaction), then the
   * submission, the version and the events with the audit record in one
   * transaction; file items of an attempt that failed carry a manifestId no
   * version names and are never read.
   */
  createSubmission(input: { submission: Submission; version?: Version; files: VersionFile[]; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;
  /**
   * The next version after a returned one, conditional on the submission
   * still being `returned` at `previous` (else ConflictError VERSION_NOT_RETURNED).
   * `submission` carries the fields to set (status, currentVersion, catalogue).
   */
  createVersion(
    input: {
      submissionId: string;
      previous: number;
      version: Version;
      files: VersionFile[];
      events: TimelineEvent[];
      /**
       * R19.3: 'verified' opens a corrected version of a verified submission (the organiser ordered a correction):
       * conditional on the submission verified at `previous`; its transfer record is cleared for the version's own
       * transfer, and each problem is written in the same transaction, conditional on its state `from`.
       */
      from?: 'returned' | 'verified';
      problems?: ReadonlyArray<{ problem: QualityProblem; from: ProblemState }>;
    },
    entry: AuditEntry,
  ): Promise<void>;
  /** A resubmission whose new catalogue is classified: no version, the submission becomes heldOffline. */
  holdOffline(input: { submissionId: string; previous: number; catalogue: Submission['catalogue']; heldOffline: NonNullable<Submission['heldOffline']>; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;

  /**
   * Records started multipart uploads. Throws MultipartRaceError when another
   * caller recorded one for a path first (the caller aborts its own and uses
   * the stored one), VersionSealedError when the version is no longer open.
   */
  recordMultipartStarts(submissionId: string, version: Version, starts: Array<{ path: string; uploadId: string }>, event: TimelineEvent, entry: AuditEntry): Promise<void>;
  /** An event (URL issuance) on an open version; VersionSealedError otherwise. */
  recordUploadEvent(submissionId: string, version: Version, event: TimelineEvent, entry: AuditEntry): Promise<void>;
  /** Multipart file completed; VersionSealedError when the version is no longer open. */
  recordFileUploaded(submissionId: string, version: Version, path: string, at: string, event: TimelineEvent, entry: AuditEntry): Promise<void>;
  /** Forgets aborted multipart uploads (their uploadId); VersionSealedError when no longer open. */
  clearMultipartUploads(submissionId: string, version: Version, paths: string[], event: TimelineEvent, entry: AuditEntry): Promise<void>;
  /**
   * open → sealed, the submission → verifying, the task's submittedAt (first
   * time only). Throws VersionNotOpenError when the version is not open.
   */
  sealVersion(
    input: { submission: Submission; n: number; at: string; by: string; executionName: string; events: TimelineEvent[] },
    entry: AuditEntry,
  ): Promise<void>;
  /** sealed → verifying with the execution; VersionStateChangedError when not sealed any more. */
  recordVerificationStarted(input: { submissionId: string; n: number; executionArn?: string; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;
  /** sealed|verifying → awaitingReview; VersionStateChangedError otherwise. */
  recordAwaitingReview(input: { submissionId: string; n: number; reviewTaskId: string; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;
  /** sealed|verifying|awaitingReview → returned, the submission → returned with the R7.2 due date; VersionStateChangedError otherwise. */
  recordReturn(input: ReturnRecord, entry: AuditEntry): Promise<void>;
  /** sealed|verifying|awaitingReview → verified, the submission → verified with the R8.1 due date; VersionStateChangedError otherwise. */
  recordVerified(
    input: {
      submissionId: string;
      n: number;
      at: string;
      decidedBy: string;
      reportKey?: string;
      transferDue?: string;
      transferRequired: boolean;
      events: TimelineEvent[];
    },
    entry: AuditEntry,
  ): Promise<void>;
  /**
   * R8.1 met: the submission's transferredAt (the custodian's receipt) with
   * its events, conditional on the submission being verified at version `n`
   * and no receipt recorded yet; else ConflictError TRANSFER_ALREADY_RECORDED.
   */
  recordTransferred(input: { submissionId: string; n: number; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;
  /**
   * R8.1 start of a transfer: transferState → requested with attempt `attempt`, in one conditional
   * write with its events — conditional on the version verified and current, no receipt, and the
   * transfer not started (attempt 1) or failed at attempt − 1 (a restart). Throws
   * ConflictError TRANSFER_ALREADY_STARTED otherwise.
   */
  claimTransfer(input: { submissionId: string; n: number; attempt: number; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;
  /** requested → failed at `attempt` with its events; ConflictError TRANSFER_NOT_RUNNING when that attempt is not the one running. */
  recordTransferFailed(input: { submissionId: string; attempt: number; events: TimelineEvent[] }, entry: AuditEntry): Promise<void>;
  /** Any other timeline event (checks, emails, reminders) with its audit record. */
  appendEvents(submissionId: string, events: TimelineEvent[], entry: AuditEntry): Promise<void>;
  /**
   * R10.1: the `custodyCopied` event (its detail a CustodyCopyRecord:
   * manifest SHA-256 and package root hash) with its audit record, indexed
   * so that the integrity audit finds every custody copy by a key query
   * (gsi1 CUSTODYCOPIES / <resultNumber>#v<nnnn>; adapters/dynamo-custody-records.ts).
   */
  recordCustodyCopy(event: TimelineEvent, entry: AuditEntry): Promise<void>;
}

/** An object in the uploads bucket, as a listing shows it. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
}

export interface UploadedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  /** base64, when the store reports it. */
  readonly checksumSha256?: string;
}

export interface SignedRequest {
  readonly url: string;
  /** Headers the client must send exactly as given: they are part of the signature. */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

/**
 * The uploads bucket as the submission context uses it.
 * Adapter: adapters/s3-uploads.ts.
 */
export interface PackageObjectStore {
  /** A PUT with the SHA-256 (base64), If-None-Match: * and Content-Length as signed headers. */
  presignPut(key: string, opts: { checksumSha256: string; size: number; expiresInSeconds: number }): Promise<SignedRequest>;
  /** CreateMultipartUpload with ChecksumAlgorithm SHA256; returns the upload id. */
  createMultipartUpload(key: string): Promise<string>;
  /** An UploadPart with the part's SHA-256 (base64) and Content-Length as signed headers. */
  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    opts: { checksumSha256: string; size: number; expiresInSeconds: number },
  ): Promise<SignedRequest>;
  /**
   * Objects under a prefix in S3's order (UTF-8 bytes), one request per
   * 1,000 keys; with `range`, from the first key after `startAfter`, and no
   * page after the one that reaches `through` (a page may hold keys past it).
   */
  listObjects(prefix: string, range?: { readonly startAfter?: string; readonly through?: string }): Promise<StoredObject[]>;
  /**
   * Parts received so far; 'noSuchUpload' when the upload was completed or
   * aborted; 'unsupported' when the store cannot list parts (an emulator).
   */
  listParts(key: string, uploadId: string): Promise<UploadedPart[] | 'noSuchUpload' | 'unsupported'>;
  /**
   * CompleteMultipartUpload with If-None-Match: * and the expected size.
   * Throws PartsRejectedError when the store refuses the part list.
   */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: ReadonlyArray<{ partNumber: number; etag: string; checksumSha256: string }>,
    size: number,
  ): Promise<void>;
  /** Idempotent: an upload already gone is not an error. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /** Multipart uploads still open under a prefix — including any a crashed request started but never recorded. */
  listMultipartUploads(prefix: string): Promise<Array<{ key: string; uploadId: string }>>;
}

/** What the submission domain functions receive; handlers build it, tests pass fakes. */
/** R19.3: the organiser's open orders to correct a submission's result (problems in state correcting). */
export interface CorrectionOrders {
  openOrders(submissionId: string): Promise<QualityProblem[]>;
}

export interface SubmissionPorts {
  readonly store: SubmissionStore;
  readonly identity: IdentityRepository;
  /** The working-day calendar with the run-time holiday tables (calendarFromStore). */
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly objects: PackageObjectStore;
  readonly workflow: Workflow;
  readonly now: () => Date;
  readonly newId: () => string;
}

/**
 * The reads and writes of a verification outcome (the human-task kinds and the workflow steps):
 * adapters/dynamo-submission.ts DynamoSubmissionOutcomes, without the rest of the store (issue 10).
 */
export type SubmissionOutcomeStore = Pick<
  SubmissionStore,
  'getTask' | 'getSubmission' | 'getVersion' | 'listFiles' | 'listEvents' | 'recordAwaitingReview' | 'recordReturn' | 'recordVerified' | 'appendEvents'
>;

/** What the verification workflow needs to record an outcome. */
export type OutcomePorts = Pick<SubmissionPorts, 'calendar' | 'now'> & { readonly store: SubmissionOutcomeStore };

/** What a returned round records (R7.2): the decision, the defects and the resubmission due date. */
export interface ReturnRecord {
  submissionId: string;
  n: number;
  at: string;
  decidedBy: string;
  reasons: string[];
  defects: Version['defects'];
  defectCount: number;
  reportKey?: string;
  resubmissionDue: string;
  events: TimelineEvent[];
}
