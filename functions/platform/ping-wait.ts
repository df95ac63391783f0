import { z } from 'zod';
import { recordPingWaiting, type PingWaitPorts } from '#shared/platform/ping.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';

export const pingWaitInputSchema = z.object({
  taskToken: z.string().min(1),
  pingId: z.string().min(1),
  requestedBy: z.string().min(1),
  execution: z.string().optional(),
});

let portsCache: PingWaitPorts | undefined;
async function defaultPorts(): Promise<PingWaitPorts> {
  if (!portsCache) {
    const [{ pingStoreFromEnv }, { identityRepositoryFromEnv }, { mailerFromEnv }, { tokenVaultFromEnv }] = await Promise.all([
      import('#adapters/dynamo-platform.ts'),
      import('#adapters/dynamo-identity.ts'),
      import('#adapters/mailer.ts'),
      import('#adapters/token-vault.ts'),
    ]);
    portsCache = {
      pings: pingStoreFromEnv(),
      identity: identityRepositoryFromEnv(),
      mailer: mailerFromEnv(),
      now: () => new Date(),
      appBaseUrl: requireEnv(envNames.appBaseUrl),
      vault: tokenVaultFromEnv(),
    };
  }
  return portsCache;
}

/**
 * The `.waitForTaskToken` step of the Ping state machine: records the task
 * and emails the caller, then returns; the execution waits for the callback.
 */
export function makeHandler(ports?: PingWaitPorts) {
  return withSfnTask('PingWait', pingWaitInputSchema, async (input, ctx) => {
    const { ping, emailed } = await recordPingWaiting(
      { pingId: input.pingId, taskToken: input.taskToken, execution: input.execution, requestId: ctx.requestId },
      ports ?? (await defaultPorts()),
    );
    return { pingId: ping.pingId, status: ping.status, emailed };
  });
}

export const handler = makeHandler();
