import { http } from '#runtime/http.ts';
import { newId, now } from '#runtime/ports/basics.ts';
import { authoritiesRead, calendar, catalogue, identityRepo, publications, releasesRead } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { publicationView, resubmitPublication } from '#shared/publication/request.ts';
import { publication } from './context.ts';

/** POST /publication/requests/{requestId}/resubmissions — 202: the next round, with a new release version, goes to review. */
export const handler = http(publication, 'ResubmitPublication', [catalogue, identityRepo, authoritiesRead, releasesRead, publications, workflow, calendar, now, newId], async (req, p) => {
  const request = await resubmitPublication(p, { actor: req.principal, id: req.path.requestId, releaseNumber: req.body.releaseNumber, requestId: req.requestId });
  return { status: 202, body: { request: publicationView(request) } };
});
