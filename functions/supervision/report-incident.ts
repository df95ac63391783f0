import { http } from '#runtime/http.ts';
import { appBaseUrl, newHex4, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { incidentResults, incidentStore } from '#runtime/ports/supervision.ts';
import { incidentView, reportIncident } from '#shared/supervision/incidents.ts';
import { supervision } from './context.ts';

/** POST /supervision/incidents — any signed-in user reports a security incident (R20.1); 201. */
export const handler = http(supervision, 'ReportIncident', [incidentStore, incidentResults, mailer, now, newHex4, appBaseUrl], async (req, p) => {
  const out = await reportIncident(
    { identity: p.identity, incidents: p.incidents, catalogue: p.catalogue, mailer: p.mailer, now: p.now, newId: p.newId, appBaseUrl: p.appBaseUrl },
    { actor: req.principal, ...req.body, requestId: req.requestId },
  );
  return { status: 201, body: { incident: incidentView(out.incident, req.principal), notified: out.notified } };
});
