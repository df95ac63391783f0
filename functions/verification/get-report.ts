import { withHttp } from '#runtime/with-http.ts';
import { verificationContracts } from '#shared/schemas/verification-contracts.ts';
import { readKeptReport } from '#shared/verification/report-access.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type VerificationDeps } from './deps.ts';

/** GET /submissions/{submissionId}/versions/{n}/report — the round's verification report (JSON). */
export function makeHandler(deps?: VerificationDeps) {
  return withHttp(
    'GetVerificationReport',
    verificationContracts.GetVerificationReport,
    async (req) => ({
      body: await readKeptReport(await portsOf(deps), { actor: signedIn(req.principal), submissionId: req.path.submissionId, n: req.path.n, format: 'json' }),
    }),
    deps,
  );
}

export const handler = makeHandler();
