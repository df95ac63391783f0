import { describe, expect, it } from 'vitest';
import { KeyFileAnchorSigner } from '#adapters/audit-anchor.ts';
import { auditedWrite } from '#adapters/audited-write.ts';
import { keys } from '#adapters/dynamo.ts';
import { anchorObjectKey } from '#shared/audit/anchor.ts';
import { genesisHash, hashRecord, verifyChain } from '#shared/audit/chain.ts';
import { readAllChains, readWholeChain } from '#shared/audit/read-chain.ts';
import { allShards, nationalShard, provinceShards, shardOf } from '#shared/audit/shards.ts';
import { auditVerify } from '#shared/audit/verify.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { InMemoryAnchorStore } from '#test/fakes/audit-anchors.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';

const registry = 'registry';

/** Writes from three provinces' organisations and a national one, then one verify (which anchors every chain). */
async function shardedWorld() {
  const tables = new InMemoryTables('logs', 3);
  const anchors = new InMemoryAnchorStore();
  const signer = KeyFileAnchorSigner.generate();
  let clock = Date.UTC(2026, 11, 1, 8, 0, 0);
  const now = () => new Date((clock += 1000));
  const write = (orgCode: string, target: string, item?: Record<string, unknown>, update?: { key: { pk: string; sk: string }; set: Record<string, unknown> }) =>
    auditedWrite({
      items: item
        ? [{ item: { Put: { TableName: registry, Item: item } } }]
        : update
          ? [
              {
                item: {
                  Update: {
                    TableName: registry,
                    Key: update.key,
                    UpdateExpression: `SET ${Object.keys(update.set).map((k, i) => `#a${i} = :v${i}`).join(', ')}`,
                    ExpressionAttributeNames: Object.fromEntries(Object.keys(update.set).map((k, i) => [`#a${i}`, k])),
                    ExpressionAttributeValues: Object.fromEntries(Object.values(update.set).map((v, i) => [`:v${i}`, v])),
                  },
                },
              },
            ]
          : [],
      entry: { actor: `user.${orgCode}`, orgCode, action: 'test.write', target, outcome: 'success', requestId: `r-${target}` },
      store: tables,
      now,
    });
  for (let i = 1; i <= 3; i += 1) {
    await write('440000-CUS', `CAT#44-${i}`, { pk: `CAT#44-${i}`, sk: 'META', n: i });
    await write('350100-NR', `CAT#35-${i}`, { pk: `CAT#35-${i}`, sk: 'META', n: i });
  }
  await write('100000-NR', 'CALENDAR#2027');
  await write('SYSTEM', 'SCHEDULE#x');
  const verify = (anchor = true) => auditVerify({ store: tables, anchors, signer, items: tables, now, anchor });
  const first = await verify();
  return { tables, anchors, signer, first, verify, write, now };
}

