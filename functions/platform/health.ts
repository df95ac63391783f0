import { http } from '#runtime/http.ts';
import { healthProbe } from '#runtime/ports/registry.ts';
import { logger } from '#shared/log.ts';
import { platform } from './context.ts';

/** Public liveness: 200 when the registry table answers, 503 (same body shape) when it does not. */
export const handler = http(platform, 'HealthCheck', [healthProbe], async (req, p) => {
  const version = process.env['APP_VERSION'] ?? '0.1.0';
  const time = new Date().toISOString();
  try {
    const { ms } = await p.health.readRegistry();
    return { body: { status: 'ok', time, version, checks: { registry: { ok: true, ms } } }, headers: { 'cache-control': 'no-store' } };
  } catch (error) {
    // Named in the log with the request id; the caller learns only that the table is unreachable.
    logger.error('health: registry unreadable', { requestId: req.requestId, error: error as Error });
    return { status: 503, body: { status: 'degraded', time, version, checks: { registry: { ok: false } } }, headers: { 'cache-control': 'no-store' } };
  }
});
