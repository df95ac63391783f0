import { destructionView, requestDestruction } from '#shared/destruction/destruction.ts';
import { withHttp } from '#runtime/with-http.ts';
import { destructionContracts } from '#shared/schemas/destruction-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type DestructionDeps } from './deps.ts';

/** POST /catalogue/{resultNumber}/destruction — 202: the request is recorded and awaits the organiser's approval. */
export function makeHandler(deps?: DestructionDeps) {
  return withHttp(
    'RequestDestruction',
    destructionContracts.RequestDestruction,
    async (req) => {
      const record = await requestDestruction(await portsOf(deps), {
        actor: signedIn(req.principal),
        resultNumber: req.path.resultNumber,
        reasons: req.body.reasons,
        requestId: req.requestId,
      });
      return { status: 202, body: { destruction: destructionView(record) } };
    },
    deps,
  );
}

export const handler = makeHandler();
