import { listUseReports } from '#shared/sharing/use.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar } from '#runtime/ports/registry.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/use-reports — the use reports due on my organisation's grants, or on the grants it approved (R19.1). */
export const handler = http(sharing, 'ListSharingUseReports', [sharingRead, calendar, now], async (req, p) => ({
  body: await listUseReports(p, { actor: req.principal, side: req.query.side, limit: req.query.limit, cursor: req.query.cursor }),
}));
