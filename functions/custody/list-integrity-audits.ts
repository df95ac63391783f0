import { http } from '#runtime/http.ts';
import { documents, integrityRunsRead } from '#runtime/ports/buckets.ts';
import { catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { listIntegrityAudits } from '#shared/custody/integrity-reports.ts';
import { custody } from './context.ts';

/** GET /custody/integrity-audits — the weekly audit's runs, newest first, with the findings that concern the reader. */
export const handler = http(custody, 'ListIntegrityAudits', [integrityRunsRead, documents, identityRepo, catalogue], async (req, p) => {
  const body = await listIntegrityAudits(p, req.principal, Number(req.query.limit));
  return { body, headers: { 'cache-control': 'no-store' } };
});
