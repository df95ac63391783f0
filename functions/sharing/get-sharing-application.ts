import { getApplication } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/applications/{applicationId} — the application and its timeline. */
export const handler = http(sharing, 'GetSharingApplication', [catalogue, sharingRead], async (req, p) => ({
  body: { application: await getApplication(p, { actor: req.principal, applicationId: req.path.applicationId }) },
}));
