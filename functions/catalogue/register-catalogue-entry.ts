import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogueStore, submissions } from '#runtime/ports/registry.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { catalogue } from './context.ts';

/** POST /catalogue — 201 with a new entry and its unified number; 200 with the existing one on a repeat. */
export const handler = http(catalogue, 'RegisterCatalogueEntry', [catalogueStore, submissions, now], async (req, p) => {
  const result = await registerCatalogueEntry(p, {
    submissionId: req.body.submissionId,
    ...(req.body.timePoint ? { timePoint: req.body.timePoint } : {}),
    actor: req.principal,
    requestId: req.requestId,
  });
  return { status: result.created ? 201 : 200, body: result };
});
