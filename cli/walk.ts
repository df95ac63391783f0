import { constants } from 'node:fs';
import { access, lstat, opendir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { CliError } from './errors.ts';

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

  await checkPackageDir(root);
  await visit(root);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/**
 * The package folder named on the command line must be a readable folder.
 * A wrong path is the person's mistake, not a system failure: told as such,
 * with the path and what to do, before anything is read or sent. The root
 * may itself be a symbolic link (a person's own shortcut); links inside it
 * are left out by the walk.
 */
export async function checkPackageDir(dir: string): Promise<string> {
  const root = resolve(dir);
  const unreadable = () =>
    new CliError('PACKAGE_DIR_UNREADABLE', `没有读取成果包目录 ${root} 的权限：请以有权限的用户运行，或调整该目录的权限后重新运行`);
  let st;
  try {
    st = await stat(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw unreadable();
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') {
      throw new CliError('PACKAGE_DIR_NOT_FOUND', `找不到成果包目录 ${root}：请检查路径是否正确（相对路径从当前目录 ${process.cwd()} 算起），然后重新运行`);
    }
    throw error;
  }
  if (!st.isDirectory()) {
    throw new CliError('PACKAGE_NOT_A_DIRECTORY', `${root} 是文件，不是目录：请指定成果包所在的目录（存放数据、图件和文档的文件夹）`);
  }
  try {
    await access(root, constants.R_OK | constants.X_OK);
  } catch {
    throw unreadable();
  }
  return root;
}
