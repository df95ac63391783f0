import { http } from '#runtime/http.ts';
import { directory, people } from '#runtime/ports/accounts.ts';
import { setDesignations } from '#shared/identity/admin.ts';
import { identity } from './context.ts';

/** PUT /orgs/{code}/designations — the organiser's standing custodians per theme (R4.1) and technical units (R7.1). */
export const handler = http(identity, 'SetDesignations', [directory, people], async (req, p) => ({
  body: await setDesignations({ actor: req.principal, code: req.path.code, input: req.body, requestId: req.requestId }, { identity: p.people, directory: p.directory }),
}));
