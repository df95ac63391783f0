import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { pings } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordPingOutcome } from '#shared/platform/ping.ts';
import { platform } from './context.ts';

export const pingDoneInputSchema = z.object({
  pingId: z.string().check(z.minLength(1)),
  outcome: z.enum(['acknowledged', 'timedOut', 'failed']),
  /** What SendTaskSuccess returned (acknowledged). */
  acknowledgement: z.optional(z.unknown()),
  /** The caught `{ Error, Cause }` (timedOut, failed). */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
  execution: z.optional(z.string()),
});

/** The last step of the Ping state machine: records the outcome (audited). */
export const handler = sfnTask(platform, 'PingDone', pingDoneInputSchema, [pings, now], async (input, p, task) => {
  const detail: Record<string, unknown> =
    input.outcome === 'acknowledged' ? { acknowledgement: input.acknowledgement ?? null } : { error: input.error ?? null };
  const ping = await recordPingOutcome(
    { pingId: input.pingId, outcome: input.outcome, detail, execution: input.execution, requestId: task.requestId },
    p,
  );
  return { pingId: ping.pingId, status: ping.status };
});
