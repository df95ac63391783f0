import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** POST /submissions/{submissionId}/versions/{n}/complete — seal and start verification once: 202 when started, 200 after. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'CompleteVersion',
    submissionContracts.CompleteVersion,
    async (req) => {
      const result = await completeVersion(
        { actor: signedIn(req.principal), submissionId: req.path.submissionId, n: req.path.n, requestId: req.requestId },
        await portsOf(deps),
      );
      return { status: result.started ? 202 : 200, body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
