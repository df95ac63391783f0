import type { AuditEntry } from './audit.ts';
import type { TimelineEvent } from '#shared/schemas/submission.ts';
import type { PackageFile } from '#shared/verification/byte-source.ts';

/**
 * The uploads bucket as the verifier reads it: what a sealed version holds,
 * and each object as a ranged ByteSource (headers, not whole files).
 * Adapter: adapters/s3-byte-source.ts.
 */
export interface PackageReader {
  /** Every object under `prefix` (one request per 1,000 keys). */
  list(prefix: string): Promise<Array<{ readonly key: string; readonly size: number }>>;
  /** One object: size and the store's full-object SHA-256 (when it has one it can vouch for) from HeadObject. */
  open(key: string): Promise<PackageFile>;
}

/**
 * The documents bucket: verification reports (JSON and HTML), the work files
 * of a verification run. Adapter: adapters/s3-documents.ts.
 */
export interface DocumentStore {
  putJson(key: string, value: unknown): Promise<void>;
  /** undefined when there is no such object. */
  getJson(key: string): Promise<unknown>;
  putText(key: string, body: string, contentType: string): Promise<void>;
  getText(key: string): Promise<string | undefined>;
}

/**
 * The Verification state machine's failure path: the workflow itself failed
 * (not the package). Adapter: adapters/dynamo-verification.ts.
 */
export interface VerificationFailureLog {
  /**
   * sealed|verifying|awaitingReview → verificationFailed with the error and
   * the timeline event, audited, in one transaction. Returns false (and
   * writes only the event) when the round already had an outcome.
   */
  recordFailure(
    input: { submissionId: string; n: number; at: string; error: string; cause: string; event: TimelineEvent },
    entry: AuditEntry,
  ): Promise<boolean>;
}
