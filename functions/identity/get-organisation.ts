import { http } from '#runtime/http.ts';
import { getOrganisationDetail } from '#shared/identity/directory.ts';
import { identity } from './context.ts';

/** GET /orgs/{code} — one organisation, its parent and children. */
export const handler = http(identity, 'GetOrganisation', [], async (req, p) => ({ body: await getOrganisationDetail(p.identity, req.path.code) }));
