import { ConflictError } from '#shared/errors.ts';

/** Another registration of the same custodian and year took the number first; the caller reads the counter again. */
export class SequenceMovedError extends ConflictError {
  constructor() {
    super('NUMBER_SEQUENCE_MOVED', '统一编号序列已被并发登记占用，请重试');
  }
}

/** The submission already has a catalogue entry (registration is idempotent per submission). */
export class AlreadyCataloguedError extends ConflictError {
  constructor(readonly submissionId: string) {
    super('ALREADY_CATALOGUED', `汇交 ${submissionId} 已登记成果目录`);
  }
}

export class EntryChangedError extends ConflictError {
  constructor(resultNumber: string) {
    super('ENTRY_CHANGED', `目录条目 ${resultNumber} 已被他人修改，请刷新后重试`);
  }
}
