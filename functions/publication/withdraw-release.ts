import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { authoritiesRead, catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { requestWithdrawal } from '#shared/publication/withdrawal.ts';
import { publication } from './context.ts';

/** POST /publication/releases/{releaseNumber}/withdrawal — 申请撤回: the request (audited) starts Withdrawal, decided by the approving authority. */
export const handler = http(publication, 'WithdrawRelease', [catalogue, identityRepo, authoritiesRead, workflow, now], async (req, p) => {
  const { entry, withdrawal } = await requestWithdrawal(p, { actor: req.principal, releaseNumber: req.path.releaseNumber, reason: req.body.reason, requestId: req.requestId });
  return { status: 202, body: { entry, withdrawal } };
});
