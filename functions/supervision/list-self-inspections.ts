import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar } from '#runtime/ports/registry.ts';
import { clockReader, selfInspectionCadence, selfInspectionReader } from '#runtime/ports/supervision.ts';
import { listSelfInspections } from '#shared/supervision/self-inspections.ts';
import { supervision } from './context.ts';

/** GET /supervision/self-inspections — who filed, who is late, open rectifications (R20.1). */
export const handler = http(supervision, 'ListSelfInspections', [selfInspectionReader, clockReader, selfInspectionCadence, calendar, now], async (req, p) => {
  const out = await listSelfInspections(
    { identity: p.identity, inspections: p.inspections, clocks: p.clocks, calendar: p.calendar, now: p.now, cadence: p.cadence },
    { actor: req.principal, ...(req.query.org ? { org: req.query.org } : {}), ...(req.query.period ? { period: req.query.period } : {}) },
  );
  return { body: out, headers: { 'cache-control': 'no-store' } };
});
