import { http } from '#runtime/http.ts';
import { authoritiesRead, catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { resolvePublicationAuthority } from '#shared/publication/authority.ts';
import { publication } from './context.ts';

/** GET /catalogue/{resultNumber}/publication-authority — the rule that applies and who approves. */
export const handler = http(publication, 'ResolvePublicationAuthority', [catalogue, identityRepo, authoritiesRead], async (req, p) => ({
  body: { resolution: await resolvePublicationAuthority(p, { actor: req.principal, resultNumber: req.path.resultNumber }) },
}));
