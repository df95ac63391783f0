/**
 * The upload CLI's hashing against OpenSSL (`openssl dgst -sha256`, the
 * hardware's limit here: SHA-NI where the CPU has it) over the same warm
 * files with the same parallelism, in the same run (issue 10).
 *
 * Files: CHENGGUO_BENCH_HASH_FILES × CHENGGUO_BENCH_HASH_MIB (default 8 ×
 * 256 MiB = 2 GiB) of AES-256-CTR keystream under fixed keys —
 * deterministic, incompressible, written to a temporary folder and removed
 * afterwards. They are read from the page cache (written, then read once to
 * warm), so this measures hashing, not the disk.
 *
 * Comparisons, each interleaved (case, baseline, baseline, case, …), ≥ 5 runs:
 *  - P streams: hashFiles (P worker threads, P = the CLI's default) against
 *    P `openssl dgst -sha256` processes, each given every P-th file;
 *  - 1 stream: hashFiles with concurrency 1 against one openssl over all files;
 *  - the whole command a user runs, `node dist/chengguo.mjs manifest <dir>`
 *    (start-up, walk, hash, manifest.json written), against the P openssl
 *    processes.
 * The CLI's digests must equal OpenSSL's, or the bench fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultHashConcurrency, hashFiles } from '../cli/hash.ts';
import { comparison, interleaved } from './compare.ts';
import type { BenchResult } from './run.ts';

const MiB = 1024 * 1024;
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

function writeDeterministic(path: string, bytes: number, seed: number): void {
  const key = Buffer.alloc(32, seed);
  const iv = Buffer.alloc(16, 0);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const zeros = Buffer.alloc(4 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= zeros.length) {
      writeSync(fd, cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left)));
    }
  } finally {
    closeSync(fd);
  }
}

/** `openssl dgst -sha256 <files…>` in `streams` processes at once (every streams-th file each); digests by path. */
async function openssl(files: readonly string[], streams: number): Promise<Map<string, string>> {
  const groups = Array.from({ length: streams }, (_, k) => files.filter((_, i) => i % streams === k)).filter((g) => g.length > 0);
  const outputs = await Promise.all(
    groups.map(
      (group) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn('openssl', ['dgst', '-sha256', '-r', ...group], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
          child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
          child.on('error', reject);
          child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`openssl exited ${code}: ${err}`))));
        }),
    ),
  );
  const digests = new Map<string, string>();
  for (const line of outputs.join('').trim().split('\n')) {
    const m = /^([0-9a-f]{64}) \*?(.+)$/.exec(line);
    if (m?.[1] && m[2]) digests.set(m[2], m[1]);
  }
  return digests;
}

function execute(command: string, args: string[], cwd = projectRoot): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

export async function run(): Promise<BenchResult[]> {
  const count = Number(process.env['CHENGGUO_BENCH_HASH_FILES'] ?? 8);
  const mib = Number(process.env['CHENGGUO_BENCH_HASH_MIB'] ?? 256);
  const dir = mkdtempSync(join(tmpdir(), 'chengguo-bench-hash-'));
  try {
    const pkg = join(dir, 'package');
    mkdirSync(pkg);
    const files = Array.from({ length: count }, (_, i) => join(pkg, `file-${i}.bin`));
    files.forEach((f, i) => writeDeterministic(f, mib * MiB, i + 1));
    const totalMiB = count * mib;
    const streams = Math.min(defaultHashConcurrency, count);
    const reference = await openssl(files, streams); // also warms the page cache
    const check = (hashes: ReadonlyArray<{ sha256: string }>) =>
      hashes.forEach((h, i) => {
        const file = files[i] as string;
        if (h.sha256 !== reference.get(file)) throw new Error(`CLI digest of ${file} differs from OpenSSL's: ${h.sha256} ≠ ${reference.get(file)}`);
      });

    const parallel = await interleaved({
      cli: async () => check(await hashFiles(files.map((path) => ({ path })), { concurrency: streams })),
      openssl: () => openssl(files, streams),
    });
    const single = await interleaved({
      cli: async () => check(await hashFiles(files.map((path) => ({ path })), { concurrency: 1 })),
      openssl: () => openssl(files, 1),
    });

    // The whole command, as a user runs it (the compiled CLI, on this Node).
    const bundle = join(projectRoot, 'dist', 'chengguo.mjs');
    if (!existsSync(bundle)) spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: projectRoot, stdio: 'inherit' });
    const manifestOut = join(dir, 'manifest.json');
    const command = await interleaved({
      cli: () => execute(process.execPath, [bundle, 'manifest', pkg, '--out', manifestOut]),
      openssl: () => openssl(files, streams),
    });
    const written = JSON.parse(readFileSync(manifestOut, 'utf8')) as { files: Array<{ path: string; sha256: string }> };
    for (const f of written.files) {
      if (f.sha256 !== reference.get(join(pkg, f.path))) throw new Error(`manifest.json digest of ${f.path} differs from OpenSSL's`);
    }

    const rate = (ms: number) => totalMiB / (ms / 1000);
    const what = `${count} × ${mib} MiB, page cache`;
    return [
      ...comparison({
        caseName: `CLI hashFiles, ${streams} worker threads`,
        baselineName: `openssl dgst -sha256, ${streams} processes`,
        caseMs: parallel.cli,
        baselineMs: parallel.openssl,
        unit: 'MiB/s',
        per: rate,
        higherIsBetter: true,
        note: `${what}; 1 MiB reads`,
        ratioName: `CLI speed / OpenSSL speed, ${streams} streams`,
      }),
      ...comparison({
        caseName: 'CLI hashFiles, 1 thread',
        baselineName: 'openssl dgst -sha256, 1 process',
        caseMs: single.cli,
        baselineMs: single.openssl,
        unit: 'MiB/s',
        per: rate,
        higherIsBetter: true,
        note: what,
        ratioName: 'CLI speed / OpenSSL speed, 1 stream',
      }),
      ...comparison({
        caseName: 'chengguo manifest <dir> (whole command)',
        baselineName: `openssl dgst -sha256, ${streams} processes`,
        caseMs: command.cli,
        baselineMs: command.openssl,
        unit: 'MiB/s',
        per: rate,
        higherIsBetter: true,
        note: `${what}; start-up, walk and manifest.json included`,
        ratioName: 'chengguo manifest speed / OpenSSL speed',
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

