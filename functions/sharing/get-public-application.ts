import { getPublicApplication } from '#shared/sharing/public.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { publicApplicationsRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/public-applications/{applicationId} — the answering organisation only (others 404). */
export const handler = http(sharing, 'GetPublicApplication', [publicApplicationsRead, now], async (req, p) => ({
  body: { application: await getPublicApplication(p, { actor: req.principal, applicationId: req.path.applicationId }) },
}));
