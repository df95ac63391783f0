import { chinaDate } from '#shared/calendar/dates.ts';
import { subscribeGrant } from '#shared/sharing/push.ts';
import { grantView } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { sharingRead, subscriptions } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/subscription — a named user subscribes the grant to new versions of its results. */
export const handler = http(sharing, 'SubscribeSharingGrant', [sharingRead, subscriptions, now], async (req, p) => {
  const grant = await subscribeGrant(p, { actor: req.principal, grantId: req.path.grantId, requestId: req.requestId });
  return { body: { grant: grantView(grant, chinaDate(p.now())) } };
});
