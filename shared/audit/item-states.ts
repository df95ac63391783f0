import type { AuditRecord } from '#shared/ports/audit.ts';
import { absentState, itemStateHash, unknownState } from './chain.ts';

type Key = { pk: string; sk: string };

/** Reads live items (BatchGetItem on AWS; the in-memory tables in unit tests). */
export interface ItemReader {
  getItems(table: string, keys: readonly Key[]): Promise<Record<string, unknown>[]>;
}

export interface ItemDrift {
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
  /** The last audit record that wrote the item. */
  readonly seq: number;
  readonly action: string;
  readonly time: string;
  readonly kind: 'changed' | 'deleted' | 'recreated';
  readonly message: string;
}

export interface ItemStateCheck {
  /** Items whose last audited state was compared. */
  readonly checked: number;
  /** Items whose last state is `unknown` (not comparable). */
  readonly unknown: number;
  readonly drifts: ItemDrift[];
}

const batch = 100;

/**
 * The order the writes happened in: within a shard's chain, seq order (the
 * chain serialises them); across shards, by record time, merged so each
 * shard's own order is kept. Two shards' writes to one item within the same
 * clock tick cannot be told apart (docs/audit.md, "Shards").
 */
export function writeOrder(records: readonly AuditRecord[]): AuditRecord[] {
  const byShard = new Map<string, AuditRecord[]>();
  for (const r of records) byShard.set(r.shard ?? '', [...(byShard.get(r.shard ?? '') ?? []), r]);
  const queues = [...byShard.values()].map((list) => list.sort((a, b) => a.seq - b.seq));
  if (queues.length <= 1) return queues[0] ?? [];
  const out: AuditRecord[] = [];
  const at = queues.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let q = 0; q < queues.length; q += 1) {
      const r = queues[q]![at[q]!];
      if (r && (pick < 0 || r.time < queues[pick]![at[pick]!]!.time)) pick = q;
    }
    if (pick < 0) return out;
    out.push(queues[pick]![at[pick]!]!);
    at[pick] = at[pick]! + 1;
  }
}

/**
 * Compares every item an audited write touched with the state its last audit
 * record says the write left (R10.1, issue 8 §2): an item edited, deleted or
 * re-created outside the audited path (a direct DynamoDB write) is named with
 * the record it no longer matches. Items no audited write ever touched (search
 * index items, derived copies) are not in scope: they are rebuilt from the
 * audited items.
 */
export async function checkItemStates(records: readonly AuditRecord[], reader: ItemReader): Promise<ItemStateCheck> {
  const last = new Map<string, { table: string; pk: string; sk: string; hash: string; record: AuditRecord }>();
  for (const record of writeOrder(records)) {
    for (const s of record.states ?? []) last.set(`${s.table}\u0000${s.pk}\u0000${s.sk}`, { ...s, record });
  }
  const byTable = new Map<string, Array<{ pk: string; sk: string; hash: string; record: AuditRecord }>>();
  let unknown = 0;
  for (const s of last.values()) {
    if (s.hash === unknownState) {
      unknown += 1;
      continue;
    }
    const list = byTable.get(s.table) ?? [];
    list.push(s);
    byTable.set(s.table, list);
  }
  const drifts: ItemDrift[] = [];
  let checked = 0;
  for (const [table, expected] of byTable) {
    for (let i = 0; i < expected.length; i += batch) {
      const chunk = expected.slice(i, i + batch);
      const live = await reader.getItems(table, chunk.map(({ pk, sk }) => ({ pk, sk })));
      const liveByKey = new Map(live.map((item) => [`${String(item['pk'])}\u0000${String(item['sk'])}`, item]));
      for (const want of chunk) {
        checked += 1;
        const item = liveByKey.get(`${want.pk}\u0000${want.sk}`);
        const have = itemStateHash(item);
        if (have === want.hash) continue;
        const kind = want.hash === absentState ? 'recreated' : item === undefined ? 'deleted' : 'changed';
        const what = { changed: '在审计路径之外被修改', deleted: '在审计路径之外被删除', recreated: '删除后在审计路径之外被重新写入' }[kind];
        const english = { changed: 'was changed outside the audited path', deleted: 'was deleted outside the audited path', recreated: 'was re-created outside the audited path' }[kind];
        drifts.push({
          table,
          pk: want.pk,
          sk: want.sk,
          seq: want.record.seq,
          action: want.record.action,
          time: want.record.time,
          kind,
          message: `${want.pk} ${want.sk} ${what}：与第 ${want.record.seq} 条审计记录（${want.record.action} @ ${want.record.time}）写入的状态不符 (${want.pk} ${want.sk} ${english}: it no longer matches the state audit record ${want.record.seq} wrote)`,
        });
      }
    }
  }
  drifts.sort((a, b) => a.seq - b.seq || (a.pk < b.pk ? -1 : 1));
  return { checked, unknown, drifts };
}
