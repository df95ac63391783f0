import { withHttp } from '#runtime/with-http.ts';
import { transferContracts } from '#shared/schemas/transfer-contracts.ts';
import { startTransfer } from '#shared/transfer/transfer.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type TransferDeps } from './deps.ts';

/** POST /submissions/{submissionId}/transfer — R8.1: starts the Transfer workflow once: 202 when started, 200 after. */
export function makeHandler(deps?: TransferDeps) {
  return withHttp(
    'StartTransfer',
    transferContracts.StartTransfer,
    async (req) => {
      const result = await startTransfer(await portsOf(deps), { actor: signedIn(req.principal), submissionId: req.path.submissionId, requestId: req.requestId });
      return { status: result.started ? 202 : 200, body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
