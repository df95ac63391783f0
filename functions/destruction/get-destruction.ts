import { destructionView, getDestruction } from '#shared/destruction/destruction.ts';
import { http } from '#runtime/http.ts';
import { catalogue, destructions } from '#runtime/ports/registry.ts';
import { destruction } from './context.ts';

/** GET /catalogue/{resultNumber}/destruction — the latest round and its approval record. */
export const handler = http(destruction, 'GetDestruction', [catalogue, destructions], async (req, p) => ({
  body: { destruction: destructionView(await getDestruction(p, { actor: req.principal, resultNumber: req.path.resultNumber })) },
}));
