import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { holidaysRead } from '#runtime/ports/registry.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import type { DeadlineResponse } from '#shared/schemas/calendar.ts';
import { platform } from './context.ts';

/** GET /calendar/deadline?start=YYYY-MM-DD&days=N — the Nth working day after `start`, and how many are left today. */
export const handler = http(platform, 'GetCalendar', [holidaysRead, now], async (req, p) => {
  const calendar = await calendarFromStore(p.holidays);
  const body: DeadlineResponse = calendar.deadlineStatus(req.query.start, req.query.days, chinaDate(p.now()));
  return { body };
});
