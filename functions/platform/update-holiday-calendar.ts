import { loadHolidayTable } from '#shared/calendar/load.ts';
import { UnauthenticatedError, ValidationError } from '#shared/errors.ts';
import { withHttp, type HttpDeps, type HttpRequest, type HttpResult } from '#runtime/with-http.ts';
import type { HolidayTableStore } from '#shared/ports/calendar.ts';
import { calendarContracts } from '#shared/schemas/calendar.ts';

type Contract = typeof calendarContracts.UpdateHolidayCalendar;

export interface UpdateHolidayCalendarPorts {
  readonly store: HolidayTableStore;
  readonly now: () => Date;
}

/**
 * PUT /calendar/{year} — an administrator (checked by withHttp from the
 * manifest route) loads the year's State Council notice. Idempotent: the same
 * table again answers `changed: false` and writes nothing.
 */
export async function lambdaHandler(req: HttpRequest<Contract>, ports: UpdateHolidayCalendarPorts): Promise<HttpResult> {
  if (req.body.year !== req.path.year) {
    const message = `请求体中的年份 ${req.body.year} 与路径中的年份 ${req.path.year} 不一致`;
    throw new ValidationError(message, [{ field: 'body.year', code: 'YEAR_MISMATCH', message }]);
  }
  const principal = req.principal;
  if (!principal) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录');
  const result = await loadHolidayTable(
    ports.store,
    req.body,
    { actor: principal.userId, orgCode: principal.orgCode, requestId: req.requestId },
    ports.now,
  );
  return { body: result };
}

let defaultPorts: UpdateHolidayCalendarPorts | undefined;
/** Lazily built so that importing the handler in a unit test needs no environment. */
async function portsFromEnv(): Promise<UpdateHolidayCalendarPorts> {
  if (defaultPorts) return defaultPorts;
  const { holidayTableStoreFromEnv } = await import('#adapters/dynamo-calendar.ts');
  defaultPorts = { store: holidayTableStoreFromEnv(), now: () => new Date() };
  return defaultPorts;
}

export function createHandler(ports: () => Promise<UpdateHolidayCalendarPorts>, deps?: HttpDeps) {
  return withHttp('UpdateHolidayCalendar', calendarContracts.UpdateHolidayCalendar, async (req) => lambdaHandler(req, await ports()), deps);
}

export const handler = createHandler(portsFromEnv);
