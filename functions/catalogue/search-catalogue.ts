import { searchCatalogue } from '#shared/catalogue/catalogue.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueContracts } from '#shared/schemas/catalogue-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueDeps } from './deps.ts';

/** GET /catalogue — search, newest time point first, within the caller's clearance. */
export function makeHandler(deps?: CatalogueDeps) {
  return withHttp(
    'SearchCatalogue',
    catalogueContracts.SearchCatalogue,
    async (req) => ({ body: await searchCatalogue(await portsOf(deps), { actor: signedIn(req.principal), query: req.query }) }),
    deps,
  );
}

export const handler = makeHandler();
