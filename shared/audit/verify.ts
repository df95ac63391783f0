import type { AuditChainReader, AuditRecord } from '#shared/ports/audit.ts';
import { checkAgainstAnchors, nextCheckpoint, shardOfAnchorKey, signAnchor, type AnchorCheck, type AnchorSigner, type AnchorStore, type SignedAnchor } from './anchor.ts';
import { verifyChain, type ChainVerdict } from './chain.ts';
import { checkItemStates, type ItemReader, type ItemStateCheck } from './item-states.ts';
import { readAllChains, readWholeChain } from './read-chain.ts';
import { allShards, nationalShard, shardLabel } from './shards.ts';

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

/** Reads one shard's stored chain (default national) and verifies it against its head. */
export async function verifyStoredChain(store: AuditChainReader, shard?: string): Promise<{ verdict: ChainVerdict; lines: string[] }> {
  const { head, records } = await readWholeChain(store, shard);
  const verdict = verifyChain(records, head ?? null);
  return { verdict, lines: describeVerdict(verdict) };
}

export interface AuditVerifyDeps {
  readonly store: AuditChainReader;
  readonly anchors: AnchorStore;
  readonly signer: AnchorSigner;
  readonly items: ItemReader;
  readonly now?: () => Date;
  /** Write a new anchor when the chain is intact (default true: every verify anchors). */
  readonly anchor?: boolean;
}

/** One shard's part of the verdict. */
export interface ShardVerdict {
  readonly shard: string;
  readonly chain: ChainVerdict;
  readonly anchors: AnchorCheck;
  /** The anchor written for this shard by this run, if any. */
  readonly anchored?: SignedAnchor;
}

export interface AuditVerifyResult {
  readonly ok: boolean;
  /** All shards: the first broken shard's verdict, else intact with the records of every shard counted. */
  readonly chain: ChainVerdict;
  /** All shards: valid and forged anchors of every shard, the first finding. */
  readonly anchors: AnchorCheck;
  readonly items: ItemStateCheck;
  /** The first anchor written by this run, if any (every one: `shards[].anchored`). */
  readonly anchored?: SignedAnchor;
  /** Per shard that holds anything, national first. */
  readonly shards: ShardVerdict[];
  readonly lines: string[];
}

function shardLines(v: ShardVerdict): string[] {
  const lines: string[] = [];
  const { anchors, chain, anchored } = v;
  if (anchors.finding) {
    const f = anchors.finding;
    lines.push(`审计链已被改写：第 ${f.seq} 条 (audit chain rewritten at seq ${f.seq})`);
    lines.push(`  原因 reason: ${f.kind === 'record-missing' ? '锚定记录缺失 (anchored record missing)' : '与锚点不符 (differs from the signed anchor)'}`);
    lines.push(`  ${f.message}`);
    if (f.kind === 'record-differs') lines.push(`  问题记录 record: 第 ${f.record.seq} 条 (seq ${f.record.seq}) · 操作 action=${f.record.action} · 对象 target=${f.record.target} · 时间 time=${f.record.time} · 操作人 actor=${f.record.actor}`);
  }
  if (!chain.ok || !anchors.finding) lines.push(...describeVerdict(chain));
  for (const f of anchors.forged) lines.push(f.message);
  const latest = anchored ?? anchors.valid[anchors.valid.length - 1];
  const count = anchors.valid.length + (anchored ? 1 : 0);
  lines.push(
    count === 0
      ? '尚无签名锚点 (no signed anchor yet)'
      : `签名锚点 ${count} 个，最新锚定至第 ${latest?.checkpoint.seq} 条 (signed anchors: ${count}; latest at seq ${latest?.checkpoint.seq})${anchored ? '；本次新写入锚点 (new anchor written)' : ''}`,
  );
  return lines;
}

