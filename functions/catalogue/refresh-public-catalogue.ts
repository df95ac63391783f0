import { http } from '#runtime/http.ts';
import { publishPublicCatalogue } from '#shared/catalogue/public/publish.ts';
import { catalogue } from './context.ts';
import { publishPortsOf, publishUses } from './publish-ports.ts';

/** POST /public-catalogue/refresh — a custodian or administrator republishes now, after changing entries (R9.3). */
export const handler = http(catalogue, 'RefreshPublicCatalogue', publishUses, async (_req, p) => ({
  body: await publishPublicCatalogue(publishPortsOf(p)),
}));
