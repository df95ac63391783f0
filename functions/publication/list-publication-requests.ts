import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, catalogue, publicationLists } from '#runtime/ports/registry.ts';
import { listPublicationRequests } from '#shared/publication/request-list.ts';
import { publication } from './context.ts';

/** GET /publication/requests — my organisation's publication requests on one side (prepared, to review, to approve), a page at a time. */
export const handler = http(publication, 'ListPublicationRequests', [publicationLists, catalogue, calendar, now], async (req, p) => {
  const q = req.query;
  const out = await listPublicationRequests(p, { actor: req.principal, side: q.side, limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) });
  return { body: out, headers: { 'cache-control': 'no-store' } };
});
