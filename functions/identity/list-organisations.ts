import { withHttp, type HttpDeps } from '#runtime/with-http.ts';
import { listOrganisations } from '#shared/identity/directory.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';
import { identityOf } from './deps.ts';

export function makeHandler(deps?: HttpDeps) {
  return withHttp(
    'ListOrganisations',
    identityContracts.ListOrganisations,
    async (req) => ({ body: { items: await listOrganisations(await identityOf(deps), req.query.parentCode) } }),
    deps,
  );
}

export const handler = makeHandler();
