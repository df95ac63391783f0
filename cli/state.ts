import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ManifestFile } from '#shared/schemas/submission.ts';
import type { FileUploadStatus } from '#shared/submission/uploads.ts';
import { CoalescingWriter } from './atomic.ts';
import { CliError } from './errors.ts';
import type { CachedHash } from './manifest.ts';

/**
 * The upload's memory, `<dir>/.chengguo-upload.json`: which submission and
 * version the package went to, the hashes already computed (reused while a
 * file keeps its size and mtime), and per file what was sent — done, or the
 * multipart upload id and each part's ETag and SHA-256. Written atomically
 * after every file and part, so a `kill -9` loses at most the transfers in
 * flight; on the next run the API's own account of what arrived (GET
 * …/uploads) wins wherever it has one.
 */
export const stateFileName = '.chengguo-upload.json';
export const stateFormat = 1;

export interface PartDone {
  readonly etag: string;
  /** Hex. */
  readonly sha256: string;
}

export interface FileState {
  done?: boolean;
  uploadId?: string;
  partSize?: number;
  /** partNumber → ETag and SHA-256 of the part S3 accepted. */
  parts?: Record<string, PartDone>;
}

export interface UploadState {
  format: typeof stateFormat;
  apiUrl: string;
  taskId?: string;
  submissionId?: string;
  /** The version being uploaded. */
  n?: number;
  /** Digest of the manifest the version was opened with (see manifestDigest). */
  manifestDigest?: string;
  hashes: Record<string, CachedHash>;
  files: Record<string, FileState>;
  /** The version was completed (sealed, verification started) at this time. */
  completedAt?: string;
  updatedAt?: string;
}

export function statePath(dir: string): string {
  return join(resolve(dir), stateFileName);
}

export function emptyState(apiUrl: string): UploadState {
  return { format: stateFormat, apiUrl, hashes: {}, files: {} };
}

export async function readState(dir: string): Promise<UploadState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let state: UploadState;
  try {
    state = JSON.parse(text) as UploadState;
  } catch {
    throw new CliError('STATE_FILE_INVALID', `上传进度文件 ${statePath(dir)} 已损坏（不是有效的 JSON）：删除该文件后重新运行即可，已上传的文件会由服务器核对后跳过`);
  }
  if (state.format !== stateFormat) {
    throw new CliError('STATE_FILE_INVALID', `上传进度文件 ${statePath(dir)} 的格式版本为 ${String(state.format)}，本程序只识别 ${stateFormat}：请删除该文件后重新运行`);
  }
  state.hashes ??= {};
  state.files ??= {};
  return state;
}

/** Saves the state after every change; bursts are coalesced, each save is atomic. */
export class StateStore {
  private readonly writer: CoalescingWriter;
  constructor(
    readonly dir: string,
    readonly state: UploadState,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.writer = new CoalescingWriter(statePath(dir), 0o600);
  }

  save(): Promise<void> {
    this.state.updatedAt = this.now().toISOString();
    return this.writer.write(`${JSON.stringify(this.state)}\n`);
  }

  file(path: string): FileState {
    let f = this.state.files[path];
    if (!f) {
      f = {};
      this.state.files[path] = f;
    }
    return f;
  }

  markDone(path: string): Promise<void> {
    const f = this.file(path);
    f.done = true;
    delete f.parts;
    return this.save();
  }

  markPart(path: string, uploadId: string, partSize: number, partNumber: number, part: PartDone): Promise<void> {
    const f = this.file(path);
    if (f.uploadId !== uploadId || f.partSize !== partSize) {
      f.uploadId = uploadId;
      f.partSize = partSize;
      f.parts = {};
    }
    (f.parts ??= {})[String(partNumber)] = part;
    return this.save();
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }
}

/**
 * One digest for a manifest (sorted path, size, sha256, role): a re-run
 * compares it with the version's to tell whether the package changed.
 */
