import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { manifestFilesSchema, printable, type ManifestFile } from '#shared/schemas/submission.ts';
import type { FileRole } from '#shared/reference/themes.ts';
import { writeFileAtomic } from './atomic.ts';
import { CliError } from './errors.ts';
import { defaultHashConcurrency, hashFiles, type FileHash } from './hash.ts';
import { ProgressReporter, type ProgressOutput } from './progress.ts';
import { assignRole, compileRules, roleRulesFileSchema, type RoleRule } from './roles.ts';
import { walkPackage, type PackageEntry } from './walk.ts';

/**
 * The API's own path rules (shared/submission/manifest.ts, through the manifest schema), checked on the
 * names alone before any file is hashed or sent: a name with a bidirectional control or a zero-width
 * character, a blank name, or a file beside a folder of the same name (on a case-insensitive disk too)
 * is refused here, naming the file, with the API's message.
 */
export function refuseBadNames(paths: readonly string[]): void {
  const probe = paths.map((path) => ({ path, size: 1, sha256: '0'.repeat(64), role: 'data' as const }));
  const checked = manifestFilesSchema.safeParse(probe);
  if (checked.success) return;
  const pathIssues = checked.error.issues.filter((i) => i.path.length === 2 && i.path[1] === 'path');
  if (pathIssues.length === 0) return;
  throw new CliError(
    'MANIFEST_INVALID',
    '文件清单不符合汇交要求，请按提示修改文件名或目录后重试',
    pathIssues.slice(0, 50).map((i) => ({ field: fieldOf(probe, i.path), message: i.message })),
  );
}

export const manifestFileName = 'manifest.json';
export const rolesFileName = 'chengguo.roles.json';

/** A cached hash: still valid while the file keeps its size and modification time. */
export interface CachedHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
  readonly parts?: { readonly partSize: number; readonly sha256: readonly string[] };
}

export interface BuiltManifest {
  readonly files: ManifestFile[];
  readonly entries: PackageEntry[];
  /** Per path: the hash, with part hashes for files that go multipart. */
  readonly hashes: Record<string, CachedHash>;
  /** Files whose role is a guess (no rule, folder or known extension). */
  readonly guessed: string[];
  readonly skipped: Array<{ path: string; reason: string }>;
  /** Bytes actually read this time (cached hashes are not re-read). */
  readonly bytesHashed: number;
}

