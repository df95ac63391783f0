import { http } from '#runtime/http.ts';
import { directory, people, signInAccounts } from '#runtime/ports/accounts.ts';
import { createPerson } from '#shared/identity/admin.ts';
import { identity } from './context.ts';

/** POST /users — an administrator registers a person and opens the sign-in account (201; the same again: 200). */
export const handler = http(identity, 'CreateUser', [directory, people, signInAccounts], async (req, p) => {
  const result = await createPerson({ actor: req.principal, input: req.body, requestId: req.requestId }, { identity: p.people, directory: p.directory, accounts: p.accounts });
  return { status: result.changed ? 201 : 200, body: result };
});
