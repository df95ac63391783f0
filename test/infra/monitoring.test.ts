import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '#infra/manifest.ts';
import { RUNBOOK_ANCHORS } from '#infra/constructs/monitoring.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';
import { contextOf } from '#infra/stacks/stateless-stack.ts';
import { resourcesOf, synthChengguo, type CfnResource, type Synthesised } from './synth.ts';

type Alarm = CfnResource & { Properties: Record<string, unknown> };

/** Every metric (name + dimensions) an alarm reads, directly or inside its math expression. */
function metricsOf(alarm: Alarm): Array<{ namespace: string; name: string; dims: Record<string, string> }> {
  const one = (m: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }) => ({
    namespace: m.Namespace,
    name: m.MetricName,
    dims: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, JSON.stringify(d.Value)])),
  });
  const p = alarm.Properties;
  if (p['MetricName']) return [one({ Namespace: p['Namespace'] as string, MetricName: p['MetricName'] as string, Dimensions: p['Dimensions'] as never })];
  return ((p['Metrics'] as Array<{ MetricStat?: { Metric: never } }>) ?? []).flatMap((m) => (m.MetricStat ? [one(m.MetricStat.Metric)] : []));
}

const runbooks = readFileSync(path.join(projectRoot, 'docs', 'runbooks.md'), 'utf8');

