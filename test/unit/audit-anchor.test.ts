import { describe, expect, it } from 'vitest';
import { KeyFileAnchorSigner } from '#adapters/audit-anchor.ts';
import { anchorObjectKey, anchorPayload, checkAgainstAnchors, signAnchor } from '#shared/audit/anchor.ts';
import { auditedWrite } from '#adapters/audited-write.ts';
import { genesisHash, hashRecord, itemStateHash } from '#shared/audit/chain.ts';
import { InMemoryAnchorStore } from '#test/fakes/audit-anchors.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { auditVerify } from '#shared/audit/verify.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import type { Context } from 'aws-lambda';
import { handler } from '#functions/platform/audit-anchor.ts';

const registry = 'registry';
const seqKey = (seq: number) => ({ pk: 'AUDIT', sk: `SEQ#${String(seq).padStart(12, '0')}` });
const entryKey = (n: number) => ({ pk: `CAT#440000-CUS-2026-GT-00000${n}`, sk: 'META' });

/**
 * A registry with six audited writes: entries 1..3 put (entry 2 is 秘密),
 * entry 1 reclassified by an Update, entry 3 deleted, a refusal with no item.
 * Then `npm run audit:verify` once, which writes the first signed anchor.
 */
async function anchoredWorld() {
  const tables = new InMemoryTables('logs', 4);
  const anchors = new InMemoryAnchorStore();
  const signer = KeyFileAnchorSigner.generate();
  let clock = Date.UTC(2026, 11, 1, 8, 0, 0);
  const now = () => new Date((clock += 1000));
  const write = (items: Parameters<typeof auditedWrite>[0]['items'], action: string, target: string) =>
    auditedWrite({ items, entry: { actor: 'zhou.hong', orgCode: '100000-NR', action, target, outcome: 'success', requestId: `r-${action}` }, store: tables, now });
  for (const n of [1, 2, 3]) {
    const item = { ...entryKey(n), name: `成果 ${n}`, classification: n === 2 ? 'secret' : 'internal', sharingMode: n === 2 ? 'none' : 'conditional', version: 1 };
    await write([{ item: { Put: { TableName: registry, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } } }], 'catalogue.entry.register', entryKey(n).pk);
  }
  await write(
    [
      {
        item: {
          Update: {
            TableName: registry,
            Key: entryKey(1),
            UpdateExpression: 'SET #c = :c, #v = #v + :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#c': 'classification', '#v': 'version' },
            ExpressionAttributeValues: { ':c': 'public', ':one': 1 },
          },
        },
      },
    ],
    'catalogue.entry.reclassify',
    entryKey(1).pk,
  );
  await write([{ item: { Delete: { TableName: registry, Key: entryKey(3) } } }], 'catalogue.entry.withdraw', entryKey(3).pk);
  await write([], 'catalogue.entry.read.refused', entryKey(2).pk);
  const verify = (anchor = true) => auditVerify({ store: tables, anchors, signer, items: tables, now, anchor });
  const first = await verify();
  const records = (): AuditRecord[] =>
    tables
      .scan('logs')
      .filter((i) => String(i['sk']).startsWith('SEQ#'))
      .map(({ pk: _pk, sk: _sk, ...r }) => r as unknown as AuditRecord);
  const setRecords = (list: AuditRecord[]) => {
    for (const i of tables.scan('logs')) if (String(i['sk']).startsWith('SEQ#')) tables.delete('logs', { pk: 'AUDIT', sk: String(i['sk']) });
    for (const r of list) tables.put('logs', { ...seqKey(r.seq), ...r });
  };
  const setHead = (seq: number, hash: string) => tables.put('logs', { pk: 'AUDIT', sk: 'HEAD', seq, hash, time: new Date(clock).toISOString() });
  /** What an attacker with table access and no key can do best: renumber from 1, re-link and re-hash everything, move the head. */
  const rechain = (list: AuditRecord[]) => {
    let prev = genesisHash;
    const out = list.map((r, i) => {
      const { hash: _h, ...rest } = { ...r, seq: i + 1, prevHash: prev };
      const hash = hashRecord(rest, prev);
      prev = hash;
      return { ...rest, hash } as AuditRecord;
    });
    setRecords(out);
    const last = out[out.length - 1];
    setHead(last?.seq ?? 0, last?.hash ?? genesisHash);
  };
  return { tables, anchors, signer, first, verify, records, setRecords, setHead, rechain, write };
}

