/**
 * The browser upload, step for step the CLI's (cli/upload.ts) on the same API:
 *  1. SHA-256 of every file (and of each part of a file that travels in parts) in Web Workers;
 *  2. the submission to fill: the task's submission still uploading (resume — whoever started it, the
 *     CLI or this page), the next version of a returned one (R7.2), or a new one with the R9.2 catalogue;
 *  3. what has arrived, from the API (GET …/uploads: files, and parts with their ETags) — the server's
 *     account is the only one trusted, so a closed tab loses nothing that arrived;
 *  4. the rest through presigned URLs asked for in batches just ahead of use, `parallel` PUTs in flight,
 *     each with the signed headers as given (x-amz-checksum-sha256, if-none-match, …); each multipart
 *     file completed when its last part is in; then the version (seals it, starts verification);
 *  5. the verification's outcome: status, each defect, the R7.2 resubmission date.
 * Kept in the browser between visits (localStorage): which submission and version this task's upload is
 * filling and the folder's name — never a file's bytes, never a token.
 */
import { uploadPlan } from '../../../shared/submission/upload-plan.ts';
import { assignRole } from '../../../cli/roles.ts';
import { ApiError, api } from '../api.ts';
import type {
  CatalogueInput,
  CompletedVersion,
  ManifestFileInput,
  OpenedSubmission,
  SubmissionDetail,
  SurveyTaskDetail,
  UploadStatus,
  UploadUrls,
} from '../contracts.ts';
import type { HashReply, HashRequest } from './hash-worker.ts';
import type { PickedFile } from './pick.ts';

export interface FileProgress {
  readonly path: string;
  readonly size: number;
  role: string;
  hashed: number;
  sent: number;
  status: 'waiting' | 'hashing' | 'hashed' | 'uploading' | 'uploaded';
}

export interface UploadState {
  stage: 'idle' | 'hashing' | 'opening' | 'uploading' | 'completing' | 'verifying' | 'done' | 'failed';
  stageText: string;
  files: FileProgress[];
  totalBytes: number;
  hashedBytes: number;
  /** Bytes the server already had when this run began. */
  alreadyBytes: number;
  /** Bytes sent (and acknowledged) in this run. */
  sentBytes: number;
  partsSent: number;
  partsAlreadyThere: number;
  submissionId?: string;
  n?: number;
  resumed: boolean;
  /** Milliseconds spent hashing, and from the first request for URLs to the version sealed. */
  hashMs?: number;
  sendMs?: number;
}

export function newState(): UploadState {
  return { stage: 'idle', stageText: '', files: [], totalBytes: 0, hashedBytes: 0, alreadyBytes: 0, sentBytes: 0, partsSent: 0, partsAlreadyThere: 0, resumed: false };
}

/** What the browser keeps between visits for one task's upload. */
export interface ResumeRecord {
  readonly submissionId: string;
  readonly n: number;
  readonly folder: string;
  readonly fileCount: number;
  readonly totalBytes: number;
  readonly savedAt: string;
}
const recordKey = (taskId: string) => `chengguo.upload.${taskId}`;
export function readRecord(taskId: string): ResumeRecord | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(recordKey(taskId)) ?? 'null') as ResumeRecord | null;
    return v && typeof v.submissionId === 'string' && typeof v.n === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}
function saveRecord(taskId: string, r: ResumeRecord): void {
  localStorage.setItem(recordKey(taskId), JSON.stringify(r));
}
export function forgetRecord(taskId: string): void {
  localStorage.removeItem(recordKey(taskId));
}

/** A failure of the upload itself (not the API's), in Chinese, with the files it names. */
export class UploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: ReadonlyArray<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

interface Hashed {
  readonly sha256: string;
  readonly partSize?: number;
  readonly parts?: readonly string[];
}

// ---- 1. hashing ---------------------------------------------------------------------------------

/**
 * Every file's SHA-256 and, for a file that travels in parts, each part's: the whole and the parts are
 * separate jobs (largest first) so that the workers share a large file; progress counts a byte once
 * (the whole file's pass), the parts' pass runs alongside it.
 */
