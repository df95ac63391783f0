import type { AuditRecord } from '#shared/ports/audit.ts';
import { canonicalJson, hashRecord, type ChainHead } from './chain.ts';
import { nationalShard } from './shards.ts';

/**
 * Anchors of the audit chain outside its table (R10.1, issue 8 §2). The hash
 * chain alone cannot tell a rewrite from the truth: whoever can write the
 * logs table can edit a record and recompute every later hash and the head.
 * A checkpoint of the head (seq, hash, time), signed with a key the table's
 * writers do not hold (KMS asymmetric key on AWS, a key file on the laptop)
 * and written once to the Object-Lock custody bucket, pins every record up to
 * that seq: any record at or before it that no longer hashes to the same
 * chain shows. Each checkpoint also lists the hashes of the records since the
 * previous one, so the verifier can name the first record that differs.
 * Pure: no I/O; the ports are AnchorSigner and AnchorStore.
 */

export const anchorAlgorithm = 'ECDSA_SHA_256';

export interface AnchorCheckpoint {
  /** The chain head at anchoring. */
  readonly seq: number;
  readonly hash: string;
  /** ISO 8601 UTC. */
  readonly time: string;
  /** `hashes[i]` is the hash of record `fromSeq + i`; fromSeq is the previous anchor's seq + 1. */
  readonly fromSeq: number;
  readonly hashes: readonly string[];
  /** The signing key (KMS key ARN, or the local key's fingerprint). */
  readonly keyId: string;
  /** The chain anchored (shared/audit/shards.ts): a province's two digits; absent for the national chain. */
  readonly shard?: string;
}

export interface SignedAnchor {
  readonly checkpoint: AnchorCheckpoint;
  readonly algorithm: typeof anchorAlgorithm;
  /** Base64 of the DER ECDSA signature over anchorPayload(checkpoint). */
  readonly signature: string;
}