describe.each(['aws', 'aws-cn'] as const)('issue 11 §2: monitoring as code — alarms, topic, dashboard (%s)', (partition) => {
  let s: Synthesised;
  let alarms: Array<[string, Alarm]>;
  const byName = (name: string) => alarms.find(([, a]) => a.Properties['AlarmName'] === `chengguo-prod-${name}`)?.[1];
  beforeAll(() => {
    s = synthChengguo({ partition, alarmEmail: 'ops@zrzy.gd.gov.cn' });
    alarms = resourcesOf(s.templates.monitoring, 'AWS::CloudWatch::Alarm') as Array<[string, Alarm]>;
  });

  it('sends every alarm and its recovery to one KMS-encrypted topic with the email subscriber from -c alarmEmail', () => {
    const [[topicId, topic]] = resourcesOf(s.templates.monitoring, 'AWS::SNS::Topic') as [[string, CfnResource]];
    expect(topic.Properties?.['KmsMasterKeyId']).toBeDefined();
    s.templates.monitoring.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@zrzy.gd.gov.cn', TopicArn: { Ref: topicId } });
    s.templates.monitoring.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    expect(alarms.length).toBeGreaterThan(20);
    for (const [id, a] of alarms) {
      expect(a.Properties['AlarmActions'], id).toEqual([{ Ref: topicId }]);
      expect(a.Properties['OKActions'], id).toEqual([{ Ref: topicId }]);
    }
  });

  it('alarms on failed, timed-out or aborted executions of every state machine in the manifest', () => {
    for (const sm of manifest.stateMachines) {
      const alarm = byName(`sfn-${sm.name}-failed`);
      expect(alarm, sm.name).toBeDefined();
      const ms = metricsOf(alarm!);
      expect(ms.map((m) => m.name).sort(), sm.name).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
      for (const m of ms) expect(m.dims['StateMachineArn'], sm.name).toContain(`:stateMachine:chengguo-prod-${sm.name}"`);
      expect(alarm!.Properties['Threshold']).toBe(1);
    }
  });

  it('alarms on Lambda errors and throttles per context: every function in exactly one errors and one throttles alarm, at most 10 metrics each', () => {
    for (const metric of ['Errors', 'Throttles']) {
      const seen: string[] = [];
      for (const [id, a] of alarms.filter(([, x]) => String(x.Properties['AlarmName']).endsWith(`-${metric.toLowerCase()}`) || new RegExp(`-${metric.toLowerCase()}-\\d+$`).test(String(x.Properties['AlarmName'])))) {
        const ms = metricsOf(a).filter((m) => m.namespace === 'AWS/Lambda');
        expect(ms.length, id).toBeLessThanOrEqual(10);
        const context = /lambda-(.+)-(errors|throttles)/.exec(String(a.Properties['AlarmName']))![1];
        for (const m of ms) {
          expect(m.name).toBe(metric);
          const fn = JSON.parse(m.dims['FunctionName']!) as string;
          const def = manifest.functions.find((f) => `chengguo-prod-${f.name}` === fn);
          expect(def && contextOf(def), fn).toBe(context);
          seen.push(fn);
        }
      }
      expect(seen.sort(), metric).toEqual(manifest.functions.map((f) => `chengguo-prod-${f.name}`).sort());
    }
  });

  it('alarms on the depth of every dead-letter queue of the stage (the schedules\' queue, each stream\'s on-failure queue and the mail function\'s)', () => {
    const queues = [...s.templates.all.values()].flatMap((t) => resourcesOf(t, 'AWS::SQS::Queue'));
    const dlqAlarms = alarms.filter(([, a]) => String(a.Properties['AlarmName']).startsWith('chengguo-prod-dlq-'));
    // + 1: SendMail's MailFailures (issue 10)
    expect(queues.length).toBe(2 + manifest.streams.length);
    expect(dlqAlarms.length).toBe(queues.length);
    for (const [id, a] of dlqAlarms) {
      expect(metricsOf(a)[0]).toMatchObject({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible' });
      expect(a.Properties['Threshold'], id).toBe(1);
    }
    expect(byName('dlq-async-failures')).toBeDefined();
    expect(byName('dlq-mail-failures')).toBeDefined();
    for (const st of manifest.streams) expect(byName(`dlq-stream-${st.name}`), st.name).toBeDefined();
  });

  it('alarms on API 5xx and p99 latency of the HTTP API', () => {
    const fivexx = byName('api-5xx')!;
    const latency = byName('api-latency')!;
    expect(metricsOf(fivexx)[0]).toMatchObject({ namespace: 'AWS/ApiGateway', name: '5xx' });
    expect(metricsOf(latency)[0]).toMatchObject({ namespace: 'AWS/ApiGateway', name: 'Latency' });
    expect(latency.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 5000, EvaluationPeriods: 3 });
  });

  it('alarms on SES bounce and complaint rates where mail goes through SES, and not on aws-cn (SMTP)', () => {
    if (partition === 'aws') {
      expect(metricsOf(byName('ses-bounce')!)[0]).toMatchObject({ namespace: 'AWS/SES', name: 'Reputation.BounceRate' });
      expect(metricsOf(byName('ses-complaint')!)[0]).toMatchObject({ namespace: 'AWS/SES', name: 'Reputation.ComplaintRate' });
    } else {
      expect(alarms.filter(([, a]) => metricsOf(a).some((m) => m.namespace === 'AWS/SES'))).toEqual([]);
    }
  });

  it('alarms on replication failures and latency of custody and documents, and custody replicates with Replication Time Control', () => {
    for (const rule of ['custody-to-backup', 'documents-to-replica']) {
      expect(metricsOf(byName(`replication-${rule}-failed`)!)[0]).toMatchObject({ namespace: 'AWS/S3', name: 'OperationsFailedReplication' });
      const latency = byName(`replication-${rule}-latency`)!;
      expect(metricsOf(latency)[0]).toMatchObject({ namespace: 'AWS/S3', name: 'ReplicationLatency' });
      expect(metricsOf(latency)[0]!.dims['RuleId']).toBe(JSON.stringify(rule));
      expect(latency.Properties['Threshold']).toBe(900);
    }
    const custody = resourcesOf(s.templates.stateful, 'AWS::S3::Bucket').find(([, b]) => JSON.stringify(b.Properties?.['BucketName'] ?? '').includes('chengguo-prod-custody-'))![1];
    const rule = (custody.Properties?.['ReplicationConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules[0]!;
    expect(rule['Id']).toBe('custody-to-backup');
    expect(rule['Destination']).toMatchObject({ ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } }, Metrics: { Status: 'Enabled' } });
  });

  it('alarms when the weekly integrity audit has not succeeded for 7 whole days (missing data counts as no success)', () => {
    const a = byName('integrity-audit-overdue')!;
    expect(metricsOf(a)[0]).toMatchObject({ namespace: 'AWS/States', name: 'ExecutionsSucceeded' });
    expect(metricsOf(a)[0]!.dims['StateMachineArn']).toContain(':stateMachine:chengguo-prod-IntegrityAudit"');
    expect(a.Properties).toMatchObject({ Period: 86400, EvaluationPeriods: 7, DatapointsToAlarm: 7, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect((a.Properties['Period'] as number) * (a.Properties['EvaluationPeriods'] as number)).toBeLessThanOrEqual(7 * 86400);
  });

  it('links every alarm to its section of docs/runbooks.md, and every section exists', () => {
    for (const anchor of RUNBOOK_ANCHORS) expect(runbooks, anchor).toContain(`<a id="${anchor}"></a>`);
    for (const [id, a] of alarms) {
      const m = /Runbook: docs\/runbooks\.md#([a-z0-9-]+)$/.exec(String(a.Properties['AlarmDescription']));
      expect(m, id).not.toBeNull();
      expect(RUNBOOK_ANCHORS as readonly string[], id).toContain(m![1]);
      expect(String(a.Properties['AlarmDescription']), id).toMatch(/^[^\x00-\x7F]/); // Chinese first
    }
    const used = new Set(alarms.map(([, a]) => /#([a-z0-9-]+)$/.exec(String(a.Properties['AlarmDescription']))![1]));
    expect([...RUNBOOK_ANCHORS].filter((x) => !used.has(x)), 'a runbook section without an alarm').toEqual(partition === 'aws' ? [] : ['ses-bounce', 'ses-complaint']);
  });

  it('draws one dashboard with the alarms, the AWS metrics and the domain metrics the handlers emit (EMF, namespace chengguo)', () => {
    const [[, dash]] = resourcesOf(s.templates.monitoring, 'AWS::CloudWatch::Dashboard') as [[string, CfnResource]];
    expect(dash.Properties?.['DashboardName']).toBe('chengguo-prod-operations');
    const body = JSON.stringify(dash.Properties?.['DashboardBody']);
    for (const metric of ['SubmissionsVerified', 'SubmissionsReturned', 'TasksOverdue', 'TasksEscalated']) expect(body, metric).toContain(`\\"chengguo\\",\\"${metric}\\",\\"service\\",\\"chengguo-prod\\"`);
    expect(body).toContain('alarm');
  });
});

describe('issue 11 §2: without -c alarmEmail the topic has no subscriber, and the synth says so', () => {
  it('warns that alarms reach nobody', () => {
    const s = synthChengguo({});
    expect(resourcesOf(s.templates.monitoring, 'AWS::SNS::Subscription')).toEqual([]);
    Annotations.fromStack(s.stateless).hasWarning('*', Match.stringLikeRegexp('alarmEmail'));
  });

  it('every function knows the metrics namespace and its service dimension (POWERTOOLS_*), so the dashboard reads what they emit', () => {
    const s = synthChengguo({});
    for (const [, t] of s.templates.contexts) {
      for (const [id, fn] of resourcesOf(t, 'AWS::Lambda::Function')) {
        expect((fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables, id).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'chengguo', POWERTOOLS_SERVICE_NAME: 'chengguo-prod' });
      }
    }
  });
});
