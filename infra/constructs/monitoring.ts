/**
 * Monitoring as code (issue 11 §2): one SNS topic (KMS-encrypted, email
 * subscription from `-c alarmEmail=…`), the alarms below, and one CloudWatch
 * dashboard. Every alarm's description names its runbook section in
 * docs/runbooks.md (RUNBOOK_ANCHORS lists them; a test checks each heading
 * exists). Metrics are named by their deterministic dimensions (function,
 * state machine, bucket names), so the construct needs no reference into the
 * nested context stacks except the queues.
 *
 * | alarm                      | metric                                              | fires when                              |
 * |----------------------------|-----------------------------------------------------|-----------------------------------------|
 * | sfn-<Machine>-failed       | AWS/States ExecutionsFailed + TimedOut + Aborted    | ≥ 1 in 5 min, per state machine         |
 * | lambda-<context>-errors[n] | AWS/Lambda Errors, summed over the context          | ≥ 1 in 5 min (≤ 10 functions per alarm) |
 * | lambda-<context>-throttles | AWS/Lambda Throttles, summed over the context       | ≥ 1 in 5 min                            |
 * | dlq-<queue>                | AWS/SQS ApproximateNumberOfMessagesVisible          | ≥ 1 (any message waits)                 |
 * | api-5xx                    | AWS/ApiGateway 5xx                                  | ≥ 5 in 5 min                            |
 * | api-latency                | AWS/ApiGateway Latency p99                          | > 5 s in 3 consecutive 5 min periods    |
 * | ses-bounce / ses-complaint | AWS/SES Reputation.BounceRate / ComplaintRate        | > 5 % / > 0.1 % (SES only)              |
 * | replication-<rule>-failed  | AWS/S3 OperationsFailedReplication                  | ≥ 1 in 5 min                            |
 * | replication-<rule>-latency | AWS/S3 ReplicationLatency (Replication Time Control) | > 15 min                                |
 * | integrity-audit-overdue    | AWS/States ExecutionsSucceeded of IntegrityAudit     | none in 7 whole days                     |
 * | backup-<vault>-failed      | AWS/Backup NumberOfBackupJobsFailed + CopyJobsFailed | ≥ 1 in a day                            |
 */
import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DomainMetric } from '#shared/ports/metrics.ts';
import { domainMetrics } from '#shared/ports/metrics.ts';
import { metricsNamespace } from '#adapters/emf-metrics.ts';
import { custodyPrincipals } from './custody-lockdown.ts';
import { dataKey } from './keys.ts';

/** The runbook sections of docs/runbooks.md, one per kind of alarm (the headings carry these ids). */
export const RUNBOOK_ANCHORS = [
  'state-machine-failed',
  'lambda-errors',
  'lambda-throttles',
  'dlq-depth',
  'api-5xx',
  'api-latency',
  'ses-bounce',
  'ses-complaint',
  'replication-failed',
  'replication-latency',
  'integrity-audit-overdue',
  'backup-failed',
] as const;
export type RunbookAnchor = (typeof RUNBOOK_ANCHORS)[number];

export interface MonitoredQueue {
  /** Short id: the alarm is <prefix>-dlq-<id>. */
  readonly id: string;
  readonly queue: sqs.IQueue;
  /** What lands there, for the alarm description. */
  readonly what: string;
}

export interface MonitoredReplication {
  /** The replication rule id (a dimension of the S3 replication metrics). */
  readonly ruleId: string;
  readonly sourceBucket: string;
  readonly destinationBucket: string;
}

export interface MonitoringProps {
  /** Resource-name prefix: chengguo-<stage>. */
  readonly prefix: string;
  readonly alarmEmail: string | undefined;
  /** Physical function names per bounded context. */
  readonly functionsByContext: ReadonlyMap<string, readonly string[]>;
  /** Physical state machine names. */
  readonly stateMachines: readonly string[];
  /** Physical name of the integrity audit state machine (weekly; R10.1). */
  readonly integrityAudit: string;
  readonly queues: readonly MonitoredQueue[];
  readonly api: apigwv2.IHttpApi;
  readonly replications: readonly MonitoredReplication[];
  /** SES reputation alarms (aws partition with SES mail only). */
  readonly ses: boolean;
  /** AWS Backup vault names whose job failures alarm. */
  readonly backupVaults: readonly string[];
  /** Where the runbook lives: a repository path or an https URL (`-c runbookUrl=…`). */
  readonly runbookUrl: string;
}

