import { http } from '#runtime/http.ts';
import { auditTrailPort, identityAdmin } from '#runtime/ports/registry.ts';
import { updateUserClearance } from '#shared/identity/update-clearance.ts';
import { identity } from './context.ts';

/** PUT /users/{userId}/clearance — an administrator changes a user's clearance (audited). */
export const handler = http(identity, 'UpdateUserClearance', [identityAdmin, auditTrailPort], async (req, p) => ({
  body: await updateUserClearance(
    { actor: req.principal, userId: req.path.userId, clearance: req.body.clearance, reason: req.body.reason, requestId: req.requestId },
    { identity: p.identity, admin: p.identityAdmin, trail: p.trail },
  ),
}));
