import { destructionView, requestDestruction } from '#shared/destruction/destruction.ts';
import { http } from '#runtime/http.ts';
import { newId, now } from '#runtime/ports/basics.ts';
import { catalogue, destructions } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { destruction } from './context.ts';

/** POST /catalogue/{resultNumber}/destruction — 202: the request is recorded and awaits the organiser's approval. */
export const handler = http(destruction, 'RequestDestruction', [catalogue, destructions, workflow, now, newId], async (req, p) => {
  const record = await requestDestruction(p, { actor: req.principal, resultNumber: req.path.resultNumber, reasons: req.body.reasons, requestId: req.requestId });
  return { status: 202, body: { destruction: destructionView(record) } };
});
