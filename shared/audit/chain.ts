import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord, ItemState } from '#shared/ports/audit.ts';
import { nationalShard } from './shards.ts';

/**
 * The hash chain (R10.1 "no unauthorised alteration", R16.1, R20.1): record n
 * carries the hash of record n-1, and its own hash covers every field but
 * `hash`. Changing, removing or reordering any record breaks every later link,
 * and the head item (seq, hash) pins the tail so truncation shows too.
 * Pure: no I/O, so the verifier and the writer share one definition.
 */

/** prevHash of record 1. */
export const genesisHash = '0'.repeat(64);

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Canonical JSON: object keys sorted, undefined members dropped (DynamoDB
 * drops them too), arrays in order. Two equal values always serialise alike,
 * whatever order their keys were written or read back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The item-state marks besides a SHA-256 (see ItemState). */
export const absentState = 'absent';
export const unknownState = 'unknown';

/** SHA-256 hex of an item's canonical JSON, keys included: what an audit record says the write left. */
export function itemStateHash(item: Record<string, unknown> | undefined): string {
  if (item === undefined) return absentState;
  return createHash('sha256').update(canonicalJson(item)).digest('hex');
}

/** SHA-256 hex over the previous hash and the canonical record (its `hash` excluded). */
export function hashRecord(record: Omit<AuditRecord, 'hash'>, prevHash: string): string {
  const { hash: _ignored, ...rest } = record as Omit<AuditRecord, 'hash'> & { hash?: string };
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson({ ...rest, prevHash })).digest('hex');
}

/**
 * `detail` goes through JSON so that what is hashed is exactly what DynamoDB
 * gives back (no Dates, no undefined, no NaN) — otherwise a faithful record
 * would fail verification after a round trip.
 */
export function buildRecord(entry: AuditEntry, seq: number, prevHash: string, time: Date, states?: readonly ItemState[], shard?: string): AuditRecord {
  const base: Omit<AuditRecord, 'hash'> = {
    seq,
    ...(shard === undefined || shard === nationalShard ? {} : { shard }),
    time: time.toISOString(),
    actor: entry.actor,
    orgCode: entry.orgCode,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    requestId: entry.requestId,
    ...(entry.detail === undefined ? {} : { detail: JSON.parse(JSON.stringify(entry.detail)) as Record<string, unknown> }),
    ...(states && states.length > 0 ? { states: states.map((s) => ({ ...s })) } : {}),
    prevHash,
  };
  return { ...base, hash: hashRecord(base, prevHash) };
}

export type ChainBreak = 'missing' | 'hash-mismatch' | 'prev-mismatch' | 'head-mismatch';

export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | {
      readonly ok: false;
      /** The first seq at which the chain is broken (for `missing`, the seq that is absent). */
      readonly seq: number;
      readonly reason: ChainBreak;
      /** Chinese first, then English. */
      readonly message: string;
      /** The offending record, when it exists. */
      readonly record?: AuditRecord;
      /** The last good record before the break, if any. */
      readonly previous?: AuditRecord;
    };

function describe(r: AuditRecord): string {
  return `${r.action} ${r.target} @ ${r.time}`;
}

/**
 * Walks the records in seq order from 1 and returns the first broken or
 * missing link. With `head`, also checks the tail: a head ahead of the last
 * record means records were removed from the end; a head that disagrees with
 * the last record means the head or the tail was rewritten. `head: null`
 * says the head item is known to be absent; undefined skips the tail check.
 */
export function verifyChain(records: readonly AuditRecord[], head?: ChainHead | null): ChainVerdict {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  let previous: AuditRecord | undefined;
  let expectedPrev = genesisHash;
  for (const record of sorted) {
    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (record.seq !== expectedSeq) {
      return {
        ok: false,
        seq: expectedSeq,
        reason: 'missing',
        message: `第 ${expectedSeq} 条审计记录缺失（下一条为第 ${record.seq} 条） (audit record ${expectedSeq} is missing; next present is ${record.seq})`,
        record,
        ...(previous ? { previous } : {}),
      };
    }
    if (record.prevHash !== expectedPrev) {
      return {
        ok: false,
        seq: record.seq,
        reason: 'prev-mismatch',
        message: `第 ${record.seq} 条审计记录（${describe(record)}）的前序哈希与上一条不符，链条在此断开 (audit record ${record.seq} does not link to its predecessor)`,
        record,
        ...(previous ? { previous } : {}),
      };
    }
    const recomputed = hashRecord(record, record.prevHash);
    if (recomputed !== record.hash) {
      return {
        ok: false,
        seq: record.seq,
        reason: 'hash-mismatch',
        message: `第 ${record.seq} 条审计记录（${describe(record)}）内容与其哈希不符，可能被篡改 (audit record ${record.seq} was altered: its hash does not match its content)`,
        record,
        ...(previous ? { previous } : {}),
      };
    }
    previous = record;
    expectedPrev = record.hash;
  }
  const lastSeq = previous?.seq ?? 0;
  if (head) {
    if (head.seq > lastSeq) {
      return {
        ok: false,
        seq: lastSeq + 1,
        reason: 'missing',
        message: `链头指向第 ${head.seq} 条，但第 ${lastSeq + 1} 条起的审计记录缺失 (the head points to record ${head.seq} but records from ${lastSeq + 1} are missing)`,
        ...(previous ? { previous } : {}),
      };
    }
    if (head.seq < lastSeq || head.hash !== (previous?.hash ?? genesisHash)) {
      return {
        ok: false,
        seq: lastSeq,
        reason: 'head-mismatch',
        message: `链头（第 ${head.seq} 条）与最后一条审计记录（第 ${lastSeq} 条）不一致 (the chain head, seq ${head.seq}, does not match the last record, seq ${lastSeq})`,
        ...(previous ? { record: previous } : {}),
      };
    }
  } else if (head === null && lastSeq > 0) {
    // Records without a head: the head item itself was deleted.
    return {
      ok: false,
      seq: lastSeq,
      reason: 'head-mismatch',
      message: `存在 ${lastSeq} 条审计记录，但链头缺失 (there are ${lastSeq} audit records but the chain head is missing)`,
      ...(previous ? { record: previous } : {}),
    };
  }
  return { ok: true, count: lastSeq };
}