const FIVE_MINUTES = Duration.minutes(5);
/** CloudWatch allows at most 10 metrics in one alarm's math expression. */
const METRICS_PER_ALARM = 10;

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  /** Every alarm by its name, for the tests and the dashboard. */
  readonly alarms = new Map<string, { alarm: cloudwatch.Alarm; runbook: RunbookAnchor }>();
  readonly dashboard: cloudwatch.Dashboard;

  private readonly props: MonitoringProps;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    const p = props.prefix;

    // CloudWatch publishes to an encrypted topic only when the key lets it.
    // Named principals (issue 11 §3) plus the one service that publishes: CloudWatch alarms.
    const key = dataKey(this, 'AlarmTopicKey', `alias/${p}-alarms`, 'chengguo: the alarm topic (SNS)', custodyPrincipals(this, p));
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new sns.Topic(this, 'Alarms', {
      topicName: `${p}-alarms`,
      displayName: `chengguo ${p} 运行告警`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.action = new actions.SnsAction(this.topic);

    const widgets: cloudwatch.IWidget[][] = [];

    // ---- state machines: failed, timed out or aborted executions ----
    const sfnMetric = (machine: string, metricName: string, statistic = 'Sum', period = FIVE_MINUTES) =>
      new cloudwatch.Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: machine, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        statistic,
        period,
      });
    for (const machine of props.stateMachines) {
      const expr = new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: { failed: sfnMetric(machine, 'ExecutionsFailed'), timedOut: sfnMetric(machine, 'ExecutionsTimedOut'), aborted: sfnMetric(machine, 'ExecutionsAborted') },
        period: FIVE_MINUTES,
        label: `${machine} failed/timed out/aborted`,
      });
      this.alarm(`sfn-${short(machine, p)}-failed`, 'state-machine-failed', expr, { threshold: 1 }, `状态机 ${machine} 有执行失败、超时或被中止 (a ${machine} execution failed, timed out or was aborted).`);
    }
    widgets.push([
      new cloudwatch.GraphWidget({
        title: 'Step Functions: failed / timed out executions',
        width: 12,
        left: props.stateMachines.map((m) => sfnMetric(m, 'ExecutionsFailed').with({ label: short(m, p) })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Step Functions: succeeded executions',
        width: 12,
        left: props.stateMachines.map((m) => sfnMetric(m, 'ExecutionsSucceeded').with({ label: short(m, p) })),
      }),
    ]);

    // ---- the weekly integrity audit has not succeeded ----
    // Daily periods, 7 of 7 without a success (missing data counts as none):
    // the alarm fires within a day of a missed or failed weekly run, at most
    // 8 days after the last success. 7 days is the longest window CloudWatch evaluates.
    this.alarm(
      'integrity-audit-overdue',
      'integrity-audit-overdue',
      sfnMetric(props.integrityAudit, 'ExecutionsSucceeded', 'Sum', Duration.days(1)),
      { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 7, datapointsToAlarm: 7, treatMissingData: cloudwatch.TreatMissingData.BREACHING },
      `每周完整性核查 ${props.integrityAudit} 已 7 天以上没有成功执行 (the weekly integrity audit has not succeeded in 7 whole days; R10.1).`,
    );

    // ---- Lambda errors and throttles, per bounded context ----
    const lambdaMetric = (fn: string, metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: fn }, statistic: 'Sum', period: FIVE_MINUTES });
    const errorWidgets: cloudwatch.IWidget[] = [];
    for (const [context, fns] of props.functionsByContext) {
      const chunks = chunk([...fns].sort(), METRICS_PER_ALARM);
      chunks.forEach((names, i) => {
        const suffix = chunks.length > 1 ? `-${i + 1}` : '';
        for (const [metricName, anchor, zh] of [
          ['Errors', 'lambda-errors', '函数执行出错'],
          ['Throttles', 'lambda-throttles', '函数被限流'],
        ] as const) {
          const usingMetrics = Object.fromEntries(names.map((n, j) => [`m${j}`, lambdaMetric(n, metricName)]));
          const expr = new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period: FIVE_MINUTES, label: `${context} ${metricName}` });
          this.alarm(
            `lambda-${context}-${metricName.toLowerCase()}${suffix}`,
            anchor,
            expr,
            { threshold: 1 },
            `${zh}（${context} 上下文）(Lambda ${metricName} in the ${context} context): ${names.map((n) => short(n, p)).join(', ')}.`,
          );
        }
      });
      errorWidgets.push(
        new cloudwatch.GraphWidget({ title: `Lambda ${context}: errors / throttles`, width: 8, left: fns.map((n) => lambdaMetric(n, 'Errors').with({ label: short(n, p) })), right: fns.map((n) => lambdaMetric(n, 'Throttles').with({ label: `${short(n, p)} throttles` })) }),
      );
    }
    for (const row of chunk(errorWidgets, 3)) widgets.push(row);

    // ---- dead-letter queues ----
    for (const q of props.queues) {
      this.alarm(
        `dlq-${q.id}`,
        'dlq-depth',
        q.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES }),
        { threshold: 1 },
        `死信队列有待处理消息 (dead-letter queue ${q.id} holds a message): ${q.what}`,
      );
    }
    widgets.push([
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues: messages waiting',
        width: 24,
        left: props.queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label: q.id })),
      }),
    ]);

    // ---- HTTP API ----
    const api5xx = props.api.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES });
    const apiP99 = props.api.metricLatency({ statistic: 'p99', period: FIVE_MINUTES });
    this.alarm('api-5xx', 'api-5xx', api5xx, { threshold: 5 }, '接口 5 分钟内 5xx 响应 ≥ 5 次 (the HTTP API answered 5xx at least 5 times in 5 minutes).');
    this.alarm('api-latency', 'api-latency', apiP99, { threshold: 5000, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3 }, '接口 p99 延迟连续 15 分钟超过 5 秒 (HTTP API p99 latency above 5 s for 15 minutes).');
    widgets.push([
      new cloudwatch.GraphWidget({ title: 'HTTP API: 4xx / 5xx', width: 12, left: [props.api.metricClientError({ statistic: 'Sum', period: FIVE_MINUTES }), api5xx] }),
      new cloudwatch.GraphWidget({ title: 'HTTP API: latency p50 / p99 (ms)', width: 12, left: [props.api.metricLatency({ statistic: 'p50', period: FIVE_MINUTES }), apiP99] }),
    ]);

    // ---- SES reputation (account-wide) ----
    if (props.ses) {
      const ses = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
      this.alarm('ses-bounce', 'ses-bounce', ses('Reputation.BounceRate'), { threshold: 0.05, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD }, '邮件退信率超过 5%（10% 时 SES 会暂停发信）(SES bounce rate above 5 %; SES reviews the account at 10 %).');
      this.alarm('ses-complaint', 'ses-complaint', ses('Reputation.ComplaintRate'), { threshold: 0.001, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD }, '邮件投诉率超过 0.1% (SES complaint rate above 0.1 %).');
      widgets.push([new cloudwatch.GraphWidget({ title: 'SES reputation', width: 24, left: [ses('Reputation.BounceRate'), ses('Reputation.ComplaintRate')] })]);
    }

    // ---- S3 replication (Replication Time Control publishes these) ----
    const s3Metric = (r: MonitoredReplication, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName,
        dimensionsMap: { SourceBucket: r.sourceBucket, DestinationBucket: r.destinationBucket, RuleId: r.ruleId },
        statistic,
        period: FIVE_MINUTES,
        label: r.ruleId,
      });
    for (const r of props.replications) {
      this.alarm(`replication-${r.ruleId}-failed`, 'replication-failed', s3Metric(r, 'OperationsFailedReplication', 'Sum'), { threshold: 1 }, `复制规则 ${r.ruleId} 有对象复制失败 (S3 replication ${r.ruleId} failed to replicate an object).`);
      this.alarm(
        `replication-${r.ruleId}-latency`,
        'replication-latency',
        s3Metric(r, 'ReplicationLatency', 'Maximum'),
        { threshold: 900, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 2, datapointsToAlarm: 2 },
        `复制规则 ${r.ruleId} 延迟超过 15 分钟 (S3 replication ${r.ruleId} more than 15 minutes behind; Replication Time Control).`,
      );
    }
    widgets.push([
      new cloudwatch.GraphWidget({ title: 'S3 replication latency (s)', width: 12, left: props.replications.map((r) => s3Metric(r, 'ReplicationLatency', 'Maximum')) }),
      new cloudwatch.GraphWidget({ title: 'S3 replication: bytes pending / failed operations', width: 12, left: props.replications.map((r) => s3Metric(r, 'BytesPendingReplication', 'Maximum')), right: props.replications.map((r) => s3Metric(r, 'OperationsFailedReplication', 'Sum')) }),
    ]);

    // ---- AWS Backup (the tables' daily recovery points and their cross-region copies) ----
    for (const vault of props.backupVaults) {
      const backup = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/Backup', metricName, dimensionsMap: { BackupVaultName: vault }, statistic: 'Sum', period: Duration.days(1) });
      this.alarm(
        `backup-${short(vault, p)}-failed`,
        'backup-failed',
        new cloudwatch.MathExpression({ expression: 'backups + copies', usingMetrics: { backups: backup('NumberOfBackupJobsFailed'), copies: backup('NumberOfCopyJobsFailed') }, period: Duration.days(1), label: `${vault} failed jobs` }),
        { threshold: 1 },
        `备份库 ${vault} 有备份或跨区域复制作业失败 (an AWS Backup or copy job of vault ${vault} failed).`,
      );
    }

    // ---- domain metrics (EMF from the handlers, adapters/emf-metrics.ts) ----
    const domain = (name: DomainMetric) =>
      new cloudwatch.Metric({ namespace: metricsNamespace, metricName: name, dimensionsMap: { service: p }, statistic: name === 'TasksOverdue' ? 'Maximum' : 'Sum', period: Duration.days(1), label: name });
    widgets.push([
      new cloudwatch.GraphWidget({ title: '汇交核验：通过 / 退回（每日）', width: 12, left: [domain('SubmissionsVerified'), domain('SubmissionsReturned')] }),
      new cloudwatch.GraphWidget({ title: '待办任务：逾期 / 上报（每日）', width: 12, left: [domain('TasksOverdue'), domain('TasksEscalated')] }),
    ]);
    if (domainMetrics.length !== 4) throw new Error('monitoring: a new domain metric needs its dashboard widget');

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${p}-operations`,
      defaultInterval: Duration.days(7),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, height: 6, alarms: [...this.alarms.values()].map((a) => a.alarm) })],
        ...widgets,
      ],
    });
  }

  private alarm(
    name: string,
    runbook: RunbookAnchor,
    metric: cloudwatch.Metric | cloudwatch.MathExpression,
    opts: Partial<cloudwatch.CreateAlarmOptions> & { threshold: number },
    description: string,
  ): cloudwatch.Alarm {
    const alarmName = `${this.props.prefix}-${name}`;
    if (this.alarms.has(alarmName)) throw new Error(`monitoring: alarm ${alarmName} declared twice`);
    const alarm = metric.createAlarm(this, alarmId(name), {
      alarmName,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...opts,
      alarmDescription: `${description} Runbook: ${this.props.runbookUrl}#${runbook}`.slice(0, 1024),
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(alarmName, { alarm, runbook });
    return alarm;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A physical name without the stage prefix (chengguo-prod-MarkVerified → MarkVerified). */
function short(name: string, prefix: string): string {
  return name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
}

const alarmId = (name: string) => name.replace(/(^|[-_])([a-z0-9])/gi, (_m, _s: string, c: string) => c.toUpperCase());
