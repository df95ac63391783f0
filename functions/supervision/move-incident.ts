import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { incidentStore } from '#runtime/ports/supervision.ts';
import { incidentView, moveIncident } from '#shared/supervision/incidents.ts';
import { supervision } from './context.ts';

/** POST /supervision/incidents/{incidentId}/transitions — the next step of the timeline (conditional, idempotent, audited). */
export const handler = http(supervision, 'MoveIncident', [incidentStore, now], async (req, p) => {
  const out = await moveIncident(
    { identity: p.identity, incidents: p.incidents, now: p.now },
    { actor: req.principal, incidentId: req.path.incidentId, to: req.body.to, note: req.body.note, ...(req.body.conclusions ? { conclusions: req.body.conclusions } : {}), requestId: req.requestId },
  );
  return { body: { incident: incidentView(out.incident, req.principal), changed: out.changed } };
});
