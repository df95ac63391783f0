import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { authorities } from '#runtime/ports/registry.ts';
import { putAuthorityTable } from '#shared/publication/authority.ts';
import { publication } from './context.ts';

/** PUT /publication/authorities — a new version of the whole table (audited). */
export const handler = http(publication, 'PutAuthorityTable', [authorities, now], async (req, p) => ({
  body: await putAuthorityTable(p, { actor: req.principal, body: req.body, requestId: req.requestId }),
}));
