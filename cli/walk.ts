import { lstat, opendir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

/** A regular file of the package, with its path as the manifest names it. */
export interface PackageEntry {
  /** Relative POSIX path ("data/parcels.shp"). */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  /** With the size, what tells a re-run that a cached hash still holds. */
  readonly mtimeMs: number;
}

export interface WalkResult {
  readonly files: PackageEntry[];
  /** What was left out and why (Chinese), for the user to see. */
  readonly skipped: Array<{ path: string; reason: string }>;
}

/** Files at the package root that belong to the CLI, not to the result package. */
export const ownFiles = ['manifest.json', 'chengguo.roles.json', 'catalogue.json'] as const;

/**
 * Every regular file under `dir`, sorted by path. Left out: dot files and dot
 * folders (`.git`, `.DS_Store`, the CLI's `.chengguo-upload.json`), the CLI's
 * own files at the root, any `extraExcludes` (absolute paths, e.g. the
 * catalogue file), and symbolic links — a link could point outside the
 * package, and what is uploaded must be what is on disk here.
 */
export async function walkPackage(dir: string, opts: { extraExcludes?: readonly string[] } = {}): Promise<WalkResult> {
  const root = resolve(dir);
  const excluded = new Set([...ownFiles.map((f) => join(root, f)), ...(opts.extraExcludes ?? []).map((p) => resolve(p))]);
  const files: PackageEntry[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  const toPosix = (abs: string) => relative(root, abs).split(sep).join('/');

  async function visit(folder: string): Promise<void> {
    const handle = await opendir(folder);
    for await (const dirent of handle) {
      const abs = join(folder, dirent.name);
      if (dirent.name.startsWith('.')) continue;
      if (excluded.has(abs)) continue;
      if (dirent.isSymbolicLink()) {
        skipped.push({ path: toPosix(abs), reason: '符号链接，未纳入（请复制实际文件到成果包目录）' });
      } else if (dirent.isDirectory()) {
        await visit(abs);
      } else if (dirent.isFile()) {
        const st = await lstat(abs);
        files.push({ path: toPosix(abs), absolutePath: abs, size: st.size, mtimeMs: st.mtimeMs });
      } else {
        skipped.push({ path: toPosix(abs), reason: '不是普通文件（设备、管道或套接字），未纳入' });
      }
    }
  }

  const st = await lstat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new PackageDirError(root);
  await visit(root);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

export class PackageDirError extends Error {
  readonly code = 'PACKAGE_DIR_NOT_FOUND';
  constructor(readonly dir: string) {
    super(`成果包目录不存在或不是目录：${dir}`);
  }
}
