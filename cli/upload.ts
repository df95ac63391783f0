import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { catalogueSchema, type CatalogueInput, type ManifestFile } from '#shared/schemas/submission.ts';
import { maxUrlsPerCall, uploadPlan } from '#shared/submission/upload-plan.ts';
import type { SubmissionApi, UploadInstruction } from './api.ts';
import { ApiError, CliError } from './errors.ts';
import { followVerification, type FollowOptions } from './follow.ts';
import { defaultHashConcurrency, hashPartsAhead, mapBounded, type RangeHash } from './hash.ts';
import { buildManifest, loadRoleRules, manifestFileName, previousRoles, writeManifest, type BuiltManifest, type CachedHash } from './manifest.ts';
import { formatBytes, ProgressReporter, type ProgressOutput } from './progress.ts';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.ts';
import {
  emptyState,
  manifestChanges,
  manifestDigest,
  planUploads,
  readState,
  StateStore,
  statePath,
  type MultipartPlan,
  type PartDone,
  type ServerFileStatus,
  type UploadPlanResult,
} from './state.ts';
import type { PutTarget, Transport } from './transfer.ts';
import { checkPackageDir } from './walk.ts';

/**
 * `chengguo upload <dir> --task <taskId>`: from a folder on disk to a sealed
 * version under verification.
 *
 * Primary course:
 *  1. hash the package (reusing the state file's hashes of unchanged files),
 *     assign roles, write manifest.json — whole files only: the parts of a
 *     multipart file are hashed in step 3, ahead of their upload (issue 10);
 *  2. open the submission with the R9.2 catalogue — or, for a known
 *     submission, continue its open version, or open the next version of a
 *     returned one (R7.2), or, when it is already sealed, upload nothing;
 *  3. ask the API what has arrived, plan the rest (state file + the API's
 *     account), request URLs in batches just ahead of use, send files and
 *     parts `parallel` at a time, recording each in the state file;
 *  4. complete each multipart file, then the version (idempotent: a second
 *     run starts no second verification);
 *  5. follow the verification and report the outcome.
 */

export interface UploadOptions {
  readonly dir: string;
  readonly taskId?: string;
  readonly submissionId?: string;
  /** Open the correction version of a verified submission under an open order to correct (R19.3). */
  readonly correction?: boolean;
  readonly cataloguePath?: string;
  readonly rulesPath?: string;
  readonly parallel: number;
  readonly follow: boolean;
  readonly followOptions?: Partial<FollowOptions>;
  /** Print one line per file even on a terminal. */
  readonly verbose?: boolean;
}

export interface UploadDeps {
  readonly api: SubmissionApi;
  readonly transport: Transport;
  /** Progress and results. */
  readonly out: ProgressOutput;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retry?: RetryPolicy;
  /** Called after each file is recorded as done (the state file is on disk). */
  readonly afterFileDone?: (count: number) => void | Promise<void>;
  /** Called after each part is recorded as done. */
  readonly afterPartDone?: (count: number) => void | Promise<void>;
  /** Told of each part hashed for signing (step 3, on worker threads while earlier parts upload). */
  readonly onPartHashed?: (path: string, partNumber: number) => void;
  /**
   * Called once the submission's version is known and named in the state
   * file: from then on a failure leaves something to resume, and running the
   * same command again resumes it. Before that, nothing was uploaded.
   */
  readonly onStarted?: () => void;
}

/** URLs and bytes per request for URLs: the URLs must still be valid (≤ 1 h) when their turn comes. */
const urlsPerBatch = 100;
const bytesPerBatch = 512 * 1024 * 1024;
/** A URL this close to expiry is asked for again before use. */
const expiryMarginMs = 2 * 60 * 1000;

