import { describe, expect, it } from 'vitest';
import { auditedWrite } from '#adapters/audited-write.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { verifyStoredChain } from '#shared/audit/verify.ts';

async function chainOf(length: number, pageSize = 4): Promise<InMemoryTables> {
  const tables = new InMemoryTables('logs', pageSize);
  for (let i = 1; i <= length; i += 1) {
    await auditedWrite({
      items: [],
      entry: { actor: 'wang.qiang', orgCode: '100000-NR', action: 'calendar.year.put', target: `CALENDAR#${2020 + i}`, outcome: 'success', requestId: `r${i}` },
      store: tables,
      now: () => new Date(Date.UTC(2026, 10, 1, 9, 0, i)),
    });
  }
  return tables;
}

const seqKey = (seq: number) => ({ pk: 'AUDIT', sk: `SEQ#${String(seq).padStart(12, '0')}` });

describe('R10.1 npm run audit:verify report', () => {
  it('reports an intact chain read across several pages, in Chinese and English', async () => {
    const tables = await chainOf(10);

    const { verdict, lines } = await verifyStoredChain(tables);

    expect(verdict).toEqual({ ok: true, count: 10 });
    expect(lines).toEqual(['审计链完整：10 条记录 (audit chain intact: 10 records)']);
  });

  it('reports an empty chain as intact with 0 records', async () => {
    const { lines } = await verifyStoredChain(new InMemoryTables());

    expect(lines[0]).toBe('审计链完整：0 条记录 (audit chain intact: 0 records)');
  });

  it('names the altered record with its seq, action, target, time and reason', async () => {
    const tables = await chainOf(6);
    tables.put('logs', { ...tables.get('logs', seqKey(5)), target: 'CALENDAR#1999' });

    const { verdict, lines } = await verifyStoredChain(tables);
    const text = lines.join('\n');

    expect(verdict).toMatchObject({ ok: false, seq: 5, reason: 'hash-mismatch' });
    expect(text).toContain('第 5 条');
    expect(text).toContain('action=calendar.year.put');
    expect(text).toContain('target=CALENDAR#1999');
    expect(text).toContain('time=2026-11-01T09:00:05.000Z');
    expect(text).toMatch(/内容与哈希不符 \(hash mismatch\)/);
  });

  it('names the first missing record and the last good one around it', async () => {
    const tables = await chainOf(6);
    tables.delete('logs', seqKey(3));

    const { verdict, lines } = await verifyStoredChain(tables);
    const text = lines.join('\n');

    expect(verdict).toMatchObject({ ok: false, seq: 3, reason: 'missing' });
    expect(text).toMatch(/第 3 条审计记录缺失/);
    expect(text).toContain('上一条完好记录 last good: 第 2 条');
    expect(text).toContain('缺失后的下一条 next present: 第 4 条');
  });

  it('notices records removed from the end through the head', async () => {
    const tables = await chainOf(6);
    tables.delete('logs', seqKey(6));

    const { verdict } = await verifyStoredChain(tables);

    expect(verdict).toMatchObject({ ok: false, seq: 6, reason: 'missing' });
  });
});
