import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { selfInspectionStore } from '#runtime/ports/supervision.ts';
import { closeRectification } from '#shared/supervision/self-inspections.ts';
import { supervision } from './context.ts';

/** POST /supervision/self-inspections/{inspectionId}/rectifications/{index}/close — the rectification's R20.1 clock is met. */
export const handler = http(supervision, 'CloseRectification', [selfInspectionStore, now], async (req, p) => {
  const out = await closeRectification(
    { identity: p.identity, inspections: p.inspections, now: p.now },
    { actor: req.principal, inspectionId: req.path.inspectionId, index: req.path.index, note: req.body.note, requestId: req.requestId },
  );
  return { body: { selfInspection: out.inspection, changed: out.changed } };
});
