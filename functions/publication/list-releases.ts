import { http } from '#runtime/http.ts';
import { catalogue, releasesRead } from '#runtime/ports/registry.ts';
import { listReleases } from '#shared/publication/release.ts';
import { publication } from './context.ts';

/** GET /catalogue/{resultNumber}/releases — the release versions of a result within the reader's clearance. */
export const handler = http(publication, 'ListReleases', [catalogue, releasesRead], async (req, p) => ({
  body: { releases: await listReleases(p, { actor: req.principal, resultNumber: req.path.resultNumber }) },
}));
