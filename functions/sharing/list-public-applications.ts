import { listPublicApplications } from '#shared/sharing/public.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { publicApplicationsRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/public-applications — received public applications addressed to my organisation, newest first. */
export const handler = http(sharing, 'ListPublicApplications', [publicApplicationsRead, now], async (req, p) => ({
  body: { items: await listPublicApplications(p, { actor: req.principal, limit: req.query.limit }) },
}));
