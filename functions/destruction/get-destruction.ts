import { destructionView, getDestruction } from '#shared/destruction/destruction.ts';
import { withHttp } from '#runtime/with-http.ts';
import { destructionContracts } from '#shared/schemas/destruction-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type DestructionDeps } from './deps.ts';

/** GET /catalogue/{resultNumber}/destruction — the latest round and its approval record. */
export function makeHandler(deps?: DestructionDeps) {
  return withHttp(
    'GetDestruction',
    destructionContracts.GetDestruction,
    async (req) => ({
      body: { destruction: destructionView(await getDestruction(await portsOf(deps), { actor: signedIn(req.principal), resultNumber: req.path.resultNumber })) },
    }),
    deps,
  );
}

export const handler = makeHandler();