describe('R10.1 audit anchors: a signed checkpoint of the head, outside the table', () => {
  it('an untouched registry verifies intact and the first verify writes a signed, write-once anchor of the head', async () => {
    const w = await anchoredWorld();

    const again = await w.verify();

    expect(w.first.ok).toBe(true);
    expect(w.first.anchored?.checkpoint).toMatchObject({ seq: 6, fromSeq: 1, keyId: w.signer.keyId });
    expect(w.first.anchored?.checkpoint.hashes).toEqual(w.records().map((r) => r.hash));
    expect([...w.anchors.objects.keys()]).toEqual([anchorObjectKey(6)]);
    expect(await w.signer.verify(anchorPayload(w.first.anchored!.checkpoint), Buffer.from(w.first.anchored!.signature, 'base64'))).toBe(true);
    expect(again.ok).toBe(true);
    expect(again.anchored).toBeUndefined();
    expect(again.items).toMatchObject({ checked: 3, unknown: 0, drifts: [] });
    expect(again.lines.join('\n')).toMatch(/审计链完整：6 条记录/);
  });

  it('a later verify anchors only the records since the latest anchor', async () => {
    const w = await anchoredWorld();
    await w.write([], 'catalogue.entry.read', entryKey(2).pk);

    const second = await w.verify();

    expect(second.anchored?.checkpoint).toMatchObject({ seq: 7, fromSeq: 7 });
    expect(second.anchored?.checkpoint.hashes).toHaveLength(1);
    expect(w.anchors.objects.size).toBe(2);
  });

  it('records in each write the hash of the state it left: Put as written, Update as applied, Delete as absent', async () => {
    const w = await anchoredWorld();
    const [put1, , , update, del, refusal] = w.records();

    expect(put1!.states).toEqual([{ table: registry, ...entryKey(1), hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(update!.states![0]!.hash).toBe(itemStateHash(w.tables.get(registry, entryKey(1))));
    expect(w.tables.get(registry, entryKey(1))).toMatchObject({ classification: 'public', version: 2 });
    expect(del!.states).toEqual([{ table: registry, ...entryKey(3), hash: 'absent' }]);
    expect(refusal!.states).toBeUndefined();
  });
});

describe('R10.1 audit tampering: all 12 cases of issue 8 are detected and named (write access to the tables, no key)', () => {
  it('case 1: edit a record — named as a hash mismatch', async () => {
    const w = await anchoredWorld();
    w.tables.put('logs', { ...w.tables.get('logs', seqKey(2)), actor: 'intruder' });

    const out = await w.verify();

    expect(out.ok).toBe(false);
    expect(out.chain).toMatchObject({ ok: false, seq: 2, reason: 'hash-mismatch' });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 2 });
    expect(out.anchored).toBeUndefined();
  });

  it('case 2: edit a record and recompute its own hash — named at the broken link and against the anchor', async () => {
    const w = await anchoredWorld();
    const r = w.records()[1]!;
    const { hash: _h, ...rest } = { ...r, actor: 'intruder' };
    w.tables.put('logs', { ...seqKey(2), ...rest, hash: hashRecord(rest, r.prevHash) });

    const out = await w.verify();

    expect(out.ok).toBe(false);
    expect(out.chain).toMatchObject({ ok: false, seq: 3, reason: 'prev-mismatch' });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 2 });
  });

  it('case 3: edit a record, recompute every later hash and the head — the chain looks whole; the anchor names record 2', async () => {
    const w = await anchoredWorld();
    const list = w.records();
    list[1] = { ...list[1]!, detail: { note: 'rewritten' } };
    w.rechain(list);

    const out = await w.verify();

    expect(out.chain).toEqual({ ok: true, count: 6 });
    expect(out.ok).toBe(false);
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 2, anchorSeq: 6 });
    expect(out.lines.join('\n')).toMatch(/审计链已被改写：第 2 条[\s\S]*与锚点存证的哈希不符[\s\S]*target=CAT#440000-CUS-2026-GT-000002/);
    expect(out.anchored).toBeUndefined();
  });

  it('case 4: truncate the tail, leaving the head — named as missing records', async () => {
    const w = await anchoredWorld();
    w.tables.delete('logs', seqKey(6));
    w.tables.delete('logs', seqKey(5));

    const out = await w.verify();

    expect(out.chain).toMatchObject({ ok: false, seq: 5, reason: 'missing' });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-missing', seq: 5 });
  });

  it('case 5: truncate and rewrite the head onto the new last record — the anchor names the first missing record', async () => {
    const w = await anchoredWorld();
    const kept = w.records().slice(0, 4);
    w.setRecords(kept);
    w.setHead(4, kept[3]!.hash);

    const out = await w.verify();

    expect(out.chain).toEqual({ ok: true, count: 4 });
    expect(out.ok).toBe(false);
    expect(out.anchors.finding).toMatchObject({ kind: 'record-missing', seq: 5, anchorSeq: 6 });
    expect(out.lines.join('\n')).toMatch(/第 5 条审计记录缺失/);
  });

  it('case 6: truncate, append forged records past the old end and rewrite the head — the anchor names the first forged record', async () => {
    const w = await anchoredWorld();
    const list = w.records().slice(0, 3);
    const forged = (seq: number): AuditRecord => ({ ...list[0]!, seq, action: 'catalogue.entry.read', target: 'CAT#x', requestId: `forged-${seq}` });
    w.rechain([...list, forged(4), forged(5), forged(6), forged(7)]);

    const out = await w.verify();

    expect(out.chain).toEqual({ ok: true, count: 7 });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 4 });
    expect(out.ok).toBe(false);
  });

  it('case 7: delete a record from the middle — named as missing', async () => {
    const w = await anchoredWorld();
    w.tables.delete('logs', seqKey(3));

    const out = await w.verify();

    expect(out.chain).toMatchObject({ ok: false, seq: 3, reason: 'missing' });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-missing', seq: 3 });
  });

  it('case 8: delete a record, renumber the rest and recompute — the anchor names the record now at its place', async () => {
    const w = await anchoredWorld();
    w.rechain(w.records().filter((r) => r.seq !== 3));

    const out = await w.verify();

    expect(out.chain).toEqual({ ok: true, count: 5 });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 3 });
    expect(out.ok).toBe(false);
  });

  it('case 9: insert a record, renumber and recompute — the anchor names the inserted record', async () => {
    const w = await anchoredWorld();
    const list = w.records();
    const inserted: AuditRecord = { ...list[1]!, action: 'catalogue.entry.reclassify', detail: { to: 'public' }, requestId: 'forged' };
    w.rechain([list[0]!, list[1]!, inserted, ...list.slice(2)]);

    const out = await w.verify();

    expect(out.chain).toEqual({ ok: true, count: 7 });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 3, record: { requestId: 'forged' } });
  });

  it('case 10: reorder two records and recompute — the anchor names the first moved record', async () => {
    const w = await anchoredWorld();
    const list = w.records();
    w.rechain([list[0]!, list[2]!, list[1]!, ...list.slice(3)]);

    const out = await w.verify();

    expect(out.chain).toEqual({ ok: true, count: 6 });
    expect(out.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 2 });
  });

  it('case 11: a 秘密 catalogue entry set to public by a direct DynamoDB edit — the item is named with its last audit record', async () => {
    const w = await anchoredWorld();
    w.tables.put(registry, { ...w.tables.get(registry, entryKey(2)), classification: 'public', sharingMode: 'open' });

    const out = await w.verify();

    expect(out.chain.ok).toBe(true);
    expect(out.anchors.finding).toBeUndefined();
    expect(out.ok).toBe(false);
    expect(out.items.drifts).toEqual([expect.objectContaining({ ...entryKey(2), kind: 'changed', seq: 2, action: 'catalogue.entry.register' })]);
    expect(out.lines.join('\n')).toMatch(/CAT#440000-CUS-2026-GT-000002 META 在审计路径之外被修改：与第 2 条审计记录/);
  });

  it('case 12: a registry item deleted, and a deleted one re-created, by direct DynamoDB writes — both named', async () => {
    const w = await anchoredWorld();
    w.tables.delete(registry, entryKey(1));
    w.tables.put(registry, { ...entryKey(3), name: '成果 3', classification: 'public' });

    const out = await w.verify();

    expect(out.ok).toBe(false);
    expect(out.items.drifts.map((d) => [d.pk, d.kind, d.seq])).toEqual([
      [entryKey(1).pk, 'deleted', 4],
      [entryKey(3).pk, 'recreated', 5],
    ]);
  });
});