async function hashAll(files: readonly PickedFile[], state: UploadState, workers: number): Promise<Map<string, Hashed>> {
  const jobs = files.flatMap((f, i) => {
    const plan = uploadPlan(f.file.size);
    return [
      { f, i, mode: 'whole' as const, partSize: undefined as number | undefined },
      ...(plan.kind === 'multipart' ? [{ f, i, mode: 'parts' as const, partSize: plan.partSize as number | undefined }] : []),
    ];
  });
  jobs.sort((a, b) => b.f.file.size - a.f.file.size);
  const whole = new Map<string, string>();
  const parts = new Map<string, string[]>();
  const pool = Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, () => new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' }));
  try {
    await Promise.all(
      pool.map(async (worker) => {
        for (let job = jobs.shift(); job; job = jobs.shift()) {
          const { f, i, mode, partSize } = job;
          const progress = state.files[i] as FileProgress;
          if (mode === 'whole') progress.status = 'hashing';
          const result = await new Promise<{ sha256?: string; parts?: string[] }>((resolve, reject) => {
            worker.onmessage = (e: MessageEvent<HashReply>) => {
              const r = e.data;
              if (r.type === 'progress') {
                if (mode === 'whole') {
                  progress.hashed += r.bytes;
                  state.hashedBytes += r.bytes;
                }
              } else if (r.type === 'done') resolve(r);
              else reject(new UploadError('HASH_FAILED', `无法读取文件 ${f.path}：${r.message}（文件是否已被移动或修改？）`));
            };
            worker.onerror = (e) => reject(new UploadError('HASH_FAILED', `计算 ${f.path} 的校验值失败：${e.message}`));
            worker.postMessage({ id: i, file: f.file, mode, ...(partSize ? { partSize } : {}) } satisfies HashRequest);
          });
          if (mode === 'whole') {
            whole.set(f.path, result.sha256 as string);
            progress.status = 'hashed';
          } else parts.set(f.path, result.parts ?? []);
        }
      }),
    );
  } finally {
    for (const w of pool) w.terminate();
  }
  const out = new Map<string, Hashed>();
  for (const f of files) {
    const plan = uploadPlan(f.file.size);
    const ps = parts.get(f.path);
    out.set(f.path, { sha256: whole.get(f.path) as string, ...(plan.kind === 'multipart' && ps ? { partSize: plan.partSize, parts: ps } : {}) });
  }
  return out;
}

export function manifestOf(files: readonly PickedFile[], hashes: ReadonlyMap<string, Hashed>): ManifestFileInput[] {
  return files.map((f) => ({ path: f.path, size: f.file.size, sha256: (hashes.get(f.path) as Hashed).sha256, role: assignRole(f.path).role }));
}

// ---- 2. the version to fill ----------------------------------------------------------------------

type Target = { kind: 'open'; submissionId: string; n: number } | { kind: 'sealed'; submissionId: string; n: number };