/**
 * `npm run audit:verify` and the scheduled AuditAnchor job (R10.1, issue 8 §2),
 * for every shard of the chain (shared/audit/shards.ts):
 *  1. the shard's own links and head (verifyChain);
 *  2. every signed anchor of the shard in write-once storage: a forged anchor
 *     (or one filed under another shard) is named, and the first record that
 *     differs from (or is missing against) an anchored hash is named — this is
 *     what catches a rewrite with recomputed hashes;
 *  3. every item an audited write of any shard touched against the state its
 *     last record says it left: an item changed outside the audited path is named;
 *  4. for each shard where 1 and 2 hold, a new signed anchor of its head (write-once).
 */
export async function auditVerify(deps: AuditVerifyDeps): Promise<AuditVerifyResult> {
  const now = deps.now ?? (() => new Date());
  const chains = await readAllChains(deps.store);
  const stored = await deps.anchors.list();
  const storedByShard = new Map<string, typeof stored>();
  for (const a of stored) {
    const shard = shardOfAnchorKey(a.key);
    storedByShard.set(shard, [...(storedByShard.get(shard) ?? []), a]);
  }
  // A shard whose records are all gone still has its anchors: that is a finding, not an empty shard.
  const shards = [...new Set([...chains.map((c) => c.shard), ...storedByShard.keys()])].sort((a, b) => allShards.indexOf(a) - allShards.indexOf(b));
  if (shards.length === 0) shards.push(nationalShard);

  const verdicts: ShardVerdict[] = [];
  for (const shard of shards) {
    const { head, records } = chains.find((c) => c.shard === shard) ?? { head: undefined, records: [] };
    const chain = verifyChain(records, head ?? null);
    const anchors = await checkAgainstAnchors(records, storedByShard.get(shard) ?? [], deps.signer);
    let anchored: SignedAnchor | undefined;
    if (chain.ok && !anchors.finding && head && deps.anchor !== false) {
      const latest = anchors.valid[anchors.valid.length - 1];
      const checkpoint = nextCheckpoint(records, head, latest, deps.signer.keyId, now(), shard);
      if (checkpoint) {
        const signed = await signAnchor(checkpoint, deps.signer);
        if (await deps.anchors.put(signed)) anchored = signed;
      }
    }
    verdicts.push({ shard, chain, anchors, ...(anchored ? { anchored } : {}) });
  }
  const items = await checkItemStates(chains.flatMap((c) => c.records), deps.items);

  const broken = verdicts.find((v) => !v.chain.ok);
  const chain: ChainVerdict = broken?.chain ?? { ok: true, count: verdicts.reduce((n, v) => n + (v.chain.ok ? v.chain.count : 0), 0) };
  const finding = verdicts.find((v) => v.anchors.finding)?.anchors.finding;
  const anchors: AnchorCheck = {
    valid: verdicts.flatMap((v) => v.anchors.valid),
    forged: verdicts.flatMap((v) => v.anchors.forged),
    ...(finding ? { finding } : {}),
  };
  const anchored = verdicts.find((v) => v.anchored)?.anchored;

  const lines: string[] = [];
  const onlyNational = verdicts.length === 1 && verdicts[0]!.shard === nationalShard;
  for (const v of verdicts) {
    if (!onlyNational) lines.push(`【${shardLabel(v.shard)}】`);
    lines.push(...shardLines(v).map((l) => (onlyNational ? l : `  ${l}`)));
  }
  if (!onlyNational) {
    lines.push(
      `共 ${verdicts.length} 条链，${chain.ok ? `全部完整，${chain.count} 条记录` : '存在断开或被改写的链'} (${verdicts.length} chains; ${chain.ok ? `all intact, ${chain.count} records` : 'at least one broken or rewritten'})`,
    );
  }
  lines.push(
    items.drifts.length === 0
      ? `条目状态一致：${items.checked} 个条目与其最后一条审计记录相符 (item states: ${items.checked} items match their last audit record${items.unknown ? `; ${items.unknown} not comparable` : ''})`
      : `条目在审计路径之外被改动：${items.drifts.length} 个 (items changed outside the audited path: ${items.drifts.length})`,
  );
  for (const d of items.drifts) lines.push(`  ${d.message}`);
  const ok = chain.ok && !finding && anchors.forged.length === 0 && items.drifts.length === 0;
  return { ok, chain, anchors, items, ...(anchored ? { anchored } : {}), shards: verdicts, lines };
}
