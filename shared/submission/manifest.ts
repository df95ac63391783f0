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

/**
 * Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, the marks
 * U+200E, U+200F, U+061C) make a name display other than it is: `报告\u202Efdp.exe` shows as
 * `报告exe.pdf`. Zero-width characters (U+200B–U+200D, U+FEFF) make two names that look the same differ.
 */
export const deceptiveChars = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\ufeff]/;

/** Whitespace of every kind, the ideographic space U+3000 included: a segment of only these is a blank name. */
const blankSegment = /^[\s\u3000]+$/;

/** Why a manifest path is refused, in Chinese; empty when it is acceptable. */
export function pathProblems(path: string): string[] {
  const problems: string[] = [];
  if (path.length === 0) return ['路径不能为空'];
  if (path.startsWith('/')) problems.push('应为相对路径，不能以“/”开头');
  if (path.includes('\\')) problems.push('不能包含反斜杠“\\”，目录分隔符请使用“/”');
  if (controlChars.test(path)) problems.push('不能包含控制字符（如换行、制表符）');
  if (deceptiveChars.test(path)) problems.push('不能包含双向控制字符（U+202A–U+202E、U+2066–U+2069）或零宽字符（U+200B–U+200D、U+FEFF）：这些字符使文件名显示得与实际不同');
  const segments = path.split('/');
  if (segments.some((s) => blankSegment.test(s))) problems.push('文件名或目录名不能为空白（只含空格）');
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

/**
 * A file and a folder of the same name (`report` and `report/a.pdf`, also `Report` and `report/a.pdf`)
 * cannot both exist on the custodian's disk: for each such file, the index of a path inside the folder.
 */
export function fileFolderClashes(paths: readonly string[]): Array<{ index: number; inside: number }> {
  const folders = new Map<string, number>();
  paths.forEach((p, index) => {
    const segments = pathIdentity(p).split('/');
    for (let n = 1; n < segments.length; n += 1) {
      const folder = segments.slice(0, n).join('/');
      if (!folders.has(folder)) folders.set(folder, index);
    }
  });
  const out: Array<{ index: number; inside: number }> = [];
  paths.forEach((p, index) => {
    const inside = folders.get(pathIdentity(p));
    if (inside !== undefined) out.push({ index, inside });
  });
  return out;
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
