import { calendarFromStore } from '#shared/calendar/load.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { withHttp, type HttpDeps, type HttpRequest, type HttpResult } from '#runtime/with-http.ts';
import type { HolidayTableStore } from '#shared/ports/calendar.ts';
import { calendarContracts, type DeadlineResponse } from '#shared/schemas/calendar.ts';

type Contract = typeof calendarContracts.GetCalendar;

export interface GetCalendarPorts {
  readonly store: HolidayTableStore;
  readonly now: () => Date;
}

/** GET /calendar/deadline?start=YYYY-MM-DD&days=N — the Nth working day after `start`, and how many are left today. */
export async function lambdaHandler(req: HttpRequest<Contract>, ports: GetCalendarPorts): Promise<HttpResult> {
  const calendar = await calendarFromStore(ports.store);
  const body: DeadlineResponse = calendar.deadlineStatus(req.query.start, req.query.days, chinaDate(ports.now()));
  return { body };
}

let defaultPorts: GetCalendarPorts | undefined;
/** Lazily built so that importing the handler in a unit test needs no environment. */
async function portsFromEnv(): Promise<GetCalendarPorts> {
  if (defaultPorts) return defaultPorts;
  const { holidayTableStoreFromEnv } = await import('#adapters/dynamo-calendar.ts');
  defaultPorts = { store: holidayTableStoreFromEnv(), now: () => new Date() };
  return defaultPorts;
}

export function createHandler(ports: () => Promise<GetCalendarPorts>, deps?: HttpDeps) {
  return withHttp('GetCalendar', calendarContracts.GetCalendar, async (req) => lambdaHandler(req, await ports()), deps);
}

export const handler = createHandler(portsFromEnv);