export async function runUpload(opts: UploadOptions, deps: UploadDeps): Promise<number> {
  const dir = await checkPackageDir(opts.dir);
  const now = deps.now ?? (() => new Date());
  const say = (line: string) => deps.out.write(`${line}\n`);
  const { api } = deps;

  const loaded = await readState(dir);
  if (loaded && loaded.submissionId && loaded.apiUrl !== api.apiUrl) {
    throw new CliError(
      'STATE_OTHER_API',
      `上传进度文件 ${statePath(dir)} 记录的是 ${loaded.apiUrl} 上的汇交 ${loaded.submissionId}，与当前接口 ${api.apiUrl} 不同：请换用原接口地址（--api），或删除该文件后重新上传`,
    );
  }
  if (loaded?.submissionId && opts.submissionId && loaded.submissionId !== opts.submissionId) {
    throw new CliError(
      'STATE_OTHER_SUBMISSION',
      `该目录的上传进度属于汇交 ${loaded.submissionId}，而本次指定了 --submission ${opts.submissionId}：请确认目录，或删除 ${statePath(dir)} 后重试`,
    );
  }
  const state = loaded ?? emptyState(api.apiUrl);
  // Hashes carry over from another API; the submission does not (checked above).
  if (!state.submissionId) state.apiUrl = api.apiUrl;
  const store = new StateStore(dir, state, now);
  if (state.submissionId) deps.onStarted?.();
  const previousHashes: Record<string, CachedHash> = { ...state.hashes };

  // 1. manifest
  const cataloguePath = opts.cataloguePath ? resolve(opts.cataloguePath) : existsSync(join(dir, 'catalogue.json')) ? join(dir, 'catalogue.json') : undefined;
  const built = await buildManifest({
    dir,
    rules: await loadRoleRules(dir, opts.rulesPath),
    keepRoles: await previousRoles(dir),
    // Whole files only: a multipart file's parts are hashed while the earlier parts upload (sendAndComplete).
    cache: state.hashes,
    ...(cataloguePath ? { extraExcludes: [cataloguePath] } : {}),
    out: deps.out,
  });
  reportManifestNotes(built, say);
  await writeManifest(join(dir, manifestFileName), built.files, now());
  state.hashes = built.hashes;
  await store.save();
  const digest = manifestDigest(built.files);
  const totalBytes = built.files.reduce((s, f) => s + f.size, 0);
  say(`文件清单：${built.files.length} 个文件，共 ${formatBytes(totalBytes)}（已写入 ${join(dir, manifestFileName)}）`);

  // 2. the submission and the version to fill
  const target = await chooseVersion({ opts, api, store, built, digest, previousHashes, cataloguePath, say });
  deps.onStarted?.();
  if (target.kind === 'alreadySealed') {
    say(`第 ${target.n} 版已封存并提交核验（${target.statusLabel}），本次不再上传，也不会再次启动核验。`);
  } else {
    // 3–4. send what is missing, complete
    await sendAndComplete({ submissionId: target.submissionId, n: target.n, built, store, deps, opts, say });
    state.completedAt ??= now().toISOString();
    await store.save();
  }
  await store.flush();

  // 5. follow
  if (!opts.follow) {
    say(`可运行 chengguo status ${target.submissionId} 查看核验进度。`);
    return 0;
  }
  return followVerification(api, target.submissionId, target.n, { out: deps.out, ...(deps.sleep ? { sleep: deps.sleep } : {}), ...opts.followOptions });
}

function reportManifestNotes(built: BuiltManifest, say: (l: string) => void): void {
  for (const s of built.skipped) say(`提示：未纳入 ${s.path}（${s.reason}）`);
  if (built.guessed.length > 0) {
    const shown = built.guessed.slice(0, 10);
    say(
      `提示：${built.guessed.length} 个文件无法按目录或扩展名确定角色，暂按“数据”处理：${shown.join('、')}${built.guessed.length > shown.length ? ' 等' : ''}。` +
        `如需更正，请编辑 manifest.json 中的 role，或在成果包根目录放置 chengguo.roles.json。`,
    );
  }
}

export async function readCatalogue(path: string): Promise<CatalogueInput> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CliError('CATALOGUE_UNREADABLE', `无法读取成果目录信息 ${path}：${(error as Error).message}`);
  }
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(
      'CATALOGUE_INVALID',
      `成果目录信息 ${path} 不完整或有误（R9.2）`,
      parsed.error.issues.map((i) => ({ field: `catalogue.${i.path.map(String).join('.')}`.replace(/\.$/, ''), message: i.message })),
    );
  }
  return parsed.data;
}

const catalogueHelp =
  '新建汇交需要 R9.2 成果目录信息：用 --catalogue 指定 JSON 文件（或在成果包根目录放置 catalogue.json），字段 name 成果名称、content 成果内容、format 数据格式、' +
  'spatialScope {regionCode, bbox?} 空间范围、timePoint 成果时点 (YYYY-MM-DD)、classification 密级、sharingMode 共享方式、custodian 保管单位（可省略）';

type Target =
  | { kind: 'open'; submissionId: string; n: number }
  | { kind: 'alreadySealed'; submissionId: string; n: number; statusLabel: string };

