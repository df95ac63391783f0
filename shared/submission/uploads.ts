import { versionSealed } from '#shared/supervision/effects.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import type { PackageObjectStore, SignedRequest, SubmissionPorts, UploadedPart } from '#shared/ports/submission.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { Submission, TimelineEvent, Version, VersionFile } from '#shared/schemas/submission.ts';
import { requireImplementerSubmitter, requireSubmissionRead } from './access.ts';
import { MultipartRaceError, uploadIncomplete, VersionSealedError, VersionStateChangedError } from './errors.ts';
import { submissionEntry, timelineEvent } from './events.ts';
import { objectKey, versionPrefix } from './manifest.ts';
import { hexToBase64, maxUrlsPerCall, partLength, urlExpirySeconds } from './upload-plan.ts';

/** The manifest name of the state machine that verifies a sealed version (statemachines/verification.asl.json). */
export const verificationStateMachine = 'Verification';

/** Execution names are unique per state machine: one execution per version, however often completion is called. */
export function executionNameOf(submissionId: string, n: number): string {
  return `${submissionId}-v${n}`;
}

/** Concurrent S3 calls per request (HeadObject/ListParts/presign fan-out). */
const fanOut = 16;
/** File items per audited transaction (DynamoDB allows 100 items; the audit takes 2, the version check and an event 2 more). */
export const filesPerTransaction = 90;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function invalid(issues: FieldIssue[]): ValidationError {
  const first = issues[0]!;
  return new ValidationError(`请求参数有误：${first.field} ${first.message}`, issues);
}

type Ports = Pick<SubmissionPorts, 'store' | 'objects' | 'now' | 'identity'>;

