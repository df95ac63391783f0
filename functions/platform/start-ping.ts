import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { pings } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { startPing } from '#shared/platform/ping.ts';
import { platform } from './context.ts';

/** POST /pings — 202 with the ping id and the execution ARN; the workflow runs on. */
export const handler = http(platform, 'StartPing', [pings, workflow, newUuid, now], async (req, p) => {
  const { ping, executionArn } = await startPing({ actor: req.principal, message: req.body.message, requestId: req.requestId }, p);
  return { status: 202, body: { pingId: ping.pingId, status: ping.status, executionArn } };
});
