import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { bulletinReader } from '#runtime/ports/supervision.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { requestBulletin } from '#shared/supervision/bulletin.ts';
import { bulletinView } from '#shared/schemas/supervision.ts';
import { supervision } from './context.ts';

/** POST /supervision/bulletins — a supervisor asks for a bulletin (R21.1): 202 the Bulletin machine builds it, 200 when it already exists. */
export const handler = http(supervision, 'IssueBulletin', [bulletinReader, workflow, now, appBaseUrl], async (req, p) => {
  const out = await requestBulletin(
    { identity: p.identity, bulletins: p.bulletins, workflow: p.workflow, now: p.now, appBaseUrl: p.appBaseUrl },
    { actor: req.principal, org: req.body.org ?? req.principal.orgCode, period: req.body.period, requestId: req.requestId },
  );
  return out.bulletin
    ? { status: 200, body: { bulletinId: out.bulletinId, state: 'issued' as const, bulletin: bulletinView(out.bulletin), pageUrl: out.pageUrl } }
    : { status: 202, body: { bulletinId: out.bulletinId, state: 'issuing' as const, pageUrl: out.pageUrl } };
});