async function chooseVersion(ctx: {
  opts: UploadOptions;
  api: SubmissionApi;
  store: StateStore;
  built: BuiltManifest;
  digest: string;
  previousHashes: Record<string, CachedHash>;
  cataloguePath: string | undefined;
  say: (l: string) => void;
}): Promise<Target> {
  const { opts, api, store, built, digest, say } = ctx;
  const state = store.state;
  const submissionId = opts.submissionId ?? state.submissionId;

  const startVersion = async (id: string, n: number) => {
    state.submissionId = id;
    state.n = n;
    state.manifestDigest = digest;
    state.files = {};
    delete state.completedAt;
    await store.save();
  };

  if (!submissionId) {
    const taskId = opts.taskId ?? state.taskId;
    if (!taskId) throw new CliError('TASK_REQUIRED', '请用 --task <任务编号> 指定调查监测任务（新建汇交），或用 --submission <汇交编号> 继续已有汇交');
    if (!ctx.cataloguePath) throw new CliError('CATALOGUE_REQUIRED', catalogueHelp);
    const catalogue = await readCatalogue(ctx.cataloguePath);
    let submission;
    try {
      submission = await api.openSubmission(taskId, { catalogue, files: built.files });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CLASSIFIED_HELD_OFFLINE') {
        throw new CliError('CLASSIFIED_HELD_OFFLINE', `${error.message}（本次未上传任何文件）`, error.details);
      }
      throw error;
    }
    state.taskId = taskId;
    await startVersion(submission.submissionId, submission.currentVersion);
    say(`已新建汇交 ${submission.submissionId}（第 ${submission.currentVersion} 版，${submission.statusLabel}）`);
    return { kind: 'open', submissionId: submission.submissionId, n: submission.currentVersion };
  }

  const { submission } = await api.getSubmission(submissionId);
  if (submission.status === 'heldOffline') {
    throw new CliError('CLASSIFIED_HELD_OFFLINE', submission.heldOffline?.reason ?? '该成果为涉密成果，已登记为由保管单位离线保管，不能在线上传（R5.1）');
  }
  const n = submission.currentVersion;
  const version = submission.versions.find((v) => v.n === n);
  if (!version) throw new CliError('VERSION_NOT_FOUND', `汇交 ${submissionId} 没有第 ${n} 版`);

  if (version.status === 'returned') {
    if (state.n === n && state.manifestDigest === digest) {
      say(`提示：第 ${n} 版已被退回，而成果包内容与第 ${n} 版相同；将按原样提交第 ${n + 1} 版，请确认已按退回意见修改。`);
    }
    const catalogue = ctx.cataloguePath ? await readCatalogue(ctx.cataloguePath) : undefined;
    const next = await api.createVersion(submissionId, { files: built.files, ...(catalogue ? { catalogue } : {}) });
    await startVersion(next.submissionId, next.currentVersion);
    say(`第 ${n} 版已退回，已提交第 ${next.currentVersion} 版（重新汇交，R7.2）`);
    return { kind: 'open', submissionId, n: next.currentVersion };
  }

  // R19.3: the correction of a verified submission under an order to correct — unless this folder is the
  // version already sent (a re-run follows it, as for any sealed version). The API refuses without an open order.
  const sentFromHere = state.submissionId === submissionId && state.n === n && state.manifestDigest === digest;
  if (opts.correction && submission.status === 'verified' && !sentFromHere) {
    const catalogue = ctx.cataloguePath ? await readCatalogue(ctx.cataloguePath) : undefined;
    const next = await api.createVersion(submissionId, { files: built.files, ...(catalogue ? { catalogue } : {}) });
    await startVersion(next.submissionId, next.currentVersion);
    say(`已提交更正版本：汇交 ${submissionId} 第 ${next.currentVersion} 版（组织单位责令改正重大质量问题，R19.3），按正常流程上传与核验`);
    return { kind: 'open', submissionId, n: next.currentVersion };
  }

  if (version.status !== 'open') {
    if (state.n !== n) await startVersion(submissionId, n);
    return { kind: 'alreadySealed', submissionId, n, statusLabel: version.statusLabel };
  }

  // An open version: the package on disk must be the one it was opened with.
  if (state.submissionId === submissionId && state.n === n && state.manifestDigest && state.manifestDigest !== digest) {
    const changes = manifestChanges(ctx.previousHashes, built.files);
    throw new CliError(
      'PACKAGE_CHANGED',
      `成果包在第 ${n} 版开始上传后发生了变化，而未封存的版本不能修改清单：请恢复原文件后重新运行；如需修改内容，请先完成本版本，核验退回后再提交新版本`,
      changes.length > 0 ? changes.slice(0, 50).map((c) => ({ field: c.path, message: c.change })) : [{ field: manifestFileName, message: '文件角色已改变' }],
    );
  }
  if (state.submissionId !== submissionId || state.n !== n) await startVersion(submissionId, n);
  return { kind: 'open', submissionId, n };
}

