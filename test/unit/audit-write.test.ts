import { describe, expect, it } from 'vitest';
import { auditedWrite, auditRetry, type TransactItem } from '#adapters/audited-write.ts';
import { verifyChain } from '#shared/audit/chain.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { readWholeChain } from '#shared/audit/read-chain.ts';
import { ConflictError, PreconditionFailedError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';

const registry = 'registry';

const entry = (target: string): AuditEntry => ({
  actor: 'system:test',
  orgCode: '100000-NR',
  action: 'test.item.put',
  target,
  outcome: 'success',
  requestId: 'req-1',
});

const putOnce = (pk: string, extra: Record<string, unknown> = {}): TransactItem => ({
  Put: { TableName: registry, Item: { pk, sk: 'META', ...extra }, ConditionExpression: 'attribute_not_exists(pk)' },
});

describe('R10.1 auditedWrite: the change and its audit record commit together', () => {
  it('writes the domain item, record 1 chained to genesis, and the head in one transaction', async () => {
    const store = new InMemoryTables();

    const out = await auditedWrite({ items: [{ item: putOnce('THING#1') }], entry: entry('THING#1'), store, now: () => new Date('2026-03-02T01:02:03Z') });

    expect(out.seq).toBe(1);
    expect(store.transactions).toHaveLength(1);
    expect(store.transactions[0]).toHaveLength(3);
    expect(store.get(registry, { pk: 'THING#1', sk: 'META' })).toBeDefined();
    expect(store.get('logs', { pk: 'AUDIT', sk: 'HEAD' })).toMatchObject({ seq: 1, hash: out.hash });
    expect(store.get('logs', { pk: 'AUDIT', sk: 'SEQ#000000000001' })).toMatchObject({
      seq: 1,
      time: '2026-03-02T01:02:03.000Z',
      target: 'THING#1',
      prevHash: '0'.repeat(64),
      hash: out.hash,
    });
  });

  it('advances the chain record by record, each linked to the one before', async () => {
    const store = new InMemoryTables();

    for (let i = 1; i <= 4; i += 1) await auditedWrite({ items: [{ item: putOnce(`THING#${i}`) }], entry: entry(`THING#${i}`), store });
    const { head, records } = await readWholeChain(store);

    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(verifyChain(records, head ?? null)).toEqual({ ok: true, count: 4 });
  });

  it("throws the failing item's own error and writes nothing when its condition fails", async () => {
    const store = new InMemoryTables();
    await auditedWrite({ items: [{ item: putOnce('THING#1') }], entry: entry('THING#1'), store });

    const attempt = auditedWrite({
      items: [
        { item: putOnce('THING#2') },
        { item: putOnce('THING#1'), onConditionFailed: () => new PreconditionFailedError('ALREADY_EXISTS', '已存在') },
      ],
      entry: entry('THING#1'),
      store,
    });

    await expect(attempt).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(store.get(registry, { pk: 'THING#2', sk: 'META' })).toBeUndefined();
    expect(store.get('logs', { pk: 'AUDIT', sk: 'HEAD' })).toMatchObject({ seq: 1 });
    expect(store.transactions).toHaveLength(1);
  });

  it('throws a ConflictError with a Chinese message when the failing item names no error', async () => {
    const store = new InMemoryTables();
    store.put(registry, { pk: 'THING#1', sk: 'META' });

    const attempt = auditedWrite({ items: [{ item: putOnce('THING#1') }], entry: entry('THING#1'), store });

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'CONDITION_FAILED', message: expect.stringMatching(/请刷新后重试/) });
  });

  it('applies conditional updates (the shape domain code uses) in the same transaction', async () => {
    const store = new InMemoryTables();
    store.put(registry, { pk: 'USER#a', sk: 'META', clearance: 'internal', version: 1 });
    const update = (expected: string): TransactItem => ({
      Update: {
        TableName: registry,
        Key: { pk: 'USER#a', sk: 'META' },
        UpdateExpression: 'SET #c = :to, #v = #v + :one',
        ConditionExpression: 'attribute_exists(pk) AND #c = :from',
        ExpressionAttributeNames: { '#c': 'clearance', '#v': 'version' },
        ExpressionAttributeValues: { ':to': 'secret', ':from': expected, ':one': 1 },
      },
    });

    await auditedWrite({ items: [{ item: update('internal') }], entry: entry('USER#a'), store });
    const stale = auditedWrite({ items: [{ item: update('internal') }], entry: entry('USER#a'), store });

    expect(store.get(registry, { pk: 'USER#a', sk: 'META' })).toMatchObject({ clearance: 'secret', version: 2 });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
  });

  it('writes a record with no domain items (an audited refusal or a read worth recording)', async () => {
    const store = new InMemoryTables();

    const out = await auditedWrite({ items: [], entry: { ...entry('THING#x'), outcome: 'refused' }, store });

    expect(out.seq).toBe(1);
  });

  it('refuses, before any call, more items than one DynamoDB transaction holds', async () => {
    const store = new InMemoryTables();
    const items = Array.from({ length: 99 }, (_, i) => ({ item: putOnce(`THING#${i}`) }));

    await expect(auditedWrite({ items, entry: entry('many'), store })).rejects.toThrow(/limit of 100/);
    expect(store.transactions).toHaveLength(0);
  });

  it('refuses the same item twice, and domain items that touch the chain itself', async () => {
    const store = new InMemoryTables();
    const tamper: TransactItem = { Put: { TableName: 'logs', Item: { pk: 'AUDIT', sk: 'HEAD', seq: 0 } } };

    await expect(auditedWrite({ items: [{ item: putOnce('A') }, { item: putOnce('A') }], entry: entry('A'), store })).rejects.toThrow(/twice/);
    await expect(auditedWrite({ items: [{ item: tamper }], entry: entry('A'), store })).rejects.toThrow(/pk=AUDIT/);
  });
});

describe('R10.1 auditedWrite under concurrency: head races are retried, the chain stays whole', () => {
  it('gives 20 concurrent writers seq 1..20 and a chain that verifies', async () => {
    const store = new InMemoryTables('logs', 7);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => auditedWrite({ items: [{ item: putOnce(`THING#${i}`) }], entry: entry(`THING#${i}`), store })),
    );
    const { head, records } = await readWholeChain(store);

    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.target)).size).toBe(20);
    expect(verifyChain(records, head ?? null)).toEqual({ ok: true, count: 20 });
    expect(store.scan(registry)).toHaveLength(20);
  });

  it('gives up with AUDIT_CHAIN_BUSY after bounded retries when the head keeps moving', async () => {
    const store = new InMemoryTables();
    let transacts = 0;
    const racing = {
      logsTable: store.logsTable,
      readHead: () => store.readHead(),
      readRecords: (after?: number) => store.readRecords(after),
      transactWrite: async () => {
        transacts += 1;
        throw Object.assign(new Error('cancelled'), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
        });
      },
    };

    const attempt = auditedWrite({ items: [{ item: putOnce('THING#1') }], entry: entry('THING#1'), store: racing });

    await expect(attempt).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BUSY' });
    expect(transacts).toBe(auditRetry.attempts);
  });

  it('passes on errors that are not a cancellation, without retrying', async () => {
    const store = new InMemoryTables();
    let transacts = 0;
    const broken = {
      logsTable: store.logsTable,
      readHead: () => store.readHead(),
      readRecords: (after?: number) => store.readRecords(after),
      transactWrite: async () => {
        transacts += 1;
        throw Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
      },
    };

    await expect(auditedWrite({ items: [], entry: entry('x'), store: broken })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(transacts).toBe(1);
  });
});
