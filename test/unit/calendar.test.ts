import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { isOverdue, WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { addCalendarDays, chinaDate, toEpochDay, weekdayOf } from '#shared/calendar/dates.ts';
import { officialCoverage, officialYears } from '#shared/calendar/official.ts';
import { festivalDates, statutoryHolidays } from '#shared/calendar/statutory.ts';
import { ValidationError } from '#shared/errors.ts';
import { readFileSync } from 'node:fs';
import { buildCalendarTables, calendarTablesFile, lunarFestivals, officialNotices } from '../../scripts/build-calendar-tables.ts';
import { holidayTableInputSchema, type HolidayTable } from '#shared/schemas/calendar.ts';

const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addCalendarDays(d, 1)) out.push(d);
  return out;
};

/** A made-up 2027 notice, shaped like the real ones (8-day 春节 with a Saturday make-up day). */
const notice2027: HolidayTable = {
  year: 2027,
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', ...range('2027-02-05', '2027-02-12')],
  workdays: ['2027-02-20'],
  source: '测试用：假想的 2027 年节假日安排通知',
  loadedAt: '2026-11-10T02:00:00.000Z',
  loadedBy: 'wang.admin',
};

/** Day-by-day reference for the arithmetic (slow, obviously right). */
function walk(calendar: WorkingDayCalendar, start: string, n: number): string {
  const step = n > 0 ? 1 : -1;
  let d = start;
  for (let left = Math.abs(n); left > 0; ) {
    d = addCalendarDays(d, step);
    if (calendar.isWorkingDay(d)) left -= 1;
  }
  return d;
}

describe('R6.1 R7.2 R8.1 R8.2 R9.1 working-day calendar: the 2026 State Council notice (via chinese-days)', () => {
  const calendar = new WorkingDayCalendar();

  it('takes 2004–2026 as officially covered by chinese-days and 2027 as not', () => {
    const coverage = officialCoverage();

    expect(coverage.first).toBe(2004);
    expect(coverage.last).toBe(2026);
    expect(officialYears.has(2027)).toBe(false);
    expect(calendar.yearInfo(2026)).toMatchObject({ basis: 'official', provisional: false });
  });

  it('agrees with the notice for 国庆/中秋 2026: 10-01…10-07 off, make-up days 09-20 (Sun) and 10-10 (Sat) worked', () => {
    const offDays = range('2026-10-01', '2026-10-07');

    expect(weekdayOf('2026-09-20')).toBe(0);
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true);
    expect(offDays.map((d) => calendar.isWorkingDay(d))).toEqual(offDays.map(() => false));
    expect(['2026-09-25', '2026-09-26', '2026-09-27'].map((d) => calendar.isWorkingDay(d))).toEqual([false, false, false]);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false);
  });

  it('agrees with the rest of the 2026 notice (元旦, 春节, 清明, 劳动节, 端午 and their make-up days)', () => {
    const off = [...range('2026-01-01', '2026-01-03'), ...range('2026-02-15', '2026-02-23'), ...range('2026-04-04', '2026-04-06'),
      ...range('2026-05-01', '2026-05-05'), ...range('2026-06-19', '2026-06-21')];
    const madeUp = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09'];

    expect(off.filter((d) => calendar.isWorkingDay(d))).toEqual([]);
    expect(madeUp.filter((d) => !calendar.isWorkingDay(d))).toEqual([]);
  });

  it('puts 30 WD after 2026-09-18 on 2026-11-05 (counted by hand from the notice), not provisional', () => {
    // 09-20=1, 09-21…24=2–5, 09-28…30=6–8, 10-08=9, 10-09=10, 10-10=11, 10-12…16=12–16,
    // 10-19…23=17–21, 10-26…30=22–26, 11-02…05=27–30
    const result = calendar.deadline('2026-09-18', 30);

    expect(result.due).toBe('2026-11-05');
    expect(result.provisional).toBe(false);
    expect(result.provisionalYears).toEqual([]);
    expect(result.basis).toContain('国务院办公厅关于2026年部分节假日安排的通知');
    expect(result.basis).toContain('起算日 2026-09-18 不计入');
  });

  it('puts 15 WD (R7.2, R8.1) after 2026-09-18 on 2026-10-15', () => {
    expect(calendar.deadline('2026-09-18', 15).due).toBe('2026-10-15');
  });

  it('counts day 1 as the first working day after the start date, whatever the start date is', () => {
    expect(calendar.deadline('2026-09-30', 1).due).toBe('2026-10-08');
    expect(calendar.deadline('2026-09-19', 1).due).toBe('2026-09-20');
    expect(calendar.deadline('2026-10-07', 1).due).toBe('2026-10-08');
    expect(calendar.deadline('2026-10-08', 1).due).toBe('2026-10-09');
  });
});

