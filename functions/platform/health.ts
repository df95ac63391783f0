import { withHttp } from '#runtime/with-http.ts';
import { logger } from '#shared/log.ts';
import type { HealthProbe } from '#shared/ports/platform.ts';
import { platformContracts } from '#shared/schemas/platform-contracts.ts';

let probeCache: HealthProbe | undefined;
async function defaultProbe(): Promise<HealthProbe> {
  if (!probeCache) {
    const { healthProbeFromEnv } = await import('#adapters/dynamo-platform.ts');
    probeCache = healthProbeFromEnv();
  }
  return probeCache;
}

/** Public liveness: 200 when the registry table answers, 503 (same body shape) when it does not. */
export function makeHandler(probe?: HealthProbe) {
  return withHttp('HealthCheck', platformContracts.HealthCheck, async (req) => {
    const version = process.env['APP_VERSION'] ?? '0.1.0';
    const time = new Date().toISOString();
    try {
      const { ms } = await (probe ?? (await defaultProbe())).readRegistry();
      return { body: { status: 'ok', time, version, checks: { registry: { ok: true, ms } } }, headers: { 'cache-control': 'no-store' } };
    } catch (error) {
      // Named in the log with the request id; the caller learns only that the table is unreachable.
      logger.error('health: registry unreadable', { requestId: req.requestId, error: error as Error });
      return { status: 503, body: { status: 'degraded', time, version, checks: { registry: { ok: false } } }, headers: { 'cache-control': 'no-store' } };
    }
  });
}

export const handler = makeHandler();
