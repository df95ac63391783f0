import { withHttp } from '#runtime/with-http.ts';
import { updateUserClearance } from '#shared/identity/update-clearance.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';
import { administrationOf, identityOf, signedIn, type IdentityDeps } from './deps.ts';

export function makeHandler(deps?: IdentityDeps) {
  return withHttp(
    'UpdateUserClearance',
    identityContracts.UpdateUserClearance,
    async (req) => {
      const result = await updateUserClearance(
        {
          actor: signedIn(req.principal),
          userId: req.path.userId,
          clearance: req.body.clearance,
          reason: req.body.reason,
          requestId: req.requestId,
        },
        { identity: await identityOf(deps), ...(await administrationOf(deps)) },
      );
      return { body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
