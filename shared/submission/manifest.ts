/**
 * The rules a package manifest must meet before anything is stored. They
 * protect the object keys (`submissions/<submissionId>/v<N>/<path>`): a path
 * becomes part of an S3 key, so it must be a plain relative POSIX path that
 * cannot climb out of its version's prefix, collide with another file on a
 * case-insensitive disk when the custodian copies the package off, or exceed
 * S3's 1,024-byte key limit.
 */

/** Files per version: bounds the manifest body, the file items and the verifier's Map (configurable here only). */
export const maxFilesPerVersion = 10_000;

/** S3 object keys are at most 1,024 bytes of UTF-8. */
export const maxKeyBytes = 1024;

/** S3's largest object. */
export const maxFileBytes = 5 * 1024 ** 4;

/**
 * The longest key prefix a path is stored under: `submissions/` + a UUID +
 * `/v99999/`. Paths are limited to what is left so every key fits whatever
 * the submission id and round.
 */
export const maxKeyPrefixBytes = Buffer.byteLength('submissions/00000000-0000-0000-0000-000000000000/v99999/', 'utf8');
export const maxPathBytes = maxKeyBytes - maxKeyPrefixBytes;

export function objectKey(submissionId: string, n: number, path: string): string {
  return `${versionPrefix(submissionId, n)}${path}`;
}

export function versionPrefix(submissionId: string, n: number): string {
  return `submissions/${submissionId}/v${n}/`;
}

// C0, DEL and C1 control characters: invisible in listings, dangerous in shells and XML.
const controlChars = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a manifest path is refused, in Chinese; empty when it is acceptable. */
export function pathProblems(path: string): string[] {
  const problems: string[] = [];
  if (path.length === 0) return ['路径不能为空'];
  if (path.startsWith('/')) problems.push('应为相对路径，不能以“/”开头');
  if (path.includes('\\')) problems.push('不能包含反斜杠“\\”，目录分隔符请使用“/”');
  if (controlChars.test(path)) problems.push('不能包含控制字符（如换行、制表符）');
  const segments = path.split('/');
  if (segments.includes('..')) problems.push('不能包含“..”路径段（不得指向上级目录）');
  if (segments.includes('.')) problems.push('不能包含“.”路径段');
  // A leading '/' already explains the first empty segment.
  if (segments.slice(path.startsWith('/') ? 1 : 0).some((s) => s === '')) problems.push('不能包含空路径段（连续的“/”或以“/”结尾）');
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > maxPathBytes) {
    problems.push(`路径过长：${bytes} 字节，最多 ${maxPathBytes} 字节（对象键含前缀不得超过 ${maxKeyBytes} 字节 UTF-8）`);
  }
  return problems;
}

/**
 * Two paths that differ only in letter case or Unicode normalisation name the
 * same file on Windows and macOS disks, where custodians keep packages.
 */
export function pathIdentity(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** For each index whose path repeats an earlier one (case-insensitively), the index it repeats. */
export function duplicatePaths(paths: readonly string[]): Array<{ index: number; first: number; exact: boolean }> {
  const seen = new Map<string, number>();
  const out: Array<{ index: number; first: number; exact: boolean }> = [];
  paths.forEach((p, index) => {
    const id = pathIdentity(p);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else out.push({ index, first, exact: paths[first] === p });
  });
  return out;
}
