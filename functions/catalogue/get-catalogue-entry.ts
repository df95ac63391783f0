import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogueStore, submissions } from '#runtime/ports/registry.ts';
import { problemReader } from '#runtime/ports/feedback.ts';
import { entryWithQualityStatus } from '#shared/feedback/problems.ts';
import { catalogue } from './context.ts';

/** GET /catalogue/{resultNumber} — 404 for an entry above the caller's clearance, as for a missing one; 质量问题处理中 while a major quality problem is open (R19.3). */
export const handler = http(catalogue, 'GetCatalogueEntry', [catalogueStore, submissions, now, problemReader], async (req, p) => ({
  body: { entry: await entryWithQualityStatus(p, { actor: req.principal, resultNumber: req.path.resultNumber }) },
}));
