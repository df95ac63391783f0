import { http } from '#runtime/http.ts';
import { incidentReader } from '#runtime/ports/supervision.ts';
import { incidentView, listIncidents } from '#shared/supervision/incidents.ts';
import { supervision } from './context.ts';

/** GET /supervision/incidents — an organisation's incidents and those below it, newest first. */
export const handler = http(supervision, 'ListIncidents', [incidentReader], async (req, p) => {
  const out = await listIncidents({ identity: p.identity, incidents: p.incidents }, { actor: req.principal, ...(req.query.org ? { org: req.query.org } : {}), ...(req.query.state ? { state: req.query.state } : {}) });
  return { body: { org: out.org, items: out.items.map((i) => incidentView(i, req.principal)) }, headers: { 'cache-control': 'no-store' } };
});
