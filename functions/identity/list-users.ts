import { http } from '#runtime/http.ts';
import { listOrganisationUsers } from '#shared/identity/directory.ts';
import { identity } from './context.ts';

/** GET /orgs/{code}/users — the users of an organisation the reader may see. */
export const handler = http(identity, 'ListUsers', [], async (req, p) => ({
  body: { items: await listOrganisationUsers(p.identity, req.principal, req.path.code) },
}));
