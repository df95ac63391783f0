import type { AuditRecord } from '#shared/ports/audit.ts';
import type { ChainHead } from '#shared/audit/chain.ts';
import type { AuditChainStore, TransactItem } from '#adapters/dynamo-audit.ts';
import { applyUpdate, evaluate } from '#adapters/update-expression.ts';
import { keys } from '#adapters/dynamo.ts';

/**
 * An in-memory stand-in for the DynamoDB tables behind auditedWrite, for
 * unit tests of any domain that writes through it. It keeps TransactWriteItems
 * semantics that the writer depends on: every condition is evaluated before
 * anything is applied, a failure cancels the whole call with per-item
 * CancellationReasons, and each call yields to the event loop so concurrent
 * writers genuinely race. Expressions: comparisons, AND/OR/NOT, parentheses,
 * attribute_exists, attribute_not_exists, begins_with, contains, BETWEEN, IN;
 * updates: SET (=, +, -, if_not_exists, list_append), REMOVE, ADD (numbers).
 * Tables are keyed by pk/sk, as every chengguo table is.
 */
type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const clone = <T>(v: T): T => structuredClone(v);

export class InMemoryTables implements AuditChainStore {
  private readonly tables = new Map<string, Map<string, Item>>();
  /** Every successful transaction, in order (for assertions). */
  readonly transactions: TransactItem[][] = [];

  constructor(
    readonly logsTable = 'logs',
    private readonly pageSize = 50,
  ) {}

  private table(name: string): Map<string, Item> {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }

  private static keyOf(key: Item): string {
    return `${String(key['pk'])}\u0000${String(key['sk'])}`;
  }

  get(table: string, key: { pk: string; sk: string }): Item | undefined {
    const item = this.table(table).get(InMemoryTables.keyOf(key));
    return item ? clone(item) : undefined;
  }

  /** Writes directly, bypassing the chain — for arranging a test, or for tampering with one. */
  put(table: string, item: Item): void {
    this.table(table).set(InMemoryTables.keyOf(item), clone(item));
  }

  delete(table: string, key: { pk: string; sk: string }): void {
    this.table(table).delete(InMemoryTables.keyOf(key));
  }

  scan(table: string): Item[] {
    return [...this.table(table).values()].map(clone).sort((a, b) =>
      InMemoryTables.keyOf(a) < InMemoryTables.keyOf(b) ? -1 : 1,
    );
  }

  async getItem(table: string, key: { pk: string; sk: string }): Promise<Item | undefined> {
    await tick();
    return this.get(table, key);
  }

  /** ItemReader (shared/audit/item-states.ts): the live items at these keys. */
  async getItems(table: string, keyList: readonly { pk: string; sk: string }[]): Promise<Item[]> {
    await tick();
    return keyList.flatMap((k) => {
      const item = this.get(table, k);
      return item ? [item] : [];
    });
  }

  async readHead(shard?: string): Promise<ChainHead | undefined> {
    await tick();
    const head = this.get(this.logsTable, keys.auditHead(shard));
    return head ? { seq: Number(head['seq']), hash: String(head['hash']) } : undefined;
  }

  async readRecords(afterSeq?: number, shard?: string): Promise<{ records: AuditRecord[]; lastSeq?: number }> {
    await tick();
    const all = this.scan(this.logsTable)
      .filter((i) => i['pk'] === keys.auditPartition(shard) && String(i['sk']).startsWith('SEQ#'))
      .filter((i) => afterSeq === undefined || Number(String(i['sk']).slice(4)) > afterSeq);
    const page = all.slice(0, this.pageSize).map(({ pk: _pk, sk: _sk, ...r }) => r as unknown as AuditRecord);
    const last = page[page.length - 1];
    return { records: page, ...(all.length > this.pageSize && last ? { lastSeq: last.seq } : {}) };
  }

  async transactWrite(items: TransactItem[]): Promise<void> {
    await tick();
    if (items.length > 100) throw Object.assign(new Error('Member must have length less than or equal to 100'), { name: 'ValidationException' });
    const targets = items.map((i) => this.target(i));
    if (new Set(targets.map((t) => `${t.table}|${InMemoryTables.keyOf(t.key)}`)).size !== targets.length) {
      throw Object.assign(new Error('Transaction request cannot include multiple operations on one item'), { name: 'ValidationException' });
    }
    const reasons = items.map((item, i) => {
      const t = targets[i]!;
      const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
      const current = this.table(t.table).get(InMemoryTables.keyOf(t.key));
      const ok = !op?.ConditionExpression || evaluate(op.ConditionExpression, current, op.ExpressionAttributeNames, op.ExpressionAttributeValues);
      return ok ? { Code: 'None' } : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      throw Object.assign(
        new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`),
        { name: 'TransactionCanceledException', CancellationReasons: reasons },
      );
    }
    items.forEach((item, i) => {
      const t = targets[i]!;
      const table = this.table(t.table);
      const k = InMemoryTables.keyOf(t.key);
      if (item.Put) table.set(k, clone(item.Put.Item ?? {}));
      else if (item.Delete) table.delete(k);
      else if (item.Update) {
        const next = applyUpdate(
          item.Update.UpdateExpression ?? '',
          clone(table.get(k) ?? { ...t.key }),
          item.Update.ExpressionAttributeNames,
          item.Update.ExpressionAttributeValues,
        );
        table.set(k, next);
      }
    });
    this.transactions.push(clone(items));
  }

  private target(item: TransactItem): { table: string; key: Item } {
    if (item.Put) return { table: item.Put.TableName ?? '', key: { pk: item.Put.Item?.['pk'], sk: item.Put.Item?.['sk'] } };
    const op = item.Update ?? item.Delete ?? item.ConditionCheck;
    if (!op) throw new Error('transact item without an operation');
    return { table: op.TableName ?? '', key: op.Key ?? {} };
  }
}
