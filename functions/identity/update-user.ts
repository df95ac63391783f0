import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { directory, people, signInAccounts } from '#runtime/ports/accounts.ts';
import { updatePerson } from '#shared/identity/admin.ts';
import { identity } from './context.ts';

/** PATCH /users/{userId} — change, move, deactivate (sign-in refused at once) or reactivate a person. */
export const handler = http(identity, 'UpdateUser', [directory, people, signInAccounts, now], async (req, p) => ({
  body: await updatePerson(
    { actor: req.principal, userId: req.path.userId, input: req.body, requestId: req.requestId },
    { identity: p.people, directory: p.directory, accounts: p.accounts, now: p.now },
  ),
}));