async function serverStatus(api: SubmissionApi, submissionId: string, n: number): Promise<{ files: Map<string, ServerFileStatus>; versionStatus: string }> {
  const files = new Map<string, ServerFileStatus>();
  let cursor: string | undefined;
  let versionStatus = 'open';
  do {
    const page = await api.uploadStatus(submissionId, n, cursor);
    versionStatus = page.versionStatus;
    for (const f of page.files) files.set(f.path, f);
    cursor = page.nextCursor;
  } while (cursor);
  return { files, versionStatus };
}

interface Job {
  readonly path: string;
  readonly absolutePath: string;
  /** Undefined for a whole-file PUT. */
  readonly partNumber?: number;
  readonly start: number;
  readonly length: number;
  /** Hex SHA-256 of the part (multipart only): from the state file, or set when `partHash` settles. */
  partSha256?: string;
  /** The part being hashed (hashPartsFor): its URL is not asked for, so it is not sent, before this settles. */
  partHash?: Promise<string>;
  target?: PutTarget & { expiresAt?: string };
  uploadId?: string;
}

async function sendAndComplete(ctx: {
  submissionId: string;
  n: number;
  built: BuiltManifest;
  store: StateStore;
  deps: UploadDeps;
  opts: UploadOptions;
  say: (l: string) => void;
}): Promise<void> {
  const { submissionId, n, built, store, deps, opts, say } = ctx;
  const { api } = deps;
  const retry = deps.retry ?? defaultRetryPolicy;
  const entries = new Map(built.entries.map((e) => [e.path, e]));
  let filesDone = 0;
  let partsDone = 0;
  /** Files whose multipart upload was restarted this run (at most once each). */
  const restarted = new Set<string>();

  for (let pass = 1; ; pass += 1) {
    const status = await serverStatus(api, submissionId, n);
    if (status.versionStatus !== 'open') {
      say(`第 ${n} 版已不在上传状态（${status.versionStatus}），不再上传。`);
      return;
    }
    checkSameFiles(built.files, status.files, n);
    let plan = planUploads({ files: built.files, state: store.state.files, server: status.files, planOf: uploadPlan });
    if (plan.mismatched.length > 0) {
      throw new CliError(
        'OBJECT_SIZE_MISMATCH',
        `对象存储中已有 ${plan.mismatched.length} 个同名文件但大小不符，且已存在的对象不能覆盖：请联系管理员处理本版本`,
        plan.mismatched.map((p) => ({ field: p, message: '已上传的对象大小与清单不符' })),
      );
    }
    if (plan.expired.length > 0) {
      say(`有 ${plan.expired.length} 个分片上传已在对象存储中失效，取消本版本未完成的分片上传后重新开始这些文件……`);
      await api.abortUploads(submissionId, n);
      for (const f of Object.values(store.state.files)) {
        if (!f.done) {
          delete f.uploadId;
          delete f.parts;
        }
      }
      await store.save();
      plan = planUploads({ files: built.files, state: store.state.files, server: (await serverStatus(api, submissionId, n)).files, planOf: uploadPlan });
    }
    // The API's "uploaded" is the truth: record it so the state file agrees.
    for (const path of plan.done) if (!store.state.files[path]?.done) store.file(path).done = true;
    await store.save();

    const jobs = jobsOf(plan, built, entries);
    const hashing = hashPartsFor(jobs, plan.multipart, built, deps);
    const pendingFiles = plan.singles.length + plan.multipart.length;
    const pendingBytes = built.files.reduce((s, f) => s + f.size, 0) - plan.bytesDone;
    // Only what the server confirmed counts as uploaded; parts only the state file records are named as such.
    const provenBytes = plan.bytesDone - plan.bytesUnconfirmed;
    const unproven = plan.bytesUnconfirmed > 0 ? `；其中 ${formatBytes(plan.bytesUnconfirmed)} 的分片此前已发送，但对象存储无法确认，完成文件时由对象存储核对` : '';
    if (pass === 1) {
      say(
        plan.done.length > 0 || plan.bytesDone > 0
          ? `续传：已上传 ${plan.done.length} 个文件（${formatBytes(provenBytes)}），本次上传其余 ${pendingFiles} 个文件（待发送 ${formatBytes(pendingBytes)}${unproven}）`
          : `开始上传 ${pendingFiles} 个文件（${formatBytes(pendingBytes)}），并发 ${opts.parallel}`,
      );
    }

    const progress = new ProgressReporter({
      label: '上传',
      filesTotal: built.files.length,
      bytesTotal: built.files.reduce((s, f) => s + f.size, 0),
      filesAlready: plan.done.length,
      bytesAlready: provenBytes,
      out: deps.out,
    });
    const perFileLines = opts.verbose || !deps.out.isTTY;
    const fileFinished = async (path: string, note = '') => {
      await store.markDone(path);
      filesDone += 1;
      progress.file();
      if (perFileLines) progress.log(`已上传 ${path}（${formatBytes(entries.get(path)?.size ?? 0)}）${note}`);
      await deps.afterFileDone?.(filesDone);
    };

    const multipartByPath = new Map(plan.multipart.map((m) => [m.path, m]));
    const remainingParts = new Map(plan.multipart.map((m) => [m.path, m.partsToSend.length]));
    const completeMultipart = async (path: string) => {
      const m = multipartByPath.get(path) as MultipartPlan;
      const parts: PartDone[] = [];
      const recorded = store.state.files[path]?.parts ?? {};
      for (let p = 1; p <= m.partCount; p += 1) {
        const done = recorded[String(p)] ?? m.partsDone.get(p);
        if (!done) throw new CliError('PART_MISSING', `文件 ${path} 的第 ${p} 个分片未记录为已上传`);
        parts.push(done);
      }
      await api.completeFile(submissionId, n, { path, parts: parts.map((p, i) => ({ partNumber: i + 1, etag: p.etag, sha256: p.sha256 })) });
      // The store accepted the parts: the bytes only the state file vouched for are proven now.
      if (m.unconfirmedBytes > 0) progress.bytes(m.unconfirmedBytes);
      await fileFinished(path, `，${m.partCount} 个分片`);
    };
    /** The store refused to complete these files (PARTS_REJECTED): handled after this pass. */
    const rejected = new Map<string, string>();
    const completeOrNote = async (path: string) => {
      try {
        await completeMultipart(path);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'PARTS_REJECTED')) throw error;
        rejected.set(path, error.message);
      }
    };
    // Parts recorded earlier keep their ETags under this upload id.
    for (const m of plan.multipart) {
      if (m.uploadId) {
        const f = store.file(m.path);
        if (f.uploadId !== m.uploadId || f.partSize !== m.partSize) {
          f.uploadId = m.uploadId;
          f.partSize = m.partSize;
          f.parts = {};
        }
        for (const [p, d] of m.partsDone) (f.parts ??= {})[String(p)] = d;
      }
    }
    await store.save();

    const queue = new UrlQueue(api, submissionId, n, jobs, opts.parallel, deps.now ?? (() => new Date()));
    let failure: unknown;
    const worker = async () => {
      for (;;) {
        if (failure) return;
        let job: Job | undefined;
        try {
          job = await queue.take();
        } catch (error) {
          failure ??= error;
          return;
        }
        if (!job) return;
        try {
          if (job.target === undefined) {
            // The API reported the whole file as already there.
            if (job.partNumber === undefined || remainingParts.get(job.path) !== undefined) {
              if (!store.state.files[job.path]?.done) {
                remainingParts.delete(job.path);
                await fileFinished(job.path, '（服务器已有）');
              }
            }
            continue;
          }
          const result = await sendJob(job, deps, retry, progress, queue);
          if (job.partNumber === undefined) {
            await fileFinished(job.path, result.status === 412 ? '（对象已存在，跳过）' : '');
          } else {
            if (!result.etag) throw new CliError('NO_ETAG', `对象存储未返回分片 ${job.partNumber}（${job.path}）的 ETag`);
            await store.markPart(job.path, job.uploadId as string, (multipartByPath.get(job.path) as MultipartPlan).partSize, job.partNumber, {
              etag: result.etag,
              sha256: job.partSha256 as string,
            });
            partsDone += 1;
            await deps.afterPartDone?.(partsDone);
            const left = (remainingParts.get(job.path) ?? 1) - 1;
            remainingParts.set(job.path, left);
            if (left === 0) {
              remainingParts.delete(job.path);
              await completeOrNote(job.path);
            }
          }
        } catch (error) {
          failure ??= error;
          return;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));
    } finally {
      await hashing.close();
    }
    await store.flush();
    if (failure) {
      progress.finish('上传中断');
      throw failure;
    }
    // Multipart files whose parts all arrived in an earlier run (killed before completing them).
    await mapBounded(
      plan.multipart.filter((m) => m.partsToSend.length === 0 && !store.state.files[m.path]?.done),
      opts.parallel,
      (m) => withRetry(() => completeOrNote(m.path), retry),
    );
    if (rejected.size > 0) {
      progress.finish('上传未完成');
      await restartRejected({ rejected, restarted, pass, submissionId, n, store, api, say });
      continue;
    }
    progress.finish('上传完成');

    try {
      const done = await api.completeVersion(submissionId, n);
      say(
        done.started
          ? `第 ${n} 版已封存，技术核验已启动（${done.executionName}）`
          : `第 ${n} 版此前已封存并提交核验（${done.executionName}），未再次启动核验`,
      );
      return;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UPLOAD_INCOMPLETE' && pass < 3) {
        say(`服务器核对发现仍有文件未到达：${error.details.map((d) => d.field).slice(0, 5).join('、')}，继续续传……`);
        for (const d of error.details) delete store.state.files[d.field];
        await store.save();
        continue;
      }
      throw error;
    }
  }
}

