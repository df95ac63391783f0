/**
 * MailDev: an SMTP catcher with a web inbox, run as a child process (its
 * own event loop, its own process group) so the handlers' process stays
 * free. Mail is kept in the data folder and survives restarts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnGuarded, waitUntil, type Guarded, type Reaper } from './processes.ts';

export async function startMailDev(opts: {
  reaper: Reaper;
  projectRoot: string;
  smtpPort: number;
  webPort: number;
  mailDir: string;
  logFile: string;
}): Promise<Guarded> {
  mkdirSync(opts.mailDir, { recursive: true });
  const bin = join(opts.projectRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');
  const child = spawnGuarded(
    opts.reaper,
    'maildev',
    // The pinned Node 22 that runs us (process.execPath), not whatever `node` is on PATH.
    process.execPath,
    [
      bin,
      '--smtp', String(opts.smtpPort),
      '--web', String(opts.webPort),
      '--ip', '127.0.0.1',
      '--web-ip', '127.0.0.1',
      '--mail-directory', opts.mailDir,
      '--silent',
    ],
    { cwd: opts.projectRoot, logFile: opts.logFile, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  try {
    await waitUntil(
      'MailDev',
      async () => {
        if (exitCode !== undefined) throw new Error(`MailDev exited with ${exitCode}`);
        const res = await fetch(`http://127.0.0.1:${opts.webPort}/api/healthz`);
        return res.ok;
      },
      20_000,
      100,
    );
  } catch (error) {
    await child.stop();
    throw exitCode !== undefined ? new Error(`MailDev 启动失败（退出码 ${exitCode}），日志见 ${opts.logFile}`) : error;
  }
  return child;
}