/** Signs and verifies anchor payloads: KMS Sign/Verify on AWS, node:crypto with a key file locally. */
export interface AnchorSigner {
  readonly keyId: string;
  sign(payload: Uint8Array): Promise<Uint8Array>;
  verify(payload: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** Write-once storage of anchors (the custody bucket, prefix audit-anchors/). */
export interface AnchorStore {
  /** Every stored anchor, in any order; an unreadable object is returned as `{ key, error }`. */
  list(): Promise<Array<{ key: string; anchor?: SignedAnchor; error?: string }>>;
  /** Writes once (If-None-Match: *); false when an anchor at that seq already exists. */
  put(anchor: SignedAnchor): Promise<boolean>;
}

/** The bytes that are signed: the canonical JSON of the checkpoint. */
export function anchorPayload(checkpoint: AnchorCheckpoint): Uint8Array {
  return new TextEncoder().encode(canonicalJson(checkpoint));
}

/** National: audit-anchors/<seq>.json (as before sharding); a province: audit-anchors/<shard>/<seq>.json. */
export function anchorObjectKey(seq: number, shard?: string): string {
  const folder = shard === undefined || shard === nationalShard ? '' : `${shard}/`;
  return `audit-anchors/${folder}${String(seq).padStart(12, '0')}.json`;
}

/** The shard an anchor object's key places it in (its folder); the signed checkpoint must agree. */
export function shardOfAnchorKey(key: string): string {
  const m = /^audit-anchors\/(\d{2})\//.exec(key);
  return m?.[1] ?? nationalShard;
}

const shardOfCheckpoint = (c: AnchorCheckpoint): string => c.shard ?? nationalShard;

export async function signAnchor(checkpoint: AnchorCheckpoint, signer: AnchorSigner): Promise<SignedAnchor> {
  const signature = await signer.sign(anchorPayload(checkpoint));
  return { checkpoint, algorithm: anchorAlgorithm, signature: Buffer.from(signature).toString('base64') };
}

export interface ForgedAnchor {
  readonly kind: 'forged-anchor';
  readonly key: string;
  readonly message: string;
}

export type AnchorFinding =
  | { readonly kind: 'record-differs'; readonly seq: number; readonly record: AuditRecord; readonly anchored: string; readonly anchorSeq: number; readonly message: string }
  | { readonly kind: 'record-missing'; readonly seq: number; readonly anchorSeq: number; readonly message: string };

export interface AnchorCheck {
  /** Anchors whose signature verified, ascending by seq. */
  readonly valid: SignedAnchor[];
  /** The first finding only (a rewrite changes every later hash: one name is what an auditor needs). */
  readonly finding?: AnchorFinding;
  /** Forged or unreadable anchors (all of them). */
  readonly forged: ForgedAnchor[];
}

function describe(r: AuditRecord): string {
  return `${r.action} ${r.target} @ ${r.time}`;
}

/**
 * Verifies every stored anchor's signature, then compares the records with
 * the anchored hashes in seq order and names the first record that differs
 * or is missing. A forged or unreadable anchor is reported and ignored.
 */
export async function checkAgainstAnchors(
  records: readonly AuditRecord[],
  stored: Awaited<ReturnType<AnchorStore['list']>>,
  signer: AnchorSigner,
): Promise<AnchorCheck> {
  const valid: SignedAnchor[] = [];
  const forged: ForgedAnchor[] = [];
  for (const { key, anchor, error } of stored) {
    const bad = (why: string): void =>
      void forged.push({ kind: 'forged-anchor', key, message: `锚点 ${key} 无效：${why} (anchor ${key} is not valid: ${why})` });
    if (!anchor) {
      bad(error ?? 'unreadable');
      continue;
    }
    if (shardOfCheckpoint(anchor.checkpoint) !== shardOfAnchorKey(key)) {
      bad(`所属链不符 it anchors chain ${shardOfCheckpoint(anchor.checkpoint)} but is stored under chain ${shardOfAnchorKey(key)}`);
      continue;
    }
    if (anchor.checkpoint.keyId !== signer.keyId) {
      bad(`签名密钥不符 key ${anchor.checkpoint.keyId} is not the anchor key ${signer.keyId}`);
      continue;
    }
    let ok = false;
    try {
      ok = anchor.algorithm === anchorAlgorithm && (await signer.verify(anchorPayload(anchor.checkpoint), Buffer.from(anchor.signature, 'base64')));
    } catch {
      ok = false;
    }
    if (!ok) {
      bad('签名不符 signature does not verify');
      continue;
    }
    valid.push(anchor);
  }
  valid.sort((a, b) => a.checkpoint.seq - b.checkpoint.seq);

  const anchored = new Map<number, { hash: string; anchorSeq: number }>();
  for (const { checkpoint } of valid) {
    checkpoint.hashes.forEach((hash, i) => anchored.set(checkpoint.fromSeq + i, { hash, anchorSeq: checkpoint.seq }));
    anchored.set(checkpoint.seq, { hash: checkpoint.hash, anchorSeq: checkpoint.seq });
  }
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  const seqs = [...anchored.keys()].sort((a, b) => a - b);
  for (const seq of seqs) {
    const want = anchored.get(seq)!;
    const record = bySeq.get(seq);
    if (!record) {
      return {
        valid,
        forged,
        finding: {
          kind: 'record-missing',
          seq,
          anchorSeq: want.anchorSeq,
          message: `第 ${seq} 条审计记录缺失，但已于第 ${want.anchorSeq} 条的锚点中签名存证 (audit record ${seq} is missing, though the anchor at seq ${want.anchorSeq} holds it)`,
        },
      };
    }
    // Recomputed from the content too: an edit that left the stored hash alone differs here as well.
    if (record.hash !== want.hash || hashRecord(record, record.prevHash) !== want.hash) {
      return {
        valid,
        forged,
        finding: {
          kind: 'record-differs',
          seq,
          record,
          anchored: want.hash,
          anchorSeq: want.anchorSeq,
          message: `第 ${seq} 条审计记录（${describe(record)}）与锚点存证的哈希不符，链条自此被改写 (audit record ${seq} differs from the anchored hash: the chain was rewritten from here)`,
        },
      };
    }
  }
  return { valid, forged };
}

/**
 * The next checkpoint of an intact chain: the head and the hashes of the
 * records since the latest valid anchor. Undefined when nothing is new.
 */
export function nextCheckpoint(
  records: readonly AuditRecord[],
  head: ChainHead,
  latest: SignedAnchor | undefined,
  keyId: string,
  now: Date,
  shard?: string,
): AnchorCheckpoint | undefined {
  const after = latest?.checkpoint.seq ?? 0;
  if (head.seq <= after) return undefined;
  const since = [...records].filter((r) => r.seq > after && r.seq <= head.seq).sort((a, b) => a.seq - b.seq);
  return {
    seq: head.seq,
    hash: head.hash,
    time: now.toISOString(),
    fromSeq: after + 1,
    hashes: since.map((r) => r.hash),
    keyId,
    ...(shard === undefined || shard === nationalShard ? {} : { shard }),
  };
}
