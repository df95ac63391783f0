import { ConflictError } from '#shared/errors.ts';
import { keys } from './dynamo.ts';
import type { AuditEntry, AuditTrail, ItemState } from '#shared/ports/audit.ts';
import { absentState, buildRecord, canonicalJson, genesisHash, itemStateHash, unknownState } from '#shared/audit/chain.ts';
import { applyUpdate } from './update-expression.ts';
import { shardOf } from '#shared/audit/shards.ts';
import { auditChainStoreFromEnv, type AuditChainStore, type TransactItem } from './dynamo-audit.ts';

export type { AuditChainStore, TransactItem } from './dynamo-audit.ts';
export type { AuditTrail } from '#shared/ports/audit.ts';

/** DynamoDB refuses a TransactWriteItems call with more items than this. */
export const maxTransactItems = 100;
/** The audit record and the chain head ride in every transaction. */
export const auditItemsPerWrite = 2;

/**
 * Head races are the only thing retried: the writers of one province contend
 * for their chain's head item (shared/audit/shards.ts), so each shard is a
 * serialisation point and the country has one per province plus the
 * national one (bench/audited-write.bench.ts). Full-jitter backoff spreads
 * the losers out.
 */
export const auditRetry = { attempts: 10, baseDelayMs: 10, maxDelayMs: 800 } as const;

export interface AuditedItem {
  readonly item: TransactItem;
  /** The error to throw when this item's ConditionExpression fails (else a ConflictError). */
  readonly onConditionFailed?: () => Error;
}

export interface AuditedWriteInput {
  readonly items: readonly AuditedItem[];
  readonly entry: AuditEntry;
  readonly now?: () => Date;
  /** Defaults to DynamoDB with LOGS_TABLE_NAME; unit tests pass a fake. */
  readonly store?: AuditChainStore;
}

let defaultStore: AuditChainStore | undefined;
// Static import (a dynamic one makes esbuild wrap the module graph and keep all of it, zod included).
async function storeFromEnv(): Promise<AuditChainStore> {
  defaultStore ??= auditChainStoreFromEnv();
  return defaultStore;
}

function itemKey(item: TransactItem): string {
  const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  if (!op) throw new Error('auditedWrite: a transact item needs Put, Update, Delete or ConditionCheck');
  const key = item.Put ? { pk: item.Put.Item?.['pk'], sk: item.Put.Item?.['sk'] } : (op as { Key?: Record<string, unknown> }).Key;
  return `${op.TableName ?? ''}|${canonicalJson(key)}`;
}

function checkShape(items: readonly AuditedItem[], logsTable: string): void {
  if (items.length + auditItemsPerWrite > maxTransactItems) {
    throw new Error(
      `auditedWrite: ${items.length} domain items + ${auditItemsPerWrite} audit items exceed the DynamoDB limit of ${maxTransactItems} per transaction`,
    );
  }
  const seen = new Set<string>();
  for (const { item } of items) {
    const k = itemKey(item);
    // DynamoDB refuses a transaction that names the same item twice.
    if (seen.has(k)) throw new Error(`auditedWrite: the same item appears twice in one transaction (${k})`);
    seen.add(k);
    const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
    const pk = item.Put ? item.Put.Item?.['pk'] : (op as { Key?: Record<string, unknown> }).Key?.['pk'];
    if (op?.TableName === logsTable && (pk === 'AUDIT' || (typeof pk === 'string' && pk.startsWith('AUDIT#')))) {
      throw new Error('auditedWrite: domain items may not touch the audit chain (pk=AUDIT, AUDIT#<shard>)');
    }
  }
}

/**
 * The state each domain item is left in (ItemState), for the record. Put:
 * the item as written. Delete: absent. Update: the item read now with the
 * update expression applied (the same interpreter as the in-memory fake).
 * Read AFTER the head: the transaction's head condition then guarantees that
 * no audited write of the same chain changed the item between this read and
 * the commit, so the computed state is the state DynamoDB will hold. A write
 * from ANOTHER province's chain to the same item in that window (tens of
 * milliseconds) is not excluded for an Update without its own condition;
 * audit:verify would then name the item (docs/audit.md, "Shards").
 */
async function itemStates(items: readonly AuditedItem[], store: AuditChainStore): Promise<ItemState[]> {
  const out: ItemState[] = [];
  for (const { item } of items) {
    if (item.ConditionCheck) continue;
    if (item.Put) {
      const written = item.Put.Item ?? {};
      out.push({ table: item.Put.TableName ?? '', pk: String(written['pk']), sk: String(written['sk']), hash: itemStateHash(written) });
      continue;
    }
    const op = item.Delete ?? item.Update;
    const key = (op?.Key ?? {}) as { pk: string; sk: string };
    const place = { table: op?.TableName ?? '', pk: String(key.pk), sk: String(key.sk) };
    if (item.Delete) {
      out.push({ ...place, hash: absentState });
      continue;
    }
    const update = item.Update!;
    let hash: string = unknownState;
    if (store.getItem) {
      try {
        const current = (await store.getItem(place.table, key)) ?? { pk: key.pk, sk: key.sk };
        const next = applyUpdate(update.UpdateExpression ?? '', structuredClone(current), update.ExpressionAttributeNames, update.ExpressionAttributeValues);
        hash = itemStateHash(JSON.parse(JSON.stringify(next)) as Record<string, unknown>);
      } catch {
        hash = unknownState;
      }
    }
    out.push({ ...place, hash });
  }
  return out;
}