export function manifestDigest(files: readonly ManifestFile[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${f.path}\0${f.size}\0${f.sha256}\0${f.role}\n`);
  }
  return hash.digest('hex');
}

/** What changed between two manifests, for a message a person can act on. */
export function manifestChanges(before: Readonly<Record<string, CachedHash>>, after: readonly ManifestFile[]): Array<{ path: string; change: string }> {
  const out: Array<{ path: string; change: string }> = [];
  const now = new Map(after.map((f) => [f.path, f]));
  for (const f of after) {
    const was = before[f.path];
    if (!was) out.push({ path: f.path, change: '新增' });
    else if (was.sha256 !== f.sha256) out.push({ path: f.path, change: was.size === f.size ? '内容已改变' : `大小 ${was.size} → ${f.size} 字节` });
  }
  for (const path of Object.keys(before)) if (!now.has(path)) out.push({ path, change: '已删除' });
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

// ---- resume planning ------------------------------------------------------------------

/** The API's account of one file (GET …/uploads): the API's own type, so the two cannot drift. */
export type ServerFileStatus = FileUploadStatus;

export interface MultipartPlan {
  readonly path: string;
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
  /** The open upload the done parts belong to (absent: not started yet). */
  readonly uploadId?: string;
  /** Parts already received, with what CompleteMultipartUpload needs. */
  readonly partsDone: ReadonlyMap<number, PartDone>;
  /** Parts still to send, ascending. */
  readonly partsToSend: readonly number[];
  /** Bytes of partsDone known only from the state file (the store cannot list parts): unproven until the file completes. */
  readonly unconfirmedBytes: number;
}

export interface UploadPlanResult {
  /** Nothing to send. */
  readonly done: string[];
  /** Whole-file PUTs to send. */
  readonly singles: Array<{ path: string; size: number }>;
  readonly multipart: MultipartPlan[];
  /** An object of another size sits at the key: it cannot be overwritten. */
  readonly mismatched: string[];
  /** Multipart uploads the store no longer has: abort the round's uploads and start them again. */
  readonly expired: string[];
  /** Bytes already received (done files and done parts), for progress. */
  readonly bytesDone: number;
  /** Of bytesDone: parts the state file records but the store could not confirm (no ListParts). */
  readonly bytesUnconfirmed: number;
}

function partLen(size: number, partSize: number, partNumber: number, partCount: number): number {
  return partNumber < partCount ? partSize : size - partSize * (partCount - 1);
}

/**
 * What is left to send. The server's account wins where it has one — an
 * object present with its size is done whatever the state file says, a part
 * S3 lists is done with S3's ETag; the state file fills in where the server
 * cannot tell (no status fetched, or a store that cannot list parts). A
 * local "done" the server contradicts is sent again: S3 refuses an
 * overwrite (412) and the CLI takes that as arrived.
 */
export function planUploads(input: {
  files: ReadonlyArray<Pick<ManifestFile, 'path' | 'size'>>;
  state: Readonly<Record<string, FileState>>;
  server?: ReadonlyMap<string, ServerFileStatus>;
  /** How a file travels when the server did not say (the shared upload plan). */
  planOf: (size: number) => { kind: 'single' } | { kind: 'multipart'; partSize: number; partCount: number };
}): UploadPlanResult {
  const done: string[] = [];
  const singles: Array<{ path: string; size: number }> = [];
  const multipart: MultipartPlan[] = [];
  const mismatched: string[] = [];
  const expired: string[] = [];
  let bytesDone = 0;
  let bytesUnconfirmed = 0;

  for (const file of input.files) {
    const local = input.state[file.path];
    const remote = input.server?.get(file.path);
    if (remote?.status === 'uploaded' || (!remote && local?.done)) {
      done.push(file.path);
      bytesDone += file.size;
      continue;
    }
    if (remote?.status === 'mismatch') {
      mismatched.push(file.path);
      continue;
    }
    const plan =
      remote?.kind === 'multipart' && remote.partSize && remote.partCount
        ? { kind: 'multipart' as const, partSize: remote.partSize, partCount: remote.partCount }
        : remote?.kind === 'single'
          ? { kind: 'single' as const }
          : input.planOf(file.size);
    if (plan.kind === 'single') {
      singles.push({ path: file.path, size: file.size });
      continue;
    }
    if (remote?.status === 'expired') expired.push(file.path);

    const partsDone = new Map<number, PartDone>();
    let unconfirmed = false;
    const uploadId = remote ? (remote.status === 'expired' ? undefined : remote.uploadId) : local?.uploadId;
    const localMatches = uploadId !== undefined && local?.uploadId === uploadId && local.partSize === plan.partSize;
    if (remote && uploadId && remote.partsKnown !== false) {
      // S3's list is the truth; its SHA-256 when given, else the one we sent.
      for (const p of remote.partsArrived ?? []) {
        const sha256 = p.sha256 ?? (localMatches ? local?.parts?.[String(p.partNumber)]?.sha256 : undefined);
        if (sha256 && p.size === partLen(file.size, plan.partSize, p.partNumber, plan.partCount)) partsDone.set(p.partNumber, { etag: p.etag, sha256 });
      }
    } else if (localMatches) {
      for (const [n, p] of Object.entries(local?.parts ?? {})) partsDone.set(Number(n), p);
      unconfirmed = true;
    }
    const partsToSend: number[] = [];
    let fileUnconfirmed = 0;
    for (let n = 1; n <= plan.partCount; n += 1) {
      const have = partsDone.get(n);
      if (have) {
        bytesDone += partLen(file.size, plan.partSize, n, plan.partCount);
        if (unconfirmed) fileUnconfirmed += partLen(file.size, plan.partSize, n, plan.partCount);
      } else partsToSend.push(n);
    }
    bytesUnconfirmed += fileUnconfirmed;
    multipart.push({
      path: file.path,
      size: file.size,
      partSize: plan.partSize,
      partCount: plan.partCount,
      ...(uploadId ? { uploadId } : {}),
      partsDone,
      partsToSend,
      unconfirmedBytes: fileUnconfirmed,
    });
  }
  return { done, singles, multipart, mismatched, expired, bytesDone, bytesUnconfirmed };
}
