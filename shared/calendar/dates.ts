/**
 * Calendar dates as whole days, with no time of day and no time zone.
 *
 * Deadlines are calendar dates in China. A JavaScript Date is an instant, and
 * its local getters depend on the host's zone (UTC on Lambda, anything on a
 * laptop), so dates cross the boundary as 'YYYY-MM-DD' strings and are
 * computed on as "epoch days" (days since 1970-01-01) using only UTC
 * arithmetic.
 */
export type IsoDate = string;

const msPerDay = 86_400_000;
const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Mainland China has kept UTC+8 with no daylight saving since 1991. */
const chinaOffsetMs = 8 * 3_600_000;

export function isValidIsoDate(value: string): boolean {
  const m = isoDatePattern.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 'YYYY-MM-DD' → days since 1970-01-01. Throws RangeError on anything else. */
export function toEpochDay(date: IsoDate): number {
  if (!isValidIsoDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  const m = isoDatePattern.exec(date)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / msPerDay;
}

export function fromEpochDay(day: number): IsoDate {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

export function epochDayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / msPerDay;
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

export function yearOfEpochDay(day: number): number {
  return new Date(day * msPerDay).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfEpochDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekendEpochDay(day: number): boolean {
  const w = weekdayOfEpochDay(day);
  return w === 0 || w === 6;
}

export function weekdayOf(date: IsoDate): number {
  return weekdayOfEpochDay(toEpochDay(date));
}

export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + n);
}

/** The calendar date in China (Asia/Shanghai) at an instant. */
export function chinaDate(instant: Date): IsoDate {
  return new Date(instant.getTime() + chinaOffsetMs).toISOString().slice(0, 10);
}

/** Noon in China on a date: an instant whose China date is that date whatever the host zone. */
export function chinaNoon(day: number): Date {
  return new Date(day * msPerDay + 12 * 3_600_000 - chinaOffsetMs);
}

/**
 * The years the calendar answers for: chinese-days' notices start in 2004
 * and its lunar tables end in 2100.
 */
export const calendarYears = { first: 2004, last: 2099 } as const;

/**
 * An instant as a person in China reads it: '2026-11-28 22:04（北京时间）'.
 * Stored times stay ISO UTC (sortable, zone-free); every page, email and CLI
 * line a person reads goes through this one formatter, so nobody has to add
 * eight hours in their head. Anything that is not a time is shown as given.
 */
export function chinaDateTime(instant: Date | string): string {
  const ms = instant instanceof Date ? instant.getTime() : Date.parse(instant);
  if (Number.isNaN(ms)) return String(instant);
  const iso = new Date(ms + chinaOffsetMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}（北京时间）`;
}