describe('R10.1 audit anchors cannot be forged without the key', () => {
  it('an anchor signed with another key, or with its checkpoint altered, is named and not trusted', async () => {
    const w = await anchoredWorld();
    const list = w.records();
    list[1] = { ...list[1]!, actor: 'intruder' };
    w.rechain(list);
    const rewritten = w.records();
    const intruder = KeyFileAnchorSigner.generate();
    const fake = await signAnchor({ seq: 7, hash: 'f'.repeat(64), time: '2026-12-02T00:00:00.000Z', fromSeq: 1, hashes: rewritten.map((r) => r.hash), keyId: w.signer.keyId }, intruder);
    w.anchors.objects.set(anchorObjectKey(7), JSON.stringify(fake));
    const genuine = JSON.parse(w.anchors.objects.get(anchorObjectKey(6))!) as { checkpoint: { hashes: string[] } };
    w.anchors.objects.set('audit-anchors/000000000006-altered.json', JSON.stringify({ ...genuine, checkpoint: { ...genuine.checkpoint, hashes: rewritten.map((r) => r.hash) } }));

    const check = await checkAgainstAnchors(rewritten, await w.anchors.list(), w.signer);
    const out = await w.verify();

    expect(check.valid.map((a) => a.checkpoint.seq)).toEqual([6]);
    expect(check.forged.map((f) => f.key).sort()).toEqual(['audit-anchors/000000000006-altered.json', anchorObjectKey(7)]);
    expect(check.finding).toMatchObject({ kind: 'record-differs', seq: 2 });
    expect(out.ok).toBe(false);
    expect(out.lines.join('\n')).toMatch(/锚点 audit-anchors\/000000000007.json 无效：签名不符/);
  });

  it('the anchor store is write-once: a second anchor at the same seq is refused', async () => {
    const w = await anchoredWorld();
    const again = await signAnchor({ ...w.first.anchored!.checkpoint, hashes: [] }, w.signer);

    expect(await w.anchors.put(again)).toBe(false);
    expect(JSON.parse(w.anchors.objects.get(anchorObjectKey(6))!)).toEqual(w.first.anchored);
  });
});

