import { festivals, festivalsFrom } from './chinese-days-compact.ts';
import { calendarYears, epochDayOf, fromEpochDay, isWeekendEpochDay, toEpochDay, type IsoDate } from './dates.ts';

/**
 * The statutory holidays of 《全国年节及纪念日放假办法》 as amended by
 * State Council Decree No. 795 (2024-11, in force 2025-01-01). Used for a year
 * the State Council has not yet published its notice for, so that a deadline
 * reaching into that year is computed on the law rather than on "Monday to
 * Friday" — and is marked provisional.
 *
 * Article 2 (全体公民放假的节日):
 *   元旦 1 day (1 Jan) · 春节 4 days (除夕 and 正月初一至初三) · 清明节 1 day
 *   (the day of the 清明 solar term) · 劳动节 2 days (1–2 May) · 端午节 1 day
 *   (五月初五) · 中秋节 1 day (八月十五) · 国庆节 3 days (1–3 Oct).
 * Article 6: a holiday that falls on a Saturday or Sunday is made up on a
 *   working day (补假). The law does not name the day; the notices give it
 *   right after the festival, so that is what is modelled. Where two
 *   festivals fall on one day (中秋 on 1–3 Oct), the second is made up too.
 * Article 7's 调休 (weekend make-up working days and the long 8-/7-/5-day
 *   breaks) is at the State Council's discretion each year and is NOT
 *   modelled: a provisional year has no make-up working days.
 */
export interface StatutoryDay {
  readonly date: IsoDate;
  readonly name: string;
  /** `festival`: Article 2 day; `substitute`: Article 6 补假 for a festival day on a weekend. */
  readonly kind: 'festival' | 'substitute';
}

export interface FestivalDates {
  /** 除夕, the last day of the lunar year before 春节 */
  readonly chuxi: IsoDate;
  /** 正月初一 */
  readonly chunjie: IsoDate;
  readonly qingming: IsoDate;
  readonly duanwu: IsoDate;
  readonly zhongqiu: IsoDate;
}

/**
 * 春节, 清明, 端午 and 中秋 of a year, from chinese-days' lunar calendar and
 * solar-term formula as scripts/build-calendar-tables.ts computed them for
 * every year of calendarYears (a compact table instead of the package's
 * code in every Lambda; the unit tests check the table against the package).
 */
export function festivalDates(year: number): FestivalDates {
  const at = (year - festivalsFrom) * 16;
  if (!Number.isInteger(year) || at < 0 || at + 16 > festivals.length) throw new Error(`calendar: no festival dates for ${year} (${calendarYears.first}–${calendarYears.last})`);
  const date = (i: number) => `${year}-${festivals.slice(at + 4 * i, at + 4 * i + 2)}-${festivals.slice(at + 4 * i + 2, at + 4 * i + 4)}`;
  const chunjie = date(0);
  return {
    chuxi: fromEpochDay(toEpochDay(chunjie) - 1),
    chunjie,
    qingming: date(1),
    duanwu: date(2),
    zhongqiu: date(3),
  };
}

/** Every statutory day off of a year, festivals and 补假, in date order. */
export function statutoryHolidays(year: number): StatutoryDay[] {
  const f = festivalDates(year);
  const chunjie = toEpochDay(f.chunjie);
  const festivals: Array<{ name: string; days: number[] }> = [
    { name: '元旦', days: [epochDayOf(year, 1, 1)] },
    { name: '春节', days: [chunjie - 1, chunjie, chunjie + 1, chunjie + 2] },
    { name: '清明节', days: [toEpochDay(f.qingming)] },
    { name: '劳动节', days: [epochDayOf(year, 5, 1), epochDayOf(year, 5, 2)] },
    { name: '端午节', days: [toEpochDay(f.duanwu)] },
    { name: '中秋节', days: [toEpochDay(f.zhongqiu)] },
    { name: '国庆节', days: [epochDayOf(year, 10, 1), epochDayOf(year, 10, 2), epochDayOf(year, 10, 3)] },
  ];
  festivals.sort((a, b) => (a.days[0] ?? 0) - (b.days[0] ?? 0));
  const festivalDays = new Set(festivals.flatMap((x) => x.days));

  const off = new Map<number, StatutoryDay>();
  for (const { name, days } of festivals) {
    let owed = 0;
    for (const d of days) {
      if (isWeekendEpochDay(d) || off.has(d)) owed += 1;
      if (!off.has(d)) off.set(d, { date: fromEpochDay(d), name, kind: 'festival' });
    }
    // Article 6: made up on the next working day not itself a festival.
    for (let d = Math.max(...days) + 1; owed > 0; d += 1) {
      if (isWeekendEpochDay(d) || off.has(d) || festivalDays.has(d)) continue;
      off.set(d, { date: fromEpochDay(d), name: `${name}补假`, kind: 'substitute' });
      owed -= 1;
    }
  }
  return [...off.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}
