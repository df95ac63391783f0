import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { calendarYears, isValidIsoDate, weekdayOf, yearOf } from '#shared/calendar/dates.ts';

/** A calendar date in China, 'YYYY-MM-DD'. */
export const isoDateSchema = z
  .string({ error: '日期应为字符串，格式 YYYY-MM-DD' }).check(z.regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD，例如 2026-10-08')).check(z.refine(isValidIsoDate, '不是有效的日历日期（请检查月份和日期）'));

export const calendarYearSchema = z
  .number({ error: '年份应为数字' }).check(z.int('年份应为整数')).check(z.gte(calendarYears.first, `年份应在 ${calendarYears.first}–${calendarYears.last} 之间`)).check(z.lte(calendarYears.last, `年份应在 ${calendarYears.first}–${calendarYears.last} 之间`));

const tableShape = {
  year: calendarYearSchema,
  /** Every day off of the notice, weekends inside a break included. */
  holidays: z.array(isoDateSchema).check(z.minLength(1, '至少应有一个放假日期')).check(z.maxLength(366)),
  /** Make-up working days (调休上班) — always a Saturday or Sunday. */
  workdays: z.array(isoDateSchema).check(z.maxLength(366)),
  /** The notice, e.g. 国办发明电〔2025〕7号. */
  source: z.string().check(z.trim()).check(z.minLength(2, '请注明来源（国务院办公厅通知文号）')).check(z.maxLength(200, '来源不超过 200 字')),
};

type TableLike = { year: number; holidays: string[]; workdays: string[] };

/** Dates inside the year, no date twice, holidays and make-up days disjoint, make-up days on weekends. */
function checkTable(t: TableLike, ctx: z.core.$RefinementCtx): void {
  const seen = new Map<string, string>();
  const lists = [
    ['holidays', t.holidays, '放假日期'],
    ['workdays', t.workdays, '调休上班日期'],
  ] as const;
  for (const [field, dates, label] of lists) {
    dates.forEach((date, i) => {
      if (!isValidIsoDate(date)) return;
      if (yearOf(date) !== t.year) {
        ctx.addIssue({ code: 'custom', path: [field, i], message: `${label} ${date} 不在 ${t.year} 年内` });
      }
      const before = seen.get(date);
      if (before === field) {
        ctx.addIssue({ code: 'custom', path: [field, i], message: `${label} ${date} 重复` });
      } else if (before) {
        ctx.addIssue({ code: 'custom', path: [field, i], message: `${date} 不能既是放假日期又是调休上班日期` });
      }
      seen.set(date, field);
      if (field === 'workdays') {
        const w = weekdayOf(date);
        if (w !== 0 && w !== 6) {
          ctx.addIssue({ code: 'custom', path: [field, i], message: `调休上班日期 ${date} 不是周六或周日（周一至周五本来就上班）` });
        }
      }
    });
  }
}

/** What an administrator loads: one year of the State Council notice. */
export const holidayTableInputSchema = z.object(tableShape).check(z.superRefine(checkTable));
export type HolidayTableInput = z.infer<typeof holidayTableInputSchema>;

/** A stored year table (registry, CALENDAR#<year>). */
export const holidayTableSchema = z
  .object({
    ...tableShape,
    /** ISO 8601 UTC instant of the load. */
    loadedAt: z.iso.datetime(),
    /** userId of the administrator who loaded it. */
    loadedBy: z.string().check(z.minLength(1)),
  }).check(z.superRefine(checkTable));
export type HolidayTable = z.infer<typeof holidayTableSchema>;

export const deadlineQuerySchema = z.object({
  start: described(isoDateSchema, '起算日（不计入），YYYY-MM-DD'),
  days: described(z.coerce
    .number({ error: '工作日数应为整数' }).check(z.int('工作日数应为整数')).check(z.gte(1, '工作日数应在 1–365 之间')).check(z.lte(365, '工作日数应在 1–365 之间')), '工作日数，1–365'),
});

export const deadlineResponseSchema = z.object({
  start: isoDateSchema,
  days: z.number().check(z.int()),
  /** The Nth working day after `start`. */
  due: isoDateSchema,
  /** True when a year in the computation has no State Council notice yet. */
  provisional: z.boolean(),
  provisionalYears: z.array(z.number().check(z.int())),
  /** 中文：所用节假日表及起算规则 */
  basis: z.string(),
  /** Today in China (Asia/Shanghai). */
  today: isoDateSchema,
  /** Working days from today to `due`; negative once overdue. */
  workingDaysLeft: z.number().check(z.int()),
  overdue: z.boolean(),
});
export type DeadlineResponse = z.infer<typeof deadlineResponseSchema>;

export const updateHolidayCalendarResponseSchema = z.object({
  /** False when the same table was already loaded (idempotent PUT). */
  changed: z.boolean(),
  table: holidayTableSchema,
});
