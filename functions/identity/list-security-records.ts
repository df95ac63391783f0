import { withHttp } from '#runtime/with-http.ts';
import { listSecurityRecords } from '#shared/security/records.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';
import { identityOf, signedIn, type IdentityDeps } from './deps.ts';

/** GET /security-records — an organisation's security records (R20.1), for its supervisors and administrators. */
export function makeHandler(deps?: IdentityDeps) {
  return withHttp(
    'ListSecurityRecords',
    identityContracts.ListSecurityRecords,
    async (req) => {
      const { securityRecordStoreFromEnv } = await import('#adapters/dynamo-security-records.ts');
      const q = req.query;
      const result = await listSecurityRecords(
        { records: deps?.securityRecords?.() ?? securityRecordStoreFromEnv(), identity: await identityOf(deps), now: () => new Date() },
        {
          actor: signedIn(req.principal),
          org: q.org,
          ...(q.from ? { from: q.from.length === 10 ? `${q.from}T00:00:00.000Z` : q.from } : {}),
          ...(q.to ? { to: q.to } : {}),
          subordinates: q.subordinates === 'true',
          limit: q.limit,
          ...(q.cursor ? { before: q.cursor } : {}),
        },
      );
      return { body: result, headers: { 'cache-control': 'no-store' } };
    },
    deps,
  );
}

export const handler = makeHandler();