describe('R10.1 the audit chain is sharded: one chain per province and a national chain (issue 10)', () => {
  it('sends a write to the chain of the acting organisation’s province, national bodies and system actors to the national chain', () => {
    expect(shardOf('440000-CUS')).toBe('44');
    expect(shardOf('440117-NR')).toBe('44');
    expect(shardOf('350100-NR')).toBe('35');
    expect(shardOf('100000-NR')).toBe(nationalShard);
    expect(shardOf('SYSTEM')).toBe(nationalShard);
    expect(shardOf('990000-X')).toBe(nationalShard);
    expect(allShards).toHaveLength(provinceShards.length + 1);
  });

  it('numbers each chain from 1 on its own keys, records carry their shard, and every chain verifies', async () => {
    const w = await shardedWorld();

    const chains = await readAllChains(w.tables);

    expect(chains.map((c) => c.shard)).toEqual([nationalShard, '35', '44']);
    for (const c of chains) {
      expect(c.records.map((r) => r.seq)).toEqual(Array.from({ length: c.records.length }, (_, i) => i + 1));
      expect(verifyChain(c.records, c.head ?? null).ok).toBe(true);
    }
    expect(chains.find((c) => c.shard === '44')!.records.every((r) => r.shard === '44')).toBe(true);
    expect(chains.find((c) => c.shard === nationalShard)!.records.every((r) => r.shard === undefined)).toBe(true);
    expect(w.tables.get('logs', keys.auditHead('44'))).toMatchObject({ seq: 3 });
    expect(w.tables.get('logs', { pk: 'AUDIT#44', sk: 'SEQ#000000000003' })).toMatchObject({ target: 'CAT#44-3' });
    expect(w.tables.get('logs', { pk: 'AUDIT', sk: 'HEAD' })).toMatchObject({ seq: 2 });
  });

  it('a write touches only its own chain’s head: its transaction names no other shard’s keys', async () => {
    const w = await shardedWorld();

    await w.write('350100-NR', 'CAT#35-9', { pk: 'CAT#35-9', sk: 'META' });
    const tx = w.tables.transactions.at(-1)!;

    const auditPks = tx.map((i) => String(i.Put?.Item?.['pk'] ?? '')).filter((pk) => pk.startsWith('AUDIT'));
    expect(auditPks).toEqual(['AUDIT#35', 'AUDIT#35']);
    expect(tx.find((i) => i.Put?.Item?.['sk'] === 'HEAD')?.Put?.ExpressionAttributeValues).toEqual({ ':seq': 3 });
  });

  it('gives 30 concurrent writers from 10 provinces gapless numbers in each province’s chain', async () => {
    const tables = new InMemoryTables();
    const provinces = provinceShards.slice(0, 10);

    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        auditedWrite({
          items: [{ item: { Put: { TableName: registry, Item: { pk: `X#${i}`, sk: 'META' }, ConditionExpression: 'attribute_not_exists(pk)' } } }],
          entry: { actor: `w${i}`, orgCode: `${provinces[i % 10]}0000-T`, action: 'test.concurrent', target: `X#${i}`, outcome: 'success', requestId: `c${i}` },
          store: tables,
        }),
      ),
    );

    for (const p of provinces) {
      const { head, records } = await readWholeChain(tables, p);
      expect(records.map((r) => r.seq), p).toEqual([1, 2, 3]);
      expect(verifyChain(records, head ?? null).ok, p).toBe(true);
    }
  });

  it('anchors every chain with a signed checkpoint of its own head, filed under its shard; a second verify writes none', async () => {
    const w = await shardedWorld();

    const again = await w.verify();

    expect(w.first.ok).toBe(true);
    expect([...w.anchors.objects.keys()].sort()).toEqual([anchorObjectKey(2), anchorObjectKey(3, '35'), anchorObjectKey(3, '44')].sort());
    expect(anchorObjectKey(3, '44')).toBe('audit-anchors/44/000000000003.json');
    expect(w.first.shards.map((s) => [s.shard, s.anchored?.checkpoint.shard, s.anchored?.checkpoint.seq])).toEqual([
      [nationalShard, undefined, 2],
      ['35', '35', 3],
      ['44', '44', 3],
    ]);
    expect(again.ok).toBe(true);
    expect(again.shards.every((s) => s.anchored === undefined)).toBe(true);
    expect(again.lines.join('\n')).toMatch(/共 3 条链，全部完整，8 条记录/);
  });

  it('names the province chain that was rewritten (edit, recompute every later hash and the head) and leaves the others intact', async () => {
    const w = await shardedWorld();
    const { records } = await readWholeChain(w.tables, '35');
    let prev = genesisHash;
    for (const r of records) {
      const edited = { ...r, prevHash: prev, ...(r.seq === 2 ? { actor: 'intruder' } : {}) };
      const { hash: _h, ...rest } = edited;
      const hash = hashRecord(rest, prev);
      w.tables.put('logs', { ...keys.auditRecord(r.seq, '35'), ...rest, hash });
      prev = hash;
    }
    w.tables.put('logs', { ...keys.auditHead('35'), seq: 3, hash: prev, time: new Date().toISOString() });

    const out = await w.verify();

    expect(out.ok).toBe(false);
    expect(out.chain.ok).toBe(true);
    expect(out.shards.find((s) => s.shard === '35')!.anchors.finding).toMatchObject({ kind: 'record-differs', seq: 2 });
    expect(out.shards.filter((s) => s.shard !== '35').every((s) => !s.anchors.finding)).toBe(true);
    expect(out.lines.join('\n')).toMatch(/【省级链 35 \(province chain 35\)】\n {2}审计链已被改写：第 2 条/);
    expect(out.shards.find((s) => s.shard === '35')!.anchored).toBeUndefined();
  });

  it('notices a whole province chain deleted (records and head) through its anchors', async () => {
    const w = await shardedWorld();
    for (const i of w.tables.scan('logs')) if (i['pk'] === 'AUDIT#44') w.tables.delete('logs', { pk: 'AUDIT#44', sk: String(i['sk']) });

    const out = await w.verify();

    expect(out.ok).toBe(false);
    expect(out.shards.find((s) => s.shard === '44')!.anchors.finding).toMatchObject({ kind: 'record-missing', seq: 1 });
  });

  it('refuses an anchor filed under another chain’s folder, even with a good signature', async () => {
    const w = await shardedWorld();
    w.anchors.objects.set('audit-anchors/35/000000000004.json', w.anchors.objects.get(anchorObjectKey(3, '44'))!);

    const out = await w.verify();

    expect(out.ok).toBe(false);
    expect(out.anchors.forged.map((f) => f.key)).toEqual(['audit-anchors/35/000000000004.json']);
    expect(out.lines.join('\n')).toMatch(/锚点 audit-anchors\/35\/000000000004.json 无效：所属链不符/);
  });

  it('orders one item’s writes from two chains by time: the later national update is its state; a direct edit after it is named', async () => {
    const w = await shardedWorld();
    await w.write('100000-NR', 'CAT#44-1', undefined, { key: { pk: 'CAT#44-1', sk: 'META' }, set: { reviewed: true } });

    const clean = await w.verify();
    w.tables.put(registry, { ...w.tables.get(registry, { pk: 'CAT#44-1', sk: 'META' }), reviewed: false });
    const tampered = await w.verify();

    expect(clean.ok).toBe(true);
    expect(clean.items.drifts).toEqual([]);
    expect(tampered.items.drifts).toEqual([expect.objectContaining({ pk: 'CAT#44-1', kind: 'changed', seq: 3, action: 'test.write' })]);
  });

  it('binds a record to its shard: a province record moved into the national chain fails its hash', async () => {
    const w = await shardedWorld();
    const { pk: _pk, sk: _sk, ...stored } = w.tables.get('logs', { pk: 'AUDIT#44', sk: 'SEQ#000000000001' })!;
    const moved = stored as unknown as AuditRecord;
    const { shard: _s, ...withoutShard } = moved;

    expect(hashRecord(withoutShard as AuditRecord, moved.prevHash)).not.toBe(moved.hash);
    expect(hashRecord(moved, moved.prevHash)).toBe(moved.hash);
  });
});
