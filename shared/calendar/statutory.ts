import chineseDays from 'chinese-days';
import { chinaNoon, epochDayOf, fromEpochDay, isWeekendEpochDay, toEpochDay, type IsoDate } from './dates.ts';

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
 * chinese-days' lunar conversion counts whole days between two instants, so
 * asking at noon China time gives the right lunar date whatever the host's
 * zone (its string-based helpers parse as UTC and print in local time, which
 * is a day early west of Greenwich).
 */
function findLunar(year: number, window: readonly [number, number, number, number], month: number, day: number): number {
  const [fromMonth, fromDay, toMonth, toDay] = window;
  const last = epochDayOf(year, toMonth, toDay);
  for (let d = epochDayOf(year, fromMonth, fromDay); d <= last; d += 1) {
    const lunar = chineseDays.getLunarDate(chinaNoon(d));
    if (!lunar.isLeap && lunar.lunarMon === month && lunar.lunarDay === day) return d;
  }
  throw new Error(`calendar: no lunar ${month}/${day} found in ${year}`);
}

/**
 * The 清明 solar term from chinese-days' formula and exception table. Its
 * result is printed through the host's zone, so the shift of its own
 * date round-trip is measured and undone (zero on Lambda and in China).
 */
function qingmingOf(year: number): number {
  const printed = toEpochDay(chineseDays.getSolarTermDate(year, 4, 'pure_brightness'));
  const probe = `${year}-04-05`;
  const shift = toEpochDay(chineseDays.getDayDetail(probe).date) - toEpochDay(probe);
  const day = printed - shift;
  if (day < epochDayOf(year, 4, 3) || day > epochDayOf(year, 4, 6)) {
    throw new Error(`calendar: 清明 ${year} computed as ${fromEpochDay(day)}, outside 4–6 April`);
  }
  return day;
}

export function festivalDates(year: number): FestivalDates {
  // Windows wide enough for 1901–2099: 春节 21 Jan–20 Feb, 端午 28 May–25 Jun, 中秋 8 Sep–8 Oct.
  const chunjie = findLunar(year, [1, 19, 2, 22], 1, 1);
  return {
    chuxi: fromEpochDay(chunjie - 1),
    chunjie: fromEpochDay(chunjie),
    qingming: fromEpochDay(qingmingOf(year)),
    duanwu: fromEpochDay(findLunar(year, [5, 25, 6, 28], 5, 5)),
    zhongqiu: fromEpochDay(findLunar(year, [9, 5, 10, 11], 8, 15)),
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