describe('R6.1 R8.2 R9.1 working-day calendar: a year with no notice follows the statutory rule and is provisional', () => {
  const calendar = new WorkingDayCalendar();

  it('finds 2027 festivals by lunar date and solar term: 除夕 02-05, 清明 04-05, 端午 06-09, 中秋 09-15', () => {
    expect(festivalDates(2027)).toEqual({
      chuxi: '2027-02-05',
      chunjie: '2027-02-06',
      qingming: '2027-04-05',
      duanwu: '2027-06-09',
      zhongqiu: '2027-09-15',
    });
  });

  it('keeps 2027-01-01 off, where chinese-days alone calls it a working day', () => {
    expect(chineseDays.isWorkday('2027-01-01')).toBe(true);
    expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
    expect(calendar.yearInfo(2027)).toMatchObject({ basis: 'statutory', provisional: true });
  });

  it('gives 春节 four days from 除夕 (02-05…02-08) and makes up the weekend two on the next working days (Article 6)', () => {
    expect(range('2027-02-05', '2027-02-10').map((d) => calendar.isWorkingDay(d))).toEqual([false, false, false, false, false, false]);
    expect(calendar.isWorkingDay('2027-02-11')).toBe(true);
    expect(statutoryHolidays(2027).filter((d) => d.kind === 'substitute').map((d) => d.date)).toEqual([
      '2027-02-09', '2027-02-10', '2027-05-03', '2027-05-04', '2027-10-04', '2027-10-05',
    ]);
  });

  it('gives 清明, 端午 and 中秋 one day each, 劳动节 two and 国庆 three, with no make-up working days', () => {
    const festivals = statutoryHolidays(2027).filter((d) => d.kind === 'festival');
    const count = (name: string) => festivals.filter((d) => d.name === name).length;

    expect([count('元旦'), count('春节'), count('清明节'), count('劳动节'), count('端午节'), count('中秋节'), count('国庆节')]).toEqual([1, 4, 1, 2, 1, 1, 3]);
    expect(['2027-04-05', '2027-06-09', '2027-09-15'].map((d) => calendar.isWorkingDay(d))).toEqual([false, false, false]);
    expect(calendar.isWorkingDay('2027-10-06')).toBe(true);
    expect(range('2027-01-01', '2027-12-31').filter((d) => [0, 6].includes(weekdayOf(d)) && calendar.isWorkingDay(d))).toEqual([]);
  });

  it('marks a deadline reaching into 2027 provisional and says so in Chinese: 2026-12-01 + 30 WD = 2027-01-13', () => {
    // 12-02…04=1–3, 12-07…11=4–8, 12-14…18=9–13, 12-21…25=14–18, 12-28…31=19–22,
    // 01-01 元旦 off, 01-04…08=23–27, 01-11…13=28–30
    const result = calendar.deadline('2026-12-01', 30);

    expect(result.due).toBe('2027-01-13');
    expect(result.provisional).toBe(true);
    expect(result.provisionalYears).toEqual([2027]);
    expect(result.basis).toContain('全国年节及纪念日放假办法');
    expect(result.basis).toContain('暂定');
  });

  it('computes the festival days that the notices of 2008–2026 also gave off (lunar and solar-term check)', () => {
    const missed: string[] = [];
    for (let year = 2008; year <= 2026; year += 1) {
      const f = festivalDates(year);
      for (const d of [f.chunjie, f.qingming, f.duanwu, f.zhongqiu, `${year}-01-01`, `${year}-05-01`, `${year}-10-01`]) {
        if (calendar.isWorkingDay(d)) missed.push(d);
      }
    }

    expect(missed).toEqual([]);
  });

  it('gives the same dates whatever the host time zone (chinese-days prints dates in local time)', () => {
    const saved = process.env['TZ'];
    process.env['TZ'] = 'America/Los_Angeles';
    try {
      expect(new Date(Date.UTC(2027, 0, 1)).getDate()).toBe(31);
      const west = new WorkingDayCalendar();

      expect(festivalDates(2027).qingming).toBe('2027-04-05');
      expect(festivalDates(2027).chuxi).toBe('2027-02-05');
      expect(west.deadline('2026-12-01', 30).due).toBe('2027-01-13');
      expect(west.deadline('2026-09-18', 30).due).toBe('2026-11-05');
      expect(chinaDate(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('R6.1 R9.1 working-day calendar: the Lambdas load chinese-days as a compact table (issue 10, bundle size)', () => {
  it('ships exactly what scripts/build-calendar-tables.ts makes from the package, in any host time zone', () => {
    const saved = process.env['TZ'];
    try {
      for (const zone of ['Asia/Shanghai', 'America/Los_Angeles']) {
        process.env['TZ'] = zone;
        expect(readFileSync(calendarTablesFile, 'utf8'), zone).toBe(buildCalendarTables());
      }
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });

  it('gives the notices and the festival dates the package gives, year by year', () => {
    const notices = officialNotices();

    expect([...officialYears.values()]).toEqual(notices);
    for (const year of [2004, 2027, 2033, 2061, 2099]) {
      const { chuxi: _chuxi, ...f } = festivalDates(year);
      expect(f, String(year)).toEqual(lunarFestivals(year));
    }
    expect(() => festivalDates(2100)).toThrow(/2004–2099/);
  });
});

describe('R6.1 working-day calendar: tables loaded at run time', () => {
  it('replaces the statutory rule for 2027 with a loaded notice and clears the provisional flag', () => {
    const statutory = new WorkingDayCalendar();
    const loaded = new WorkingDayCalendar({ overrides: [notice2027] });

    const before = statutory.deadline('2027-01-29', 10);
    const after = loaded.deadline('2027-01-29', 10);

    expect(before).toMatchObject({ due: '2027-02-18', provisional: true, provisionalYears: [2027] });
    expect(after).toMatchObject({ due: '2027-02-20', provisional: false, provisionalYears: [] });
    expect(after.basis).toContain('测试用：假想的 2027 年节假日安排通知');
    expect(loaded.isWorkingDay('2027-02-20')).toBe(true);
    expect(statutory.isWorkingDay('2027-02-20')).toBe(false);
    expect(loaded.isWorkingDay('2027-02-11')).toBe(false);
    expect(loaded.isWorkingDay('2027-05-03')).toBe(true);
    expect(loaded.yearInfo(2027)).toMatchObject({ basis: 'override', provisional: false, source: notice2027.source });
  });

  it('lets a loaded table correct a year chinese-days already has', () => {
    const official = officialYears.get(2026)!;
    const corrected: HolidayTable = {
      year: 2026,
      holidays: [...official.holidays],
      workdays: official.workdays.filter((d) => d !== '2026-09-20'),
      source: '测试用：更正',
      loadedAt: '2026-01-05T00:00:00.000Z',
      loadedBy: 'wang.admin',
    };

    const calendar = new WorkingDayCalendar({ overrides: [corrected] });

    expect(calendar.isWorkingDay('2026-09-20')).toBe(false);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true);
    expect(calendar.yearInfo(2026).basis).toBe('override');
  });
});

describe('R6.1 R7.2 working-day arithmetic: add, subtract, count, days left', () => {
  const calendar = new WorkingDayCalendar({ overrides: [notice2027] });
  const starts = range('2025-11-01', '2028-02-29').filter((_, i) => i % 5 === 0);

  it('adds and subtracts exactly as a day-by-day walk does, across years and tables', () => {
    const wrong: string[] = [];
    for (const start of starts) {
      for (const n of [1, 2, 15, 30, -1, -15, -30, 250]) {
        const got = calendar.addWorkingDays(start, n);
        const want = walk(calendar, start, n);
        if (got !== want) wrong.push(`${start} ${n}: ${got} ≠ ${want}`);
      }
    }

    expect(wrong).toEqual([]);
  });

  it('makes count the inverse of add, and counting backwards the negative of counting forwards', () => {
    const wrong: string[] = [];
    for (const start of starts) {
      for (const n of [1, 15, 30, 400]) {
        const due = calendar.addWorkingDays(start, n);
        if (calendar.countWorkingDays(start, due) !== n) wrong.push(`count(${start}, +${n})`);
        if (calendar.countWorkingDays(due, start) !== -n) wrong.push(`count(${due}, ${start})`);
        if (calendar.isWorkingDay(start) && calendar.countWorkingDays(calendar.addWorkingDays(start, -n), start) !== n) {
          wrong.push(`count(-${n}, ${start})`);
        }
      }
    }

    expect(wrong).toEqual([]);
    expect(calendar.countWorkingDays('2026-09-18', '2026-09-18')).toBe(0);
    expect(calendar.addWorkingDays('2026-10-03', 0)).toBe('2026-10-03');
  });

  it('computes thousands of deadlines quickly (per-year running counts, no day-by-day walk)', () => {
    const fresh = new WorkingDayCalendar();
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i += 1) fresh.deadline(starts[i % starts.length]!, 365);
    const ms = performance.now() - t0;

    expect(fresh.addWorkingDays('2026-01-05', 2500)).toBe(walk(fresh, '2026-01-05', 2500));
    expect(ms).toBeLessThan(2000);
  });

  it('counts working days left: 0 on the due date, negative once overdue, never 0 on the weekend after', () => {
    const due = '2026-11-05';

    expect(calendar.workingDaysLeft(due, '2026-10-12')).toBe(18);
    expect(calendar.workingDaysLeft(due, '2026-11-04')).toBe(1);
    expect(calendar.workingDaysLeft(due, due)).toBe(0);
    expect(calendar.workingDaysLeft(due, '2026-11-06')).toBe(-1);
    expect(calendar.workingDaysLeft('2026-11-06', '2026-11-07')).toBe(-1);
    expect(calendar.workingDaysLeft(due, '2026-11-09')).toBe(-2);
    expect([isOverdue(due, due), isOverdue(due, '2026-11-06')]).toEqual([false, true]);
  });

  it('reports provisional years for days left too, when today lies in a year without a notice', () => {
    const status = new WorkingDayCalendar().deadlineStatus('2026-11-02', 10, '2027-01-04');

    expect(status).toMatchObject({ due: '2026-11-16', overdue: true, provisional: true, provisionalYears: [2027] });
    expect(status.workingDaysLeft).toBeLessThan(0);
    expect(status.basis).toContain('剩余工作日的计算涉及 2027 年，亦为暂定');
  });

  it('refuses dates outside 2004–2099 and malformed dates with a Chinese validation error', () => {
    expect(() => calendar.isWorkingDay('2003-12-31')).toThrow(ValidationError);
    expect(() => calendar.addWorkingDays('2099-12-01', 100)).toThrow(/超出工作日历支持的范围/);
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow(/不是有效的/);
    expect(toEpochDay('2026-03-01') - toEpochDay('2026-02-28')).toBe(1);
  });
});

describe('R6.1 holiday table schema: what an administrator may load', () => {
  const valid = { year: 2027, holidays: ['2027-01-01'], workdays: ['2027-02-20'], source: '国办发明电〔2026〕1号' };
  const issues = (value: unknown) => {
    const r = holidayTableInputSchema.safeParse(value);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('accepts a well-formed table', () => {
    expect(issues(valid)).toEqual([]);
  });

  it('refuses dates outside the year, dates both off and worked, weekday make-up days and duplicates, naming each', () => {
    expect(issues({ ...valid, holidays: ['2026-12-31'] })).toEqual([{ path: 'holidays.0', message: '放假日期 2026-12-31 不在 2027 年内' }]);
    expect(issues({ ...valid, holidays: ['2027-02-20'] })[0]).toEqual({ path: 'workdays.0', message: '2027-02-20 不能既是放假日期又是调休上班日期' });
    expect(issues({ ...valid, workdays: ['2027-02-22'] })[0]?.path).toBe('workdays.0');
    expect(issues({ ...valid, workdays: ['2027-02-22'] })[0]?.message).toContain('不是周六或周日');
    expect(issues({ ...valid, holidays: ['2027-01-01', '2027-01-01'] })[0]).toEqual({ path: 'holidays.1', message: '放假日期 2027-01-01 重复' });
    expect(issues({ ...valid, holidays: ['2027-02-29'] })[0]?.message).toContain('不是有效的日历日期');
    expect(issues({ ...valid, source: '' })[0]?.path).toBe('source');
  });
});
