import { http } from '#runtime/http.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { readKeptReport } from '#shared/verification/report-access.ts';
import { verification } from './context.ts';

/** GET /submissions/{submissionId}/versions/{n}/report.html — the same report as a Chinese page. */
export const handler = http(verification, 'GetVerificationReportHtml', [submissions, documents], async (req, p) => ({
  body: await readKeptReport(
    { store: p.submissions, identity: p.identity, documents: p.documents },
    { actor: req.principal, submissionId: req.path.submissionId, n: req.path.n, format: 'html' },
  ),
  // The page is self-contained: no scripts, no external resources.
  headers: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'no-store' },
}));
