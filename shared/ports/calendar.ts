import type { HolidayTable } from '#shared/schemas/calendar.ts';

/** Who loads a table, for the audit record written with it. */
export interface HolidayTableAudit {
  readonly actor: string;
  readonly orgCode: string;
  readonly requestId: string;
}

/**
 * The run-time holiday tables (one per year, from the State Council's yearly
 * notice), kept in the registry at CALENDAR#<year>.
 * Adapter: adapters/dynamo-calendar.ts.
 */
export interface HolidayTableStore {
  get(year: number): Promise<HolidayTable | undefined>;
  /** Every stored year, in year order. */
  list(): Promise<HolidayTable[]>;
  /**
   * Stores the table and its audit record (`calendar.year.put`) in one
   * transaction. `previous` is the table this write replaces (undefined for
   * the first load of the year); if the stored table is no longer that one,
   * nothing is written and a ConflictError (CALENDAR_CHANGED) is thrown.
   */
  put(table: HolidayTable, audit: HolidayTableAudit, previous: HolidayTable | undefined): Promise<void>;
}

/** The tables read only (the calendar, GET /calendar/deadline). */
export type HolidayTableReader = Pick<HolidayTableStore, 'get' | 'list'>;
