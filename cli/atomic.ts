import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';

/**
 * Writes a file so that a reader (or a re-run after `kill -9` or a power cut)
 * sees the old content or the new, never half of either: write a temporary
 * file beside it, fsync, then rename over the target (atomic on POSIX file
 * systems and NTFS).
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Serialises writes of one file and coalesces bursts: while a write is in
 * flight only the latest requested content waits, so thousands of small
 * files finishing at once cost a few writes, not thousands. `flush` resolves
 * once everything requested so far is on disk.
 */
export class CoalescingWriter {
  private pending: string | undefined;
  private running: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly path: string,
    private readonly mode = 0o644,
  ) {}

  write(content: string): Promise<void> {
    this.pending = content;
    if (!this.running) this.running = this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending !== undefined) {
        const next = this.pending;
        this.pending = undefined;
        await writeFileAtomic(this.path, next, this.mode);
      }
    } catch (error) {
      this.failure = error;
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }
}
