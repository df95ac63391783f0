import { http } from '#runtime/http.ts';
import { getMe } from '#shared/identity/directory.ts';
import { classificationLabels, roleLabels } from '#shared/identity/roles.ts';
import { identity } from './context.ts';

/** GET /me — the signed-in user, with organisation and Chinese labels. */
export const handler = http(identity, 'GetMe', [], async (req, p) => {
  const me = await getMe(req.principal, p.identity);
  return {
    body: { ...me, labels: { roles: me.user.roles.map((r) => roleLabels[r]), clearance: classificationLabels[me.user.clearance] } },
  };
});
