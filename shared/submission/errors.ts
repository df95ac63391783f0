import { ConflictError, type FieldIssue } from '#shared/errors.ts';

/** Named conflicts of the submission context (409), each with a Chinese message a submitter can act on. */

/** R10.1: a sealed version is immutable — no URL, upload, completion or abort touches it. */
export class VersionSealedError extends ConflictError {
  constructor(n: number, status: string) {
    super(
      'VERSION_SEALED',
      `第 ${n} 版（v${n}）已封存（当前状态：${status}），不可再上传、修改或取消上传；如需修改，请在核验退回后提交新版本`,
    );
  }
}

/** A version moved on while the caller was deciding (workflow raced a caller, or the reverse). */
export class VersionStateChangedError extends ConflictError {
  constructor(n: number, message?: string) {
    super('VERSION_STATE_CHANGED', message ?? `第 ${n} 版的状态已被其他操作改变，本次操作未执行；请刷新后重试`);
  }
}

/** Another request started the multipart upload of this path first. */
export class MultipartRaceError extends ConflictError {
  constructor(readonly path: string) {
    super('MULTIPART_RACE', `文件 ${path} 的分片上传已由另一请求发起，请重试`);
  }
}

/** The store refused a CompleteMultipartUpload part list (wrong ETag, missing or too-small part). */
export class PartsRejectedError extends ConflictError {
  constructor(message: string) {
    super('PARTS_REJECTED', message);
  }
}

function withDetails<E extends ConflictError>(error: E, details: readonly FieldIssue[]): E {
  Object.assign(error, { details });
  return error;
}

/** Completing a version whose files have not all arrived. */
export function uploadIncomplete(n: number, missing: readonly { path: string; why: string }[]): ConflictError {
  const shown = missing.slice(0, 50);
  const more = missing.length > shown.length ? `（仅列出前 ${shown.length} 个）` : '';
  return withDetails(
    new ConflictError(
      'UPLOAD_INCOMPLETE',
      `第 ${n} 版还有 ${missing.length} 个文件未上传完成，不能封存${more}：${shown.slice(0, 3).map((m) => m.path).join('、')}${missing.length > 3 ? ' 等' : ''}。请续传后再完成上传`,
    ),
    shown.map((m) => ({ field: m.path, code: 'FILE_NOT_UPLOADED', message: m.why })),
  );
}
