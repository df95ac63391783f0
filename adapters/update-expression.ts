/**
 * DynamoDB condition and update expressions, interpreted in memory: the audited
 * write uses it to hash the state an UpdateItem leaves (shared/audit/item-states.ts),
 * the in-memory tables of the unit tests to apply it. Expressions: comparisons,
 * AND/OR/NOT, parentheses, attribute_exists, attribute_not_exists, begins_with,
 * contains, BETWEEN, IN; updates: SET (=, +, -, if_not_exists, list_append),
 * REMOVE, ADD (numbers).
 */
type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

const clone = <T>(v: T): T => structuredClone(v);

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
