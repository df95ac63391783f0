import { http } from '#runtime/http.ts';
import { directory, people } from '#runtime/ports/accounts.ts';
import { createOrganisation } from '#shared/identity/admin.ts';
import { identity } from './context.ts';

/** POST /orgs — an administrator creates an organisation in its scope (201; the same one again: 200, changed=false). */
export const handler = http(identity, 'CreateOrganisation', [directory, people], async (req, p) => {
  const result = await createOrganisation({ actor: req.principal, input: req.body, requestId: req.requestId }, { identity: p.people, directory: p.directory });
  return { status: result.changed ? 201 : 200, body: result };
});
