import type { AuditRecord } from '#shared/ports/audit.ts';
import type { ChainHead } from './chain.ts';
import type { AuditChainStore, TransactItem } from './store.ts';

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

  async readHead(): Promise<ChainHead | undefined> {
    await tick();
    const head = this.get(this.logsTable, { pk: 'AUDIT', sk: 'HEAD' });
    return head ? { seq: Number(head['seq']), hash: String(head['hash']) } : undefined;
  }

  async readRecords(afterSeq?: number): Promise<{ records: AuditRecord[]; lastSeq?: number }> {
    await tick();
    const all = this.scan(this.logsTable)
      .filter((i) => i['pk'] === 'AUDIT' && String(i['sk']).startsWith('SEQ#'))
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

// ---- expressions ---------------------------------------------------------

const tokenPattern = /\s*(<>|<=|>=|=|<|>|\(|\)|,|\+|-|[#:]?[A-Za-z_][A-Za-z0-9_]*(?:(?:\.[#]?[A-Za-z_][A-Za-z0-9_]*)|\[\d+\])*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  tokenPattern.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (tokenPattern.lastIndex < expression.length && (m = tokenPattern.exec(expression))) tokens.push(m[1]!);
  if (expression.slice(tokenPattern.lastIndex).trim() !== '') throw new Error(`unsupported expression: ${expression}`);
  return tokens;
}

function segments(path: string, names: Names): string[] {
  return path
    .split('.')
    .flatMap((s) => s.split(/(\[\d+\])/).filter(Boolean))
    .map((s) => (s.startsWith('#') ? (names?.[s] ?? s) : s.startsWith('[') ? s.slice(1, -1) : s));
}

function resolve(item: Item | undefined, path: string, names: Names): unknown {
  let v: unknown = item;
  for (const s of segments(path, names)) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[s];
  return v;
}

function operand(token: string, item: Item | undefined, names: Names, values: Values): unknown {
  return token.startsWith(':') ? values?.[token] : resolve(item, token, names);
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '=') return JSON.stringify(a) === JSON.stringify(b) && a !== undefined;
  if (op === '<>') return JSON.stringify(a) !== JSON.stringify(b);
  if (a === undefined || b === undefined || typeof a !== typeof b) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

export function evaluate(expression: string, item: Item | undefined, names: Names, values: Values): boolean {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++] ?? '';
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} in ${expression}`);
  };
  const or = (): boolean => {
    let v = and();
    while (peek()?.toUpperCase() === 'OR') {
      next();
      v = and() || v;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (peek()?.toUpperCase() === 'AND') {
      next();
      v = not() && v;
    }
    return v;
  };
  const not = (): boolean => {
    if (peek()?.toUpperCase() === 'NOT') {
      next();
      return !not();
    }
    return primary();
  };
  const primary = (): boolean => {
    const t = next();
    if (t === '(') {
      const v = or();
      expect(')');
      return v;
    }
    const fn = t.toLowerCase();
    if (['attribute_exists', 'attribute_not_exists', 'begins_with', 'contains'].includes(fn) && peek() === '(') {
      next();
      const path = next();
      let arg: unknown;
      if (peek() === ',') {
        next();
        arg = operand(next(), item, names, values);
      }
      expect(')');
      const v = resolve(item, path, names);
      if (fn === 'attribute_exists') return v !== undefined;
      if (fn === 'attribute_not_exists') return v === undefined;
      if (fn === 'begins_with') return typeof v === 'string' && typeof arg === 'string' && v.startsWith(arg);
      return Array.isArray(v) ? v.some((e) => JSON.stringify(e) === JSON.stringify(arg)) : typeof v === 'string' && typeof arg === 'string' && v.includes(arg);
    }
    const left = operand(t, item, names, values);
    const op = next();
    if (op.toUpperCase() === 'BETWEEN') {
      const lo = operand(next(), item, names, values);
      if (next().toUpperCase() !== 'AND') throw new Error(`BETWEEN needs AND in ${expression}`);
      const hi = operand(next(), item, names, values);
      return compare(left, '>=', lo) && compare(left, '<=', hi);
    }
    if (op.toUpperCase() === 'IN') {
      expect('(');
      const options: unknown[] = [operand(next(), item, names, values)];
      while (peek() === ',') {
        next();
        options.push(operand(next(), item, names, values));
      }
      expect(')');
      return options.some((o) => compare(left, '=', o));
    }
    return compare(left, op, operand(next(), item, names, values));
  };
  const result = or();
  if (pos !== tokens.length) throw new Error(`unsupported expression: ${expression}`);
  return result;
}

function assign(item: Item, path: string, names: Names, value: unknown): void {
  const segs = segments(path, names);
  let target: Record<string, unknown> = item;
  for (const s of segs.slice(0, -1)) {
    const child = target[s];
    if (child === null || typeof child !== 'object') target[s] = {};
    target = target[s] as Record<string, unknown>;
  }
  const last = segs[segs.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
}

export function applyUpdate(expression: string, item: Item, names: Names, values: Values): Item {
  const sections = expression.split(/\b(SET|REMOVE|ADD|DELETE)\b/i).map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < sections.length; i += 2) {
    const kind = sections[i]!.toUpperCase();
    const body = sections[i + 1] ?? '';
    const actions = splitTopLevel(body);
    for (const action of actions) {
      if (kind === 'REMOVE') {
        assign(item, action.trim(), names, undefined);
      } else if (kind === 'ADD') {
        const [path, value] = action.trim().split(/\s+/) as [string, string];
        const current = resolve(item, path, names);
        const add = values?.[value];
        assign(item, path, names, typeof add === 'number' ? (typeof current === 'number' ? current : 0) + add : add);
      } else if (kind === 'SET') {
        const eq = action.indexOf('=');
        const path = action.slice(0, eq).trim();
        assign(item, path, names, setValue(action.slice(eq + 1).trim(), item, names, values));
      } else {
        throw new Error(`unsupported update section ${kind}`);
      }
    }
  }
  return item;
}

function splitTopLevel(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

function setValue(expr: string, item: Item, names: Names, values: Values): unknown {
  const fn = /^(if_not_exists|list_append)\s*\((.*)\)$/i.exec(expr);
  if (fn) {
    const [a, b] = splitTopLevel(fn[2]!) as [string, string];
    if (fn[1]!.toLowerCase() === 'if_not_exists') return resolve(item, a, names) ?? setValue(b, item, names, values);
    return [...((setValue(a, item, names, values) as unknown[]) ?? []), ...((setValue(b, item, names, values) as unknown[]) ?? [])];
  }
  const arith = /^(\S+)\s*([+-])\s*(\S+)$/.exec(expr);
  if (arith) {
    const x = Number(setValue(arith[1]!, item, names, values));
    const y = Number(setValue(arith[3]!, item, names, values));
    return arith[2] === '+' ? x + y : x - y;
  }
  return clone(operand(expr, item, names, values));
}
