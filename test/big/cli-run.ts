/**
 * What the big-package tests share: the CLI run as a user runs it (against the local cloud, its own config
 * folder), a file's SHA-256 read back in big chunks, the local cloud's memory from /proc, and a sparse GeoTIFF.
 */
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '#infra/local/cloud.ts';
import { cloud } from '../integration/helpers.ts';

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `chengguo <args>` with `token`, its config in `configDir`; killed after `killAfterMs`. */
export function runCli(configDir: string, args: string[], token: string, env: Record<string, string> = {}, killAfterMs = 30 * 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(projectRoot, 'node_modules/.bin/node'), ['--import', 'tsx', 'cli/chengguo.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, CHENGGUO_CONFIG_DIR: configDir, CHENGGUO_TOKEN: token, CHENGGUO_API_URL: cloud.urls.api, CHENGGUO_POLL_MS: '1000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A process's resident and peak memory (VmRSS, VmHWM) in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A sparse GeoTIFF of `size`: the fixture's header and image, a random 1 MiB block every 256 MiB, holes elsewhere; SHA-256 by reading it back. */
const MiB = 1024 * 1024;

export async function sparseTiff(path: string, size: number, head: Buffer): Promise<string> {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  writeSync(fd, head, 0, head.length, 0);
  const block = Buffer.alloc(MiB);
  for (let at = 64 * MiB; at + MiB <= size; at += 256 * MiB) writeSync(fd, randomFillSync(block), 0, MiB, at);
  closeSync(fd);
  return hashFile(path);
}

/** `timed(name, work)` runs work and records its duration (ms) under `name` in `timings`, even when it throws. */
export function timer(timings: Record<string, number>): <T>(name: string, work: () => Promise<T>) => Promise<T> {
  return async (name, work) => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - started;
    }
  };
}
