import type { HolidayTableAudit, HolidayTableStore } from '#shared/ports/calendar.ts';
import type { HolidayTable, HolidayTableInput } from '#shared/schemas/calendar.ts';
import { WorkingDayCalendar } from './calendar.ts';

/** The calendar with every table loaded at run time over chinese-days and the statutory rule. */
export async function calendarFromStore(store: Pick<HolidayTableStore, 'list'>): Promise<WorkingDayCalendar> {
  return new WorkingDayCalendar({ overrides: await store.list() });
}

function normalise(input: HolidayTableInput): HolidayTableInput {
  return {
    year: input.year,
    holidays: [...input.holidays].sort(),
    workdays: [...input.workdays].sort(),
    source: input.source.trim(),
  };
}

function sameContent(a: HolidayTableInput, b: HolidayTableInput): boolean {
  return (
    a.year === b.year &&
    a.source === b.source &&
    a.holidays.join() === b.holidays.join() &&
    a.workdays.join() === b.workdays.join()
  );
}

/**
 * Loads one year of the State Council notice.
 *
 * Primary course:
 *  1. normalise (dates sorted) and read the stored table of the year;
 *  2. the same content again → nothing written, `changed: false` (a retried
 *     PUT is harmless and leaves no second audit record);
 *  3. else store it with its audit record, conditional on the table read in 1
 *     still being the stored one (two administrators at once: one wins, the
 *     other gets a conflict and retries on fresh data).
 */
export async function loadHolidayTable(
  store: HolidayTableStore,
  input: HolidayTableInput,
  audit: HolidayTableAudit,
  now: () => Date,
): Promise<{ changed: boolean; table: HolidayTable }> {
  const wanted = normalise(input);
  const previous = await store.get(wanted.year);
  if (previous && sameContent(normalise(previous), wanted)) return { changed: false, table: previous };
  const table: HolidayTable = { ...wanted, loadedAt: now().toISOString(), loadedBy: audit.actor };
  await store.put(table, audit, previous);
  return { changed: true, table };
}
