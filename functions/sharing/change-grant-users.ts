import { chinaDate } from '#shared/calendar/dates.ts';
import { grantView } from '#shared/sharing/sharing.ts';
import { changeGrantUsers } from '#shared/sharing/use.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/grants/{grantId}/users — the requester adds or removes its own named users (R18.1). */
export const handler = http(sharing, 'ChangeSharingGrantUsers', [sharingStore, identityRepo, now], async (req, p) => {
  const grant = await changeGrantUsers(p, { actor: req.principal, grantId: req.path.grantId, add: req.body.add, remove: req.body.remove, requestId: req.requestId });
  return { body: { grant: grantView(grant, chinaDate(p.now())) } };
});
