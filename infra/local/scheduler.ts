/**
 * The manifest's schedules on the laptop, with EventBridge Scheduler's
 * expression syntax:
 *   rate(value unit)   unit: minute(s) | hour(s) | day(s); 1 takes the singular
 *   cron(min hour day-of-month month day-of-week year)
 *       , - * / in every field; ? in day-of-month or day-of-week (exactly one);
 *       L (last day of month / last <weekday> e.g. 6L), W (nearest weekday, 15W, LW),
 *       # (nth weekday, 2#1 = first Monday); day-of-week 1–7 = SUN–SAT;
 *       month JAN–DEC, day-of-week SUN–SAT accepted
 *   at(yyyy-mm-ddThh:mm:ss)  once
 * evaluated in the schedule's IANA timezone (Asia/Shanghai has no DST; for
 * zones with DST a wall time that does not exist is skipped).
 *
 * Known differences: a firing missed while the local cloud was stopped is
 * not caught up; no flexible time window; retries are not attempted.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduleDef } from '#infra/manifest.ts';
import { localAccount, localRegion } from './ports.ts';

export interface ScheduleExpression {
  readonly kind: 'rate' | 'cron' | 'at';
  /** The first firing strictly after `after`, or undefined if there is none (an `at` in the past). */
  next(after: Date, timezone: string, startedAt?: Date): Date | undefined;
}

export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`无效的调度表达式 ${expression}：${reason} (invalid schedule expression)`);
    this.name = 'ScheduleExpressionError';
  }
}

// ---- time zone arithmetic ----------------------------------------------------

