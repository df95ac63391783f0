import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { derivedProductsRead } from '#runtime/ports/derived.ts';
import { catalogue, identityRepo, releases, submissions } from '#runtime/ports/registry.ts';
import { createRelease } from '#shared/publication/release.ts';
import { publication } from './context.ts';

/** POST /catalogue/{resultNumber}/releases — 201: the release version and its catalogue entry (pending publication); with `derivedProductId` the derived product it publishes (R18.2). */
export const handler = http(publication, 'CreateRelease', [catalogue, submissions, identityRepo, releases, now, derivedProductsRead], async (req, p) => {
  const out = await createRelease(p, { actor: req.principal, resultNumber: req.path.resultNumber, body: req.body, requestId: req.requestId });
  return { status: 201, body: out };
});
