import { withHttp } from '#runtime/with-http.ts';
import { verificationContracts } from '#shared/schemas/verification-contracts.ts';
import { readKeptReport } from '#shared/verification/report-access.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type VerificationDeps } from './deps.ts';

/** GET /submissions/{submissionId}/versions/{n}/report.html — the same report as a Chinese page. */
export function makeHandler(deps?: VerificationDeps) {
  return withHttp(
    'GetVerificationReportHtml',
    verificationContracts.GetVerificationReportHtml,
    async (req) => ({
      body: await readKeptReport(await portsOf(deps), { actor: signedIn(req.principal), submissionId: req.path.submissionId, n: req.path.n, format: 'html' }),
      // The page is self-contained: no scripts, no external resources.
      headers: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'no-store' },
    }),
    deps,
  );
}

export const handler = makeHandler();
