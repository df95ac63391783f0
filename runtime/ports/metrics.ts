/** Domain metrics (EMF in the function's log): no table, no bucket, no grant. */
import { metricsFromEnv } from '#adapters/emf-metrics.ts';
import type { DomainMetrics } from '#shared/ports/metrics.ts';
import { port } from '../port.ts';

export const metrics = port({ name: 'metrics', env: [], build: (env): DomainMetrics => metricsFromEnv(env) });
