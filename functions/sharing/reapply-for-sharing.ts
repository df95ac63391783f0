import { reapplyForSharing } from '#shared/sharing/push.ts';
import { applicationView } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { calendar, catalogue } from '#runtime/ports/registry.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { sharing } from './context.ts';

/** POST /sharing/applications/{applicationId}/reapplication — the application copied for the new version, in one step (201). */
export const handler = http(sharing, 'ReapplyForSharing', [catalogue, calendar, sharingStore, workflow, now, newUuid], async (req, p) => {
  const app = await reapplyForSharing(p, { actor: req.principal, applicationId: req.path.applicationId, requestId: req.requestId });
  return { status: 201, body: { application: await applicationView(p, req.principal, app) } };
});
