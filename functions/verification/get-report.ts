import { http } from '#runtime/http.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { readKeptReport } from '#shared/verification/report-access.ts';
import { verification } from './context.ts';

/** GET /submissions/{submissionId}/versions/{n}/report — the round's verification report (JSON). */
export const handler = http(verification, 'GetVerificationReport', [submissions, documents], async (req, p) => ({
  body: await readKeptReport(
    { store: p.submissions, identity: p.identity, documents: p.documents },
    { actor: req.principal, submissionId: req.path.submissionId, n: req.path.n, format: 'json' },
  ),
}));
