import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogueStore, submissions } from '#runtime/ports/registry.ts';
import { searchCatalogue } from '#shared/catalogue/catalogue.ts';
import { catalogue } from './context.ts';

/** GET /catalogue — search, newest time point first, within the caller's clearance. */
export const handler = http(catalogue, 'SearchCatalogue', [catalogueStore, submissions, now], async (req, p) => ({
  body: await searchCatalogue(p, { actor: req.principal, query: req.query }),
}));
