import { http } from '#runtime/http.ts';
import { newId, now } from '#runtime/ports/basics.ts';
import { authoritiesRead, calendar, catalogue, identityRepo, programmeTasks, publications, releasesRead } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { publicationView, requestPublication } from '#shared/publication/request.ts';
import { publication } from './context.ts';

/** POST /publication/requests — 202: the request with the rule that applied; the confidentiality review is sent. */
export const handler = http(publication, 'RequestPublication', [catalogue, identityRepo, authoritiesRead, releasesRead, programmeTasks, publications, workflow, calendar, now, newId], async (req, p) => {
  const request = await requestPublication(p, { actor: req.principal, body: req.body, requestId: req.requestId });
  return { status: 202, body: { request: publicationView(request) } };
});
