import { ConflictError } from '#shared/errors.ts';
import { DestructionPendingError, type CustodyDestroyer, type DestructionRecord, type DestructionStore } from '#shared/destruction/destruction.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';

export class FakeDestructionStore implements DestructionStore {
  readonly records = new Map<string, DestructionRecord>();
  readonly audits: AuditEntry[] = [];

  async get(resultNumber: string): Promise<DestructionRecord | undefined> {
    return this.records.get(resultNumber);
  }

  async open(record: DestructionRecord, audit: AuditEntry): Promise<void> {
    if (this.records.get(record.resultNumber)?.status === 'pending') throw new DestructionPendingError(record.resultNumber);
    this.records.set(record.resultNumber, record);
    this.audits.push(audit);
  }

  async close(record: DestructionRecord, audit: AuditEntry): Promise<void> {
    const stored = this.records.get(record.resultNumber);
    if (stored?.destructionId !== record.destructionId || stored.status !== 'pending') throw new ConflictError('DESTRUCTION_CLOSED', 'closed');
    this.records.set(record.resultNumber, record);
    this.audits.push(audit);
  }
}

/** A destroyer over a map of keys, as the custody and backup fakes hold them. */
export class FakeDestroyer implements CustodyDestroyer {
  readonly calls: string[] = [];
  constructor(readonly objects: Map<string, unknown>) {}

  async destroyPrefix(prefix: string): Promise<number> {
    this.calls.push(prefix);
    const doomed = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    for (const k of doomed) this.objects.delete(k);
    return doomed.length;
  }
}
