import { ValidationError } from '#shared/errors.ts';
import type { HolidayTable } from '#shared/schemas/calendar.ts';
import {
  calendarYears,
  epochDayOf,
  fromEpochDay,
  isWeekendEpochDay,
  toEpochDay,
  yearOfEpochDay,
  type IsoDate,
} from './dates.ts';
import { chineseDaysVersion, officialYears } from './official.ts';
import { statutoryHolidays } from './statutory.ts';

/**
 * The PRC working-day calendar for the regulation's deadlines
 * (R6.1 30 WD, R7.2 15 WD, R8.1 15 WD, R8.2 30 WD, R9.1 30 WD).
 *
 * Convention: the start date is not counted; working day 1 is the first
 * working day AFTER the start date, and a deadline of N working days falls
 * on the Nth. A working day is a Monday–Friday that is not a holiday, or a
 * weekend make-up working day (调休上班) of the State Council's notice.
 *
 * Each year's table comes from, in order of precedence:
 *  1. an override loaded at run time (PUT /calendar/{year}) — the notice for
 *     a year chinese-days does not know yet, or a correction;
 *  2. chinese-days' transcription of the State Council notices (2004–2026
 *     in the installed version);
 *  3. the statutory rule (statutory.ts) — then every result touching the
 *     year is `provisional`.
 */
export type YearBasis = 'override' | 'official' | 'statutory';

export interface YearInfo {
  readonly year: number;
  readonly basis: YearBasis;
  /** True for `statutory`: the year has no State Council notice yet. */
  readonly provisional: boolean;
  readonly source: string;
  readonly loadedAt?: string;
  /** 中文说明：该年采用的节假日表 */
  readonly description: string;
}

export interface DeadlineResult {
  readonly due: IsoDate;
  readonly provisional: boolean;
  readonly provisionalYears: number[];
  /** 中文：起算规则和所用节假日表 */
  readonly basis: string;
}

export interface DeadlineStatus extends DeadlineResult {
  readonly start: IsoDate;
  readonly days: number;
  readonly today: IsoDate;
  readonly workingDaysLeft: number;
  readonly overdue: boolean;
}

/**
 * One year as a bitmap of working days and its running count, so that
 * counting is two lookups and adding is a year skip plus a binary search —
 * never a day-by-day walk.
 */
interface YearDays extends YearInfo {
  readonly start: number;
  readonly working: Uint8Array;
  /** cum[i] = working days among the year's first i days; cum[length] = the year's total. */
  readonly cum: Int32Array;
}

function outOfRange(date: string): ValidationError {
  const message = `日期 ${date} 超出工作日历支持的范围（${calendarYears.first}–${calendarYears.last} 年）`;
  return new ValidationError(message, [{ field: 'date', code: 'DATE_OUT_OF_RANGE', message }]);
}

function badDate(date: string): ValidationError {
  const message = `日期 ${date} 不是有效的 YYYY-MM-DD 日期`;
  return new ValidationError(message, [{ field: 'date', code: 'INVALID_DATE', message }]);
}

function dayOf(date: IsoDate): number {
  let day: number;
  try {
    day = toEpochDay(date);
  } catch {
    throw badDate(date);
  }
  const year = yearOfEpochDay(day);
  if (year < calendarYears.first || year > calendarYears.last) throw outOfRange(date);
  return day;
}

export class WorkingDayCalendar {
  private readonly overrides: ReadonlyMap<number, HolidayTable>;
  private readonly years = new Map<number, YearDays>();

  constructor(opts: { overrides?: readonly HolidayTable[] } = {}) {
    const map = new Map<number, HolidayTable>();
    for (const t of opts.overrides ?? []) map.set(t.year, t);
    this.overrides = map;
  }

  isWorkingDay(date: IsoDate): boolean {
    const day = dayOf(date);
    const y = this.yearDays(yearOfEpochDay(day));
    return y.working[day - y.start] === 1;
  }

  /** Working days in (from, to]; negative, -(working days in (to, from]), when `to` is before `from`. */
  countWorkingDays(from: IsoDate, to: IsoDate): number {
    const a = dayOf(from);
    const b = dayOf(to);
    return a <= b ? this.countBetween(a, b) : -this.countBetween(b, a);
  }