/**
 * After the store refused to complete files (InvalidPart: a part missing or
 * not what the state file says), the next pass must converge:
 *  - where the store lists parts (S3's ListParts), its list is the truth:
 *    the state file's parts are dropped and the next pass sends what the
 *    list lacks;
 *  - where it cannot confirm them, the file's multipart upload is restarted
 *    — aborted, a new upload id, every part sent once more — at most once
 *    per file and run; a second refusal stops with the store's message.
 */
async function restartRejected(ctx: {
  rejected: ReadonlyMap<string, string>;
  restarted: Set<string>;
  pass: number;
  submissionId: string;
  n: number;
  store: StateStore;
  api: SubmissionApi;
  say: (l: string) => void;
}): Promise<void> {
  const { rejected, restarted, submissionId, n, store, api, say } = ctx;
  const fail = (path: string, why: string) =>
    new CliError('PARTS_REJECTED', `对象存储拒绝完成文件 ${path} 的分片上传：${why}`, [{ field: path, message: rejected.get(path) ?? why }]);
  if (ctx.pass >= 3) {
    throw fail([...rejected.keys()].join('、'), '多次续传后仍未通过');
  }
  const { files } = await serverStatus(api, submissionId, n);
  for (const path of rejected.keys()) {
    const remote = files.get(path);
    if (remote?.status === 'uploaded') continue;
    if (remote?.partsKnown === true) {
      say(`文件 ${path} 的分片未通过对象存储核对（${rejected.get(path)}），按对象存储列出的分片续传……`);
    } else {
      if (restarted.has(path)) throw fail(path, '已换新的上传编号整体重传一次，仍未通过');
      restarted.add(path);
      say(`文件 ${path} 的分片未通过对象存储核对，且对象存储无法列出已收到的分片：取消该文件的分片上传，换新的上传编号整体重传一次……`);
      await api.abortUploads(submissionId, n, path);
    }
    delete store.state.files[path];
  }
  await store.save();
}

