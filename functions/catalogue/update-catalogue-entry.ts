import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogueStore, submissions } from '#runtime/ports/registry.ts';
import { confidentialityReviewReader } from '#runtime/ports/supervision.ts';
import { editCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { catalogue } from './context.ts';

/** PATCH /catalogue/{resultNumber} — a new version of the entry, audited; a lowered classification applies its confidentiality review. */
export const handler = http(catalogue, 'UpdateCatalogueEntry', [catalogueStore, submissions, confidentialityReviewReader, now], async (req, p) => ({
  body: await editCatalogueEntry(p, { actor: req.principal, resultNumber: req.path.resultNumber, edit: req.body, requestId: req.requestId }),
}));
