import { withHttp, type HttpDeps } from '#runtime/with-http.ts';
import { listOrganisationUsers } from '#shared/identity/directory.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';
import { identityOf, signedIn } from './deps.ts';

export function makeHandler(deps?: HttpDeps) {
  return withHttp(
    'ListUsers',
    identityContracts.ListUsers,
    async (req) => ({ body: { items: await listOrganisationUsers(await identityOf(deps), signedIn(req.principal), req.path.code) } }),
    deps,
  );
}

export const handler = makeHandler();
