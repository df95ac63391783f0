import * as z from 'zod/mini';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo, pings } from '#runtime/ports/registry.ts';
import { vault } from '#runtime/ports/vault.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordPingWaiting } from '#shared/platform/ping.ts';
import { platform } from './context.ts';

export const pingWaitInputSchema = z.object({
  taskToken: z.string().check(z.minLength(1)),
  pingId: z.string().check(z.minLength(1)),
  requestedBy: z.string().check(z.minLength(1)),
  execution: z.optional(z.string()),
});

/**
 * The `.waitForTaskToken` step of the Ping state machine: records the task
 * and emails the caller, then returns; the execution waits for the callback.
 */
export const handler = sfnTask(platform, 'PingWait', pingWaitInputSchema, [pings, identityRepo, mailer, now, appBaseUrl, vault], async (input, p, task) => {
  const { ping, emailed } = await recordPingWaiting(
    { pingId: input.pingId, taskToken: input.taskToken, execution: input.execution, requestId: task.requestId },
    p,
  );
  return { pingId: ping.pingId, status: ping.status, emailed };
});
