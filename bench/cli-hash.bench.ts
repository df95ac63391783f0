/**
 * The upload CLI's hashing throughput against coreutils `sha256sum` on the
 * same files in the same run (issue 3: "CLI hashing throughput vs sha256sum").
 *
 * Files: CHENGGUO_BENCH_HASH_FILES × CHENGGUO_BENCH_HASH_MIB (default 4 ×
 * 64 MiB) of AES-256-CTR keystream under a fixed key — deterministic,
 * incompressible, written to a temporary folder and removed afterwards.
 * They are read from the page cache (just written, then read once to warm),
 * so this measures hashing, not the disk. Each contender runs three times,
 * alternating; the best time counts. The CLI's digests must equal
 * sha256sum's, or the bench fails.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHashConcurrency, hashFiles } from '../cli/hash.ts';
import type { BenchResult } from './run.ts';

const MiB = 1024 * 1024;

function writeDeterministic(path: string, bytes: number, seed: number): void {
  const key = Buffer.alloc(32, seed);
  const iv = Buffer.alloc(16, 0);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const zeros = Buffer.alloc(4 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= zeros.length) {
      const chunk = cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

function sha256sum(files: readonly string[]): Map<string, string> {
  const res = spawnSync('sha256sum', files, { encoding: 'utf8', maxBuffer: 16 * MiB });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`sha256sum exited ${res.status}: ${res.stderr}`);
  const out = new Map<string, string>();
  for (const line of res.stdout.trim().split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m?.[1] && m[2]) out.set(m[2], m[1]);
  }
  return out;
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export async function run(): Promise<BenchResult[]> {
  const count = Number(process.env['CHENGGUO_BENCH_HASH_FILES'] ?? 4);
  const mib = Number(process.env['CHENGGUO_BENCH_HASH_MIB'] ?? 64);
  const dir = mkdtempSync(join(tmpdir(), 'chengguo-bench-hash-'));
  try {
    const files = Array.from({ length: count }, (_, i) => join(dir, `file-${i}.bin`));
    files.forEach((f, i) => writeDeterministic(f, mib * MiB, i + 1));
    const totalMiB = count * mib;

    const reference = sha256sum(files); // also warms the page cache
    const best = { sha256sum: Infinity, cliParallel: Infinity, cliSingle: Infinity };
    for (let round = 0; round < 3; round += 1) {
      best.sha256sum = Math.min(best.sha256sum, (await timed(() => sha256sum(files))).ms);
      const parallel = await timed(() => hashFiles(files.map((path) => ({ path }))));
      best.cliParallel = Math.min(best.cliParallel, parallel.ms);
      const single = await timed(() => hashFiles(files.map((path) => ({ path })), { concurrency: 1 }));
      best.cliSingle = Math.min(best.cliSingle, single.ms);
      for (const [i, h] of [...parallel.value, ...single.value].entries()) {
        const file = files[i % files.length] as string;
        if (h.sha256 !== reference.get(file)) throw new Error(`CLI digest of ${file} differs from sha256sum: ${h.sha256} ≠ ${reference.get(file)}`);
      }
    }
    const rate = (ms: number) => totalMiB / (ms / 1000);
    const streams = Math.min(defaultHashConcurrency, count);
    return [
      { name: 'sha256sum (coreutils, one process)', value: rate(best.sha256sum), unit: 'MiB/s', note: `${count} × ${mib} MiB, page cache, best of 3` },
      { name: 'CLI hashFile, 1 stream', value: rate(best.cliSingle), unit: 'MiB/s', note: 'node:crypto SHA-256, 4 MiB reads' },
      { name: `CLI hashFiles, ${streams} streams`, value: rate(best.cliParallel), unit: 'MiB/s', note: `the CLI's default (${streams} files at once)` },
      { name: 'ratio CLI 1 stream / sha256sum', value: best.sha256sum / best.cliSingle, unit: 'ratio', note: 'like for like: one file at a time' },
      { name: `ratio CLI ${streams} streams / sha256sum`, value: best.sha256sum / best.cliParallel, unit: 'ratio', note: 'what `chengguo manifest` does' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
