import { publishPublicCatalogue, type PublishPorts } from '#shared/catalogue/public/publish.ts';
import { withHttp, type HttpDeps } from '#runtime/with-http.ts';
import { publicCatalogueContracts } from '#shared/schemas/public-catalogue-contracts.ts';
import { defaultPublishPorts } from './publish-public-catalogue.ts';

export interface RefreshDeps extends HttpDeps {
  readonly ports: () => PublishPorts;
}

/** POST /public-catalogue/refresh — a custodian or administrator republishes now, after changing entries (R9.3). */
export function makeHandler(deps?: RefreshDeps) {
  return withHttp(
    'RefreshPublicCatalogue',
    publicCatalogueContracts.RefreshPublicCatalogue,
    async () => ({ body: await publishPublicCatalogue(deps ? deps.ports() : await defaultPublishPorts()) }),
    deps,
  );
}

export const handler = makeHandler();
