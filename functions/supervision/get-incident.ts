import { http } from '#runtime/http.ts';
import { incidentReader } from '#runtime/ports/supervision.ts';
import { getIncident, incidentView } from '#shared/supervision/incidents.ts';
import { supervision } from './context.ts';

/** GET /supervision/incidents/{incidentId} — one incident with its timeline (404 outside the reader's scope). */
export const handler = http(supervision, 'GetIncident', [incidentReader], async (req, p) => {
  const incident = await getIncident({ identity: p.identity, incidents: p.incidents }, { actor: req.principal, incidentId: req.path.incidentId });
  return { body: { incident: incidentView(incident, req.principal) }, headers: { 'cache-control': 'no-store' } };
});
