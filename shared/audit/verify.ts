import type { AuditRecord } from '#shared/ports/audit.ts';
import { verifyChain, type ChainVerdict } from './chain.ts';
import { readWholeChain } from './read-chain.ts';
import type { AuditChainStore } from './store.ts';

const reasonLabels: Record<Exclude<ChainVerdict, { ok: true }>['reason'], string> = {
  missing: '记录缺失 (missing)',
  'hash-mismatch': '内容与哈希不符 (hash mismatch)',
  'prev-mismatch': '前序哈希不符 (broken link)',
  'head-mismatch': '链头与末条记录不符 (head mismatch)',
};

function line(label: string, r: AuditRecord): string {
  return `  ${label}: 第 ${r.seq} 条 (seq ${r.seq}) · 操作 action=${r.action} · 对象 target=${r.target} · 时间 time=${r.time} · 操作人 actor=${r.actor}`;
}

/** The verifier's report, Chinese first, one fact a line. */
export function describeVerdict(verdict: ChainVerdict): string[] {
  if (verdict.ok) return [`审计链完整：${verdict.count} 条记录 (audit chain intact: ${verdict.count} records)`];
  const out = [
    `审计链已断开：第 ${verdict.seq} 条 (audit chain broken at seq ${verdict.seq})`,
    `  原因 reason: ${reasonLabels[verdict.reason]}`,
    `  ${verdict.message}`,
  ];
  if (verdict.record) out.push(line(verdict.reason === 'missing' ? '缺失后的下一条 next present' : '问题记录 record', verdict.record));
  if (verdict.previous) out.push(line('上一条完好记录 last good', verdict.previous));
  return out;
}

/** Reads the whole stored chain and verifies it against its head. */
export async function verifyStoredChain(store: Pick<AuditChainStore, 'readHead' | 'readRecords'>): Promise<{ verdict: ChainVerdict; lines: string[] }> {
  const { head, records } = await readWholeChain(store);
  const verdict = verifyChain(records, head ?? null);
  return { verdict, lines: describeVerdict(verdict) };
}