/** The version's manifest on the server must list exactly the files on disk, with the same sizes. */
function checkSameFiles(files: readonly ManifestFile[], server: ReadonlyMap<string, ServerFileStatus>, n: number): void {
  const issues: Array<{ field: string; message: string }> = [];
  for (const f of files) {
    const s = server.get(f.path);
    if (!s) issues.push({ field: f.path, message: `本地有此文件，但不在第 ${n} 版的清单中` });
    else if (s.size !== f.size) issues.push({ field: f.path, message: `本地 ${f.size} 字节，第 ${n} 版清单为 ${s.size} 字节` });
  }
  const local = new Set(files.map((f) => f.path));
  for (const path of server.keys()) if (!local.has(path)) issues.push({ field: path, message: `第 ${n} 版清单中有此文件，但本地没有` });
  if (issues.length > 0) {
    throw new CliError(
      'PACKAGE_DIFFERS_FROM_VERSION',
      `本地成果包与第 ${n} 版登记的文件清单不一致（未封存的版本不能修改清单）：请上传原来的成果包目录`,
      issues.slice(0, 50),
    );
  }
}

function jobsOf(plan: UploadPlanResult, built: BuiltManifest, entries: ReadonlyMap<string, { absolutePath: string }>): Job[] {
  const jobs: Job[] = [];
  for (const s of plan.singles) {
    jobs.push({ path: s.path, absolutePath: (entries.get(s.path) as { absolutePath: string }).absolutePath, start: 0, length: s.size });
  }
  for (const m of plan.multipart) {
    // Part hashes kept in the state file at this part size (an earlier run's) are used as they are.
    const cached = built.hashes[m.path]?.parts;
    const shas = cached?.partSize === m.partSize ? cached.sha256 : [];
    for (const p of m.partsToSend) {
      const start = (p - 1) * m.partSize;
      const sha = shas[p - 1];
      jobs.push({
        path: m.path,
        absolutePath: (entries.get(m.path) as { absolutePath: string }).absolutePath,
        partNumber: p,
        start,
        length: Math.min(m.partSize, m.size - start),
        ...(sha ? { partSha256: sha } : {}),
        ...(m.uploadId ? { uploadId: m.uploadId } : {}),
      });
    }
  }
  // Small files first would finish many quickly but leave the big ones for a long tail; path order keeps folders together.
  return jobs.sort((a, b) => (a.path === b.path ? (a.partNumber ?? 0) - (b.partNumber ?? 0) : a.path < b.path ? -1 : 1));
}

