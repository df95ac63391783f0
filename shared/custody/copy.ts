import { NotFoundError } from '#shared/errors.ts';
import type { Bytes, CustodyStore, UploadsSource } from '#shared/ports/custody.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { CustodyContentConflictError, CustodyObjectExistsError, NotVerifiedError } from './errors.ts';
import { collect, sha256OfBytes, sha256OfStream } from './hash.ts';
import { custodyManifestKey, custodyObjectKey } from './keys.ts';
import { decodeManifest, encodeManifest, packageRootHash, sameContent, type CustodyFile, type CustodyManifest } from './manifest.ts';

export interface CopyPorts {
  readonly submissions: Pick<SubmissionStore, 'getSubmission' | 'getVersion' | 'listFiles'>;
  readonly uploads: UploadsSource;
  readonly custody: CustodyStore;
  /**
   * The backup bucket, written here only on the local cloud
   * (LOCAL_BACKUP_COPY=1): on AWS, S3 replication copies custody to the
   * backup region and no function may write the replica.
   */
  readonly backup?: CustodyStore;
  readonly now: () => Date;
}

export interface CopyResult {
  readonly resultNumber: string;
  readonly n: number;
  readonly manifestKey: string;
  /** SHA-256 of the manifest's bytes as they stand in custody (recorded in the registry: the audit's anchor). */
  readonly manifestSha256: string;
  /** The package's root hash (packageRootHash of the manifest's files). */
  readonly rootHash: string;
  readonly files: number;
  readonly bytes: number;
  /** Objects this call wrote (0 on a repeated call: the copy is idempotent). */
  readonly written: number;
}

const pageSize = 1000;

/**
 * R8.1/R10.1: copies a verified package from the uploads bucket into custody
 * under its unified number, then the custody manifest — the transfer flow
 * calls it. Primary course:
 *  1. the version must be verified (NotVerifiedError otherwise);
 *  2. each file is copied from uploads/submissions/<id>/v<n>/<path> to
 *     custody/results/<number>/v<n>/<path>: server-side where the store can
 *     (S3: CopyObject, UploadPartCopy above 5 GiB), confirmed against the
 *     verified manifest's SHA-256; else streamed with that SHA-256 (S3
 *     refuses bytes that do not match it);
 *  3. the manifest (path, key, size, sha256) is written last, so a manifest
 *     only ever names a complete copy; its SHA-256 and the package's root
 *     hash are returned for the registry's custodyCopied record (R10.1: the
 *     integrity audit checks the bucket's manifest against them).
 * Idempotent: an object already in custody with the same SHA-256 is kept as
 * it is; one with other bytes stops the copy (CustodyContentConflictError)
 * without writing anything over it.
 */
export async function copyFromUploads(ports: CopyPorts, input: { submissionId: string; n: number; resultNumber: string }): Promise<CopyResult> {
  const { submissionId, n, resultNumber } = input;
  const submission = await ports.submissions.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  const version = await ports.submissions.getVersion(submissionId, n);
  if (!version) throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版`);
  if (version.status !== 'verified') throw new NotVerifiedError(submissionId, n);

  const files: CustodyFile[] = [];
  let written = 0;
  let bytes = 0;
  let after: string | undefined;
  for (;;) {
    const page = await ports.submissions.listFiles(submissionId, n, version.manifestId, { ...(after ? { after } : {}), limit: pageSize });
    for (const f of page) {
      const key = custodyObjectKey(resultNumber, n, f.path);
      const source = objectKey(submissionId, n, f.path);
      for (const store of stores(ports)) {
        if (await storeOnce(store, key, source, () => ports.uploads.read(source), f.sha256, f.size)) written += 1;
      }
      files.push({ path: f.path, key, size: f.size, sha256: f.sha256 });
      bytes += f.size;
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]?.path;
  }

  const manifest: CustodyManifest = {
    resultNumber,
    n,
    submissionId,
    custodianOrg: submission.custodianOrg,
    organiserOrg: submission.organiserOrg,
    copiedAt: ports.now().toISOString(),
    files,
  };
  const manifestKey = custodyManifestKey(resultNumber, n);
  // A retried copy keeps the manifest bytes custody already holds (its copiedAt), so custody, backup and the
  // registry's manifestSha256 name the same bytes.
  const body = (await existingManifest(ports.custody, manifestKey, manifest)) ?? encodeManifest(manifest);
  for (const store of stores(ports)) {
    if (await storeManifestOnce(store, manifestKey, body, manifest)) written += 1;
  }
  return { resultNumber, n, manifestKey, manifestSha256: sha256OfBytes(body), rootHash: packageRootHash(files), files: files.length, bytes, written };
}

async function existingManifest(store: CustodyStore, key: string, manifest: CustodyManifest): Promise<Uint8Array | undefined> {
  if (!(await store.head(key))) return undefined;
  const body = await collect(store.read(key));
  if (!sameContent(decodeManifest(body), manifest)) throw new CustodyContentConflictError(key);
  return body;
}

function stores(ports: CopyPorts): CustodyStore[] {
  return ports.backup ? [ports.custody, ports.backup] : [ports.custody];
}

/** true when written; false when the same bytes were already there. */
async function storeOnce(store: CustodyStore, key: string, sourceKey: string, open: () => Bytes, sha256: string, size: number): Promise<boolean> {
  try {
    // Server-side where the store can (any size, no bytes through the function); else streamed.
    if (store.copyOnceFrom) await store.copyOnceFrom(sourceKey, key, sha256, size);
    else await store.putOnce(key, open(), sha256, size);
    return true;
  } catch (error) {
    if (!(error instanceof CustodyObjectExistsError)) throw error;
    const head = await store.head(key);
    const present = head?.storedSha256 ?? (await sha256OfStream(store.read(key))).sha256;
    if (present !== sha256) throw new CustodyContentConflictError(key);
    return false;
  }
}

async function storeManifestOnce(store: CustodyStore, key: string, body: Uint8Array, manifest: CustodyManifest): Promise<boolean> {
  try {
    await store.putOnce(key, body, sha256OfBytes(body), body.byteLength);
    return true;
  } catch (error) {
    if (!(error instanceof CustodyObjectExistsError)) throw error;
    if (!sameContent(decodeManifest(await collect(store.read(key))), manifest)) throw new CustodyContentConflictError(key);
    return false;
  }
}
