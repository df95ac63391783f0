import { chinaDate } from '#shared/calendar/dates.ts';
import { grantView, useReportSlotView } from '#shared/sharing/sharing.ts';
import { fileUseReport } from '#shared/sharing/use.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/use-reports — 201: the earliest open use report of the grant filed (R19.1). */
export const handler = http(sharing, 'FileUseReport', [sharingStore, now], async (req, p) => {
  const { grant, slot } = await fileUseReport(p, { actor: req.principal, grantId: req.path.grantId, input: req.body, requestId: req.requestId });
  const today = chinaDate(p.now());
  return { status: 201, body: { useReport: useReportSlotView(slot, today), grant: grantView(grant, today) } };
});