describe('R10.1 the HourlyAuditAnchor job (function AuditAnchor)', () => {
  const event = { schedule: 'HourlyAuditAnchor', scheduledTime: '2026-12-03T01:00:00Z', executionId: 'exec-1', attempt: '1' };
  const context = { awsRequestId: 'req-1' } as Context;

  it('anchors the new head of an intact chain and reports ok', async () => {
    const w = await anchoredWorld();
    await w.write([], 'catalogue.entry.read', entryKey(2).pk);

    const out = await handler.with({ auditChain: w.tables, anchors: w.anchors, signer: w.signer, auditedItems: w.tables })(event, context);

    expect(out).toMatchObject({ ok: true, records: 7, anchoredSeq: 7, drifts: 0 });
    expect(w.anchors.objects.has(anchorObjectKey(7))).toBe(true);
  });

  it('reports a rewritten chain and an item changed outside the audited path, and anchors nothing', async () => {
    const w = await anchoredWorld();
    const list = w.records();
    list[0] = { ...list[0]!, actor: 'intruder' };
    w.rechain(list);
    w.tables.put(registry, { ...w.tables.get(registry, entryKey(2)), classification: 'public' });

    const out = await handler.with({ auditChain: w.tables, anchors: w.anchors, signer: w.signer, auditedItems: w.tables })(event, context);

    expect(out).toMatchObject({ ok: false, drifts: 1 });
    expect(out.anchoredSeq).toBeUndefined();
    expect(out.lines.join('\n')).toMatch(/审计链已被改写：第 1 条/);
    expect(w.anchors.objects.size).toBe(1);
  });
});
