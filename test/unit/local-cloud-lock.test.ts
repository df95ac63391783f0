import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, lockFileName } from '#infra/local/data-lock.ts';
import { signalJudge } from '#infra/local/signals.ts';

/** A pid that is certainly dead: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('issue-8 local cloud: one cloud per data folder, Ctrl-C is one request', () => {
  it('refuses a second start in the same folder while the first holds it, with a Chinese and English message naming the pid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockDataDir(dir);

    let refused: unknown;
    try {
      lockDataDir(dir, process.pid + 1);
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toMatch(new RegExp(`正被另一个本地云使用（进程 ${process.pid}）.*in use by another local cloud, pid ${process.pid}`));
    release();
    expect(existsSync(join(dir, lockFileName))).toBe(false);
  });

  it('takes over a stale lock left by a process killed with SIGKILL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, lockFileName), `${deadPid()}\n`);

    const release = lockDataDir(dir);

    expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it('takes over a lock whose pid now belongs to a process that is not node (pid reused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, lockFileName), `${other.pid}\n`);

      const release = lockDataDir(dir);

      expect(readFileSync(join(dir, lockFileName), 'utf8').trim()).toBe(String(process.pid));
      release();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('treats two SIGINTs within a second (npm and node from one Ctrl-C) as one stop, a later one as "exit now"', () => {
    let now = 0;
    const judge = signalJudge(() => now);

    const first = judge('SIGINT');
    now = 5;
    const pair = judge('SIGINT');
    now = 2500;
    const later = judge('SIGINT');

    expect([first, pair, later]).toEqual(['stop', 'same', 'force']);
  });
});