async function chooseVersion(taskId: string, catalogue: CatalogueInput | undefined, files: ManifestFileInput[], state: UploadState, correctionOf?: string): Promise<Target> {
  if (correctionOf) {
    // R19.3: the correction of a verified submission under the organiser's order (the API refuses without one: 409).
    const { submission } = await api<SubmissionDetail>('GET', `/submissions/${encodeURIComponent(correctionOf)}`);
    if (submission.taskId !== taskId) throw new UploadError('CORRECTION_OTHER_TASK', `汇交 ${correctionOf} 不属于调查监测任务 ${taskId}，请从责令改正邮件中的链接进入`);
    if (submission.status === 'verified') {
      state.stageText = `正在提交更正版本（汇交 ${correctionOf} 第 ${submission.currentVersion + 1} 版，R19.3）……`;
      const next = await api<OpenedSubmission>('POST', `/submissions/${encodeURIComponent(correctionOf)}/versions`, { body: { files } });
      return { kind: 'open', submissionId: correctionOf, n: next.submission.currentVersion };
    }
  }
  const record = readRecord(taskId);
  const task = await api<SurveyTaskDetail>('GET', `/survey-tasks/${encodeURIComponent(taskId)}`);
  const mine = task.submissions.find((s) => s.submissionId === record?.submissionId);
  const current = mine ?? task.submissions.find((s) => s.status === 'uploading' || s.status === 'returned');
  if (!current) {
    if (!catalogue) throw new UploadError('CATALOGUE_REQUIRED', '新建汇交需要填写成果目录信息（R9.2）');
    state.stageText = '正在新建汇交……';
    const opened = await api<OpenedSubmission>('POST', `/survey-tasks/${encodeURIComponent(taskId)}/submissions`, { body: { catalogue, files } });
    return { kind: 'open', submissionId: opened.submission.submissionId, n: opened.submission.currentVersion };
  }
  const { submission } = await api<SubmissionDetail>('GET', `/submissions/${current.submissionId}`);
  const n = submission.currentVersion;
  const version = submission.versions.find((v) => v.n === n);
  if (version?.status === 'returned') {
    state.stageText = `第 ${n} 版已退回，正在提交第 ${n + 1} 版（R7.2 重新汇交）……`;
    const next = await api<OpenedSubmission>('POST', `/submissions/${submission.submissionId}/versions`, { body: { files, ...(catalogue ? { catalogue } : {}) } });
    return { kind: 'open', submissionId: submission.submissionId, n: next.submission.currentVersion };
  }
  if (version?.status === 'open') {
    state.resumed = true;
    return { kind: 'open', submissionId: submission.submissionId, n };
  }
  return { kind: 'sealed', submissionId: submission.submissionId, n };
}

// ---- 3–4. sending ---------------------------------------------------------------------------------

async function serverStatus(submissionId: string, n: number): Promise<{ versionStatus: string; files: Map<string, UploadStatus['files'][number]> }> {
  const files = new Map<string, UploadStatus['files'][number]>();
  let cursor: string | undefined;
  let versionStatus = 'open';
  do {
    const page = await api<UploadStatus>('GET', `/submissions/${submissionId}/versions/${n}/uploads`, { query: { cursor, limit: 1000 } });
    versionStatus = page.versionStatus;
    for (const f of page.files) files.set(f.path, f);
    cursor = page.nextCursor;
  } while (cursor);
  return { versionStatus, files };
}

interface Job {
  readonly path: string;
  readonly file: File;
  readonly partNumber?: number;
  readonly start: number;
  readonly end: number;
  readonly sha256?: string;
  target?: { url: string; headers: Record<string, string> };
  /** Signed again after a 403 (an expired URL). */
  resigned?: boolean;
}

const urlsPerBatch = 100;
const bytesPerBatch = 512 * 1024 * 1024;

/** One PUT with the signed headers (the browser sets Content-Length and Host itself); upload progress per chunk. */
function put(job: Job, onBytes: (delta: number) => void): Promise<{ status: number; etag: string | null }> {
  return new Promise((resolve, reject) => {
    const target = job.target as NonNullable<Job['target']>;
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', target.url);
    for (const [k, v] of Object.entries(target.headers)) if (!['content-length', 'host'].includes(k.toLowerCase())) xhr.setRequestHeader(k, v);
    let sent = 0;
    xhr.upload.onprogress = (e) => {
      onBytes(e.loaded - sent);
      sent = e.loaded;
    };
    xhr.onload = () => resolve({ status: xhr.status, etag: xhr.getResponseHeader('ETag') });
    xhr.onerror = () => {
      onBytes(-sent);
      reject(new UploadError('NETWORK', `网络中断：${job.path}${job.partNumber ? ` 第 ${job.partNumber} 个分片` : ''}未能发送`));
    };
    xhr.send(job.file.slice(job.start, job.end));
  });
}