/** `guard` is the access rule for the caller, applied before anything about the versions is disclosed. */
async function loadVersion(
  ports: Pick<SubmissionPorts, 'store'>,
  submissionId: string,
  n: number,
  guard: (submission: Submission) => void | Promise<void>,
): Promise<{ submission: Submission; version: Version }> {
  const submission = await ports.store.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  await guard(submission);
  const version = await ports.store.getVersion(submissionId, n);
  if (!version) {
    if (submission.status === 'heldOffline' && submission.currentVersion === 0) throw heldOffline(submission);
    throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版（当前为第 ${submission.currentVersion} 版）`);
  }
  return { submission, version };
}

function heldOffline(s: Submission): ConflictError {
  return new ConflictError('CLASSIFIED_HELD_OFFLINE', s.heldOffline?.reason ?? '涉密成果不得上传至云存储，由保管单位离线保管（R5.1）');
}

/** The submitter's own open version: anything else is refused before a URL is signed or a byte accepted. */
async function loadOpenVersion(ports: Pick<SubmissionPorts, 'store'>, actor: Principal, submissionId: string, n: number, action: string) {
  const loaded = await loadVersion(ports, submissionId, n, (s) => requireImplementerSubmitter(actor, s, action));
  if (loaded.submission.status === 'heldOffline') throw heldOffline(loaded.submission);
  if (loaded.version.status !== 'open') throw new VersionSealedError(n, loaded.version.status);
  return loaded;
}

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Objects of the version present with the declared size (S3 has already
 * checked their checksums). One LIST per 1,000 keys rather than one HEAD per
 * file: 10 requests for a 10,000-file version. With `paths`, only the key
 * range they span (in S3's UTF-8 order) is listed: the CLI asks for URLs 100
 * files at a time in path order, and listing the whole version for each ask
 * made a package of N files cost N²/100 listed keys (3,012 files: 31 asks,
 * the last taking 3.9 s on the local cloud; issue 10).
 */
async function arrived(objects: PackageObjectStore, submissionId: string, n: number, paths?: readonly string[]): Promise<Map<string, number>> {
  const prefix = versionPrefix(submissionId, n);
  let range: { startAfter: string; through: string } | undefined;
  if (paths && paths.length > 0) {
    const sorted = [...paths].sort(utf8Order);
    // Everything from the first path on: after the first path less its last character (which sorts before it).
    const first = Array.from(sorted[0]!);
    range = { startAfter: prefix + first.slice(0, -1).join(''), through: prefix + sorted[sorted.length - 1]! };
  }
  const listed = await objects.listObjects(prefix, range);
  return new Map(listed.filter((o) => o.key.startsWith(prefix)).map((o) => [o.key.slice(prefix.length), o.size]));
}

// ---- upload URLs -----------------------------------------------------------------------

export interface PartRequest {
  readonly partNumber: number;
  /** SHA-256 of the part, 64 lowercase hex: S3 refuses a part whose bytes do not match it. */
  readonly sha256: string;
}

export interface PartInstruction extends SignedRequest {
  readonly partNumber: number;
  readonly size: number;
  readonly method: 'PUT';
}

export interface UploadInstruction {
  readonly path: string;
  readonly size: number;
  readonly kind: 'single' | 'multipart';
  /** 'uploaded': nothing to send; 'pending': send with the instructions given. */
  readonly status: 'uploaded' | 'pending';
  readonly method?: 'PUT';
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly expiresAt?: string;
  readonly uploadId?: string;
  readonly partSize?: number;
  readonly partCount?: number;
  readonly parts?: PartInstruction[];
  /** Multipart: part URLs are signed with each part's SHA-256, so ask again with `parts` to get them. */
  readonly partsNeedChecksums?: boolean;
}

export interface UploadUrlsResult {
  readonly submissionId: string;
  readonly n: number;
  readonly files: UploadInstruction[];
  readonly urlCount: number;
  readonly expiresInSeconds: number;
  /** Pass back as `cursor` for the next files (when no `files` were named). */
  readonly nextCursor?: string;
}

/**
 * Presigned upload instructions for an open version.
 *
 * Primary course:
 *  1. the caller is a submitter of the implementer; the version is open (a
 *     sealed version → 409 VERSION_SEALED, nothing signed);
 *  2. the files named (or, without names, the next files in path order after
 *     the cursor) are checked against the manifest and the objects already
 *     present (those are reported `uploaded`, not signed again: resume);
 *  3. a file up to 100 MiB gets one PUT URL with its SHA-256, `If-None-Match: *`
 *     and `Content-Length` as signed headers — S3 refuses other bytes and
 *     never overwrites;
 *  4. a larger file gets a multipart upload (started once; a concurrent
 *     start loses and is aborted) and a URL per part asked for, each signed
 *     with the part's SHA-256 and length; at most 1,000 URLs per call;
 *  5. the issuance is recorded on the timeline with its audit record,
 *     conditional on the version still being open.
 */
export async function issueUploadUrls(
  cmd: {
    actor: Principal;
    submissionId: string;
    n: number;
    files?: ReadonlyArray<{ path: string; parts?: readonly PartRequest[] }>;
    cursor?: string;
    requestId: string;
  },
  ports: Ports,
): Promise<UploadUrlsResult> {
  const { submission, version } = await loadOpenVersion(ports, cmd.actor, cmd.submissionId, cmd.n, '申请上传地址');
  const manifest = await ports.store.listFiles(submission.submissionId, version.n, version.manifestId);
  const byPath = new Map(manifest.map((f) => [f.path, f]));

  // What to sign: named files with their part requests, or the next page of the manifest.
  let selection: Array<{ file: VersionFile; parts?: readonly PartRequest[] }>;
  let nextCursor: string | undefined;
  if (cmd.files) {
    const issues: FieldIssue[] = [];
    let urls = 0;
    selection = [];
    cmd.files.forEach((req, i) => {
      const file = byPath.get(req.path);
      if (!file) {
        issues.push({ field: `body.files.${i}.path`, code: 'NOT_IN_MANIFEST', message: `文件 ${req.path} 不在第 ${version.n} 版的文件清单中` });
        return;
      }
      if (req.parts && file.upload === 'single') {
        issues.push({ field: `body.files.${i}.parts`, code: 'NOT_MULTIPART', message: `文件 ${req.path} 不超过 100 MiB，整体一次上传，不分片` });
        return;
      }
      const seen = new Set<number>();
      (req.parts ?? []).forEach((p, j) => {
        if (p.partNumber > (file.partCount ?? 0)) {
          issues.push({ field: `body.files.${i}.parts.${j}.partNumber`, code: 'PART_OUT_OF_RANGE', message: `分片编号应在 1–${file.partCount} 之间` });
        } else if (seen.has(p.partNumber)) {
          issues.push({ field: `body.files.${i}.parts.${j}.partNumber`, code: 'DUPLICATE_PART', message: `分片 ${p.partNumber} 重复` });
        }
        seen.add(p.partNumber);
      });
      urls += file.upload === 'single' ? 1 : (req.parts?.length ?? 0);
      selection.push({ file, ...(req.parts ? { parts: req.parts } : {}) });
    });
    if (urls > maxUrlsPerCall) {
      issues.push({ field: 'body.files', code: 'TOO_MANY_URLS', message: `单次最多签发 ${maxUrlsPerCall} 个上传地址（本次请求 ${urls} 个），请分批申请` });
    }
    if (issues.length > 0) throw invalid(issues);
  } else {
    const rest = manifest.filter((f) => cmd.cursor === undefined || f.path > cmd.cursor);
    const page = rest.slice(0, maxUrlsPerCall);
    selection = page.map((file) => ({ file }));
    if (rest.length > page.length) nextCursor = page[page.length - 1]?.path;
  }

  const present = await arrived(
    ports.objects,
    submission.submissionId,
    version.n,
    selection.map(({ file }) => file.path),
  );
  const isUploaded = (f: VersionFile) => present.get(f.path) === f.size || f.uploaded === true;

  // Start the multipart uploads not started yet, and record them before handing out a part URL.
  const toStart = selection.filter(({ file }) => file.upload === 'multipart' && !file.uploadId && !isUploaded(file)).map(({ file }) => file);
  const urlCount = selection.reduce((sum, { file, parts }) => sum + (isUploaded(file) ? 0 : file.upload === 'single' ? 1 : (parts?.length ?? 0)), 0);
  const at = ports.now().toISOString();
  const entry = (detail: Record<string, unknown>) => submissionEntry(cmd.actor, submission, 'submission.upload.urls', cmd.requestId, { urls: urlCount, ...detail }, version.n);
  const event = (started: number, first = true) => issuedEvent(submission.submissionId, version.n, at, cmd.actor.userId, first ? urlCount : 0, started);
  // The issuance goes on the record (R20.1) before any URL leaves; with the multipart starts when there are some.
  const uploadIds = await startMultipart(ports, submission, version, toStart, event, entry);
  if (toStart.length === 0 && urlCount > 0) await ports.store.recordUploadEvent(submission.submissionId, version, event(0), entry({}));

  const files = await mapLimit(selection, fanOut, async ({ file, parts }): Promise<UploadInstruction> => {
    const key = objectKey(submission.submissionId, version.n, file.path);
    const base = { path: file.path, size: file.size, kind: file.upload };
    if (isUploaded(file)) {
      return { ...base, status: 'uploaded', ...(file.upload === 'multipart' ? { partSize: file.partSize, partCount: file.partCount } : {}) };
    }
    if (file.upload === 'single') {
      const signed = await ports.objects.presignPut(key, { checksumSha256: hexToBase64(file.sha256), size: file.size, expiresInSeconds: urlExpirySeconds });
      return { ...base, status: 'pending', method: 'PUT', ...signed };
    }
    const uploadId = uploadIds.get(file.path) ?? file.uploadId!;
    const partSize = file.partSize!;
    const signedParts = await mapLimit(parts ?? [], fanOut, async (p): Promise<PartInstruction> => {
      const size = partLength(file.size, partSize, p.partNumber);
      const signed = await ports.objects.presignUploadPart(key, uploadId, p.partNumber, {
        checksumSha256: hexToBase64(p.sha256),
        size,
        expiresInSeconds: urlExpirySeconds,
      });
      return { partNumber: p.partNumber, size, method: 'PUT', ...signed };
    });
    return {
      ...base,
      status: 'pending',
      uploadId,
      partSize,
      partCount: file.partCount!,
      parts: signedParts,
      ...(parts ? {} : { partsNeedChecksums: true }),
    };
  });

  return {
    submissionId: submission.submissionId,
    n: version.n,
    files,
    urlCount,
    expiresInSeconds: urlExpirySeconds,
    ...(nextCursor ? { nextCursor } : {}),
  };
}

function issuedEvent(submissionId: string, n: number, at: string, actor: string, urls: number, multipartStarted: number): TimelineEvent {
  return timelineEvent(submissionId, 'uploadUrlsIssued', at, actor, { urls, multipartStarted, expiresInSeconds: urlExpirySeconds }, n);
}

/**
 * CreateMultipartUpload for each file, then record the upload ids (chunks of
 * filesPerTransaction, each conditional on the version still open and the
 * file having no upload yet). A file another request started first keeps
 * that upload; ours is aborted so no orphan parts accrue storage.
 */
async function startMultipart(
  ports: Ports,
  submission: Submission,
  version: Version,
  files: readonly VersionFile[],
  event: (started: number, first: boolean) => TimelineEvent,
  entry: (detail: Record<string, unknown>) => AuditEntry,
): Promise<Map<string, string>> {
  const chosen = new Map<string, string>();
  if (files.length === 0) return chosen;
  const started = await mapLimit(files, fanOut, async (f) => ({
    path: f.path,
    uploadId: await ports.objects.createMultipartUpload(objectKey(submission.submissionId, version.n, f.path)),
  }));
  let first = true;
  for (const chunk of chunks(started, filesPerTransaction)) {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      try {
        await ports.store.recordMultipartStarts(
          submission.submissionId,
          version,
          pending,
          event(pending.length, first),
          entry({ multipartStarted: pending.map((p) => p.path), ...(first ? {} : { continued: true }) }),
        );
        for (const s of pending) chosen.set(s.path, s.uploadId);
        pending = [];
      } catch (error) {
        if (!(error instanceof MultipartRaceError) || attempt >= 3) {
          await Promise.all(pending.map((s) => ports.objects.abortMultipartUpload(objectKey(submission.submissionId, version.n, s.path), s.uploadId)));
          throw error;
        }
        const still: typeof pending = [];
        for (const s of pending) {
          const stored = await ports.store.getFile(submission.submissionId, version.n, version.manifestId, s.path);
          if (stored?.uploadId && stored.uploadId !== s.uploadId) {
            await ports.objects.abortMultipartUpload(objectKey(submission.submissionId, version.n, s.path), s.uploadId);
            chosen.set(s.path, stored.uploadId);
          } else {
            still.push(s);
          }
        }
        pending = still;
      }
    }
    first = false;
  }
  return chosen;
}

// ---- status (resume) ------------------------------------------------------------------

export interface FileUploadStatus {
  readonly path: string;
  readonly size: number;
  readonly kind: 'single' | 'multipart';
  /**
   * uploaded · missing (nothing yet) · partial (multipart parts arrived) ·
   * expired (the multipart upload is gone: abort and ask for URLs again) ·
   * mismatch (an object of another size — cannot be overwritten; abort the round).
   */
  readonly status: 'uploaded' | 'missing' | 'partial' | 'expired' | 'mismatch';
  readonly uploadId?: string;
  readonly partSize?: number;
  readonly partCount?: number;
  /** Multipart: parts the store holds (etag and checksum for CompleteMultipartUpload). */
  readonly partsArrived?: Array<{ partNumber: number; etag: string; size: number; sha256?: string }>;
  readonly partsMissing?: number[];
  /** False when the store cannot list parts (an emulator): resend every part. */
  readonly partsKnown?: boolean;
}

export interface UploadStatusResult {
  readonly submissionId: string;
  readonly n: number;
  readonly versionStatus: Version['status'];
  readonly summary: {
    readonly files: number;
    readonly totalBytes: number;
    readonly uploadedFiles: number;
    readonly uploadedBytes: number;
    readonly remainingFiles: number;
    readonly complete: boolean;
  };
  readonly files: FileUploadStatus[];
  readonly nextCursor?: string;
}

function partsView(file: VersionFile, parts: UploadedPart[]): Pick<FileUploadStatus, 'partsArrived' | 'partsMissing'> {
  const have = new Set(parts.map((p) => p.partNumber));
  const missing: number[] = [];
  for (let i = 1; i <= (file.partCount ?? 0); i += 1) if (!have.has(i)) missing.push(i);
  return {
    partsArrived: parts.map((p) => ({
      partNumber: p.partNumber,
      etag: p.etag,
      size: p.size,
      ...(p.checksumSha256 ? { sha256: Buffer.from(p.checksumSha256, 'base64').toString('hex') } : {}),
    })),
    partsMissing: missing,
  };
}

/**
 * What has arrived and what is still to send — the resume point for a client
 * that was killed. Whole objects from one listing of the version's prefix;
 * multipart parts from ListParts for the files on this page that are not
 * complete yet. Readable by the organisations involved.
 */
export async function uploadStatus(
  cmd: { actor: Principal; submissionId: string; n: number; cursor?: string; limit: number },
  ports: Ports,
): Promise<UploadStatusResult> {
  const { submission, version } = await loadVersion(ports, cmd.submissionId, cmd.n, (s) =>
    requireSubmissionRead(ports.identity, cmd.actor, s, '该汇交的上传状态'),
  );
  const [manifest, present] = await Promise.all([
    ports.store.listFiles(submission.submissionId, version.n, version.manifestId),
    arrived(ports.objects, submission.submissionId, version.n),
  ]);
  const uploaded = manifest.filter((f) => present.get(f.path) === f.size);
  const rest = manifest.filter((f) => cmd.cursor === undefined || f.path > cmd.cursor);
  const page = rest.slice(0, cmd.limit);
  const files = await mapLimit(page, fanOut, async (file): Promise<FileUploadStatus> => {
    const base = {
      path: file.path,
      size: file.size,
      kind: file.upload,
      ...(file.upload === 'multipart' ? { partSize: file.partSize, partCount: file.partCount } : {}),
    };
    const size = present.get(file.path);
    if (size === file.size) return { ...base, status: 'uploaded' };
    if (size !== undefined) return { ...base, status: 'mismatch' };
    if (file.upload === 'single' || !file.uploadId) return { ...base, status: 'missing' };
    const parts = await ports.objects.listParts(objectKey(submission.submissionId, version.n, file.path), file.uploadId);
    if (parts === 'noSuchUpload') return { ...base, uploadId: file.uploadId, status: 'expired' };
    if (parts === 'unsupported') return { ...base, uploadId: file.uploadId, status: 'partial', partsKnown: false };
    return { ...base, uploadId: file.uploadId, status: parts.length > 0 ? 'partial' : 'missing', partsKnown: true, ...partsView(file, parts) };
  });
  const uploadedBytes = uploaded.reduce((s, f) => s + f.size, 0);
  const lastPath = page[page.length - 1]?.path;
  return {
    submissionId: submission.submissionId,
    n: version.n,
    versionStatus: version.status,
    summary: {
      files: manifest.length,
      totalBytes: version.totalBytes,
      uploadedFiles: uploaded.length,
      uploadedBytes,
      remainingFiles: manifest.length - uploaded.length,
      complete: uploaded.length === manifest.length,
    },
    files,
    ...(rest.length > page.length && lastPath ? { nextCursor: lastPath } : {}),
  };
}

// ---- one multipart file complete ------------------------------------------------------

/**
 * CompleteMultipartUpload of one file with the client's part list: every part
 * 1..partCount in order, each with its ETag and SHA-256 (taken from ListParts
 * when the client omits it). The whole object then carries S3's composite
 * checksum (a checksum of the part checksums), not the file's SHA-256: the
 * verifier compares the manifest's SHA-256 by streaming such files.
 */
export async function completeFileUpload(
  cmd: {
    actor: Principal;
    submissionId: string;
    n: number;
    path: string;
    parts: ReadonlyArray<{ partNumber: number; etag: string; sha256?: string }>;
    requestId: string;
  },
  ports: Ports,
): Promise<{ path: string; status: 'uploaded'; alreadyComplete: boolean }> {
  const { submission, version } = await loadOpenVersion(ports, cmd.actor, cmd.submissionId, cmd.n, '完成分片上传');
  const file = await ports.store.getFile(submission.submissionId, version.n, version.manifestId, cmd.path);
  if (!file) throw invalid([{ field: 'body.path', code: 'NOT_IN_MANIFEST', message: `文件 ${cmd.path} 不在第 ${version.n} 版的文件清单中` }]);
  if (file.upload === 'single') {
    throw invalid([{ field: 'body.path', code: 'NOT_MULTIPART', message: `文件 ${cmd.path} 为整体一次上传（PUT 成功即完成），无需完成分片上传` }]);
  }
  if (file.uploaded) return { path: file.path, status: 'uploaded', alreadyComplete: true };
  if (!file.uploadId) {
    throw new ConflictError('MULTIPART_NOT_STARTED', `文件 ${cmd.path} 的分片上传尚未开始：请先申请上传地址（upload-urls）`);
  }
  const count = file.partCount ?? 0;
  const issues: FieldIssue[] = [];
  if (cmd.parts.length !== count) {
    issues.push({ field: 'body.parts', code: 'PART_COUNT', message: `应提交全部 ${count} 个分片（按分片大小 ${file.partSize} 字节计算），实际 ${cmd.parts.length} 个` });
  }
  cmd.parts.forEach((p, i) => {
    if (p.partNumber !== i + 1) issues.push({ field: `body.parts.${i}.partNumber`, code: 'PART_ORDER', message: `第 ${i + 1} 项的分片编号应为 ${i + 1}（按顺序、不缺号）` });
  });
  if (issues.length > 0) throw invalid(issues);

  const key = objectKey(submission.submissionId, version.n, file.path);
  let known: Map<number, string> | undefined;
  if (cmd.parts.some((p) => !p.sha256)) {
    const listed = await ports.objects.listParts(key, file.uploadId);
    if (listed === 'unsupported') {
      throw invalid([{ field: 'body.parts', code: 'CHECKSUM_REQUIRED', message: '对象存储不能列出分片：请为每个分片提供 sha256' }]);
    }
    if (listed !== 'noSuchUpload') known = new Map(listed.flatMap((p) => (p.checksumSha256 ? [[p.partNumber, p.checksumSha256] as const] : [])));
  }
  const parts = cmd.parts.map((p, i) => {
    const checksumSha256 = p.sha256 ? hexToBase64(p.sha256) : known?.get(p.partNumber);
    if (!checksumSha256) issues.push({ field: `body.parts.${i}.sha256`, code: 'CHECKSUM_REQUIRED', message: `分片 ${p.partNumber} 尚未上传或缺少校验值` });
    return { partNumber: p.partNumber, etag: p.etag, checksumSha256: checksumSha256 ?? '' };
  });
  if (issues.length > 0) throw invalid(issues);

  const at = ports.now().toISOString();
  try {
    await ports.objects.completeMultipartUpload(key, file.uploadId, parts, file.size);
  } catch (error) {
    // A completion that succeeded before the record was written (a retry after a crash) leaves the object in place.
    const present = await arrived(ports.objects, submission.submissionId, version.n);
    if (present.get(file.path) !== file.size) throw error;
  }
  await ports.store.recordFileUploaded(
    submission.submissionId,
    version,
    file.path,
    at,
    timelineEvent(submission.submissionId, 'fileUploaded', at, cmd.actor.userId, { path: file.path, size: file.size, parts: count }, version.n),
    submissionEntry(cmd.actor, submission, 'submission.upload.file.complete', cmd.requestId, { path: file.path, size: file.size, parts: count }, version.n),
  );
  return { path: file.path, status: 'uploaded', alreadyComplete: false };
}

// ---- abort ---------------------------------------------------------------------------------

/**
 * AbortMultipartUpload for every multipart upload of the version still open
 * — those the file items record and any other the store lists under the
 * version's prefix (their parts are discarded and stop costing storage); the
 * files can be started again. Whole objects already uploaded stay: they cannot be
 * overwritten, and the version remains open for the rest.
 */
export async function abortUploads(
  cmd: { actor: Principal; submissionId: string; n: number; path?: string; requestId: string },
  ports: Ports,
): Promise<{ aborted: number; paths: string[] }> {
  const { submission, version } = await loadOpenVersion(ports, cmd.actor, cmd.submissionId, cmd.n, '取消上传');
  let manifest: VersionFile[];
  if (cmd.path === undefined) {
    manifest = await ports.store.listFiles(submission.submissionId, version.n, version.manifestId);
  } else {
    // One file: the client's restart after the store refused to complete it (it cannot confirm the parts).
    const file = await ports.store.getFile(submission.submissionId, version.n, version.manifestId, cmd.path);
    if (!file) throw invalid([{ field: 'query.path', code: 'NOT_IN_MANIFEST', message: `文件 ${cmd.path} 不在第 ${version.n} 版的文件清单中` }]);
    manifest = [file];
  }
  const prefix = cmd.path === undefined ? versionPrefix(submission.submissionId, version.n) : objectKey(submission.submissionId, version.n, cmd.path);
  const listed = (await ports.objects.listMultipartUploads(prefix)).filter((u) => cmd.path === undefined || u.key === prefix);
  const open = manifest.filter((f) => f.upload === 'multipart' && f.uploadId && !f.uploaded);
  // Uploads the store lists but no file item names: a request that died between CreateMultipartUpload and its record.
  const recorded = new Set(open.map((f) => f.uploadId));
  const orphans = listed.filter((u) => !recorded.has(u.uploadId));
  await mapLimit([...open.map((f) => ({ key: objectKey(submission.submissionId, version.n, f.path), uploadId: f.uploadId! })), ...orphans], fanOut, (u) =>
    ports.objects.abortMultipartUpload(u.key, u.uploadId),
  );
  if (open.length === 0) return { aborted: orphans.length, paths: [] };
  const at = ports.now().toISOString();
  const paths = open.map((f) => f.path);
  for (const chunk of chunks(paths, filesPerTransaction)) {
    await ports.store.clearMultipartUploads(
      submission.submissionId,
      version,
      chunk,
      timelineEvent(submission.submissionId, 'uploadsAborted', at, cmd.actor.userId, { files: chunk.length }, version.n),
      submissionEntry(cmd.actor, submission, 'submission.upload.abort', cmd.requestId, { files: chunk }, version.n),
    );
  }
  return { aborted: paths.length + orphans.length, paths };
}

// ---- complete the version: seal and verify ------------------------------------------------

export interface CompleteVersionResult {
  readonly submissionId: string;
  readonly n: number;
  readonly status: Version['status'];
  readonly executionName: string;
  readonly executionArn?: string;
  /** True only for the call that started the verification. */
  readonly started: boolean;
}

function completed(version: Version, started: boolean): CompleteVersionResult {
  return {
    submissionId: version.submissionId,
    n: version.n,
    status: version.status,
    executionName: version.executionName ?? executionNameOf(version.submissionId, version.n),
    ...(version.executionArn ? { executionArn: version.executionArn } : {}),
    started,
  };
}

/**
 * The submitter completes the upload: the version is sealed and verified
 * exactly once, however often this is called.
 *
 * Primary course:
 *  1. the caller is a submitter of the implementer;
 *  2. a version already past `sealed` returns its execution and starts nothing;
 *  3. an open version: every manifest file must be present with its declared
 *     size (else 409 UPLOAD_INCOMPLETE naming the files); then open → sealed
 *     (conditional, audited; the submission → verifying; the task's R6.1
 *     obligation met on first seal). Losing that race to a concurrent call
 *     returns without starting: the winner starts;
 *  4. a sealed version: StartExecution of Verification named
 *     `<submissionId>-v<n>` with a fixed input — a repeat after a crash is the
 *     same execution (or ExecutionAlreadyExists), never a second one;
 *  5. sealed → verifying with the execution ARN (audited); if the workflow
 *     already moved the version on, its state stands.
 */
export async function completeVersion(
  cmd: { actor: Principal; submissionId: string; n: number; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'objects' | 'workflow' | 'now'>,
): Promise<CompleteVersionResult> {
  let { submission, version } = await loadVersion(ports, cmd.submissionId, cmd.n, (s) => requireImplementerSubmitter(cmd.actor, s, '完成上传'));
  if (submission.status === 'heldOffline') throw heldOffline(submission);
  if (version.status !== 'open' && version.status !== 'sealed') return completed(version, false);

  const executionName = executionNameOf(submission.submissionId, version.n);
  if (version.status === 'open') {
    const manifest = await ports.store.listFiles(submission.submissionId, version.n, version.manifestId);
    const present = await arrived(ports.objects, submission.submissionId, version.n);
    const missing = manifest.flatMap((f) => {
      const size = present.get(f.path);
      if (size === f.size) return [];
      if (size === undefined) return [{ path: f.path, why: f.upload === 'multipart' && f.uploadId ? '分片上传未完成' : '未上传' }];
      return [{ path: f.path, why: `已上传对象大小 ${size} 字节，与清单的 ${f.size} 字节不符` }];
    });
    if (missing.length > 0) throw uploadIncomplete(version.n, missing);
    const at = ports.now().toISOString();
    try {
      await ports.store.sealVersion(
        {
          submission,
          n: version.n,
          at,
          by: cmd.actor.userId,
          executionName,
          events: [timelineEvent(submission.submissionId, 'versionSealed', at, cmd.actor.userId, { fileCount: version.fileCount, totalBytes: version.totalBytes }, version.n)],
        },
        withSupervision(
          submissionEntry(cmd.actor, submission, 'submission.version.seal', cmd.requestId, { fileCount: version.fileCount, totalBytes: version.totalBytes, executionName }, version.n),
          versionSealed(submission, version.n),
          at,
        ),
      );
    } catch (error) {
      if (!(error instanceof VersionSealedError)) throw error;
      // A concurrent call sealed it and is starting the verification.
      const now = await ports.store.getVersion(submission.submissionId, version.n);
      if (!now) throw error;
      return completed(now, false);
    }
    version = { ...version, status: 'sealed', sealedAt: at, sealedBy: cmd.actor.userId, executionName };
  }

  let executionArn: string | undefined;
  try {
    executionArn = await ports.workflow.start(verificationStateMachine, executionName, {
      submissionId: submission.submissionId,
      n: version.n,
      taskId: submission.taskId,
    });
  } catch (error) {
    if ((error as { name?: string } | null)?.name !== 'ExecutionAlreadyExists') throw error;
  }
  const at = ports.now().toISOString();
  try {
    await ports.store.recordVerificationStarted(
      {
        submissionId: submission.submissionId,
        n: version.n,
        ...(executionArn ? { executionArn } : {}),
        at,
        events: [timelineEvent(submission.submissionId, 'verificationStarted', at, `system:CompleteVersion`, { executionName, ...(executionArn ? { executionArn } : {}) }, version.n)],
      },
      submissionEntry(cmd.actor, submission, 'submission.version.verify.start', cmd.requestId, { executionName, executionArn: executionArn ?? null }, version.n),
    );
  } catch (error) {
    if (!(error instanceof VersionStateChangedError)) throw error;
    const now = await ports.store.getVersion(submission.submissionId, version.n);
    if (!now) throw error;
    return { ...completed(now, true), ...(executionArn ? { executionArn } : {}) };
  }
  return completed({ ...version, status: 'verifying', ...(executionArn ? { executionArn } : {}) }, true);
}
