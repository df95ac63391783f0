import { http } from '#runtime/http.ts';
import { documents, integrityRunsRead } from '#runtime/ports/buckets.ts';
import { catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { getIntegrityAudit } from '#shared/custody/integrity-reports.ts';
import { custody } from './context.ts';

/** GET /custody/integrity-audits/{runId} — one run's findings that concern the reader, within clearance. */
export const handler = http(custody, 'GetIntegrityAudit', [integrityRunsRead, documents, identityRepo, catalogue], async (req, p) => {
  const body = await getIntegrityAudit(p, req.principal, req.path.runId);
  return { body, headers: { 'cache-control': 'no-store' } };
});