async function sendAll(ctx: {
  submissionId: string;
  n: number;
  files: readonly PickedFile[];
  hashes: ReadonlyMap<string, Hashed>;
  state: UploadState;
  parallel: number;
}): Promise<void> {
  const { submissionId, n, state } = ctx;
  const byPath = new Map(ctx.files.map((f) => [f.path, f]));
  const progressOf = new Map(state.files.map((f) => [f.path, f]));
  const base = `/submissions/${submissionId}/versions/${n}`;

  for (let pass = 1; pass <= 3; pass += 1) {
    state.stageText = '正在向服务器核对已到达的文件与分片……';
    const server = await serverStatus(submissionId, n);
    if (server.versionStatus !== 'open') return;
    const differs: Array<{ field: string; message: string }> = [];
    for (const f of ctx.files) {
      const s = server.files.get(f.path);
      if (!s) differs.push({ field: f.path, message: `本地有此文件，但不在第 ${n} 版的清单中` });
      else if (s.size !== f.file.size) differs.push({ field: f.path, message: `本地 ${f.file.size} 字节，第 ${n} 版清单为 ${s.size} 字节` });
    }
    for (const p of server.files.keys()) if (!byPath.has(p)) differs.push({ field: p, message: `第 ${n} 版清单中有此文件，但所选文件夹中没有` });
    if (differs.length > 0) {
      throw new UploadError('PACKAGE_DIFFERS_FROM_VERSION', `所选文件夹与第 ${n} 版登记的文件清单不一致（未封存的版本不能修改清单）：请选择原来的成果包文件夹`, differs.slice(0, 50));
    }

    const jobs: Job[] = [];
    /** Per multipart file: parts that arrived (ETag and SHA-256), and how many it has. */
    const parts = new Map<string, { count: number; done: Map<number, { etag: string; sha256: string }> }>();
    const toComplete: string[] = [];
    let already = 0;
    for (const f of ctx.files) {
      const s = server.files.get(f.path) as UploadStatus['files'][number];
      const progress = progressOf.get(f.path) as FileProgress;
      if (s.status === 'uploaded') {
        progress.status = 'uploaded';
        progress.sent = f.file.size;
        already += f.file.size;
        continue;
      }
      if (s.status === 'mismatch') throw new UploadError('OBJECT_SIZE_MISMATCH', `对象存储中已有同名文件 ${f.path} 但大小不符，且已存在的对象不能覆盖：请联系管理员处理本版本`);
      const h = ctx.hashes.get(f.path) as Hashed;
      if (s.kind === 'single') {
        jobs.push({ path: f.path, file: f.file, start: 0, end: f.file.size });
        continue;
      }
      if (s.partSize !== undefined && s.partSize !== h.partSize) throw new UploadError('PART_SIZE', `服务器为 ${f.path} 确定的分片大小（${s.partSize} 字节）与本页计算的不同：请改用命令行工具上传`);
      const partSize = h.partSize as number;
      if (s.status === 'expired') {
        await api('DELETE', `${base}/uploads`, { query: { path: f.path } });
      }
      const count = Math.ceil(f.file.size / partSize);
      const done = new Map<number, { etag: string; sha256: string }>();
      if (s.status === 'partial') {
        for (const a of s.partsArrived ?? []) {
          const sha = h.parts?.[a.partNumber - 1] as string;
          // A part cut short (a tab closed mid-PUT) or with other content is sent again.
          const length = Math.min(partSize, f.file.size - (a.partNumber - 1) * partSize);
          if (a.size !== length || (a.sha256 && a.sha256 !== sha)) continue;
          done.set(a.partNumber, { etag: a.etag, sha256: sha });
          already += a.size;
          progress.sent += a.size;
        }
      }
      state.partsAlreadyThere += done.size;
      parts.set(f.path, { count, done });
      if (done.size === count) toComplete.push(f.path);
      for (let p = 1; p <= count; p += 1) {
        if (done.has(p)) continue;
        const start = (p - 1) * partSize;
        jobs.push({ path: f.path, file: f.file, partNumber: p, start, end: Math.min(f.file.size, start + partSize), sha256: h.parts?.[p - 1] as string });
      }
    }
    if (pass === 1) state.alreadyBytes = already;

    const completeFile = async (path: string) => {
      const m = parts.get(path) as { count: number; done: Map<number, { etag: string; sha256: string }> };
      const list = Array.from({ length: m.count }, (_, i) => {
        const d = m.done.get(i + 1);
        if (!d) throw new UploadError('PART_MISSING', `文件 ${path} 的第 ${i + 1} 个分片尚未上传`);
        return { partNumber: i + 1, etag: d.etag, sha256: d.sha256 };
      });
      await api('POST', `${base}/files/complete`, { body: { path, parts: list } });
      (progressOf.get(path) as FileProgress).status = 'uploaded';
    };

    // The queue: URLs asked for in batches just ahead of the senders, one request at a time.
    const pending = [...jobs];
    const ready: Job[] = [];
    let signing: Promise<void> | undefined;
    let failure: unknown;
    const sign = async (batch: Job[]) => {
      const files = new Map<string, Job[]>();
      for (const j of batch) files.set(j.path, [...(files.get(j.path) ?? []), j]);
      const body = {
        files: [...files].map(([path, js]) => {
          const ps = js.filter((j) => j.partNumber !== undefined).map((j) => ({ partNumber: j.partNumber as number, sha256: j.sha256 as string }));
          return ps.length > 0 ? { path, parts: ps } : { path };
        }),
      };
      const res = await api<UploadUrls>('POST', `${base}/upload-urls`, { body });
      const byResult = new Map(res.files.map((f) => [f.path, f]));
      for (const [path, js] of files) {
        const ins = byResult.get(path);
        if (!ins) throw new UploadError('URL_MISSING', `接口未返回文件 ${path} 的上传地址`);
        for (const j of js) {
          delete j.target;
          if (ins.status === 'uploaded') continue;
          if (j.partNumber === undefined) {
            if (ins.url && ins.headers) j.target = { url: ins.url, headers: ins.headers };
          } else {
            const p = ins.parts?.find((x) => x.partNumber === j.partNumber);
            if (p) j.target = { url: p.url, headers: p.headers };
          }
          if (!j.target) throw new UploadError('URL_MISSING', `接口未返回文件 ${path}${j.partNumber ? ` 第 ${j.partNumber} 个分片` : ''}的上传地址`);
        }
      }
    };
    const take = async (): Promise<Job | undefined> => {
      for (;;) {
        if (failure) return undefined;
        if (ready.length < ctx.parallel && pending.length > 0 && !signing) {
          const batch: Job[] = [];
          let bytes = 0;
          while (pending.length > 0 && batch.length < urlsPerBatch && (batch.length === 0 || bytes + ((pending[0] as Job).end - (pending[0] as Job).start) <= bytesPerBatch)) {
            const j = pending.shift() as Job;
            batch.push(j);
            bytes += j.end - j.start;
          }
          signing = sign(batch)
            .then(() => void ready.push(...batch))
            .catch((e: unknown) => void (failure ??= e))
            .finally(() => (signing = undefined));
        }
        const job = ready.shift();
        if (job) return job;
        if (signing) await signing;
        else if (pending.length === 0) return undefined;
      }
    };

    state.stage = 'uploading';
    state.stageText = jobs.length > 0 ? `正在上传（${ctx.parallel} 路并行）……` : '文件均已到达';
    const sender = async () => {
      for (let job = await take(); job; job = await take()) {
        const progress = progressOf.get(job.path) as FileProgress;
        try {
          if (!job.target) {
            // The API reported the file as already there.
            progress.status = 'uploaded';
            progress.sent = progress.size;
            continue;
          }
          progress.status = 'uploading';
          let result: { status: number; etag: string | null } | undefined;
          for (let attempt = 1; ; attempt += 1) {
            let delta = 0;
            try {
              result = await put(job, (d) => {
                delta += d;
                progress.sent += d;
                state.sentBytes += d;
              });
            } catch (e) {
              if (attempt >= 3) throw e;
              await new Promise((r) => setTimeout(r, 500 * attempt));
              continue;
            }
            if (result.status === 200 || result.status === 412) break;
            progress.sent -= delta;
            state.sentBytes -= delta;
            if (result.status === 403 && !job.resigned) {
              // The URL expired while it waited: signed again once.
              job.resigned = true;
              await sign([job]);
              if (!job.target) break;
              continue;
            }
            if (result.status >= 500 && attempt < 3) {
              await new Promise((r) => setTimeout(r, 500 * attempt));
              continue;
            }
            throw new UploadError('STORE_REFUSED', `对象存储拒收 ${job.path}${job.partNumber ? ` 第 ${job.partNumber} 个分片` : ''}（HTTP ${result.status}）`);
          }
          if (job.partNumber === undefined) {
            progress.status = 'uploaded';
            continue;
          }
          if (!result?.etag) throw new UploadError('NO_ETAG', `对象存储未返回 ${job.path} 第 ${job.partNumber} 个分片的 ETag`);
          const m = parts.get(job.path) as { count: number; done: Map<number, { etag: string; sha256: string }> };
          m.done.set(job.partNumber, { etag: result.etag, sha256: job.sha256 as string });
          state.partsSent += 1;
          if (m.done.size === m.count) await completeFile(job.path);
        } catch (e) {
          failure ??= e;
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, ctx.parallel) }, sender));
    if (failure) throw failure;
    for (const path of toComplete) await completeFile(path);

    state.stage = 'completing';
    state.stageText = '正在封存版本并启动核验……';
    try {
      await api<CompletedVersion>('POST', `${base}/complete`);
      return;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'UPLOAD_INCOMPLETE' && pass < 3) continue;
      throw e;
    }
  }
}