/**
 * Starts hashing the parts whose SHA-256 is not known yet, in the order the jobs are sent, on worker threads
 * (cli/hash.ts hashPartsAhead): each such job gets its `partHash`, which the URL queue awaits before it asks
 * for the part's URL. A file whose size or mtime is no longer the manifest's stops the upload (FILE_CHANGED).
 * When every part of a file was hashed, the hashes go to the state file's cache (at this part size), as an
 * earlier CLI kept them.
 */
function hashPartsFor(jobs: Job[], multipart: readonly MultipartPlan[], built: BuiltManifest, deps: UploadDeps): { close(): Promise<void> } {
  const toHash = jobs.filter((j) => j.partNumber !== undefined && j.partSha256 === undefined);
  const hashing = hashPartsAhead(
    toHash.map((j) => ({ path: j.absolutePath, start: j.start, length: j.length })),
    { concurrency: defaultHashConcurrency },
  );
  const byPath = new Map<string, Array<Promise<string>>>();
  toHash.forEach((job, i) => {
    const cached = built.hashes[job.path] as CachedHash;
    job.partHash = (hashing.results[i] as Promise<RangeHash>).then((h: RangeHash) => {
      if (h.read !== job.length || h.size !== cached.size || h.mtimeMs !== cached.mtimeMs) {
        throw new CliError('FILE_CHANGED', `文件 ${job.path} 在上传过程中被修改：请恢复原文件后重试`);
      }
      job.partSha256 = h.sha256;
      deps.onPartHashed?.(job.path, job.partNumber as number);
      return h.sha256;
    });
    // Awaited by the URL queue; a rejection nobody reaches (the upload stopped first) is not unhandled.
    job.partHash.catch(() => undefined);
    byPath.set(job.path, [...(byPath.get(job.path) ?? []), job.partHash]);
  });
  for (const m of multipart) {
    const hashes = byPath.get(m.path);
    if (!hashes || hashes.length !== m.partCount) continue;
    Promise.all(hashes).then(
      (sha256) => {
        built.hashes[m.path] = { ...(built.hashes[m.path] as CachedHash), parts: { partSize: m.partSize, sha256 } };
      },
      () => undefined,
    );
  }
  return hashing;
}

/**
 * Hands out jobs with fresh URLs: requests them in batches (≤ 100 URLs,
 * ≤ 512 MiB) just ahead of the workers, one request at a time, so no URL
 * waits long enough to expire; a job whose URL is about to expire, or was
 * refused as expired, gets a new one.
 */
class UrlQueue {
  private readonly pending: Job[];
  private readonly ready: Job[] = [];
  private fetching: Promise<void> | undefined;
  /** A failed request for URLs, rethrown to the next worker that asks (a prefetch nobody awaits must not be lost). */
  private failure: unknown;

  constructor(
    private readonly api: SubmissionApi,
    private readonly submissionId: string,
    private readonly n: number,
    jobs: Job[],
    private readonly parallel: number,
    private readonly now: () => Date,
  ) {
    this.pending = [...jobs];
  }

