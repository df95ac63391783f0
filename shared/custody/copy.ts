import { NotFoundError } from '#shared/errors.ts';
import type { Bytes, CopyOptions, CustodyStore, PartialCopy, UploadsSource } from '#shared/ports/custody.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { CustodyContentConflictError, CustodyCopyIncompleteError, CustodyCopyTooManyBatchesError, CustodyObjectExistsError, NotVerifiedError } from './errors.ts';
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
/** A copy batch closes at this many files… */
export const batchMaxFiles = 100;
/** …or once it holds this many bytes, so big files spread over parallel batches. */
export const batchMaxBytes = 16 * 1024 ** 3;
/** The batch list travels in the state: refused above this many bytes of JSON (Step Functions' payload limit is 256 KB). */
export const batchListMaxBytes = 200_000;
/** Files copied at once within a batch (each large one copies its parts in parallel too). */
const filesInParallel = 4;

/** One batch of package files: the `limit` files after path `after` (none: from the first), in path order. */
export interface CopyBatch {
  readonly batch: number;
  readonly after?: string;
  readonly limit: number;
  readonly bytes: number;
}

type Input = { submissionId: string; n: number; resultNumber: string };

async function verifiedVersion(ports: Pick<CopyPorts, 'submissions'>, submissionId: string, n: number) {
  const submission = await ports.submissions.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  const version = await ports.submissions.getVersion(submissionId, n);
  if (!version) throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版`);
  if (version.status !== 'verified') throw new NotVerifiedError(submissionId, n);
  return { submission, version };
}

async function* filesOf(ports: Pick<CopyPorts, 'submissions'>, submissionId: string, n: number, manifestId: string, from?: { after?: string; limit?: number }) {
  let after = from?.after;
  let left = from?.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const limit = Math.min(pageSize, left);
    const page = await ports.submissions.listFiles(submissionId, n, manifestId, { ...(after ? { after } : {}), limit });
    for (const f of page) yield f;
    left -= page.length;
    if (page.length < limit) return;
    after = page[page.length - 1]?.path;
  }
}

/** Runs `work` over `items` with at most `width` at a time; the first failure fails the whole. */
async function inParallel<T>(items: AsyncIterable<T> | Iterable<T>, width: number, work: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failed: unknown;
  for await (const item of items as AsyncIterable<T>) {
    if (failed) break;
    const p: Promise<void> = work(item).then(
      () => void running.delete(p),
      (error: unknown) => {
        running.delete(p);
        failed ??= error;
      },
    );
    running.add(p);
    if (running.size >= width) await Promise.race(running);
  }
  await Promise.all(running);
  if (failed) throw failed;
}

/**
 * R8.1/R10.1, the copy's first step (Transfer › Plan Custody Copy): the
 * version must be verified; its files, in path order, are cut into batches of
 * at most `batchMaxFiles` files or `batchMaxBytes` bytes, each named by the
 * path before it. The batches are what the Distributed Map copies, one child
 * each; nothing but this list passes through the state.
 */
export async function planCopy(ports: Pick<CopyPorts, 'submissions'>, input: Input): Promise<{ batches: CopyBatch[]; files: number; bytes: number }> {
  const { version } = await verifiedVersion(ports, input.submissionId, input.n);
  const batches: CopyBatch[] = [];
  let current: { after?: string; limit: number; bytes: number } = { limit: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  let last: string | undefined;
  const close = () => {
    if (current.limit === 0) return;
    batches.push({ batch: batches.length + 1, ...current });
    current = { ...(last ? { after: last } : {}), limit: 0, bytes: 0 };
  };
  for await (const f of filesOf(ports, input.submissionId, input.n, version.manifestId)) {
    current.limit += 1;
    current.bytes += f.size;
    files += 1;
    bytes += f.size;
    last = f.path;
    if (current.limit >= batchMaxFiles || current.bytes >= batchMaxBytes) close();
  }
  close();
  const size = Buffer.byteLength(JSON.stringify(batches));
  if (size > batchListMaxBytes) throw new CustodyCopyTooManyBatchesError(batches.length, size);
  return { batches, files, bytes };
}

/**
 * The copy's middle step, one per batch (Transfer › Copy Files, a
 * Distributed Map child, looped until `continue` is false): each file of the batch from
 * uploads/submissions/<id>/v<n>/<path> to custody/results/<number>/v<n>/<path>,
 * server-side where the store can (S3: CopyObject, UploadPartCopy above
 * 5 GiB; no bytes through the function), else streamed with the verified
 * SHA-256; confirmed against that SHA-256. Idempotent: a file already in
 * custody with the same content is kept; other bytes stop the copy
 * (CustodyContentConflictError) without writing over them.
 *
 * Time-boxed (issue 11): once `outOfTime` says so, no new file is started and
 * a multipart copy starts no new part; what is left comes back as
 * `continue: true` with the unfinished uploads (BatchProgress), which the next
 * call gets as `resume`. Every call copies something (a file or a part) or
 * finds the whole batch in custody, so the loop ends.
 */
export async function copyBatch(
  ports: Omit<CopyPorts, 'now'>,
  input: Input & { after?: string; limit: number; outOfTime?: () => boolean; resume?: readonly PartialCopy[] },
): Promise<BatchProgress> {
  const { version } = await verifiedVersion(ports, input.submissionId, input.n);
  const outOfTime = input.outOfTime ?? (() => false);
  let files = 0;
  let bytes = 0;
  let written = 0;
  let progressed = false;
  let left = 0;
  const unfinished: PartialCopy[] = [];
  await inParallel(
    filesOf(ports, input.submissionId, input.n, version.manifestId, { ...(input.after ? { after: input.after } : {}), limit: input.limit }),
    filesInParallel,
    async (f) => {
      // Out of time: no new file once this call has copied something (a file, or a part: the store copies at
      // least one part per call), so every call makes progress; a file already in custody is confirmed, not work.
      if (progressed && outOfTime()) {
        left += 1;
        return;
      }
      const key = custodyObjectKey(input.resultNumber, input.n, f.path);
      const source = objectKey(input.submissionId, input.n, f.path);
      for (const store of storesLeft(stores(ports), key, input.resume)) {
        const out = await storeOnce(store, key, source, () => ports.uploads.read(source), f.sha256, f.size, { outOfTime, ...(input.resume ? { resume: input.resume } : {}) });
        if (typeof out === 'object') {
          unfinished.push(out);
          progressed = true;
          left += 1;
          return;
        }
        if (out === 'written') {
          written += 1;
          progressed = true;
        }
      }
      files += 1;
      bytes += f.size;
    },
  );
  return { files, bytes, written, continue: left > 0, unfinished, partsDone: unfinished.reduce((n, u) => n + u.partsDone, 0) };
}

/**
 * What one call of copyBatch did. `continue`: the batch is not done (the call ran out of time) — the same
 * batch is called again with `unfinished` as its `resume`; files already in custody are confirmed, not
 * copied again, and an unfinished multipart copy goes on from the parts S3 holds.
 */
export interface BatchProgress {
  /** Files of the batch in custody (copied by this call or confirmed present). */
  readonly files: number;
  readonly bytes: number;
  readonly written: number;
  readonly continue: boolean;
  /** Multipart copies left for the next call (at most one per file in flight and store). */
  readonly unfinished: PartialCopy[];
  /** Parts of the unfinished copies already in S3. */
  readonly partsDone: number;
}

/**
 * The copy's last step (Transfer › Copy Into Custody): every file of the
 * version must be in custody (HeadObject only — each batch confirmed the
 * content it copied; a lost batch is CustodyCopyIncompleteError), then
 * the manifest (path, key, size, sha256) is written, so a manifest only ever
 * names a complete copy; its SHA-256 and the package's root hash are
 * returned for the registry's custodyCopied record (R10.1: the integrity
 * audit checks the bucket's manifest against them).
 */
export async function finishCopy(ports: CopyPorts, input: Input): Promise<CopyResult> {
  const { submissionId, n, resultNumber } = input;
  const { submission, version } = await verifiedVersion(ports, submissionId, n);
  const files: CustodyFile[] = [];
  let bytes = 0;
  for await (const f of filesOf(ports, submissionId, n, version.manifestId)) {
    files.push({ path: f.path, key: custodyObjectKey(resultNumber, n, f.path), size: f.size, sha256: f.sha256 });
    bytes += f.size;
  }
  await inParallel(files, 16, async (f) => {
    for (const store of stores(ports)) {
      if (!(await store.head(f.key))) throw new CustodyCopyIncompleteError(f.key);
    }
  });
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
  let written = 0;
  for (const store of stores(ports)) {
    if (await storeManifestOnce(store, manifestKey, body, manifest)) written += 1;
  }
  return { resultNumber, n, manifestKey, manifestSha256: sha256OfBytes(body), rootHash: packageRootHash(files), files: files.length, bytes, written };
}

/**
 * R8.1/R10.1: the whole copy in one call — plan, every batch, finish — as
 * the three Transfer steps do it (the local demo data and tests use it).
 * Idempotent; `written` counts the objects this call wrote (0 on a repeat).
 */
export async function copyFromUploads(ports: CopyPorts, input: Input): Promise<CopyResult> {
  const plan = await planCopy(ports, input);
  let written = 0;
  for (const b of plan.batches) written += (await copyBatch(ports, { ...input, ...(b.after ? { after: b.after } : {}), limit: b.limit })).written;
  const result = await finishCopy(ports, input);
  return { ...result, written: written + result.written };
}

async function existingManifest(store: CustodyStore, key: string, manifest: CustodyManifest): Promise<Uint8Array | undefined> {
  if (!(await store.head(key))) return undefined;
  const body = await collect(store.read(key));
  if (!sameContent(decodeManifest(body), manifest)) throw new CustodyContentConflictError(key);
  return body;
}

function stores(ports: Pick<CopyPorts, 'custody' | 'backup'>): CustodyStore[] {
  return ports.backup ? [ports.custody, ports.backup] : [ports.custody];
}

/**
 * The stores a call still has to copy `key` into. The stores are copied in order and a call moves to the next
 * store only once the copy in the one before is confirmed: a copy left unfinished in a later store by an earlier
 * call means the stores before it hold the confirmed file, so they are not confirmed again (locally, where
 * stored checksums are not trusted, confirming means reading the whole object: a GiB file would be re-read by
 * every call of a long backup copy).
 */
export function storesLeft(all: readonly CustodyStore[], key: string, resume: readonly PartialCopy[] | undefined): readonly CustodyStore[] {
  const hint = resume?.find((r) => r.key === key);
  const at = hint ? all.findIndex((s) => s.bucket !== undefined && s.bucket === hint.bucket) : -1;
  return at > 0 ? all.slice(at) : all;
}

/** 'written', 'present' (the same bytes were already there), or the multipart copy left for the next call. */
async function storeOnce(
  store: CustodyStore,
  key: string,
  sourceKey: string,
  open: () => Bytes,
  sha256: string,
  size: number,
  opts: CopyOptions = {},
): Promise<'written' | 'present' | PartialCopy> {
  // Server-side where the store can (any size, no bytes through the function; the store confirms a copy already there itself).
  if (store.copyOnceFrom) {
    const out = await store.copyOnceFrom(sourceKey, key, sha256, size, opts);
    return out === 'copied' ? 'written' : out;
  }
  try {
    await store.putOnce(key, open(), sha256, size);
    return 'written';
  } catch (error) {
    if (!(error instanceof CustodyObjectExistsError)) throw error;
    const head = await store.head(key);
    const present = head?.storedSha256 ?? (await sha256OfStream(store.read(key))).sha256;
    if (present !== sha256) throw new CustodyContentConflictError(key);
    return 'present';
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
