import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueContracts } from '#shared/schemas/catalogue-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueDeps } from './deps.ts';

/** POST /catalogue — 201 with a new entry and its unified number; 200 with the existing one on a repeat. */
export function makeHandler(deps?: CatalogueDeps) {
  return withHttp(
    'RegisterCatalogueEntry',
    catalogueContracts.RegisterCatalogueEntry,
    async (req) => {
      const result = await registerCatalogueEntry(await portsOf(deps), {
        submissionId: req.body.submissionId,
        ...(req.body.timePoint ? { timePoint: req.body.timePoint } : {}),
        actor: signedIn(req.principal),
        requestId: req.requestId,
      });
      return { status: result.created ? 201 : 200, body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
