import { z } from 'zod';
import { recordPingOutcome, type PingDonePorts } from '#shared/platform/ping.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';

export const pingDoneInputSchema = z.object({
  pingId: z.string().min(1),
  outcome: z.enum(['acknowledged', 'timedOut', 'failed']),
  /** What SendTaskSuccess returned (acknowledged). */
  acknowledgement: z.unknown().optional(),
  /** The caught `{ Error, Cause }` (timedOut, failed). */
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  execution: z.string().optional(),
});

let portsCache: PingDonePorts | undefined;
async function defaultPorts(): Promise<PingDonePorts> {
  if (!portsCache) {
    const { pingStoreFromEnv } = await import('#adapters/dynamo-platform.ts');
    portsCache = { pings: pingStoreFromEnv(), now: () => new Date() };
  }
  return portsCache;
}

/** The last step of the Ping state machine: records the outcome (audited). */
export function makeHandler(ports?: PingDonePorts) {
  return withSfnTask('PingDone', pingDoneInputSchema, async (input, ctx) => {
    const detail: Record<string, unknown> =
      input.outcome === 'acknowledged' ? { acknowledgement: input.acknowledgement ?? null } : { error: input.error ?? null };
    const ping = await recordPingOutcome(
      { pingId: input.pingId, outcome: input.outcome, detail, execution: input.execution, requestId: ctx.requestId },
      ports ?? (await defaultPorts()),
    );
    return { pingId: ping.pingId, status: ping.status };
  });
}

export const handler = makeHandler();
