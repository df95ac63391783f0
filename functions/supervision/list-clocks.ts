import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, identityRepo } from '#runtime/ports/registry.ts';
import { clockReader } from '#runtime/ports/supervision.ts';
import { listClocks } from '#shared/supervision/clock-list.ts';
import { supervision } from './context.ts';

/** GET /supervision/clocks — statutory clocks of an organisation and those below it (issue 14 §1). */
export const handler = http(supervision, 'ListClocks', [clockReader, identityRepo, calendar, now], async (req, p) => {
  const q = req.query;
  const result = await listClocks(
    { clocks: p.clocks, identity: p.identity, calendar: p.calendar, now: p.now },
    {
      actor: req.principal,
      ...(q.org ? { org: q.org } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.region ? { region: q.region } : {}),
      state: q.state,
      subordinates: q.subordinates === 'true',
    },
  );
  return { body: result, headers: { 'cache-control': 'no-store' } };
});
