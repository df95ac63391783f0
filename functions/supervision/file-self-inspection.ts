import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { selfInspectionCadence, selfInspectionStore } from '#runtime/ports/supervision.ts';
import { fileSelfInspection } from '#shared/supervision/self-inspections.ts';
import { supervision } from './context.ts';

/** POST /supervision/self-inspections — a custodian or requesting department files its self-inspection (R20.1); 201, or 200 when filed already. */
export const handler = http(supervision, 'FileSelfInspection', [selfInspectionStore, selfInspectionCadence, now], async (req, p) => {
  const out = await fileSelfInspection(
    { identity: p.identity, inspections: p.inspections, now: p.now, cadence: p.cadence },
    { actor: req.principal, ...(req.body.period ? { period: req.body.period } : {}), checklist: req.body.checklist, findings: req.body.findings, rectifications: req.body.rectifications, requestId: req.requestId },
  );
  return { status: out.created ? 201 : 200, body: { selfInspection: out.inspection, created: out.created } };
});
