import { withHttp, type HttpDeps } from '#runtime/with-http.ts';
import { getMe } from '#shared/identity/directory.ts';
import { classificationLabels, roleLabels } from '#shared/identity/roles.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';
import { identityOf, signedIn } from './deps.ts';

export function makeHandler(deps?: HttpDeps) {
  return withHttp(
    'GetMe',
    identityContracts.GetMe,
    async (req) => {
      const me = await getMe(signedIn(req.principal), await identityOf(deps));
      return {
        body: {
          ...me,
          labels: { roles: me.user.roles.map((r) => roleLabels[r]), clearance: classificationLabels[me.user.clearance] },
        },
      };
    },
    deps,
  );
}

export const handler = makeHandler();