interface WallTime {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

export function wallTime(instant: Date, timezone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts['year'] ?? 0,
    month: parts['month'] ?? 0,
    day: parts['day'] ?? 0,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

function offsetMs(instant: number, timezone: string): number {
  const w = wallTime(new Date(instant), timezone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the zone's clock shows this wall time, or undefined in a DST gap. */
export function instantOf(w: WallTime, timezone: string): Date | undefined {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  let guess = asUtc - offsetMs(asUtc, timezone);
  guess = asUtc - offsetMs(guess, timezone);
  const back = wallTime(new Date(guess), timezone);
  if (back.hour !== w.hour || back.minute !== w.minute || back.day !== w.day) return undefined;
  return new Date(guess);
}

// ---- rate ------------------------------------------------------------------

const rateUnits: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function parseRate(expression: string, body: string): ScheduleExpression {
  const m = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  if (!m?.[1] || !m[2]) throw new ScheduleExpressionError(expression, '应为 rate(数值 单位)');
  const value = Number(m[1]);
  const unit = m[2];
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  const ms = rateUnits[singular];
  if (!ms) throw new ScheduleExpressionError(expression, '单位应为 minute(s)、hour(s) 或 day(s)');
  if (value < 1) throw new ScheduleExpressionError(expression, '数值应为正整数');
  if ((value === 1) !== (unit === singular)) throw new ScheduleExpressionError(expression, '数值为 1 时单位用单数，大于 1 时用复数（如 rate(1 hour)、rate(5 minutes)）');
  const period = value * ms;
  return {
    kind: 'rate',
    next(after, _timezone, startedAt = after) {
      // Scheduler counts from the schedule's start: start + k·period.
      const k = Math.floor((after.getTime() - startedAt.getTime()) / period) + 1;
      return new Date(startedAt.getTime() + Math.max(1, k) * period);
    },
  };
}

// ---- at --------------------------------------------------------------------

function parseAt(expression: string, body: string): ScheduleExpression {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!m) throw new ScheduleExpressionError(expression, '应为 at(yyyy-mm-ddThh:mm:ss)');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return {
    kind: 'at',
    next(after, timezone) {
      const at = instantOf({ year, month, day, hour, minute, second }, timezone);
      return at && at.getTime() > after.getTime() ? at : undefined;
    },
  };
}

// ---- cron ------------------------------------------------------------------

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

/** A plain field: the set of allowed values. */
function parseSet(expression: string, text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  const value = (token: string): number => {
    const upper = token.toUpperCase();
    const named = spec.names?.indexOf(upper) ?? -1;
    const n = named >= 0 ? named + spec.min : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
      throw new ScheduleExpressionError(expression, `${spec.name} 字段的取值 ${token} 超出范围 ${spec.min}–${spec.max}`);
    }
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(expression, `${spec.name} 字段的步长 ${stepText} 无效`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = spec.min;
      hi = spec.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : spec.max;
    }
    if (lo > hi) throw new ScheduleExpressionError(expression, `${spec.name} 字段的范围 ${range} 无效`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

type DayRule = (year: number, month: number, day: number) => boolean;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
/** 1 = Sunday … 7 = Saturday, as EventBridge numbers them. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function parseDayOfMonth(expression: string, text: string): DayRule {
  if (text === 'L') return (y, m, d) => d === daysInMonth(y, m);
  if (text === 'LW') {
    return (y, m, d) => {
      let last = daysInMonth(y, m);
      while (weekday(y, m, last) === 1 || weekday(y, m, last) === 7) last -= 1;
      return d === last;
    };
  }
  const w = /^(\d{1,2})W$/.exec(text);
  if (w) {
    const target = Number(w[1]);
    if (target < 1 || target > 31) throw new ScheduleExpressionError(expression, 'W 前的日期应为 1–31');
    return (y, m, d) => {
      const dim = daysInMonth(y, m);
      const t = Math.min(target, dim);
      const wd = weekday(y, m, t);
      let nearest = t;
      if (wd === 7) nearest = t === 1 ? 3 : t - 1; // Saturday → Friday (or Monday if the 1st)
      if (wd === 1) nearest = t === dim ? t - 2 : t + 1; // Sunday → Monday (or Friday if the last day)
      return d === nearest;
    };
  }
  const set = parseSet(expression, text, { name: 'day-of-month', min: 1, max: 31 });
  return (_y, _m, d) => set.has(d);
}

function parseDayOfWeek(expression: string, text: string): DayRule {
  const spec: FieldSpec = { name: 'day-of-week', min: 1, max: 7, names: dayNames };
  const hash = /^([A-Za-z]{3}|\d)#([1-5])$/.exec(text);
  if (hash?.[1] && hash[2]) {
    const wd = [...parseSet(expression, hash[1], spec)][0] ?? 0;
    const nth = Number(hash[2]);
    return (y, m, d) => weekday(y, m, d) === wd && Math.ceil(d / 7) === nth;
  }
  const last = /^([A-Za-z]{3}|\d)L$/.exec(text);
  if (last?.[1]) {
    const wd = [...parseSet(expression, last[1], spec)][0] ?? 0;
    return (y, m, d) => weekday(y, m, d) === wd && d + 7 > daysInMonth(y, m);
  }
  if (text === 'L') return (y, m, d) => weekday(y, m, d) === 7;
  const set = parseSet(expression, text, spec);
  return (y, m, d) => set.has(weekday(y, m, d));
}

function parseCron(expression: string, body: string): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleExpressionError(expression, 'cron 应有 6 个字段：分 时 日 月 周 年');
  const [minF, hourF, domF, monF, dowF, yearF] = fields as [string, string, string, string, string, string];
  if ((domF === '?') === (dowF === '?')) throw new ScheduleExpressionError(expression, '“日”与“周”两个字段必须且只能有一个为 ?');
  const minutes = [...parseSet(expression, minF, { name: 'minutes', min: 0, max: 59 })].sort((a, b) => a - b);
  const hours = [...parseSet(expression, hourF, { name: 'hours', min: 0, max: 23 })].sort((a, b) => a - b);
  const months = parseSet(expression, monF, { name: 'month', min: 1, max: 12, names: monthNames });
  const years = parseSet(expression, yearF, { name: 'year', min: 1970, max: 2199 });
  const dayRule: DayRule = domF === '?' ? parseDayOfWeek(expression, dowF) : parseDayOfMonth(expression, domF);
  return {
    kind: 'cron',
    next(after, timezone) {
      const start = wallTime(new Date(after.getTime() + 1000), timezone);
      // Walk calendar days in the zone; within a matching day, hours and minutes in order.
      let y = start.year;
      let m = start.month;
      let d = start.day;
      for (let i = 0; i < 366 * 8; i += 1) {
        if (years.has(y) && months.has(m) && dayRule(y, m, d)) {
          for (const hour of hours) {
            for (const minute of minutes) {
              const at = instantOf({ year: y, month: m, day: d, hour, minute, second: 0 }, timezone);
              if (at && at.getTime() > after.getTime()) return at;
            }
          }
        }
        d += 1;
        if (d > daysInMonth(y, m)) {
          d = 1;
          m += 1;
          if (m > 12) {
            m = 1;
            y += 1;
          }
        }
        if (y > 2199) return undefined;
      }
      return undefined;
    },
  };
}

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const m = /^(rate|cron|at)\((.*)\)$/.exec(expression.trim());
  if (!m?.[1] || m[2] === undefined) throw new ScheduleExpressionError(expression, '应为 rate(…)、cron(…) 或 at(…)');
  if (m[1] === 'rate') return parseRate(expression, m[2]);
  if (m[1] === 'at') return parseAt(expression, m[2]);
  return parseCron(expression, m[2]);
}

// ---- the scheduler ------------------------------------------------------------

/**
 * What the target receives. On AWS the schedule's Input is this same shape,
 * filled from Scheduler's context attributes (see schedulerInput in
 * runtime/schedule.ts), so withSchedule parses one format.
 */
export type ScheduleTarget = (def: ScheduleDef, event: Record<string, unknown>) => Promise<unknown>;

export interface ScheduleInfo {
  readonly name: string;
  readonly expression: string;
  readonly timezone: string;
  readonly target: string;
  readonly nextFire?: string;
}

export class LocalScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly nextFire = new Map<string, Date | undefined>();
  private readonly parsed = new Map<string, ScheduleExpression>();
  private readonly startedAt = new Date();
  private stopped = false;

  constructor(
    private readonly schedules: readonly ScheduleDef[],
    private readonly fireTarget: ScheduleTarget,
    private readonly log: (line: string) => void,
  ) {
    // Parse everything up front: a bad expression fails the start, loudly.
    for (const s of schedules) this.parsed.set(s.name, parseScheduleExpression(s.expression));
  }

  start(): void {
    for (const s of this.schedules) this.arm(s, new Date());
  }

  list(): ScheduleInfo[] {
    return this.schedules.map((s) => {
      // Armed schedules report their timer; unarmed ones (runSchedules: false) when they would fire.
      const next = this.nextFire.has(s.name) ? this.nextFire.get(s.name) : this.parsed.get(s.name)?.next(new Date(), s.timezone, this.startedAt);
      return {
        name: s.name,
        expression: s.expression,
        timezone: s.timezone,
        target: 'function' in s.target ? `function:${s.target.function}` : `stateMachine:${s.target.stateMachine}`,
        ...(next ? { nextFire: next.toISOString() } : {}),
      };
    });
  }

  has(name: string): boolean {
    return this.schedules.some((s) => s.name === name);
  }

  private arm(s: ScheduleDef, after: Date): void {
    if (this.stopped) return;
    const next = this.parsed.get(s.name)?.next(after, s.timezone, this.startedAt);
    this.nextFire.set(s.name, next);
    if (!next) return;
    // setTimeout holds at most ~24.8 days; longer waits re-arm on the way.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      if (Date.now() + 5 < next.getTime()) return this.arm(s, new Date());
      void this.fire(s.name, next).finally(() => this.arm(s, next));
    }, Math.max(0, wait));
    timer.unref();
    this.timers.set(s.name, timer);
  }

  /** Fires a schedule now (or for its planned time); resolves with the target's result. */
  async fire(name: string, scheduledTime: Date = new Date()): Promise<{ executionId: string; result: unknown }> {
    const s = this.schedules.find((x) => x.name === name);
    if (!s) throw new Error(`no schedule named ${name}`);
    const executionId = randomUUID();
    const event = {
      ...(s.input ?? {}),
      schedule: s.name,
      scheduleArn: `arn:aws:scheduler:${localRegion}:${localAccount}:schedule/default/${s.name}`,
      scheduledTime: scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      executionId,
      attempt: 1,
    };
    const target = 'function' in s.target ? `function ${s.target.function}` : `state machine ${s.target.stateMachine}`;
    this.log(`调度 (schedule) ${s.name} → ${target} @ ${event.scheduledTime}`);
    try {
      const result = await this.fireTarget(s, event);
      return { executionId, result };
    } catch (error) {
      this.log(`调度 (schedule) ${s.name} 失败 (failed): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      throw error;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
