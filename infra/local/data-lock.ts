/**
 * One local cloud per data folder: `<dataDir>/.lock` holds the owner's pid,
 * created exclusively (O_EXCL). A second start in the same folder refuses
 * while that pid is alive; a lock left by a process that died (kill -9, a
 * power cut) is taken over. Checked before anything in the folder is
 * touched, so a second `--reset` cannot wipe data under a running cloud.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const lockFileName = '.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `数据目录 ${dataDir} 正被另一个本地云使用（进程 ${pid}）：请先在那个终端按 Ctrl-C 停止它，或换一个 --data-dir。` +
        ` (data folder ${dataDir} is in use by another local cloud, pid ${pid}: stop it first, or use another --data-dir)`,
    );
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the pid exists (another user's process) — treat as alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A pid reused by something that is not node (after a reboot, say) does not hold the folder.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc (macOS): the pid check alone
  }
}

/** Takes the folder's lock for this process; returns its release. Throws DataDirLockedError when a live process holds it. */
export function lockDataDir(dataDir: string, pid = process.pid): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, lockFileName);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // released between the two calls
    }
    if (alive(owner)) throw new DataDirLockedError(dataDir, owner);
    // Stale: its owner died without releasing it.
    rmSync(file, { force: true });
  }
  throw new Error(`无法获得数据目录锁 ${file} (could not take the data folder lock)`);
}
