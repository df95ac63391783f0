/**
 * The WAF in front of the stage's CloudFront sites (issue 11 §6, aws only):
 * a WAFv2 web ACL of scope CLOUDFRONT, which AWS accepts only in us-east-1 —
 * so it lives in a stack of its own there, and the Stateless stack (in the
 * stage's region) attaches it to the console-and-API distribution and the
 * public catalogue's by a weak cross-stack reference: cdk.json's
 * `@aws-cdk/core:defaultCrossStackReferences: weak` renders Fn::GetStackOutput
 * with the producer's region, which works across regions without an export,
 * an SSM parameter or a custom resource, and synthesises offline.
 *
 * Rules, in order: AWS managed Amazon IP reputation list, Core rule set,
 * Known bad inputs, then a rate-based rule per client IP. The web ACL's own
 * blocked-request alarm is here too: CloudWatch alarms and the WAF metrics of
 * CLOUDFRONT scope live in us-east-1, and an alarm can only notify a topic of
 * its own region (so this stack has a topic for it, mailed like the stage's).
 *
 * aws-cn has no such stack: AWS WAF in the China regions is regional only (no
 * CLOUDFRONT scope), and HTTP APIs take no web ACL (docs/deploy.md §7).
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/nag.ts';
import type { DeploySettings } from './settings.ts';

export interface EdgeStackProps extends StackProps {
  readonly settings: DeploySettings;
}

/** The managed rule groups, by priority (the rate rule comes after them). */
export const managedRuleGroups = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

/**
 * Core rule set rules set to COUNT: the API takes JSON bodies above 8 KB (catalogue entries, bulk imports,
 * verification decisions with many defects) and the console sends them; file bytes never pass here (presigned
 * S3 uploads). The JWT authorizer and the zod contracts check every body instead.
 */
export const countedCoreRules = ['SizeRestrictions_BODY'] as const;

export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;
  readonly webAclName: string;
  readonly blockedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const name = (this.webAclName = `${settings.prefix}-edge`);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed: wafv2.CfnWebACL.RuleProperty[] = managedRuleGroups.map((group, priority) => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name: group,
          ...(group === 'AWSManagedRulesCommonRuleSet' ? { ruleActionOverrides: countedCoreRules.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
        },
      },
      visibilityConfig: visibility(`${name}-${group}`),
    }));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'CLOUDFRONT',
      description: `chengguo ${settings.stage}: the console, the API and the public catalogue behind CloudFront`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rules: [
        ...managed,
        {
          name: 'RatePerClientIp',
          priority: managed.length,
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: settings.waf.rateLimitPer5Minutes, evaluationWindowSec: 300 } },
          visibilityConfig: visibility(`${name}-rate`),
        },
      ],
    });

    // WAF logs (request metadata: IP, URI, matched rule) to CloudWatch Logs; the group name must start aws-waf-logs-.
    const logGroup = new logs.LogGroup(this, 'WebAclLogs', { logGroupName: `aws-waf-logs-${settings.prefix}`, retention: settings.logRetention });
    new wafv2.CfnLoggingConfiguration(this, 'WebAclLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroup.logGroupArn],
      // The Authorization header is a bearer credential: never in a log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    acknowledge(
      logGroup,
      ['NIST.800.53.R5-CloudWatchLogGroupEncrypted'],
      'WAF request logs (IP, URI, matched rule; the Authorization header redacted) are encrypted at rest by CloudWatch Logs; the stage keys live in the stage region, not in us-east-1 where CLOUDFRONT-scope WAF logs must be.',
    );

    // Blocked-request spikes: an attack, or a managed rule starting to block real users (docs/runbooks.md#waf-blocked).
    const topic = new sns.Topic(this, 'EdgeAlarms', { topicName: `${settings.prefix}-edge-alarms`, enforceSSL: true });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    acknowledge(
      topic,
      ['AwsSolutions-SNS2', 'NIST.800.53.R5-SNSEncryptedKMS'],
      'This topic carries only alarm state changes of the edge web ACL (names and counts, no personal or classified data); a KMS key in us-east-1 for them alone would hold nothing worth the key.',
    );
    if (settings.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    const blocked = new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: name, Rule: 'ALL' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    this.blockedAlarm = new cloudwatch.Alarm(this, 'BlockedRequestsAlarm', {
      alarmName: `${settings.prefix}-waf-blocked-requests`,
      alarmDescription: `WAF ${name} blocked more than 500 requests in 5 minutes, twice in a row. Runbook: ${settings.runbookUrl}#waf-blocked`,
      metric: blocked,
      threshold: 500,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.blockedAlarm.addAlarmAction(new actions.SnsAction(topic));
    new CfnOutput(this, 'WebAclArn', { value: this.webAcl.attrArn, description: 'WAF web ACL (CLOUDFRONT) of the console, API and public catalogue distributions' });
  }
}
