import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { authoritiesRead, catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { withdrawRelease } from '#shared/publication/publish.ts';
import { publication } from './context.ts';

/** POST /publication/releases/{releaseNumber}/withdrawal — the approving authority withdraws a released version (audited). */
export const handler = http(publication, 'WithdrawRelease', [catalogue, identityRepo, authoritiesRead, now], async (req, p) => {
  const entry = await withdrawRelease(p, { actor: req.principal, releaseNumber: req.path.releaseNumber, reason: req.body.reason, requestId: req.requestId });
  return { body: { entry } };
});
