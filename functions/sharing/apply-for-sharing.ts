import { applicationView, applyForSharing } from '#shared/sharing/sharing.ts';
import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { calendar, catalogue } from '#runtime/ports/registry.ts';
import { sharingClocks, sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { sharing } from './context.ts';

/** POST /sharing/applications — 201: stored; online reviews started per organiser. */
export const handler = http(sharing, 'ApplyForSharing', [catalogue, calendar, sharingStore, sharingClocks, workflow, now, newUuid], async (req, p) => {
  const app = await applyForSharing(p, { actor: req.principal, input: req.body, requestId: req.requestId });
  return { status: 201, body: { application: await applicationView(p, req.principal, app) } };
});