interface Cancellation {
  readonly name: string;
  readonly CancellationReasons?: ReadonlyArray<{ Code?: string | undefined }>;
}
function isCancellation(error: unknown): error is Cancellation {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TransactionCanceledException';
}
const transient = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function defaultConflict(): ConflictError {
  return new ConflictError('CONDITION_FAILED', '数据已被修改或状态已变化，本次操作未执行；请刷新后重试');
}

/**
 * Writes the domain items, the next hash-chained audit record and the
 * advanced chain head in ONE TransactWriteItems call: the change and its
 * record commit together or not at all (R10.1, R20.1).
 *
 * Primary course:
 *  0. the chain: the acting organisation's province, else national (shardOf);
 *  1. read that chain's head (consistent read): seq n, hash h (genesis: 0, 64 zeros);
 *  2. build record n+1 with prevHash h;
 *  3. transact: domain items + Put record (attribute_not_exists) + Put head (seq = n);
 *  4. a domain condition failure throws that item's error, nothing written;
 *  5. a head race (another writer took n+1) retries from 1 with backoff.
 */
export async function auditedWrite(input: AuditedWriteInput): Promise<{ seq: number; hash: string }> {
  const store = input.store ?? (await storeFromEnv());
  const now = input.now ?? (() => new Date());
  checkShape(input.items, store.logsTable);
  const domainCount = input.items.length;
  const shard = (store.shardOf ?? shardOf)(input.entry.orgCode);

  for (let attempt = 0; attempt < auditRetry.attempts; attempt += 1) {
    const head = await store.readHead(shard);
    const seq = (head?.seq ?? 0) + 1;
    const states = await itemStates(input.items, store);
    const record = buildRecord(input.entry, seq, head?.hash ?? genesisHash, now(), states, shard);
    const items: TransactItem[] = [
      ...input.items.map((i) => i.item),
      {
        Put: {
          TableName: store.logsTable,
          Item: { ...keys.auditRecord(seq, shard), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: store.logsTable,
          Item: { ...keys.auditHead(shard), seq, hash: record.hash, time: record.time },
          ...(head
            ? { ConditionExpression: '#seq = :seq', ExpressionAttributeNames: { '#seq': 'seq' }, ExpressionAttributeValues: { ':seq': head.seq } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
    ];
    try {
      await store.transactWrite(items);
      return { seq, hash: record.hash };
    } catch (error) {
      if (isCancellation(error)) {
        const reasons = error.CancellationReasons ?? [];
        for (let i = 0; i < domainCount; i += 1) {
          if (reasons[i]?.Code === 'ConditionalCheckFailed') {
            throw input.items[i]?.onConditionFailed?.() ?? defaultConflict();
          }
        }
        const chainRace = reasons.slice(domainCount).some((r) => r.Code === 'ConditionalCheckFailed');
        const retryable = chainRace || reasons.some((r) => r.Code !== undefined && transient.has(r.Code));
        if (!retryable) {
          if (reasons.length > 0) throw error;
          // Some emulators omit the reasons: if the head moved it was a race, else the domain refused.
          const after = await store.readHead(shard);
          if ((after?.seq ?? 0) === (head?.seq ?? 0)) {
            const guarded = input.items.filter((i) => i.onConditionFailed);
            throw guarded.length === 1 && guarded[0]?.onConditionFailed ? guarded[0].onConditionFailed() : defaultConflict();
          }
        }
      } else if ((error as { name?: unknown } | null)?.name !== 'TransactionConflictException') {
        throw error;
      }
      const cap = Math.min(auditRetry.maxDelayMs, auditRetry.baseDelayMs * 2 ** attempt);
      await sleep(Math.random() * cap);
    }
  }
  throw new ConflictError('AUDIT_CHAIN_BUSY', '系统繁忙：审计记录写入冲突过多，本次操作未执行，请稍后重试');
}

/** An AuditTrail on the chain: one record that changes nothing else (see AuditTrail). */
export function auditTrail(store?: AuditChainStore, now?: () => Date): AuditTrail {
  return {
    append: (entry) => auditedWrite({ items: [], entry, ...(store ? { store } : {}), ...(now ? { now } : {}) }),
  };
}
