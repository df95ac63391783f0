import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Streaming SHA-256 of package files. A result package is many gigabytes, so
 * nothing is read whole: each file is streamed through OpenSSL's SHA-256 in
 * large chunks (4 MiB: fewer syscalls and JS↔native crossings; measured by
 * `npm run bench` against coreutils `sha256sum`), several files at a time.
 */

/** Read size per chunk. */
export const readChunkBytes = 4 * 1024 * 1024;

/** Files hashed at once: enough to keep a fast disk busy, not so many that a spinning disk thrashes. */
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
 * One pass over the file: the whole-file hash and, when `partSize` is given,
 * the part hashes at the same time (chunks are split at part boundaries).
 * `onBytes` is told of every chunk read, for progress.
 */
export function hashFile(path: string, opts: { partSize?: number; onBytes?: (n: number) => void; chunkBytes?: number } = {}): Promise<FileHash> {
  const { partSize, onBytes } = opts;
  if (partSize !== undefined && !(Number.isInteger(partSize) && partSize > 0)) {
    return Promise.reject(new RangeError(`partSize must be a positive integer, got ${partSize}`));
  }
  return new Promise((resolve, reject) => {
    const whole = createHash('sha256');
    const parts: string[] = [];
    let part: Hash | undefined = partSize ? createHash('sha256') : undefined;
    let inPart = 0;
    let size = 0;
    const stream = createReadStream(path, { highWaterMark: opts.chunkBytes ?? readChunkBytes });
    stream.on('data', (data) => {
      const chunk = data as Buffer;
      whole.update(chunk);
      size += chunk.length;
      if (part && partSize) {
        let offset = 0;
        while (offset < chunk.length) {
          const take = Math.min(partSize - inPart, chunk.length - offset);
          part.update(take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
          offset += take;
          inPart += take;
          if (inPart === partSize) {
            parts.push(part.digest('hex'));
            part = createHash('sha256');
            inPart = 0;
          }
        }
      }
      onBytes?.(chunk.length);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (part && partSize && inPart > 0) parts.push(part.digest('hex'));
      resolve({ sha256: whole.digest('hex'), size, ...(partSize ? { parts: { partSize, sha256: parts } } : {}) });
    });
  });
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight; results in
 * input order. The first failure stops new work and is thrown.
 */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

export interface HashJob {
  readonly path: string;
  readonly partSize?: number;
}

/** Hashes many files, `concurrency` at a time; `onBytes` sees every chunk of every file, `onFile` each finished file. */
export function hashFiles(
  jobs: readonly HashJob[],
  opts: { concurrency?: number; onBytes?: (n: number) => void; onFile?: (job: HashJob, hash: FileHash) => void; chunkBytes?: number } = {},
): Promise<FileHash[]> {
  return mapBounded(jobs, opts.concurrency ?? defaultHashConcurrency, async (job) => {
    const hash = await hashFile(job.path, {
      ...(job.partSize ? { partSize: job.partSize } : {}),
      ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
      ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
    });
    opts.onFile?.(job, hash);
    return hash;
  });
}
