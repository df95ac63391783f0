import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PackageFile } from '#shared/verification/byte-source.ts';

/**
 * A local file as a ByteSource: positional reads for the header checks and a
 * read stream for the checksum fallback. The S3 adapter will do the same with
 * GetObject `Range: bytes=a-b` and the object body stream.
 */
export function fileByteSource(path: string, options: { storedSha256?: string } = {}): PackageFile {
  let size: Promise<number> | undefined;
  return {
    ...(options.storedSha256 === undefined ? {} : { storedSha256: options.storedSha256 }),
    size: () => (size ??= stat(path).then((s) => s.size)),
    async read(offset, length) {
      const handle = await open(path, 'r');
      try {
        const buffer = new Uint8Array(Math.max(0, length));
        const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, offset);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    stream: () => createReadStream(path),
  };
}

/** Every file under `root` keyed by its package path ('/'-separated, relative to root), except `exclude`. */
export async function directoryFiles(root: string, exclude: readonly string[] = []): Promise<Map<string, PackageFile>> {
  const files = new Map<string, PackageFile>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(root, full).split(sep).join('/');
    if (!exclude.includes(path)) files.set(path, fileByteSource(full));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
