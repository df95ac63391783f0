import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of package files. A result package is many gigabytes, so nothing is
 * read whole: each file is read in large chunks (1 MiB: few syscalls and
 * JS↔native crossings, and a chunk still fits the CPU's cache between the read
 * and the hash) and fed to OpenSSL's SHA-256 (node:crypto, SHA-NI where the
 * CPU has it). Files are hashed in worker threads, one file per worker and one
 * worker per core, so hashing uses every core and never blocks the main
 * thread (progress, requests and uploads keep moving). Measured by
 * `npm run bench -- cli-hash` against `openssl dgst -sha256` with the same
 * parallelism over the same files.
 */

/** Read size per chunk when hashing. */
export const readChunkBytes = 1024 * 1024;

/** Read size per chunk when sending (a socket takes big writes well). */
export const sendChunkBytes = 4 * 1024 * 1024;

/** Files hashed at once (one worker thread each): one per core, at most 4, so a spinning disk does not thrash. */
export const defaultHashConcurrency = Math.max(1, Math.min(4, availableParallelism()));

export interface FileHash {
  /** Lowercase hex, as `sha256sum` prints it (the manifest's form). */
  readonly sha256: string;
  readonly size: number;
  /**
   * With `partSize`: the SHA-256 of each part (hex, part 1 first) — S3 checks a
   * multipart upload part by part, so the parts' checksums are signed into
   * their URLs and must be known before the URLs are requested.
   */
  readonly parts?: { readonly partSize: number; readonly sha256: readonly string[] };
}

/**
 * The worker's code, plain JavaScript run with `eval` so that it works the
 * same from the TypeScript sources (tsx) and from the compiled CLI bundle,
 * with no second file to ship. One pass over the file: the whole-file hash
 * and, with `partSize`, the part hashes at the same time (reads are split at
 * part boundaries). Every read is reported (bytes) for progress.
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, fstatSync } = require('node:fs');
let buffer = Buffer.alloc(0);
parentPort.on('message', (job) => {
  let fd;
  try {
    if (buffer.length !== job.chunkBytes) buffer = Buffer.allocUnsafe(job.chunkBytes);
    fd = openSync(job.path, 'r');
    if (job.range) {
      // One part: its bytes only, read at their offset; the file's size and mtime after, to tell a file changed since the manifest.
      const hash = createHash('sha256');
      let at = job.range.start;
      const end = job.range.start + job.range.length;
      while (at < end) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
        if (n === 0) break;
        hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
        at += n;
      }
      const st = fstatSync(fd);
      parentPort.postMessage({ id: job.id, range: { sha256: hash.digest('hex'), read: at - job.range.start, size: st.size, mtimeMs: st.mtimeMs } });
      return;
    }
    const whole = createHash('sha256');
    const parts = [];
    const partSize = job.partSize || 0;
    let part = partSize ? createHash('sha256') : undefined;
    let inPart = 0;
    let size = 0;
    for (;;) {
      const want = partSize ? Math.min(buffer.length, partSize - inPart) : buffer.length;
      const n = readSync(fd, buffer, 0, want, null);
      if (n === 0) break;
      const chunk = n === buffer.length ? buffer : buffer.subarray(0, n);
      whole.update(chunk);
      size += n;
      if (part) {
        part.update(chunk);
        inPart += n;
        if (inPart === partSize) {
          parts.push(part.digest('hex'));
          part = createHash('sha256');
          inPart = 0;
        }
      }
      parentPort.postMessage({ id: job.id, bytes: n });
    }
    if (part && inPart > 0) parts.push(part.digest('hex'));
    parentPort.postMessage({ id: job.id, done: { sha256: whole.digest('hex'), size, parts: partSize ? parts : undefined } });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: { message: String(error && error.message), code: error && error.code, syscall: error && error.syscall, path: error && error.path } });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

interface Job {
  readonly path: string;
  readonly partSize?: number;
  readonly chunkBytes: number;
  readonly onBytes?: (n: number) => void;
}

/** The SHA-256 of one byte range of a file (a multipart part), with the file's size and mtime when it was read. */
export interface RangeHash {
  /** Lowercase hex. */
  readonly sha256: string;
  /** Bytes hashed (less than asked when the file got shorter). */
  readonly read: number;
  readonly size: number;
  readonly mtimeMs: number;
}

interface WorkerReply {
  readonly id: number;
  readonly bytes?: number;
  readonly done?: { sha256: string; size: number; parts?: string[] };
  readonly range?: RangeHash;
  readonly error?: { message: string; code?: string; syscall?: string; path?: string };
}

/**
 * A few worker threads, each hashing one file at a time. Created for one
 * batch of files and closed after it (a worker costs a few milliseconds to
 * start; a batch is seconds to hours of hashing).
 */
