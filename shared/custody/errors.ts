import { ConflictError, PreconditionFailedError } from '#shared/errors.ts';

/** R10.1: a custody object is written once; nothing replaces it through any API path. */
export class CustodyObjectExistsError extends ConflictError {
  constructor(readonly key: string) {
    super('CUSTODY_OBJECT_EXISTS', `保管库中已存在对象 ${key}，保管成果不得覆盖或删除`);
  }
}

/** Only a verified package goes into custody. */
export class NotVerifiedError extends PreconditionFailedError {
  constructor(submissionId: string, n: number) {
    super('SUBMISSION_NOT_VERIFIED', `汇交 ${submissionId} 第 ${n} 版尚未核验通过，不能移交保管`);
  }
}

/** A custody key already holds other bytes than the ones being copied (a second, different package under one number). */
export class CustodyContentConflictError extends ConflictError {
  constructor(readonly key: string) {
    super('CUSTODY_CONTENT_CONFLICT', `保管库对象 ${key} 已存在且内容与本次移交不同，未作任何修改`);
  }
}

/** Restore refuses to write bytes that do not match the custody manifest. */
export class BackupDamagedError extends ConflictError {
  constructor(readonly key: string) {
    super('BACKUP_COPY_DAMAGED', `备份副本 ${key} 缺失或与保管清单的 SHA-256 不符，未恢复；请联系保管单位取离线副本`);
  }
}

/** Restore refuses to touch an object that is intact: it is not an overwrite path. */
export class CustodyObjectIntactError extends ConflictError {
  constructor(readonly key: string) {
    super('CUSTODY_OBJECT_INTACT', `保管库对象 ${key} 完好（与清单一致），无需恢复`);
  }
}
