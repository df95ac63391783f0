import { getCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueContracts } from '#shared/schemas/catalogue-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueDeps } from './deps.ts';

/** GET /catalogue/{resultNumber} — 404 for an entry above the caller's clearance, as for a missing one. */
export function makeHandler(deps?: CatalogueDeps) {
  return withHttp(
    'GetCatalogueEntry',
    catalogueContracts.GetCatalogueEntry,
    async (req) => ({ body: { entry: await getCatalogueEntry(await portsOf(deps), { actor: signedIn(req.principal), resultNumber: req.path.resultNumber }) } }),
    deps,
  );
}

export const handler = makeHandler();