// ---- 5. the outcome --------------------------------------------------------------------------------

const settled = new Set(['awaitingReview', 'returned', 'verified', 'verificationFailed']);

export async function outcome(submissionId: string, n: number, timeoutMs = 15 * 60_000): Promise<SubmissionDetail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const detail = await api<SubmissionDetail>('GET', `/submissions/${submissionId}`);
    const v = detail.submission.versions.find((x) => x.n === n);
    if ((v && settled.has(v.status)) || Date.now() > until) return detail;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// ---- the whole run -------------------------------------------------------------------------------

export async function runUpload(opts: {
  taskId: string;
  folder: string;
  files: readonly PickedFile[];
  catalogue?: CatalogueInput;
  /** R19.3: open the correction version of this verified submission (the order's link). */
  correctionOf?: string;
  state: UploadState;
  parallel?: number;
  hashWorkers?: number;
}): Promise<SubmissionDetail> {
  const { state, files } = opts;
  if (files.length === 0) throw new UploadError('PACKAGE_EMPTY', '所选文件夹中没有可汇交的文件（点号开头的文件不计入）');
  const empty = files.filter((f) => f.file.size === 0);
  if (empty.length > 0) {
    throw new UploadError(
      'EMPTY_FILES',
      `成果包中有 ${empty.length} 个空文件（0 字节），系统不接受空文件：请删除或补充内容后重试`,
      empty.slice(0, 50).map((f) => ({ field: f.path, message: '空文件（0 字节）' })),
    );
  }
  state.files = files.map((f) => ({ path: f.path, size: f.file.size, role: assignRole(f.path).role, hashed: 0, sent: 0, status: 'waiting' }));
  state.totalBytes = files.reduce((s, f) => s + f.file.size, 0);
  state.stage = 'hashing';
  state.stageText = '正在计算 SHA-256 校验值……';
  const hashStarted = performance.now();
  const hashes = await hashAll(files, state, opts.hashWorkers ?? Math.min(2, navigator.hardwareConcurrency || 2));
  state.hashMs = performance.now() - hashStarted;
  const manifest = manifestOf(files, hashes);

  state.stage = 'opening';
  state.stageText = '正在确认要上传的汇交与版本……';
  const target = await chooseVersion(opts.taskId, opts.catalogue, manifest, state, opts.correctionOf);
  state.submissionId = target.submissionId;
  state.n = target.n;
  if (target.kind === 'open') {
    saveRecord(opts.taskId, { submissionId: target.submissionId, n: target.n, folder: opts.folder, fileCount: files.length, totalBytes: state.totalBytes, savedAt: new Date().toISOString() });
    const sendStarted = performance.now();
    await sendAll({ submissionId: target.submissionId, n: target.n, files, hashes, state, parallel: opts.parallel ?? 6 });
    state.sendMs = performance.now() - sendStarted;
  }
  state.stage = 'verifying';
  state.stageText = '已封存，正在等待技术核验结果……';
  const detail = await outcome(target.submissionId, target.n);
  forgetRecord(opts.taskId);
  state.stage = 'done';
  state.stageText = '';
  return detail;
}
