import data from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import pkg from 'chinese-days/package.json' with { type: 'json' };
import { yearOf, type IsoDate } from './dates.ts';

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

const raw = data as unknown as { holidays: Record<string, string>; workdays: Record<string, string> };

export const chineseDaysVersion: string = (pkg as { version: string }).version;

function build(): ReadonlyMap<number, OfficialYear> {
  const byYear = new Map<number, { holidays: IsoDate[]; workdays: IsoDate[]; festivals: Set<string> }>();
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

  const out = new Map<number, OfficialYear>();
  for (const [year, s] of [...byYear].sort(([a], [b]) => a - b)) {
    if (!s.festivals.has('春节') || !s.festivals.has('国庆节')) continue;
    out.set(year, { year, holidays: s.holidays.sort(), workdays: s.workdays.sort() });
  }
  return out;
}

export const officialYears: ReadonlyMap<number, OfficialYear> = build();

/** The years for which chinese-days carries a complete State Council notice. */
export function officialCoverage(): { first: number; last: number; years: number[] } {
  const years = [...officialYears.keys()];
  return { first: years[0] ?? 0, last: years[years.length - 1] ?? 0, years };
}
