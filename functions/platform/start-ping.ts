import { randomUUID } from 'node:crypto';
import { startPing, type StartPingPorts } from '#shared/platform/ping.ts';
import { UnauthenticatedError } from '#shared/errors.ts';
import { withHttp, type HttpDeps } from '#runtime/with-http.ts';
import { platformContracts } from '#shared/schemas/platform-contracts.ts';

let portsCache: StartPingPorts | undefined;
async function defaultPorts(): Promise<StartPingPorts> {
  if (!portsCache) {
    const [{ pingStoreFromEnv }, { workflowFromEnv }] = await Promise.all([
      import('#adapters/dynamo-platform.ts'),
      import('#adapters/sfn.ts'),
    ]);
    portsCache = { pings: pingStoreFromEnv(), workflow: workflowFromEnv(), newId: randomUUID, now: () => new Date() };
  }
  return portsCache;
}

/** POST /pings — 202 with the ping id and the execution ARN; the workflow runs on. */
export function makeHandler(ports?: StartPingPorts, deps?: HttpDeps) {
  return withHttp(
    'StartPing',
    platformContracts.StartPing,
    async (req) => {
      if (!req.principal) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录');
      const { ping, executionArn } = await startPing(
        { actor: req.principal, message: req.body.message, requestId: req.requestId },
        ports ?? (await defaultPorts()),
      );
      return { status: 202, body: { pingId: ping.pingId, status: ping.status, executionArn } };
    },
    deps,
  );
}

export const handler = makeHandler();
