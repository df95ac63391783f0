import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar } from '#runtime/ports/registry.ts';
import { selfInspectionCadence, selfInspectionReader } from '#runtime/ports/supervision.ts';
import { listOwnSelfInspections } from '#shared/supervision/self-inspections.ts';
import { supervision } from './context.ts';

/** GET /supervision/self-inspections/own — a custodian's or requesting department's own filings and their rectifications with clocks (R20.1). */
export const handler = http(supervision, 'ListOwnSelfInspections', [selfInspectionReader, selfInspectionCadence, calendar, now], async (req, p) => {
  const out = await listOwnSelfInspections(
    { identity: p.identity, inspections: p.inspections, calendar: p.calendar, now: p.now, cadence: p.cadence },
    { actor: req.principal, limit: req.query.limit, ...(req.query.cursor ? { cursor: req.query.cursor } : {}) },
  );
  return { body: out, headers: { 'cache-control': 'no-store' } };
});