  async take(): Promise<Job | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.ready.length < this.parallel && this.pending.length > 0 && !this.fetching) this.prefetch();
      const job = this.ready.shift();
      if (job) {
        if (job.target?.expiresAt && Date.parse(job.target.expiresAt) - this.now().getTime() < expiryMarginMs) {
          await this.refresh(job);
        }
        return job;
      }
      if (this.fetching) await this.fetching;
      else if (this.pending.length === 0) return undefined;
    }
  }

  /**
   * The next batch: the first pending job, once its part is hashed, and the jobs after it whose parts are
   * hashed already (or that have no part to hash) — so URLs follow the hashing, and the first parts go out
   * while the later ones are still being hashed.
   */
  private prefetch(): void {
    this.fetching = (async () => {
      await (this.pending[0] as Job).partHash;
      const batch: Job[] = [];
      let bytes = 0;
      while (this.pending.length > 0 && batch.length < Math.min(urlsPerBatch, maxUrlsPerCall)) {
        const next = this.pending[0] as Job;
        if (batch.length > 0 && (bytes + next.length > bytesPerBatch || (next.partNumber !== undefined && next.partSha256 === undefined))) break;
        batch.push(next);
        bytes += next.length;
        this.pending.shift();
      }
      await this.sign(batch);
      this.ready.push(...batch);
    })()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.fetching = undefined;
      });
  }

  /** A new URL for one job (expired or about to). */
  async refresh(job: Job): Promise<void> {
    delete job.target;
    await this.sign([job]);
  }

  private async sign(batch: Job[]): Promise<void> {
    const byPath = new Map<string, Job[]>();
    for (const j of batch) byPath.set(j.path, [...(byPath.get(j.path) ?? []), j]);
    const files = [...byPath.entries()].map(([path, js]) => {
      const parts = js
        .filter((j) => j.partNumber !== undefined)
        .map((j) => {
          // A part's checksum is signed into its URL: never asked for (so never sent) before the part is hashed.
          if (j.partSha256 === undefined) throw new CliError('PART_HASH_MISSING', `缺少文件 ${path} 第 ${j.partNumber} 个分片的校验值`);
          return { partNumber: j.partNumber as number, sha256: j.partSha256 };
        });
      return parts.length > 0 ? { path, parts } : { path };
    });
    const res = await this.api.uploadUrls(this.submissionId, this.n, { files });
    const byResult = new Map<string, UploadInstruction>(res.files.map((f) => [f.path, f]));
    for (const [path, js] of byPath) {
      const ins = byResult.get(path);
      if (!ins) throw new ApiError(200, 'URL_MISSING', `接口未返回文件 ${path} 的上传地址`);
      if (ins.status === 'uploaded') continue; // no target: the worker records it as done
      for (const j of js) {
        if (j.partNumber === undefined) {
          if (!ins.url || !ins.headers) throw new ApiError(200, 'URL_MISSING', `接口未返回文件 ${path} 的上传地址`);
          j.target = { url: ins.url, headers: ins.headers, ...(ins.expiresAt ? { expiresAt: ins.expiresAt } : {}) };
        } else {
          const part = ins.parts?.find((p) => p.partNumber === j.partNumber);
          if (!part || !ins.uploadId) throw new ApiError(200, 'URL_MISSING', `接口未返回文件 ${path} 第 ${j.partNumber} 个分片的上传地址`);
          j.uploadId = ins.uploadId;
          j.target = { url: part.url, headers: part.headers, expiresAt: part.expiresAt };
        }
      }
    }
  }
}

async function sendJob(job: Job, deps: UploadDeps, retry: RetryPolicy, progress: ProgressReporter, queue: UrlQueue) {
  let refreshed = false;
  return withRetry(
    async () => {
      let sent = 0;
      try {
        if (!job.target) return { status: 412 };
        return await deps.transport.putFile(job.target, { path: job.absolutePath, start: job.start, length: job.length }, (bytes) => {
          sent += bytes;
          progress.bytes(bytes);
        });
      } catch (error) {
        progress.bytes(-sent);
        // A URL that expired while waiting (S3: 403 "Request has expired"): sign again once.
        if (error instanceof ApiError && error.status === 403 && !refreshed) {
          refreshed = true;
          await queue.refresh(job);
          // Signed again, the API may report the file as having arrived after all.
          if (!job.target) return { status: 412 };
          throw new ApiError(503, 'URL_REFRESHED', '上传地址已过期，已重新签发');
        }
        throw error;
      }
    },
    { ...retry, ...(deps.sleep ? { sleep: deps.sleep } : {}) },
  );
}