class HashPool {
  private readonly workers: Worker[] = [];
  private nextId = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i += 1) this.workers.push(new Worker(workerSource, { eval: true }));
  }

  /** Hashes on worker `slot` (the caller keeps one file per worker in flight). */
  run(slot: number, job: Job): Promise<FileHash> {
    return this.post(slot, job, { path: job.path, partSize: job.partSize, chunkBytes: job.chunkBytes }) as Promise<FileHash>;
  }

  /** Hashes one byte range on worker `slot`. */
  range(slot: number, path: string, range: { start: number; length: number }, chunkBytes: number): Promise<RangeHash> {
    return this.post(slot, { path, chunkBytes }, { path, range, chunkBytes }) as Promise<RangeHash>;
  }

  private post(slot: number, job: Job, message: Record<string, unknown>): Promise<FileHash | RangeHash> {
    const worker = this.workers[slot] as Worker;
    const id = (this.nextId += 1);
    return new Promise<FileHash | RangeHash>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        if (reply.bytes !== undefined) {
          job.onBytes?.(reply.bytes);
        } else if (reply.range) {
          cleanup();
          resolve(reply.range);
        } else if (reply.done) {
          cleanup();
          const { sha256, size, parts } = reply.done;
          resolve({ sha256, size, ...(job.partSize && parts ? { parts: { partSize: job.partSize, sha256: parts } } : {}) });
        } else if (reply.error) {
          cleanup();
          // The same error a read on the main thread would have given (code ENOENT, EACCES, …).
          reject(Object.assign(new Error(reply.error.message), { code: reply.error.code, syscall: reply.error.syscall, path: reply.error.path }));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`hash worker exited (${code}) while hashing ${job.path}`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, ...message });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * One pass over the file: the whole-file hash and, when `partSize` is given,
 * the part hashes at the same time. `onBytes` is told of every chunk read,
 * for progress.
 */
export async function hashFile(path: string, opts: { partSize?: number; onBytes?: (n: number) => void; chunkBytes?: number } = {}): Promise<FileHash> {
  const [hash] = await hashFiles([{ path, ...(opts.partSize !== undefined ? { partSize: opts.partSize } : {}) }], {
    concurrency: 1,
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
  });
  return hash as FileHash;
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight; results in
 * input order. The first failure stops new work and is thrown. `work` learns
 * its slot (0 … concurrency-1), which no other item holds at the same time.
 */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number, slot: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (slot: number) => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index, slot);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, (_, slot) => worker(slot)));
  return results;
}

export interface HashJob {
  readonly path: string;
  readonly partSize?: number;
}

/**
 * Hashes many files, `concurrency` at a time, each on a worker thread of its
 * own; `onBytes` sees every chunk of every file, `onFile` each finished file.
 */
export async function hashFiles(
  jobs: readonly HashJob[],
  opts: { concurrency?: number; onBytes?: (n: number) => void; onFile?: (job: HashJob, hash: FileHash) => void; chunkBytes?: number } = {},
): Promise<FileHash[]> {
  for (const job of jobs) {
    if (job.partSize !== undefined && !(Number.isInteger(job.partSize) && job.partSize > 0)) {
      throw new RangeError(`partSize must be a positive integer, got ${job.partSize}`);
    }
  }
  const chunkBytes = opts.chunkBytes ?? readChunkBytes;
  if (!(Number.isInteger(chunkBytes) && chunkBytes > 0)) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  if (jobs.length === 0) return [];
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? defaultHashConcurrency, jobs.length));
  const pool = new HashPool(concurrency);
  try {
    return await mapBounded(jobs, concurrency, async (job, _index, slot) => {
      const hash = await pool.run(slot, {
        path: job.path,
        chunkBytes,
        ...(job.partSize ? { partSize: job.partSize } : {}),
        ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
      });
      opts.onFile?.(job, hash);
      return hash;
    });
  } finally {
    await pool.close();
  }
}

export interface PartRange {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

/**
 * Multipart parts hashed ahead of their upload (issue 10): the upload's whole-file hashes are
 * the manifest's and come first (the version is opened with them), but each part's SHA-256 is
 * only needed when its URL is signed. So the parts are hashed here in the order they will be
 * sent, `concurrency` at a time on worker threads, while the earlier parts are on the network:
 * `results[i]` settles when part `i` is hashed (hashing outruns any network, so it stays ahead).
 * The first failure stops the rest and rejects every unsettled result; `close` stops the workers.
 */
export function hashPartsAhead(
  ranges: readonly PartRange[],
  opts: { concurrency?: number; chunkBytes?: number; onHashed?: (index: number, hash: RangeHash) => void } = {},
): { readonly results: ReadonlyArray<Promise<RangeHash>>; close(): Promise<void> } {
  const chunkBytes = opts.chunkBytes ?? readChunkBytes;
  const settle: Array<{ resolve: (h: RangeHash) => void; reject: (e: unknown) => void }> = [];
  const results = ranges.map(
    () =>
      new Promise<RangeHash>((resolve, reject) => {
        settle.push({ resolve, reject });
      }),
  );
  // A result nobody awaits (the upload stopped first) must not surface as an unhandled rejection.
  for (const r of results) r.catch(() => undefined);
  if (ranges.length === 0) return { results, close: async () => undefined };
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? defaultHashConcurrency, ranges.length));
  const pool = new HashPool(concurrency);
  let closed = false;
  const done = mapBounded(ranges, concurrency, async (range, index, slot) => {
    if (closed) throw new Error('part hashing stopped');
    const hash = await pool.range(slot, range.path, { start: range.start, length: range.length }, chunkBytes);
    opts.onHashed?.(index, hash);
    settle[index]?.resolve(hash);
  }).catch((error: unknown) => {
    for (const s of settle) s.reject(error);
  });
  return {
    results,
    async close() {
      closed = true;
      await pool.close();
      await done;
    },
  };
}
