import { http } from '#runtime/http.ts';
import { catalogue, publicationsRead } from '#runtime/ports/registry.ts';
import { publicationView, visibleRequest } from '#shared/publication/request.ts';
import { publication } from './context.ts';

/** GET /publication/requests/{requestId} — the request, its rule, rounds, decisions, hold and timeline. */
export const handler = http(publication, 'GetPublicationRequest', [catalogue, publicationsRead], async (req, p) => ({
  body: { request: publicationView(await visibleRequest(p, req.principal, req.path.requestId)) },
}));