  /**
   * The nth working day after `start` (n > 0), or before it (n < 0: day 1 is
   * the first working day before `start`); `start` itself when n = 0.
   * For n > 0, countWorkingDays(start, addWorkingDays(start, n)) === n.
   */
  addWorkingDays(start: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n)) throw new RangeError(`working days must be an integer: ${n}`);
    const from = dayOf(start);
    if (n === 0) return start;
    return fromEpochDay(n > 0 ? this.forward(from, n) : this.backward(from, -n));
  }

  /** A regulation deadline: the nth working day after `start` (n ≥ 1), with where the answer came from. */
  deadline(start: IsoDate, n: number): DeadlineResult {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`a deadline needs a whole number of working days ≥ 1: ${n}`);
    const due = this.addWorkingDays(start, n);
    const infos = this.yearsBetween(dayOf(start) + 1, dayOf(due));
    const provisionalYears = infos.filter((i) => i.provisional).map((i) => i.year);
    const basis =
      `起算日 ${start} 不计入，期限为其后第 ${n} 个工作日（${due}）。` +
      infos.map((i) => i.description).join('；') +
      (provisionalYears.length > 0 ? `。${provisionalYears.join('、')} 年的期限为暂定，国务院通知发布并载入后以通知为准。` : '。');
    return { due, provisional: provisionalYears.length > 0, provisionalYears, basis };
  }

  /**
   * Working days from `today` until `due`: 0 on the due date, 1 on the
   * working day before. Past due it is negative, -(working days in
   * (due, today]), and at least -1: on the weekend right after a Friday
   * deadline the count is -1, not 0, so that "negative" always means overdue.
   */
  workingDaysLeft(due: IsoDate, today: IsoDate): number {
    const d = dayOf(due);
    const t = dayOf(today);
    if (t <= d) return this.countBetween(t, d);
    return -Math.max(1, this.countBetween(d, t));
  }

  /** Deadline, days left and overdue flag in one answer (GET /calendar/deadline, deadline watch). */
  deadlineStatus(start: IsoDate, n: number, today: IsoDate): DeadlineStatus {
    const result = this.deadline(start, n);
    const left = this.workingDaysLeft(result.due, today);
    const [a, b] = today <= result.due ? [today, result.due] : [result.due, today];
    const years = new Set([
      ...result.provisionalYears,
      ...this.yearsBetween(dayOf(a), dayOf(b)).filter((i) => i.provisional).map((i) => i.year),
    ]);
    const provisionalYears = [...years].sort((x, y) => x - y);
    const extra = provisionalYears.filter((y) => !result.provisionalYears.includes(y));
    return {
      ...result,
      basis: extra.length > 0 ? `${result.basis}剩余工作日的计算涉及 ${extra.join('、')} 年，亦为暂定。` : result.basis,
      provisional: provisionalYears.length > 0,
      provisionalYears,
      start,
      days: n,
      today,
      workingDaysLeft: left,
      overdue: isOverdue(result.due, today),
    };
  }

  /** Which table a year uses, and whether results touching it are provisional. */
  yearInfo(year: number): YearInfo {
    const { start: _s, working: _w, cum: _c, ...info } = this.yearDays(year);
    return info;
  }

  /** Years in [from, to] that have no State Council notice yet. */
  provisionalYearsBetween(from: IsoDate, to: IsoDate): number[] {
    const [a, b] = from <= to ? [from, to] : [to, from];
    return this.yearsBetween(dayOf(a), dayOf(b)).filter((i) => i.provisional).map((i) => i.year);
  }

  private yearsBetween(a: number, b: number): YearInfo[] {
    const out: YearInfo[] = [];
    if (b < a) return out;
    for (let y = yearOfEpochDay(a); y <= yearOfEpochDay(b); y += 1) out.push(this.yearInfo(y));
    return out;
  }

  /** Working days in (a, b], a ≤ b. */
  private countBetween(a: number, b: number): number {
    const ya = this.yearDays(yearOfEpochDay(a));
    const yb = this.yearDays(yearOfEpochDay(b));
    const throughA = ya.cum[a - ya.start + 1]!;
    const throughB = yb.cum[b - yb.start + 1]!;
    if (ya.year === yb.year) return throughB - throughA;
    let total = ya.cum[ya.working.length]! - throughA + throughB;
    for (let y = ya.year + 1; y < yb.year; y += 1) {
      const mid = this.yearDays(y);
      total += mid.cum[mid.working.length]!;
    }
    return total;
  }

  private forward(from: number, n: number): number {
    let y = this.yearDays(yearOfEpochDay(from));
    let seen = y.cum[from - y.start + 1]!; // working days up to and including `from`
    let left = n;
    for (;;) {
      const total = y.cum[y.working.length]!;
      if (left <= total - seen) return y.start + firstIndexReaching(y.cum, seen + left);
      left -= total - seen;
      if (y.year + 1 > calendarYears.last) throw outOfRange(`${y.year + 1}-01-01`);
      y = this.yearDays(y.year + 1);
      seen = 0;
    }
  }

  private backward(from: number, n: number): number {
    let y = this.yearDays(yearOfEpochDay(from));
    let before = y.cum[from - y.start]!; // working days strictly before `from` in its year
    let left = n;
    for (;;) {
      if (left <= before) return y.start + firstIndexReaching(y.cum, before - left + 1);
      left -= before;
      if (y.year - 1 < calendarYears.first) throw outOfRange(`${y.year - 1}-12-31`);
      y = this.yearDays(y.year - 1);
      before = y.cum[y.working.length]!;
    }
  }

  private yearDays(year: number): YearDays {
    const cached = this.years.get(year);
    if (cached) return cached;
    if (year < calendarYears.first || year > calendarYears.last) throw outOfRange(`${year}`);
    const built = this.buildYear(year);
    this.years.set(year, built);
    return built;
  }

  private buildYear(year: number): YearDays {
    const override = this.overrides.get(year);
    const official = officialYears.get(year);
    let info: YearInfo;
    let holidays: readonly string[];
    let workdays: readonly string[];
    if (override) {
      holidays = override.holidays;
      workdays = override.workdays;
      info = {
        year,
        basis: 'override',
        provisional: false,
        source: override.source,
        loadedAt: override.loadedAt,
        description: `${year} 年：运行时载入的节假日安排（${override.source}，${override.loadedAt} 由 ${override.loadedBy} 载入）`,
      };
    } else if (official) {
      holidays = official.holidays;
      workdays = official.workdays;
      const source = `国务院办公厅关于${year}年部分节假日安排的通知`;
      info = {
        year,
        basis: 'official',
        provisional: false,
        source,
        description: `${year} 年：${source}（chinese-days ${chineseDaysVersion} 收录）`,
      };
    } else {
      holidays = statutoryHolidays(year).map((d) => d.date);
      workdays = [];
      info = {
        year,
        basis: 'statutory',
        provisional: true,
        source: '全国年节及纪念日放假办法（2024 年修订）',
        description:
          `${year} 年：国务院尚未发布（或尚未载入）该年节假日安排通知，按《全国年节及纪念日放假办法》（2024 年修订）` +
          '第二条法定节日及第六条补假推算，未计调休上班日，结果为暂定',
      };
    }

    const start = epochDayOf(year, 1, 1);
    const length = epochDayOf(year + 1, 1, 1) - start;
    const off = new Set(holidays.map(toEpochDay));
    const on = new Set(workdays.map(toEpochDay));
    const working = new Uint8Array(length);
    const cum = new Int32Array(length + 1);
    for (let i = 0; i < length; i += 1) {
      const d = start + i;
      const isWorking = on.has(d) || (!isWeekendEpochDay(d) && !off.has(d));
      working[i] = isWorking ? 1 : 0;
      cum[i + 1] = cum[i]! + working[i]!;
    }
    return { ...info, start, working, cum };
  }
}

/** Smallest index i with cum[i + 1] ≥ target: the day on which the running count reaches `target`. */
function firstIndexReaching(cum: Int32Array, target: number): number {
  let lo = 0;
  let hi = cum.length - 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid + 1]! >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Past the due date: the deadline was the whole due day, so the next calendar day is late. */
export function isOverdue(due: IsoDate, today: IsoDate): boolean {
  return dayOf(today) > dayOf(due);
}
