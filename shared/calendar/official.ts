import { chineseDaysVersion as version, notices } from './chinese-days-compact.ts';
import type { IsoDate } from './dates.ts';

/**
 * The State Council's yearly notices (国务院办公厅关于 X 年部分节假日安排的通知)
 * as transcribed by the `chinese-days` package: every holiday date and every
 * make-up working day (调休上班) of the years it covers.
 *
 * Its own isWorkday() falls back to "Monday–Friday is a working day" for a
 * year it has no notice for (it calls 2027-01-01 a working day), so the
 * years it really covers are decided here from the data: a year counts only
 * when its table has both 春节 and 国庆节 — the first and last festival of
 * every notice — so a stray spill-over date never passes for a whole year.
 */
export interface OfficialYear {
  readonly year: number;
  readonly holidays: readonly IsoDate[];
  readonly workdays: readonly IsoDate[];
}

/** The notices as scripts/build-calendar-tables.ts compacts them from chinese-days (the rule above is applied there). */
function build(): ReadonlyMap<number, OfficialYear> {
  const dates = (year: string, mmdd: string) => Array.from({ length: mmdd.length / 4 }, (_, i) => `${year}-${mmdd.slice(4 * i, 4 * i + 2)}-${mmdd.slice(4 * i + 2, 4 * i + 4)}`);
  const out = new Map<number, OfficialYear>();
  for (const notice of notices.split(' ')) {
    const [year = '', holidays = '', workdays = ''] = notice.split(':');
    out.set(Number(year), { year: Number(year), holidays: dates(year, holidays), workdays: dates(year, workdays) });
  }
  return out;
}

export const chineseDaysVersion: string = version;

export const officialYears: ReadonlyMap<number, OfficialYear> = build();

/** The years for which chinese-days carries a complete State Council notice. */
export function officialCoverage(): { first: number; last: number; years: number[] } {
  const years = [...officialYears.keys()];
  return { first: years[0] ?? 0, last: years[years.length - 1] ?? 0, years };
}
