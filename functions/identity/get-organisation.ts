import { withHttp, type HttpDeps } from '#runtime/with-http.ts';
import { getOrganisationDetail } from '#shared/identity/directory.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';
import { identityOf } from './deps.ts';

export function makeHandler(deps?: HttpDeps) {
  return withHttp(
    'GetOrganisation',
    identityContracts.GetOrganisation,
    async (req) => ({ body: await getOrganisationDetail(await identityOf(deps), req.path.code) }),
    deps,
  );
}

export const handler = makeHandler();
