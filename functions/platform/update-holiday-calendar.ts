import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { holidays } from '#runtime/ports/registry.ts';
import { loadHolidayTable } from '#shared/calendar/load.ts';
import { ValidationError } from '#shared/errors.ts';
import { platform } from './context.ts';

/**
 * PUT /calendar/{year} — an administrator (checked by the HTTP stack from the
 * route) loads the year's State Council notice. Idempotent: the same table
 * again answers `changed: false` and writes nothing.
 */
export const handler = http(platform, 'UpdateHolidayCalendar', [holidays, now], async (req, p) => {
  if (req.body.year !== req.path.year) {
    const message = `请求体中的年份 ${req.body.year} 与路径中的年份 ${req.path.year} 不一致`;
    throw new ValidationError(message, [{ field: 'body.year', code: 'YEAR_MISMATCH', message }]);
  }
  const result = await loadHolidayTable(
    p.holidays,
    req.body,
    { actor: req.principal.userId, orgCode: req.principal.orgCode, requestId: req.requestId },
    p.now,
  );
  return { body: result };
});
