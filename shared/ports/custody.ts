/**
 * Custody storage (R10.1): the kept copy of every verified result.
 *
 * Write-once by construction: the port has `putOnce` and reads, and NO
 * method that deletes or replaces an object — a handler given this port
 * cannot alter custody whatever it is asked to do. On AWS the custody bucket
 * adds versioning and Object Lock (GOVERNANCE) and replicates to the backup
 * bucket in a second region; locally the adapter refuses the same way
 * (adapters/s3-custody.ts). The one privileged destruction path
 * (销毁, with an approval) is a separate, later port.
 *
 * Keys (shared/custody/keys.ts):
 *   results/<resultNumber>/v<n>/<path>     the package files
 *   manifests/<resultNumber>/v<n>.json     the custody manifest (path, key, size, sha256)
 */

/** Bytes to store: whole (small objects, manifests) or streamed (package files). */
export type Bytes = Uint8Array | AsyncIterable<Uint8Array>;

export interface CustodyObjectHead {
  readonly size: number;
  /**
   * The store's full-object SHA-256 (hex), only where the store verified it
   * on arrival (AWS S3, a single PUT). Absent for an emulator, which records
   * whatever a client claims, and for a multipart (composite) checksum.
   */
  readonly storedSha256?: string;
}

/**
 * A multipart copy left unfinished because its invocation ran out of time
 * (issue 11: a file near 5 TiB is 10,000 parts, more than one 900 s Lambda
 * copies). Only what the next invocation needs to find the upload again and
 * refuse a changed source travels in the state machine's state — never the
 * part list (ListParts gives it back); S3 holds the copied parts.
 */
export interface PartialCopy {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  /** The source object's ETag every part was copied from (x-amz-copy-source-if-match). */
  readonly sourceEtag: string;
  readonly partsDone: number;
  readonly parts: number;
}

export interface CopyOptions {
  /** True once the invocation should start no more work (its remaining time is the copy's in-flight reserve). At least one part is always copied. */
  readonly outOfTime?: () => boolean;
  /** The copies the previous invocation left unfinished (matched by bucket and key). */
  readonly resume?: readonly PartialCopy[];
}

export interface CustodyStore {
  /** The bucket (where the store is one): a resumed copy (PartialCopy.bucket) names the store it was left unfinished in. */
  readonly bucket?: string;
  /**
   * Stores `bytes` under `key` only if no object is there, with the SHA-256
   * (hex) the store checks on arrival. Throws CustodyObjectExistsError
   * (CUSTODY_OBJECT_EXISTS) when the key is taken.
   */
  putOnce(key: string, bytes: Bytes, sha256: string, size: number): Promise<void>;
  /**
   * Where the store can copy server-side (S3: CopyObject, UploadPartCopy
   * above 5 GiB): the uploads object `sourceKey` to `key` only if no object
   * is there, confirmed against `sha256` — 'copied'; an object already there
   * is confirmed the same way — 'present'; either with other content →
   * CustodyContentConflictError. A multipart copy stopped by `opts.outOfTime`
   * returns its PartialCopy: the same call with it in `opts.resume` goes on
   * without copying the finished parts again. Absent: copy.ts streams through putOnce.
   */
  readonly copyOnceFrom?: ((sourceKey: string, key: string, sha256: string, size: number, opts?: CopyOptions) => Promise<'copied' | 'present' | PartialCopy>) | undefined;
  head(key: string): Promise<CustodyObjectHead | undefined>;
  /** The object's bytes; NotFoundError when absent. */
  read(key: string): AsyncIterable<Uint8Array>;
  /** Keys under a prefix, a page at a time (ListObjectsV2). */
  list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }>;
}

/** Package bytes in the uploads bucket (submissions/<id>/v<n>/<path>), read-only. */
export interface UploadsSource {
  read(key: string): AsyncIterable<Uint8Array>;
}

/**
 * Restore only (infra/local/custody-restore.ts — an operator's tool, never a
 * route or a workflow step): puts verified backup bytes back under a custody
 * key whose object is missing or damaged. On AWS this writes a new version;
 * the damaged version stays under Object Lock for the investigation.
 */
export interface CustodyRepair {
  replaceDamaged(key: string, bytes: Bytes, sha256: string, size: number): Promise<void>;
}

/**
 * What the registry recorded of one custody copy (the `custodyCopied`
 * event's detail, written with its audit record when the copy was made):
 * the integrity audit's expected set and the anchor it checks the bucket's
 * manifest against (R10.1). Nothing in it comes from the custody bucket.
 */
export interface CustodyCopyRecord {
  readonly resultNumber: string;
  readonly n: number;
  readonly submissionId: string;
  readonly custodianOrg: string;
  readonly organiserOrg: string;
  readonly manifestKey: string;
  /** SHA-256 (hex) of the manifest's bytes as written to custody. */
  readonly manifestSha256: string;
  /** The package's root hash over its files (shared/custody/manifest.ts packageRootHash). */
  readonly rootHash: string;
  readonly files: number;
  readonly bytes: number;
}

/** A file of the verified package, as the registry holds it (the submission's manifest). */
export interface RecordedFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * The registry's side of custody (adapter: adapters/dynamo-custody-records.ts):
 * key queries on gsi1 CUSTODYCOPIES, never a scan.
 */
export interface CustodyRecords {
  /** Every recorded custody copy, by unified number and version, a page at a time. */
  listCopies(cursor?: string): Promise<{ copies: CustodyCopyRecord[]; cursor?: string }>;
  /** The record of one result version, or undefined when none was recorded. */
  findCopy(resultNumber: string, n: number): Promise<CustodyCopyRecord | undefined>;
  /** The result was destroyed by the approved destruction path (its custody objects are meant to be gone). */
  isDestroyed(resultNumber: string): Promise<boolean>;
  /** The verified file list of a submission version, from the registry (the fallback when the bucket's manifest is not trusted). */
  listVersionFiles(submissionId: string, n: number): Promise<RecordedFile[]>;
}
