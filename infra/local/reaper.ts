/**
 * The local cloud's watchdog for its child processes (DynamoDB Local's JVM,
 * MailDev). Runs as its own detached process with node's built-in type
 * stripping (no tsx: it must start in milliseconds and import nothing).
 *
 * Why: a parent killed with SIGKILL runs no exit handler, and children
 * spawned in their own process groups would keep the ports held. The parent
 * writes `add <pgid>` / `del <pgid>` lines to our stdin; when stdin closes —
 * the parent ended normally or was killed, the kernel closes the pipe either
 * way — every registered group gets SIGTERM, then SIGKILL after a grace
 * period, and the reaper exits.
 */
const groups = new Set<number>();
let buffered = '';

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalAll(signal: NodeJS.Signals): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      groups.delete(pgid);
    }
  }
}

function reap(): void {
  signalAll('SIGTERM');
  const started = Date.now();
  const timer = setInterval(() => {
    for (const pgid of groups) if (!alive(pgid)) groups.delete(pgid);
    if (groups.size === 0) {
      clearInterval(timer);
      process.exit(0);
    }
    if (Date.now() - started > 4000) {
      signalAll('SIGKILL');
      clearInterval(timer);
      process.exit(0);
    }
  }, 100);
}

// A terminal's Ctrl-C or hang-up is the parent's business, not ours.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.on('SIGTERM', reap);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const [verb, id] = buffered.slice(0, newline).trim().split(/\s+/);
    buffered = buffered.slice(newline + 1);
    const pgid = Number(id);
    if (Number.isInteger(pgid) && pgid > 1) {
      if (verb === 'add') groups.add(pgid);
      if (verb === 'del') groups.delete(pgid);
    }
    newline = buffered.indexOf('\n');
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);

// A module, not a script: keeps these names out of the global scope for tsc.
export {};
