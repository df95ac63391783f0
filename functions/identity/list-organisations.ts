import { http } from '#runtime/http.ts';
import { listOrganisations } from '#shared/identity/directory.ts';
import { identity } from './context.ts';

/** GET /orgs — organisations, optionally under a parent. */
export const handler = http(identity, 'ListOrganisations', [], async (req, p) => ({
  body: { items: await listOrganisations(p.identity, req.query.parentCode) },
}));
