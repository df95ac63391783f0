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

/**
 * Write Report finds a batch without its results file (or a stray one): the
 * report would leave objects unchecked, so the audit fails instead of passing.
 */
export class IntegrityResultsIncompleteError extends PreconditionFailedError {
  constructor(readonly missingBatches: readonly number[], detail: string) {
    super('INTEGRITY_RESULTS_INCOMPLETE', `完整性检查结果不完整：${detail}，未出具报告`);
  }
}

/**
 * The batch keys List Results hands the state machine would not fit the
 * 256 KB Step Functions payload (docs/custody.md, “规模上限”); failing here
 * names the cause, where States.DataLimitExceeded cannot be caught.
 */
export class IntegrityTooManyBatchesError extends PreconditionFailedError {
  constructor(readonly batches: number, readonly bytes: number) {
    super('INTEGRITY_TOO_MANY_BATCHES', `保管清单共分 ${batches} 批，批次列表 ${bytes} 字节，超过状态机单次载荷上限，完整性检查未能开始`);
  }
}

/** The copy's last step finds a package file not (or not wholly) in custody: a copy batch was lost, the manifest is not written. */
export class CustodyCopyIncompleteError extends PreconditionFailedError {
  constructor(readonly key: string) {
    super('CUSTODY_COPY_INCOMPLETE', `保管库中缺少对象 ${key}（复制批次未完成），未写保管清单`);
  }
}

/** The copy's batch list would not fit the 256 KB Step Functions payload. */
export class CustodyCopyTooManyBatchesError extends PreconditionFailedError {
  constructor(readonly batches: number, readonly bytes: number) {
    super('CUSTODY_COPY_TOO_MANY_BATCHES', `成果包复制共分 ${batches} 批，批次列表 ${bytes} 字节，超过状态机单次载荷上限，移交未能开始复制`);
  }
}

/**
 * The uploads object changed while it was being copied into custody (S3 answered 412 to
 * x-amz-copy-source-if-match, or a resumed copy finds another ETag than its parts came from):
 * the multipart upload is aborted and nothing is completed in custody.
 */
export class CustodySourceChangedError extends PreconditionFailedError {
  constructor(readonly sourceKey: string, readonly etag: string) {
    super('CUSTODY_SOURCE_CHANGED', `上传桶中的对象 ${sourceKey} 在复制入保管库期间被替换（原 ETag ${etag}），已中止本次复制，保管库未写入`);
  }
}
