import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogueStore, submissions } from '#runtime/ports/registry.ts';
import { getCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { catalogue } from './context.ts';

/** GET /catalogue/{resultNumber} — 404 for an entry above the caller's clearance, as for a missing one. */
export const handler = http(catalogue, 'GetCatalogueEntry', [catalogueStore, submissions, now], async (req, p) => ({
  body: { entry: await getCatalogueEntry(p, { actor: req.principal, resultNumber: req.path.resultNumber }) },
}));