export async function loadRoleRules(dir: string, rulesPath?: string): Promise<RoleRule[]> {
  const path = rulesPath ? resolve(rulesPath) : join(resolve(dir), rolesFileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!rulesPath && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CliError('ROLES_FILE_UNREADABLE', `无法读取文件角色规则 ${path}：${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError('ROLES_FILE_INVALID', `文件角色规则 ${path} 不是有效的 JSON：${(error as Error).message}`);
  }
  const parsed = roleRulesFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(
      'ROLES_FILE_INVALID',
      `文件角色规则 ${path} 格式有误，应为 {"rules":[{"match":"docs/**","role":"technicalDocument"}]} 或 {"docs/**":"technicalDocument"}`,
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(根)', message: i.message })),
    );
  }
  return parsed.data;
}

/** Roles from an existing manifest.json in the package (a user may have corrected them by hand). */
export async function previousRoles(dir: string): Promise<Map<string, FileRole>> {
  try {
    const json = JSON.parse(await readFile(join(resolve(dir), manifestFileName), 'utf8')) as { files?: Array<{ path?: unknown; role?: unknown }> };
    const out = new Map<string, FileRole>();
    for (const f of json.files ?? []) {
      if (typeof f.path === 'string' && typeof f.role === 'string') out.set(f.path, f.role as FileRole);
    }
    return out;
  } catch {
    return new Map();
  }
}

/**
 * Walks the package, hashes every file (reusing `cache` entries whose size and
 * mtime still match), assigns roles and checks the result with the API's own
 * manifest schema, so a manifest the CLI accepts is one the API accepts.
 */
export async function buildManifest(opts: {
  dir: string;
  rules?: readonly RoleRule[];
  /** Role per path that wins over the rules (from a previous manifest.json). */
  keepRoles?: ReadonlyMap<string, FileRole>;
  cache?: Readonly<Record<string, CachedHash>>;
  /** Part size for files that will travel in parts (undefined: single PUT). */
  partSizeOf?: (size: number) => number | undefined;
  extraExcludes?: readonly string[];
  concurrency?: number;
  out: ProgressOutput;
  now?: () => number;
}): Promise<BuiltManifest> {
  const { files: entries, skipped } = await walkPackage(opts.dir, opts.extraExcludes ? { extraExcludes: opts.extraExcludes } : {});
  if (entries.length === 0) throw new CliError('PACKAGE_EMPTY', `成果包目录 ${resolve(opts.dir)} 中没有可汇交的文件（点号开头的文件和符号链接不计入）`);
  const empty = entries.filter((e) => e.size === 0);
  if (empty.length > 0) {
    throw new CliError(
      'EMPTY_FILES',
      `成果包中有 ${empty.length} 个空文件（0 字节），系统不接受空文件：请删除或补充内容后重试`,
      empty.slice(0, 50).map((e) => ({ field: e.path, message: '空文件（0 字节）' })),
    );
  }

  refuseBadNames(entries.map((e) => e.path));

  const hashes: Record<string, CachedHash> = {};
  const toHash: Array<{ entry: PackageEntry; partSize?: number }> = [];
  for (const entry of entries) {
    const partSize = opts.partSizeOf?.(entry.size);
    const cached = opts.cache?.[entry.path];
    if (cached && cached.size === entry.size && cached.mtimeMs === entry.mtimeMs && (partSize === undefined || cached.parts?.partSize === partSize)) {
      hashes[entry.path] = cached;
    } else {
      toHash.push(partSize ? { entry, partSize } : { entry });
    }
  }

  const bytesToHash = toHash.reduce((s, j) => s + j.entry.size, 0);
  if (toHash.length > 0) {
    const progress = new ProgressReporter({
      label: '计算 SHA-256',
      filesTotal: toHash.length,
      bytesTotal: bytesToHash,
      out: opts.out,
      ...(opts.now ? { now: opts.now } : {}),
    });
    const results: FileHash[] = await hashFiles(
      toHash.map((j) => (j.partSize ? { path: j.entry.absolutePath, partSize: j.partSize } : { path: j.entry.absolutePath })),
      { concurrency: opts.concurrency ?? defaultHashConcurrency, onBytes: (n) => progress.bytes(n), onFile: () => progress.file() },
    );
    progress.finish('计算 SHA-256 完成');
    toHash.forEach((j, i) => {
      const h = results[i] as FileHash;
      if (h.size !== j.entry.size) {
        throw new CliError('FILE_CHANGED', `文件 ${j.entry.path} 在计算校验值时发生了变化（${j.entry.size} → ${h.size} 字节）；请在文件不再写入后重试`);
      }
      hashes[j.entry.path] = { size: j.entry.size, mtimeMs: j.entry.mtimeMs, sha256: h.sha256, ...(h.parts ? { parts: h.parts } : {}) };
    });
  }

  const compiled = compileRules(opts.rules ?? []);
  const guessed: string[] = [];
  const files: ManifestFile[] = entries.map((e) => {
    const kept = opts.keepRoles?.get(e.path);
    const assigned = kept ? { role: kept, by: 'rule' as const } : assignRole(e.path, compiled);
    if (assigned.by === 'default') guessed.push(e.path);
    return { path: e.path, size: e.size, sha256: (hashes[e.path] as CachedHash).sha256, role: assigned.role };
  });

  const checked = manifestFilesSchema.safeParse(files);
  if (!checked.success) {
    throw new CliError(
      'MANIFEST_INVALID',
      '文件清单不符合汇交要求，请按提示修改文件名或目录后重试',
      checked.error.issues.map((i) => ({ field: fieldOf(files, i.path), message: i.message })),
    );
  }
  return { files, entries, hashes, guessed, skipped, bytesHashed: bytesToHash };
}

function fieldOf(files: readonly ManifestFile[], path: readonly PropertyKey[]): string {
  const [index, ...rest] = path;
  const file = typeof index === 'number' ? files[index] : undefined;
  return file ? `${printable(file.path)}${rest.length ? `（${rest.map(String).join('.')}）` : ''}` : path.map(String).join('.') || 'files';
}

/** manifest.json as the fixtures have it: `files[]` with path, size, sha256, role. */
export async function writeManifest(path: string, files: readonly ManifestFile[], now = new Date()): Promise<void> {
  const body = {
    generatedBy: 'chengguo',
    generatedAt: now.toISOString(),
    fileCount: files.length,
    totalBytes: files.reduce((s, f) => s + f.size, 0),
    files,
  };
  await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`);
}
