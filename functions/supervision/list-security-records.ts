import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { securityRecords } from '#runtime/ports/registry.ts';
import { listSecurityRecords } from '#shared/security/records.ts';
import { supervision } from './context.ts';

/** GET /supervision/security-records — the security records (R20.1) of the caller's organisation (or one below it) and those below, paginated. */
export const handler = http(supervision, 'SupervisionSecurityRecords', [securityRecords, now], async (req, p) => {
  const q = req.query;
  const result = await listSecurityRecords(
    { records: p.securityRecords, identity: p.identity, now: p.now },
    {
      actor: req.principal,
      org: q.org ?? req.principal.orgCode,
      ...(q.from ? { from: q.from.length === 10 ? `${q.from}T00:00:00.000Z` : q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      subordinates: q.subordinates === 'true',
      limit: q.limit,
      ...(q.cursor ? { before: q.cursor } : {}),
    },
  );
  return { body: result, headers: { 'cache-control': 'no-store' } };
});
