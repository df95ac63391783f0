import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics, metricsFromEnv } from '#adapters/emf-metrics.ts';

/** Every line the function writes to stdout while `act` runs (Lambda sends stdout to CloudWatch Logs). */
function stdoutOf(act: () => void): string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [k: string]: unknown;
}

describe('issue 11 §2: domain metrics leave the function as CloudWatch embedded metric format (Powertools), no SDK call', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one EMF line per value, in the namespace and service dimension the CDK dashboard and alarms read', () => {
    const metrics = new EmfMetrics('chengguo', 'chengguo-prod');

    const lines = stdoutOf(() => {
      metrics.record('SubmissionsVerified', 1);
      metrics.record('TasksOverdue', 7);
    });

    const emf = lines.map((l) => JSON.parse(l) as Emf);
    expect(emf).toHaveLength(2);
    expect(emf[0]!._aws.CloudWatchMetrics).toEqual([{ Namespace: 'chengguo', Dimensions: [['service']], Metrics: [{ Name: 'SubmissionsVerified', Unit: 'Count' }] }]);
    expect(emf[0]).toMatchObject({ service: 'chengguo-prod', SubmissionsVerified: 1 });
    expect(emf[1]).toMatchObject({ service: 'chengguo-prod', TasksOverdue: 7 });
  });

  it('takes namespace and service from the variables the CDK function sets, with a local default', () => {
    const fromEnv = stdoutOf(() => metricsFromEnv({ POWERTOOLS_METRICS_NAMESPACE: 'chengguo', POWERTOOLS_SERVICE_NAME: 'chengguo-test' }).record('SubmissionsReturned', 1));
    const local = stdoutOf(() => metricsFromEnv({}).record('SubmissionsReturned', 1));

    expect(JSON.parse(fromEnv[0]!)).toMatchObject({ service: 'chengguo-test' });
    expect(JSON.parse(local[0]!)).toMatchObject({ service: 'chengguo-local', _aws: { CloudWatchMetrics: [{ Namespace: 'chengguo' }] } });
  });
});
