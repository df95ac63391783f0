import { describe, expect, it } from 'vitest';
import { buildRecord, canonicalJson, genesisHash, hashRecord, verifyChain } from '#shared/audit/chain.ts';
import type { AuditEntry, AuditRecord } from '#shared/ports/audit.ts';

const entry = (n: number): AuditEntry => ({
  actor: 'wang.qiang',
  orgCode: '440000-NR',
  action: 'identity.user.clearance.update',
  target: `USER#user${n}`,
  outcome: 'success',
  requestId: `req-${n}`,
  detail: { from: 'internal', to: 'secret', n },
});

function chainOf(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = genesisHash;
  for (let seq = 1; seq <= length; seq += 1) {
    const r = buildRecord(entry(seq), seq, prev, new Date(Date.UTC(2026, 0, 5, 8, 0, seq)));
    records.push(r);
    prev = r.hash;
  }
  return records;
}

describe('R10.1 audit chain: canonical form and hashing', () => {
  it('serialises objects with sorted keys at every depth, dropping undefined members', () => {
    const a = canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' }, u: undefined });
    const b = canonicalJson({ a: { c: 'x', d: [1, { y: 2, z: 1 }] }, b: 1 });

    expect(a).toBe(b);
    expect(a).toBe('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('hashes to 64 hex digits that depend on the previous hash and on every field', () => {
    const [r] = chainOf(1);
    const { hash: _h, ...rest } = r!;

    expect(r!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r!.prevHash).toBe(genesisHash);
    expect(hashRecord(rest, genesisHash)).toBe(r!.hash);
    expect(hashRecord({ ...rest, target: 'USER#other' }, genesisHash)).not.toBe(r!.hash);
    expect(hashRecord(rest, 'f'.repeat(64))).not.toBe(r!.hash);
  });

  it('gives the same hash whatever order the fields are read back in', () => {
    const [r] = chainOf(1);
    const reordered = Object.fromEntries(Object.entries(r!).reverse()) as unknown as AuditRecord;

    expect(verifyChain([reordered]).ok).toBe(true);
  });

  it('stores detail as JSON would return it, so a round trip through storage still verifies', () => {
    const r = buildRecord({ ...entry(1), detail: { at: new Date(Date.UTC(2026, 0, 1)), gone: undefined } }, 1, genesisHash, new Date());

    expect(r.detail).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    expect(verifyChain([JSON.parse(JSON.stringify(r)) as AuditRecord]).ok).toBe(true);
  });
});

describe('R10.1 audit chain: verification finds the first broken or missing link', () => {
  it('accepts an intact chain and counts it, with and without its head', () => {
    const records = chainOf(5);
    const last = records[4]!;

    expect(verifyChain(records)).toEqual({ ok: true, count: 5 });
    expect(verifyChain(records, { seq: 5, hash: last.hash })).toEqual({ ok: true, count: 5 });
    expect(verifyChain([], null)).toEqual({ ok: true, count: 0 });
  });

  it('names an altered record as a hash mismatch', () => {
    const records = chainOf(5);
    records[2] = { ...records[2]!, detail: { from: 'internal', to: 'topSecret', n: 3 } };

    const v = verifyChain(records);

    expect(v).toMatchObject({ ok: false, seq: 3, reason: 'hash-mismatch' });
    expect(!v.ok && v.message).toMatch(/第 3 条.*篡改.*altered/);
  });

  it('names a record re-hashed after alteration as a broken link at the next record', () => {
    const records = chainOf(5);
    const altered = { ...records[2]!, actor: 'intruder' };
    const { hash: _h, ...rest } = altered;
    records[2] = { ...altered, hash: hashRecord(rest, altered.prevHash) };

    expect(verifyChain(records)).toMatchObject({ ok: false, seq: 4, reason: 'prev-mismatch' });
  });

  it('names the first missing record when one is deleted from the middle', () => {
    const records = chainOf(6).filter((r) => r.seq !== 4);

    const v = verifyChain(records);

    expect(v).toMatchObject({ ok: false, seq: 4, reason: 'missing' });
    expect(!v.ok && v.previous?.seq).toBe(3);
  });

  it('names a missing first record', () => {
    expect(verifyChain(chainOf(3).slice(1))).toMatchObject({ ok: false, seq: 1, reason: 'missing' });
  });

  it('detects records cut from the end through the head', () => {
    const records = chainOf(5);

    expect(verifyChain(records.slice(0, 3), { seq: 5, hash: records[4]!.hash })).toMatchObject({ ok: false, seq: 4, reason: 'missing' });
  });

  it('detects a head that disagrees with the last record, or a missing head', () => {
    const records = chainOf(3);

    expect(verifyChain(records, { seq: 3, hash: 'a'.repeat(64) })).toMatchObject({ ok: false, seq: 3, reason: 'head-mismatch' });
    expect(verifyChain(records, { seq: 2, hash: records[1]!.hash })).toMatchObject({ ok: false, reason: 'head-mismatch' });
    expect(verifyChain(records, null)).toMatchObject({ ok: false, seq: 3, reason: 'head-mismatch' });
  });
});
