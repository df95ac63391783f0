import { listApplications } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { catalogue } from '#runtime/ports/registry.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/applications — mine or addressed to my organisation, newest first. */
export const handler = http(sharing, 'ListSharingApplications', [catalogue, sharingRead], async (req, p) => ({
  body: { items: await listApplications(p, { actor: req.principal, side: req.query.side, limit: req.query.limit }) },
}));
