import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { securityRecords } from '#runtime/ports/registry.ts';
import { listSecurityRecords } from '#shared/security/records.ts';
import { identity } from './context.ts';

/** GET /security-records — an organisation's security records (R20.1), for its supervisors and administrators. */
export const handler = http(identity, 'ListSecurityRecords', [securityRecords, now], async (req, p) => {
  const q = req.query;
  const result = await listSecurityRecords(
    { records: p.securityRecords, identity: p.identity, now: p.now },
    {
      actor: req.principal,
      org: q.org,
      ...(q.from ? { from: q.from.length === 10 ? `${q.from}T00:00:00.000Z` : q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      subordinates: q.subordinates === 'true',
      limit: q.limit,
      ...(q.cursor ? { before: q.cursor } : {}),
    },
  );
  return { body: result, headers: { 'cache-control': 'no-store' } };
});
