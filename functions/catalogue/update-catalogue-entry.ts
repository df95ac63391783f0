import { editCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueContracts } from '#shared/schemas/catalogue-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueDeps } from './deps.ts';

/** PATCH /catalogue/{resultNumber} — a new version of the entry, audited. */
export function makeHandler(deps?: CatalogueDeps) {
  return withHttp(
    'UpdateCatalogueEntry',
    catalogueContracts.UpdateCatalogueEntry,
    async (req) => ({
      body: await editCatalogueEntry(await portsOf(deps), { actor: signedIn(req.principal), resultNumber: req.path.resultNumber, edit: req.body, requestId: req.requestId }),
    }),
    deps,
  );
}

export const handler = makeHandler();
