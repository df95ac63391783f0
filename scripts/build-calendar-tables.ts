/**
 * Builds shared/calendar/chinese-days-compact.ts from the npm package chinese-days (MIT): the
 * State Council notices it transcribes (official.ts) and the festival dates of the statutory
 * rule for every year the system computes deadlines in (statutory.ts), as compact strings.
 * The Lambdas load this 8 KB module instead of the package (its 37 KB holiday JSON and 22 KB
 * lunar code; issue 10, bundle size); the package stays the one source, and the unit tests
 * check that the shipped module is exactly what this script makes from it.
 *
 *   node --import tsx scripts/build-calendar-tables.ts            # rewrite the file
 *   node --import tsx scripts/build-calendar-tables.ts --check    # exit 1 if it differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chineseDays from 'chinese-days';
import { calendarYears, chinaNoon, epochDayOf, fromEpochDay, toEpochDay, yearOf } from '#shared/calendar/dates.ts';

const require = createRequire(import.meta.url);
export const calendarTablesFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'shared', 'calendar', 'chinese-days-compact.ts');

/**
 * The years of a complete notice: a year counts only when its table has both 春节 and
 * 国庆节 — the first and last festival of every notice — so a stray spill-over date never
 * passes for a whole year (chinese-days' own isWorkday() calls 2027-01-01 a working day).
 */
export function officialNotices(): Array<{ year: number; holidays: string[]; workdays: string[] }> {
  const raw = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
  const byYear = new Map<number, { holidays: string[]; workdays: string[]; festivals: Set<string> }>();
  const slot = (year: number) => {
    let s = byYear.get(year);
    if (!s) byYear.set(year, (s = { holidays: [], workdays: [], festivals: new Set() }));
    return s;
  };
  for (const [date, label] of Object.entries(raw.holidays)) {
    const s = slot(yearOf(date));
    s.holidays.push(date);
    // label: "Spring Festival,春节,4" (English, Chinese, days by law)
    const zh = label.split(',')[1];
    if (zh) s.festivals.add(zh);
  }
  for (const date of Object.keys(raw.workdays)) slot(yearOf(date)).workdays.push(date);
  return [...byYear]
    .sort(([a], [b]) => a - b)
    .filter(([, s]) => s.festivals.has('春节') && s.festivals.has('国庆节'))
    .map(([year, s]) => ({ year, holidays: s.holidays.sort(), workdays: s.workdays.sort() }));
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

/** 春节 (正月初一), 清明, 端午 (五月初五), 中秋 (八月十五) of one year. */
export function lunarFestivals(year: number): { chunjie: string; qingming: string; duanwu: string; zhongqiu: string } {
  // Windows wide enough for 1901–2099: 春节 21 Jan–20 Feb, 端午 28 May–25 Jun, 中秋 8 Sep–8 Oct.
  return {
    chunjie: fromEpochDay(findLunar(year, [1, 19, 2, 22], 1, 1)),
    qingming: fromEpochDay(qingmingOf(year)),
    duanwu: fromEpochDay(findLunar(year, [5, 25, 6, 28], 5, 5)),
    zhongqiu: fromEpochDay(findLunar(year, [9, 5, 10, 11], 8, 15)),
  };
}

const mmdd = (date: string) => date.slice(5, 7) + date.slice(8, 10);

export function buildCalendarTables(): string {
  const { version } = require('chinese-days/package.json') as { version: string };
  const notices = officialNotices()
    .map((n) => `${n.year}:${n.holidays.map(mmdd).join('')}:${n.workdays.map(mmdd).join('')}`)
    .join(' ');
  const festivals: string[] = [];
  for (let year = calendarYears.first; year <= calendarYears.last; year += 1) {
    const f = lunarFestivals(year);
    festivals.push([f.chunjie, f.qingming, f.duanwu, f.zhongqiu].map(mmdd).join(''));
  }
  return [
    '// Generated by scripts/build-calendar-tables.ts from the npm package chinese-days — do not edit.',
    `export const chineseDaysVersion = ${JSON.stringify(version)};`,
    '/** Per notice year: "YYYY:" + its holidays as MMDD + ":" + its make-up working days as MMDD; years separated by spaces. */',
    `export const notices = ${JSON.stringify(notices)};`,
    `/** From ${calendarYears.first}, one year per 16 digits: 春节, 清明, 端午, 中秋 as MMDD. */`,
    `export const festivalsFrom = ${calendarYears.first};`,
    `export const festivals = ${JSON.stringify(festivals.join(''))};`,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = buildCalendarTables();
  if (process.argv.includes('--check')) {
    if (readFileSync(calendarTablesFile, 'utf8') !== built) {
      console.error(`${calendarTablesFile} differs from the package: run node --import tsx scripts/build-calendar-tables.ts`);
      process.exit(1);
    }
    console.log(`${calendarTablesFile} matches the package`);
  } else {
    writeFileSync(calendarTablesFile, built);
    console.log(`wrote ${calendarTablesFile}`);
  }
}
