/**
 * Child processes of the local cloud. Each child gets its own process group
 * (so one signal reaches the JVM and anything it forks) and is registered
 * with the reaper (reaper.ts), which kills the groups if this process dies
 * without cleaning up — even by SIGKILL.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const reaperPath = fileURLToPath(new URL('./reaper.ts', import.meta.url));

export class Reaper {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor() {
    // Node 22.18+ strips types natively, so the reaper needs no loader.
    this.child = spawn(process.execPath, ['--no-warnings', reaperPath], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.on('error', () => undefined);
    this.child.unref();
  }

  add(pgid: number): void {
    this.child.stdin?.write(`add ${pgid}\n`);
  }

  remove(pgid: number): void {
    this.child.stdin?.write(`del ${pgid}\n`);
  }

  /** Closing the pipe is the signal: the reaper kills what is left and exits. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.ref();
    this.child.stdin?.end();
    await within(this.exited, 6000);
  }
}

export interface Guarded {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnGuarded(
  reaper: Reaper,
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string } = {},
): Guarded {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  const child = spawn(command, [...args], spawnOptions);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  reaper.add(pid);
  let log: WriteStream | undefined;
  if (options.logFile) {
    log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      reaper.remove(pid);
      log?.end();
      resolve(code);
    });
  });
  // The group must not keep this process alive on its own; stop() is explicit.
  child.unref();
  return {
    name,
    pid,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Waiting for the exit must keep this process alive until it happens.
      child.ref();
      killGroup(pid, 'SIGTERM');
      const done = await within(exited.then(() => true), graceMs);
      if (!done) {
        killGroup(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The promise's value, or undefined after `ms` — without leaving a timer behind. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `probe` until it resolves true, or fails after `timeoutMs` with `what` in the message. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`${what} 未能在 ${Math.round(timeoutMs / 1000)} 秒内就绪 (${what} not ready after ${timeoutMs} ms)`);
    await delay(everyMs);
  }
}
