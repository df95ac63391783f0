import type { ChainHead } from '#shared/audit/chain.ts';

/**
 * The audit primitive (R10.1, R16.1, R20.1): every state-changing domain
 * operation writes one record in the same DynamoDB transaction as the change;
 * records are hash-chained (see shared/audit/).
 */
export interface AuditEntry {
  /** userId, or `system:<function>` for scheduled and workflow steps. */
  readonly actor: string;
  readonly orgCode: string;
  /** dotted verb, e.g. `identity.user.clearance.update`, `calendar.year.put` */
  readonly action: string;
  /** what was acted on, e.g. `USER#li.si`, `CALENDAR#2027` */
  readonly target: string;
  readonly outcome: 'success' | 'refused' | 'failed';
  readonly requestId: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * The state an audited write left one item in (R10.1): `hash` is the SHA-256
 * of the item's canonical JSON after the write, `absent` after a delete,
 * `unknown` when the writer could not compute it (an update expression the
 * interpreter does not know). audit:verify compares live items with it.
 */
export interface ItemState {
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
  readonly hash: string;
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  /**
   * The chain the record belongs to (shared/audit/shards.ts): a province's
   * two digits; absent on the national chain (and on records written before
   * sharding, which all are national). Hashed with the record, so a record
   * cannot be moved to another shard's chain.
   */
  readonly shard?: string;
  /** One per domain item of the transaction (absent on records written before item states existed). */
  readonly states?: readonly ItemState[];
  /** ISO 8601 UTC */
  readonly time: string;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * What the verifier reads of the stored chains (R10.1): a shard's head and
 * its records in seq order, page by page. `shard` defaults to the national
 * chain (shared/audit/shards.ts). Adapter: adapters/dynamo-audit.ts.
 */
export interface AuditChainReader {
  /** Strongly consistent read of the shard's head (AUDIT[#<shard>]/HEAD); undefined before its first record. */
  readHead(shard?: string): Promise<ChainHead | undefined>;
  /** The shard's records in seq order, one page at a time (Query pk=AUDIT[#<shard>], sk begins_with SEQ#). */
  readRecords(afterSeq?: number, shard?: string): Promise<{ records: AuditRecord[]; lastSeq?: number }>;
}

/**
 * For records that change nothing else: refusals worth keeping (R20.1
 * full-process security records), runs of a scheduled job. Still one
 * chained record, written through the same primitive (adapters/audited-write.ts).
 */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<{ seq: number; hash: string }>;
}
