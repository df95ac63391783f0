import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { directory, people } from '#runtime/ports/accounts.ts';
import { updateOrganisation } from '#shared/identity/admin.ts';
import { identity } from './context.ts';

/** PATCH /orgs/{code} — rename, move, deactivate or reactivate (never delete). */
export const handler = http(identity, 'UpdateOrganisation', [directory, people, now], async (req, p) => ({
  body: await updateOrganisation({ actor: req.principal, code: req.path.code, input: req.body, requestId: req.requestId }, { identity: p.people, directory: p.directory, now: p.now }),
}));
