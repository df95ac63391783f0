import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DomainMetric, DomainMetrics } from '#shared/ports/metrics.ts';

/** Namespace and `service` dimension of the domain metrics; the CDK monitoring construct reads the same names. */
export const metricsNamespace = 'chengguo';
export const metricsEnv = { namespace: 'POWERTOOLS_METRICS_NAMESPACE', service: 'POWERTOOLS_SERVICE_NAME' } as const;

/**
 * Powertools Metrics: each value is flushed at once as one EMF line on stdout
 * (CloudWatch Logs turns it into a metric of namespace/service), so a handler
 * that fails later has still counted what happened before.
 */
export class EmfMetrics implements DomainMetrics {
  private readonly metrics: Metrics;
  constructor(namespace: string, service: string) {
    this.metrics = new Metrics({ namespace, serviceName: service });
  }

  record(metric: DomainMetric, value: number): void {
    this.metrics.addMetric(metric, MetricUnit.Count, value);
    this.metrics.publishStoredMetrics();
  }
}

export function metricsFromEnv(env: NodeJS.ProcessEnv = process.env): DomainMetrics {
  return new EmfMetrics(env[metricsEnv.namespace] || metricsNamespace, env[metricsEnv.service] || 'chengguo-local');
}
