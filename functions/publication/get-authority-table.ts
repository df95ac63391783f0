import { http } from '#runtime/http.ts';
import { authoritiesRead } from '#runtime/ports/registry.ts';
import { getAuthorityTable } from '#shared/publication/authority.ts';
import { publication } from './context.ts';

/** GET /publication/authorities — the table in force (version 0 = the built-in rules) or `?version=n`. */
export const handler = http(publication, 'GetAuthorityTable', [authoritiesRead], async (req, p) => ({
  body: { table: await getAuthorityTable(p.authorities, { ...(req.query.version !== undefined ? { version: req.query.version } : {}) }) },
}));
