import type { Month } from './clocks.ts';

/** A bulletin period: a month (2026-11) or a quarter (2026-Q4). */
export interface Period {
  readonly id: string;
  readonly kind: 'month' | 'quarter';
  readonly months: readonly Month[];
  /** Chinese: 2026年11月, 2026年第四季度. */
  readonly label: string;
}

const quarterNames = ['一', '二', '三', '四'];
const pad = (n: number) => String(n).padStart(2, '0');

export function parsePeriod(id: string): Period | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(id);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) return undefined;
    return { id, kind: 'month', months: [id], label: `${m[1]}年${month}月` };
  }
  const q = /^(\d{4})-Q([1-4])$/.exec(id);
  if (q) {
    const n = Number(q[2]);
    return { id, kind: 'quarter', months: [1, 2, 3].map((i) => `${q[1]}-${pad((n - 1) * 3 + i)}`), label: `${q[1]}年第${quarterNames[n - 1]}季度` };
  }
  return undefined;
}

/** The period `k` steps before (k = 1: the previous one). */
export function periodBefore(p: Period, k = 1): Period {
  const [y, rest] = p.id.split('-') as [string, string];
  if (p.kind === 'month') {
    const index = Number(y) * 12 + Number(rest) - 1 - k;
    return parsePeriod(`${Math.floor(index / 12)}-${pad((index % 12) + 1)}`)!;
  }
  const index = Number(y) * 4 + Number(rest.slice(1)) - 1 - k;
  return parsePeriod(`${Math.floor(index / 4)}-Q${(index % 4) + 1}`)!;
}

/** The `n` periods ending with `p`, oldest first. */
export function periodsEndingWith(p: Period, n: number): Period[] {
  return Array.from({ length: n }, (_, i) => periodBefore(p, n - 1 - i));
}

/** The period that contains a China date. */
export function periodOf(day: string, kind: Period['kind']): Period {
  const [y, m] = [day.slice(0, 4), Number(day.slice(5, 7))];
  return parsePeriod(kind === 'month' ? `${y}-${pad(m)}` : `${y}-Q${Math.ceil(m / 3)}`)!;
}

/** The last whole period before a China date (what a scheduled bulletin covers). */
export function lastWholePeriod(day: string, kind: Period['kind']): Period {
  return periodBefore(periodOf(day, kind));
}
