/**
 * Everything that can be torn down and rebuilt from the repository: the
 * functions, state machines, HTTP API, schedules and mail identity. All of it
 * is generated from infra/manifest.ts — nothing here lists a function, route,
 * state machine or schedule by hand.
 *
 * CloudFormation allows 500 resources per stack, and a routed function costs
 * about seven (function, role, policy, log group; route, integration and
 * invoke permission on the API side). So the functions of each bounded
 * context, with their routes, route integrations and invoke permissions,
 * live in a nested stack of their own (BoundedContext), and this stack keeps
 * what spans contexts: state machines, the HTTP API with its stage and JWT
 * authorizer, schedules, mail identity and the dead-letter queue. A nested stack is ONE
 * resource here, so references must run one way only — this stack may use a
 * function's ARN (state machines, API integrations), while a function knows a
 * state machine or a scheduled target by its deterministic name, never by a
 * reference back (that would be a dependency cycle).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, ArnFormat, CfnOutput, Duration, NestedStack, RemovalPolicy, Stack, TimeZone, type NestedStackProps, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { envNames } from '#adapters/config.ts';
import { manifest as defaultManifest, type BucketName, type FunctionDef, type Manifest, type StateMachineDef, type StreamDef, type TableName } from '../manifest.ts';
import { tables as defaultTableShapes, type TableShape } from '../tables.ts';
import {
  ChengguoFunction,
  acknowledgeFunctionFindings,
  type BucketRef,
  type JwtBinding,
  type MailBinding,
  type StateMachineRef,
  type TableRef,
} from '../constructs/chengguo-function.ts';
import { metricsEnv, metricsNamespace } from '#adapters/emf-metrics.ts';
import { Monitoring, type MonitoredQueue } from '../constructs/monitoring.ts';
import { PublicSite } from '../constructs/public-site.ts';
import { ConsoleContent, ConsoleSite, consoleDirOf, consolePath } from '../constructs/console-site.ts';
import { custodyEndpoint, uploadsEndpoint } from '../constructs/uploads-cors.ts';
import { signInScopes } from '#shared/web/sign-in.ts';
import { acknowledge, acknowledgeWildcardResource } from '../constructs/nag.ts';
import { signInClient } from '../constructs/user-directory.ts';
import { bucketArn, bucketName, documentsReplicaName, replicationRuleIds, tableBackupVaultName } from './naming.ts';
import type { DeploySettings } from './settings.ts';

/** What the stateless stack needs from the stateful one (StatefulStack satisfies it). */
export interface StatefulRefs {
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly tableIndexes: Readonly<Record<TableName, readonly string[]>>;
  /** Stream ARN of each table with a stream (infra/tables.ts `stream`). */
  readonly tableStreams: Readonly<Partial<Record<TableName, string>>>;
  readonly tableKey: kms.IKey;
  readonly storageKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly taskTokenKey: kms.IKey;
  /** Signs the audit chain's anchors (ECC_NIST_P256, SIGN_VERIFY): functions with `signsAuditAnchors`. */
  readonly auditAnchorKey: kms.IKey;
  /** The external issuer (aws-cn): its JWT settings; undefined when the Cognito user pool below signs people in. */
  readonly jwt: JwtBinding | undefined;
  /** The Cognito user pool (aws); its app client is made here, where the callback address is known. */
  readonly userDirectory: { readonly userPool: cognito.IUserPool; readonly issuer: string; readonly jwksUrl: string } | undefined;
  readonly smtpSecret: secretsmanager.ISecret | undefined;
}

export interface StatelessStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly stateful: StatefulRefs;
  /** Project root: function entries, statemachines/ and package-lock.json are resolved from it. */
  readonly projectRoot: string;
  readonly manifest?: Manifest;
  /** Table shapes (infra/tables.ts by default): which tables have streams. */
  readonly tableShapes?: readonly TableShape[];
  /** The WAF web ACL (CLOUDFRONT scope, the Edge stack in us-east-1) of both distributions; aws only. */
  readonly webAclArn?: string;
  /** The built console (default: dist/console of projectRoot). */
  readonly consoleDir?: string;
}

const pascal = (s: string) => s.replace(/(^|[-_])([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());

/** functions/<context>/<action>.ts → the bounded context. */
export function contextOf(def: FunctionDef): string {
  const match = /^functions\/([a-z0-9-]+)\//.exec(def.entry);
  if (!match?.[1]) throw new Error(`manifest: ${def.name}.entry must be functions/<context>/<action>.ts, got ${def.entry}`);
  return match[1];
}

/** ${Placeholder}s of an ASL text. */
export function placeholdersOf(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? ''))];
}

export interface BoundedContextProps extends NestedStackProps {
  /** functions/<context>/… */
  readonly context: string;
}

/**
 * One nested stack per bounded context: its functions (with their roles, log
 * groups and stream mappings), grouped as the code is, so that no stack of
 * the stage nears CloudFormation's 500-resource limit as contexts are added.
 */
export class BoundedContext extends NestedStack {
  readonly context: string;
  readonly functions = new Map<string, ChengguoFunction>();

  constructor(scope: Construct, id: string, props: BoundedContextProps) {
    super(scope, id, props);
    this.context = props.context;
  }
}

/** A state machine of this stage by its deterministic name: usable anywhere without a reference to the construct. */
export function stateMachineRef(scope: Construct, prefix: string, name: string): StateMachineRef {
  const physical = `${prefix}-${name}`;
  return {
    name: physical,
    arn: Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: physical, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

/** A function of this stage by its deterministic name (<prefix>-<name>). */
export function functionArnOf(scope: Construct, prefix: string, name: string): string {
  return Stack.of(scope).formatArn({ service: 'lambda', resource: 'function', resourceName: `${prefix}-${name}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

export class StatelessStack extends Stack {
  readonly functions: ReadonlyMap<string, ChengguoFunction>;
  readonly contexts: ReadonlyMap<string, BoundedContext>;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  readonly api: apigwv2.HttpApi;
  /** Who signs people in: the issuer and the public client of the pages and the CLI (docs/sign-in.md). */
  readonly signIn: { readonly jwt: JwtBinding; readonly client: cognito.UserPoolClient | undefined; readonly signInUrl: string };
  readonly schedules: ReadonlyMap<string, scheduler.Schedule>;
  readonly mailIdentity: ses.EmailIdentity | undefined;
  /** Alarms, topic and dashboard (issue 11 §2), in a nested stack of their own. */
  readonly monitoring: Monitoring;
  /** The public catalogue's CloudFront distribution (aws partition only). */
  readonly publicSite: PublicSite | undefined;
  /** The console and the API on one CloudFront site (issue 13 hosting). */
  readonly consoleSite: ConsoleSite;
  readonly consoleContent: ConsoleContent;
  /** CloudFront standard logs of both distributions. */
  private edgeLogs: s3.Bucket | undefined;
  /** Every dead-letter / on-failure queue of the stage; each has an alarm. */
  private readonly deadLetterQueues: MonitoredQueue[] = [];

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, stateful, projectRoot } = props;
    const m = props.manifest ?? defaultManifest;
    const p = settings.prefix;
    checkManifest(m, props.tableShapes ?? defaultTableShapes);

    // ---- what functions bind to ----
    const tableRefs = Object.fromEntries(
      (Object.keys(stateful.tables) as TableName[]).map((name) => [
        name,
        { name, table: stateful.tables[name], key: stateful.tableKey, indexNames: stateful.tableIndexes[name] } satisfies TableRef,
      ]),
    ) as Record<TableName, TableRef>;
    const bucketRef = (scope: Construct, name: BucketName): BucketRef => {
      if (name === 'backup') {
        throw new Error('manifest: the backup bucket is the cross-region replica of custody; functions read custody, not the replica');
      }
      return { name, bucketName: bucketName(scope, settings, name), bucketArn: bucketArn(scope, settings, name), key: stateful.storageKey, region: settings.region };
    };

    let mail: MailBinding;
    if (settings.mail.transport === 'ses') {
      this.mailIdentity = new ses.EmailIdentity(this, 'MailIdentity', { identity: ses.Identity.domain(settings.mail.domain) });
      mail = { transport: 'ses', from: settings.mail.from, identity: this.mailIdentity };
    } else {
      this.mailIdentity = undefined;
      if (!stateful.smtpSecret) throw new Error('aws-cn mail needs the SMTP credentials secret of the stateful stack');
      mail = { transport: 'smtp', from: settings.mail.from, host: settings.mail.host, port: settings.mail.port, credentials: stateful.smtpSecret };
    }

    // Scheduled runs are asynchronous: an event the scheduler cannot deliver, or
    // that its function still fails after Lambda's retries, lands here (R20/R21
    // supervision jobs must not vanish silently).
    const asyncTargets = new Set(m.schedules.flatMap((x) => ('function' in x.target ? [x.target.function] : [])));
    const asyncFailures = m.schedules.length > 0 ? this.deadLetterQueue() : undefined;
    // Issue 10: the one function that sends mail; the others hand their messages to it by an asynchronous invoke.
    // Lambda retries a failed run twice within the hour (shared/platform/mail-relay.ts: the de-duplication window),
    // then the event goes to the mail queue below, whose alarm tells the operators.
    const mailSenders = m.functions.filter((f) => f.deliversMail);
    const mailSender = mailSenders[0];
    if (mailSenders.length > 1 || (mailSender && !mailSender.sendsEmail) || (!mailSender && m.functions.some((f) => f.sendsEmail))) {
      throw new Error(`manifest: exactly one function delivers mail (deliversMail with sendsEmail), found ${mailSenders.map((f) => f.name).join(', ') || 'none'}`);
    }
    const mailFailures = mailSender ? this.mailDeadLetterQueue() : undefined;

    // ---- the HTTP API's address and who signs in (the app client's callback is on the API) ----
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${settings.prefix}-api`,
      description: 'chengguo 自然资源调查监测成果管理 HTTP API',
      createDefaultStage: false,
    });
    const appBaseUrl = settings.appBaseUrl ?? this.api.apiEndpoint;
    // ---- the console and the API on one site (before the app client: its callback is on the site) ----
    this.consoleSite = new ConsoleSite(this, 'ConsoleSite', {
      settings,
      api: this.api,
      issuerOrigins: this.issuerOrigins(settings),
      uploadOrigins: [uploadsEndpoint(bucketName(this, settings, 'uploads'), settings.region, settings.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com')],
      // Issue 13: a grant download follows the 302 to a presigned GET of the custody copy.
      // …and R17.1: the signed confidentiality scan is PUT to the documents bucket.
      downloadOrigins: [
        custodyEndpoint(bucketName(this, settings, 'custody'), settings.region, settings.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'),
        custodyEndpoint(bucketName(this, settings, 'documents'), settings.region, settings.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'),
      ],
      webAclArn: props.webAclArn,
      logBucket: this.edgeLogBucket(),
    });
    this.signIn = this.signInSettings(settings, stateful, appBaseUrl, this.consoleSite.siteUrl);
    const jwt = this.signIn.jwt;
    this.consoleContent = new ConsoleContent(this, 'ConsoleContent', {
      site: this.consoleSite,
      consoleDir: props.consoleDir ?? consoleDirOf(projectRoot),
      settings,
      logsKey: stateful.logsKey,
      config: {
        issuer: jwt.issuer,
        clientId: jwt.audience,
        scopes: signInScopes,
        redirectUri: `${appBaseUrl}/auth/callback`,
        cliRedirectUri: settings.signIn.cliRedirectUri,
      },
    });
    new CfnOutput(this, 'SignInUrl', { value: this.signIn.signInUrl, description: 'The sign-in page (authorization code + PKCE); emailed links send people here' });
    new CfnOutput(this, 'SignInClientId', { value: jwt.audience, description: 'The public OIDC client of the pages and the CLI (the ID tokens\' audience)' });
    new CfnOutput(this, 'SignInIssuer', { value: jwt.issuer, description: 'The OIDC issuer (its discovery document lists the endpoints)' });

    // ---- functions, one nested stack per bounded context ----
    const contexts = new Map<string, BoundedContext>();
    const functions = new Map<string, ChengguoFunction>();
    const streamTargets = new Set(m.streams.map((x) => x.function));
    for (const def of m.functions) {
      const context = contextOf(def);
      let ctx = contexts.get(context);
      if (!ctx) {
        ctx = new BoundedContext(this, pascal(context), { context, description: `chengguo ${settings.stage} (${settings.partition}): functions of the ${context} context` });
        contexts.set(context, ctx);
      }
      const fn = new ChengguoFunction(ctx, def.name, {
        def,
        functionName: `${p}-${def.name}`,
        projectRoot,
        logRetention: settings.logRetention,
        logsKey: stateful.logsKey,
        mailTransport: settings.mail.transport,
        ...(def.reservedConcurrency !== undefined ? { reservedConcurrency: def.reservedConcurrency } : {}),
        ...(asyncTargets.has(def.name) && asyncFailures ? { deadLetterQueue: asyncFailures } : {}),
        ...(def.deliversMail && mailFailures ? { deadLetterQueue: mailFailures } : {}),
      });
      if (def.deliversMail) fn.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
      for (const [table, access] of Object.entries(def.tables ?? {}) as [TableName, 'read' | 'readWrite'][]) {
        fn.bindTable(tableRefs[table], access);
      }
      for (const [bucket, access] of Object.entries(def.buckets ?? {}) as [BucketName, 'read' | 'readWrite'][]) {
        fn.bindBucket(bucketRef(ctx, bucket), access);
      }
      if (def.verifiesJwt) fn.bindJwt(jwt).bindSecurityRecords(tableRefs.logs);
      if (def.sendsEmail && def.deliversMail) fn.bindEmail(mail).bindNotifications(tableRefs.registry);
      else if (def.sendsEmail && mailSender) fn.bindMailHandover({ functionName: `${p}-${mailSender.name}`, functionArn: functionArnOf(this, p, mailSender.name) });
      if (def.managesSignIn) fn.bindSignInAccounts(stateful.userDirectory?.userPool);
      if (def.sealsTaskTokens) fn.bindTaskTokenKey(stateful.taskTokenKey);
      if (def.destroysCustodyObjects) fn.bindCustodyDestruction(bucketRef(ctx, 'custody'), `${p}-custody-destruction`);
      if (def.publishesPublicCatalogue) fn.bindPublicCatalogueCleanup(bucketRef(ctx, 'published'));
      if (def.signsAuditAnchors) fn.bindAuditAnchors(bucketRef(ctx, 'custody'), stateful.auditAnchorKey);
      acknowledgeFunctionFindings(fn, { asyncTarget: asyncTargets.has(def.name) || def.deliversMail === true, streamTarget: streamTargets.has(def.name) });
      ctx.functions.set(def.name, fn);
      functions.set(def.name, fn);
    }
    this.functions = functions;
    this.contexts = contexts;
    const fnOf = (name: string): ChengguoFunction => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`manifest: no function named ${name}`);
      return fn;
    };

    // ---- state machines (ASL from statemachines/*.asl.json) ----
    const machines = new Map<string, sfn.StateMachine>();
    for (const def of m.stateMachines) {
      machines.set(def.name, this.stateMachine(def, projectRoot, settings, stateful.logsKey, fnOf));
    }
    this.stateMachines = machines;
    const machineOf = (name: string, by: string): sfn.StateMachine => {
      const sm = machines.get(name);
      if (!sm) throw new Error(`manifest: ${by} refers to state machine ${name}, which manifest.stateMachines does not declare`);
      return sm;
    };
    // By name, not by construct: the machine depends on the nested stacks of
    // the functions it invokes, so these functions cannot depend on it.
    for (const def of m.functions) {
      const fn = fnOf(def.name);
      for (const name of def.startsStateMachines ?? []) {
        machineOf(name, def.name);
        fn.bindStateMachineStart(name, stateMachineRef(fn, p, name));
      }
      for (const name of def.answersStateMachines ?? []) {
        machineOf(name, def.name);
        fn.bindTaskResponse(name, stateMachineRef(fn, p, name));
      }
    }

    // ---- table streams → event source mappings ----
    for (const def of m.streams) this.streamMapping(def, fnOf(def.function), stateful);

    // ---- HTTP API ----
    this.httpApi(this.api, m, settings, jwt, stateful.logsKey, fnOf, (name) => contexts.get(contextOf(fnOf(name).def))!);
    // R14.2: the platforms PublishRelease announces every release to (shared/publication/announce.ts).
    if (settings.publicPlatforms.length > 0) functions.get('PublishRelease')?.fn.addEnvironment(envNames.publicPlatforms, JSON.stringify(settings.publicPlatforms));
    for (const fn of functions.values()) {
      fn.fn.addEnvironment(envNames.appBaseUrl, appBaseUrl);
      // The sign-in pages and GET /auth/config (runtime/ports/basics.ts signInClient); every page's sign-in link.
      fn.fn.addEnvironment(envNames.oidcIssuer, jwt.issuer);
      fn.fn.addEnvironment(envNames.oidcClientId, jwt.audience);
      fn.fn.addEnvironment(envNames.oidcCliRedirectUri, settings.signIn.cliRedirectUri);
      fn.fn.addEnvironment(envNames.signInUrl, this.signIn.signInUrl);
      // Domain metrics (EMF): the namespace and service dimension the dashboard reads.
      fn.fn.addEnvironment(metricsEnv.namespace, metricsNamespace);
      fn.fn.addEnvironment(metricsEnv.service, p);
    }

    // ---- schedules ----
    const schedules = new Map<string, scheduler.Schedule>();
    for (const def of m.schedules) {
      // One role per schedule, trusted by this account's scheduler only, allowed
      // only to invoke its target (and to send failures to the dead-letter queue).
      const role = new iam.Role(this, `${def.name}ScheduleRole`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
        description: `Schedule ${p}-${def.name}: invokes its target only`,
      });
      const targetProps = {
        role,
        input: scheduler.ScheduleTargetInput.fromObject(def.input ?? {}),
        ...(asyncFailures ? { deadLetterQueue: asyncFailures } : {}),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      };
      let target: scheduler.IScheduleTarget;
      let targetStack: BoundedContext | undefined;
      if ('function' in def.target) {
        // The target by its deterministic ARN: a reference into the nested
        // stack would render as a stack output here, and the acknowledged
        // `<arn>:*` finding must be the very string of the grant.
        const targetFn = fnOf(def.target.function);
        const arn = functionArnOf(this, p, def.target.function);
        const fn = lambda.Function.fromFunctionAttributes(this, `${def.name}Target`, { functionArn: arn, sameEnvironment: true });
        target = new targets.LambdaInvoke(fn, targetProps);
        targetStack = contexts.get(contextOf(targetFn.def));
        acknowledgeWildcardResource(
          role,
          `${arn}:*`,
          `lambda:InvokeFunction on the versions and aliases of ${def.target.function} only (the grant helper adds them); no other function.`,
        );
      } else {
        target = new targets.StepFunctionsStartExecution(machineOf(def.target.stateMachine, def.name), targetProps);
      }
      const schedule = new scheduler.Schedule(this, `${def.name}Schedule`, {
        scheduleName: `${p}-${def.name}`,
        description: def.description,
        schedule: scheduler.ScheduleExpression.expression(def.expression, TimeZone.of(def.timezone)),
        target,
        timeWindow: scheduler.TimeWindow.off(),
      });
      // Named by ARN, so the order is explicit: the schedule after its function.
      if (targetStack) schedule.node.addDependency(targetStack);
      schedules.set(def.name, schedule);
    }
    this.schedules = schedules;

    // ---- monitoring: alarms, topic, dashboard (a nested stack: ~100 resources) ----
    const integrityAudit = m.stateMachines.find((x) => x.name === 'IntegrityAudit');
    if (!integrityAudit) throw new Error('manifest: the IntegrityAudit state machine is monitored (R10.1) and must exist');
    const ops = new NestedStack(this, 'Operations', { description: `chengguo ${settings.stage} (${settings.partition}): alarms, alarm topic and dashboard` });
    this.monitoring = new Monitoring(ops, 'Monitoring', {
      prefix: p,
      alarmEmail: settings.alarmEmail,
      functionsByContext: new Map([...contexts].map(([name, ctx]) => [name, [...ctx.functions.keys()].map((f) => `${p}-${f}`)])),
      stateMachines: m.stateMachines.map((x) => `${p}-${x.name}`),
      integrityAudit: `${p}-${integrityAudit.name}`,
      queues: this.deadLetterQueues,
      api: this.api,
      replications: [
        { ruleId: replicationRuleIds.custody, sourceBucket: bucketName(this, settings, 'custody'), destinationBucket: bucketName(this, settings, 'backup') },
        { ruleId: replicationRuleIds.documents, sourceBucket: bucketName(this, settings, 'documents'), destinationBucket: documentsReplicaName(this, settings) },
      ],
      ses: settings.mail.transport === 'ses',
      backupVaults: [tableBackupVaultName(settings, 'primary')],
      runbookUrl: settings.runbookUrl,
    });
    // ---- the public catalogue on the web (aws; aws-cn needs an ICP filing first — docs/deploy.md) ----
    if (settings.partition === 'aws') {
      this.publicSite = new PublicSite(this, 'PublicCatalogue', {
        prefix: p,
        bucketName: bucketName(this, settings, 'published'),
        bucketRegion: settings.region,
        ...settings.publicSite,
        webAclArn: settings.publicSite.webAclArn ?? props.webAclArn,
        logBucket: this.edgeLogBucket(),
      });
      // R17.2: the download signing key — the operator's secret, created before the deployment (docs/deploy.md §7), by name.
      if (this.publicSite.downloadKey) {
        const secretName = `${p}-download-signing-key`;
        const signingKey = Secret.fromSecretNameV2(this, 'DownloadSigningKey', secretName);
        for (const def of m.functions.filter((d) => d.signsDownloads)) {
          functions.get(def.name)?.bindDownloadSigning({ domain: settings.publicSite.domain ?? this.publicSite.distribution.distributionDomainName, keyPairId: this.publicSite.downloadKey.publicKeyId, secretName, secretArn: `${signingKey.secretArn}-??????` });
        }
      }
    }

    // ---- outputs (docs/deploy.md) ----
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'HTTP API endpoint (APP_BASE_URL unless -c appBaseUrl)' });
    new CfnOutput(this, 'AppBaseUrl', { value: appBaseUrl, description: envNames.appBaseUrl });
    new CfnOutput(this, 'ConsoleUrl', { value: this.consoleSite.consoleUrl, description: 'The web console (工作台); the API answers on the same site' });
    new CfnOutput(this, 'ConsoleDistributionDomain', { value: this.consoleSite.distribution.distributionDomainName, description: 'CNAME target of -c consoleDomain' });
    new CfnOutput(this, 'ConsoleBucketName', { value: this.consoleSite.bucket.bucketName, description: 'CONSOLE_BUCKET_NAME (the built console; copied at each deploy)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'SNS topic of every alarm (docs/runbooks.md)' });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard' });
    if (this.publicSite) {
      new CfnOutput(this, 'PublicCatalogueUrl', { value: `https://${settings.publicSite.domain ?? this.publicSite.distribution.distributionDomainName}/`, description: 'The public catalogue (R9.3)' });
      new CfnOutput(this, 'PublicCatalogueDistributionDomain', { value: this.publicSite.distribution.distributionDomainName, description: 'CNAME target of -c publicDomain' });
    }
    if (this.mailIdentity) {
      // The three DKIM CNAME records the department's DNS must publish before SES sends (docs/deploy.md).
      const id = this.mailIdentity;
      const dkim = [
        [id.dkimDnsTokenName1, id.dkimDnsTokenValue1],
        [id.dkimDnsTokenName2, id.dkimDnsTokenValue2],
        [id.dkimDnsTokenName3, id.dkimDnsTokenValue3],
      ] as const;
      dkim.forEach(([name, value], i) => new CfnOutput(this, `MailDkimRecord${i + 1}`, { value: `${name} CNAME ${value}`, description: `DKIM record ${i + 1} of ${settings.mail.transport === 'ses' ? settings.mail.domain : ''}` }));
    }

    if (!settings.alarmEmail) {
      Annotations.of(this).addWarningV2('chengguo:noAlarmEmail', 'No -c alarmEmail=…: the alarm topic has no subscriber, so alarms reach nobody (docs/deploy.md).');
    }
  }

  /**
   * A table stream feeding its function: filtered by key on the AWS side (only
   * matching records invoke and are billed), batched by the window, a failing
   * batch split in halves to isolate the bad record, retried, then its
   * shard-iterator pointer sent to a queue of its own (records leave the
   * stream after 24 h; the queue keeps the pointer 14 days for a replay).
   */
  private streamMapping(def: StreamDef, fn: ChengguoFunction, stateful: StatefulRefs): void {
    const streamArn = stateful.tableStreams[def.table];
    if (!streamArn) throw new Error(`manifest: stream ${def.name} reads table ${def.table}, which the stateful stack gives no stream; set stream in infra/tables.ts`);
    const scope = Stack.of(fn);
    const failures = new sqs.Queue(scope, `${def.name}StreamFailures`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      failures,
      ['AwsSolutions-SQS3'],
      `This queue is itself the on-failure destination of the ${def.name} stream mapping; a queue behind it would only move the same batch pointers again.`,
    );
    this.deadLetterQueues.push({ id: `stream-${def.name}`, queue: failures, what: `stream ${def.name} (${def.description}): batch pointers that failed after retries` });
    fn.bindStreamRead({ streamArn, key: stateful.tableKey });
    const keys: Record<string, unknown> = { pk: { S: lambda.FilterRule.beginsWith(def.keys.pkPrefix) } };
    if (def.keys.sk !== undefined) keys['sk'] = { S: lambda.FilterRule.isEqual(def.keys.sk) };
    const mapping = fn.fn.addEventSourceMapping(`${def.name}Stream`, {
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: def.batchSize,
      maxBatchingWindow: Duration.seconds(def.batchingWindowSeconds),
      filters: [lambda.FilterCriteria.filter({ dynamodb: { Keys: keys } })],
      bisectBatchOnError: true,
      retryAttempts: 3,
      reportBatchItemFailures: false,
      onFailure: new SqsDlq(failures),
    });
    // Lambda checks the role's stream permissions when it creates the mapping.
    mapping.node.addDependency(fn.role);
  }

  /**
   * CloudFront standard logs need a bucket with ACLs (log delivery writes
   * with an ACL) and SSE-S3; kept a year, the stage's log retention.
   */
  private edgeLogBucket(): s3.Bucket {
    if (this.edgeLogs) return this.edgeLogs;
    const bucket = (this.edgeLogs = new s3.Bucket(this, 'EdgeLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    const why = 'This bucket receives CloudFront standard logs of the console, the API and the public catalogue (and the console bucket\'s access logs): ';
    acknowledge(bucket, ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled'], `${why}logging its own access would log every log delivery, recursively.`);
    acknowledge(bucket, ['NIST.800.53.R5-S3DefaultEncryptionKMS'], `${why}CloudFront log delivery writes with SSE-S3 only, not SSE-KMS.`);
    acknowledge(bucket, ['NIST.800.53.R5-S3BucketReplicationEnabled'], `${why}operational evidence kept in-region for a year; the records of custody are replicated from custody and documents.`);
    return bucket;
  }

  /** SendMail's dead-letter queue: hand-overs whose sending still failed after Lambda's two retries (issue 10). */
  private mailDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'MailFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(queue, ['AwsSolutions-SQS3'], 'This queue is itself the dead-letter queue of the mail function; a queue behind it would only move the same messages again.');
    this.deadLetterQueues.push({ id: 'mail-failures', queue, what: 'mail handed to SendMail that the transport (SES / SMTP) still refused after two retries: the message is in the queue, resend it from there' });
    return queue;
  }

  private deadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'AsyncFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      queue,
      ['AwsSolutions-SQS3'],
      'This queue is itself the dead-letter queue of the scheduled invocations; a queue behind it would only move the same messages again.',
    );
    this.deadLetterQueues.push({ id: 'async-failures', queue, what: 'scheduled invocations the scheduler could not deliver, or whose function still failed after its retries' });
    return queue;
  }

  /**
   * An ASL file becomes a Standard state machine. ASL files name service
   * integrations with the `aws` partition (the local interpreter reads the
   * same files); in aws-cn the integration ARNs are rewritten, which is why
   * the text is read here rather than uploaded as is with fromFile.
   * Every ${Placeholder} must be declared in the manifest: an unknown one
   * fails the synth instead of reaching CloudFormation.
   */
  private stateMachine(
    def: StateMachineDef,
    projectRoot: string,
    settings: DeploySettings,
    logsKey: kms.IKey,
    fnOf: (name: string) => ChengguoFunction,
  ): sfn.StateMachine {
    const file = path.join(projectRoot, def.file);
    const asl = fs.readFileSync(file, 'utf8');
    const uses = checkIntegrations(def.file, JSON.parse(asl));
    const unknown = placeholdersOf(asl).filter((ph) => !(ph in def.functions));
    if (unknown.length > 0) throw new Error(`${def.file}: placeholders ${unknown.join(', ')} are not in manifest.stateMachines[${def.name}].functions`);
    const body = settings.partition === 'aws' ? asl : asl.replaceAll('"arn:aws:states:::', `"arn:${settings.partition}:states:::`);

    const logGroup = new logs.LogGroup(this, `${def.name}StateMachineLogs`, {
      retention: settings.logRetention,
      encryptionKey: logsKey,
    });
    const role = new iam.Role(this, `${def.name}StateMachineRole`, {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `${settings.prefix}-${def.name} state machine`,
    });
    const substitutions: Record<string, string> = {};
    const invoked = new Set<string>();
    for (const [placeholder, fnName] of Object.entries(def.functions)) {
      const fn = fnOf(fnName).fn;
      substitutions[placeholder] = fn.functionArn;
      invoked.add(fn.functionArn);
    }
    // Unqualified ARNs only: the ASL invokes $LATEST, so no `:*` for versions.
    if (invoked.size > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...invoked] }));
    if (uses.distributedMap) this.grantDistributedMap(role, stateMachineRef(this, settings.prefix, def.name));

    const sm = new sfn.StateMachine(this, `${def.name}StateMachine`, {
      stateMachineName: `${settings.prefix}-${def.name}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(body),
      definitionSubstitutions: substitutions,
      role,
      tracingEnabled: true,
      // ALL events, without execution data: a waitForTaskToken task's input
      // carries the task token, a bearer credential that must reach no log.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeWildcardResource(
      role,
      '*',
      'CloudWatch Logs delivery (CreateLogDelivery, PutResourcePolicy, DescribeLogGroups …) and X-Ray (PutTraceSegments, GetSamplingRules …) support no resource-level permissions; the Lambda grant names each function.',
    );
    return sm;
  }

  /**
   * A Distributed Map runs each item batch as a child execution of this same
   * state machine: the role starts it, and describes and stops the child
   * executions (execution:<name>/<label>:<id>). Built from the known name: the role cannot
   * reference its own state machine without a cycle.
   */
  private grantDistributedMap(role: iam.Role, self: StateMachineRef): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [self.arn] }));
    // Child executions of a map run are execution:<name>/<label>:<id>; the parent's own executions need no grant.
    const executions = ['/*'].map((suffix) =>
      this.formatArn({ service: 'states', resource: 'execution', resourceName: `${self.name}${suffix}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: executions }));
    for (const resource of executions) {
      acknowledgeWildcardResource(
        role,
        resource,
        `Distributed Map child executions are named by Step Functions at run time; DescribeExecution/StopExecution are confined to executions of ${self.name} itself.`,
      );
    }
  }

  /**
   * The issuer the API trusts and the pages and CLI sign in with. aws: the
   * Cognito pool of the stateful stack and its public app client, made here
   * with the callback on this API (/auth/callback) and the CLI's loopback
   * address. aws-cn: the department's issuer from context (its client id is
   * the audience; the client is registered there, see docs/sign-in.md).
   */
  private signInSettings(settings: DeploySettings, stateful: StatefulRefs, appBaseUrl: string, siteUrl: string): StatelessStack['signIn'] {
    const signInUrl = `${appBaseUrl}/auth/sign-in`;
    const callbackUrl = `${appBaseUrl}/auth/callback`;
    // The console (console/src/auth.ts): back to /console/callback; after sign-out to /console/ or /console/signed-out.
    const consoleCallback = `${siteUrl}${consolePath}/callback`;
    const consoleLogout = [`${siteUrl}${consolePath}/`, `${siteUrl}${consolePath}/signed-out`];
    if (stateful.jwt) return { jwt: stateful.jwt, client: undefined, signInUrl };
    if (!stateful.userDirectory) throw new Error('stateful stack: neither an external issuer nor a Cognito user pool');
    const client = signInClient(this, 'SignInClient', {
      userPool: stateful.userDirectory.userPool,
      prefix: settings.prefix,
      callbackUrls: [callbackUrl, settings.signIn.cliRedirectUri, consoleCallback],
      logoutUrls: [callbackUrl, ...consoleLogout],
    });
    return {
      jwt: { issuer: stateful.userDirectory.issuer, audience: client.userPoolClientId, jwksUrl: stateful.userDirectory.jwksUrl, tokenType: 'cognito' },
      client,
      signInUrl,
    };
  }

  /** Where the console's OIDC client connects: the issuer, and on aws Cognito's hosted sign-in domain too. */
  private issuerOrigins(settings: DeploySettings): string[] {
    if (settings.oidc) return [new URL(settings.oidc.issuer).origin];
    return [`https://cognito-idp.${this.region}.${this.urlSuffix}`, `https://${settings.signIn.cognitoDomainPrefix}.auth.${this.region}.amazoncognito.com`];
  }

  private httpApi(
    api: apigwv2.HttpApi,
    m: Manifest,
    settings: DeploySettings,
    jwt: JwtBinding,
    logsKey: kms.IKey,
    fnOf: (name: string) => ChengguoFunction,
    contextOfFunction: (name: string) => BoundedContext,
  ): apigwv2.HttpApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: settings.logRetention, encryptionKey: logsKey });
    new apigwv2.HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
            user: '$context.authorizer.claims.cognito:username',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    // The API, its stage and its JWT authorizer stay here; each route, its
    // integration and its invoke permission live in the nested stack of the
    // route's function (≈ 4–7 resources a route would otherwise push this
    // stack past CloudFormation's 500). The authorizer is created once, in
    // the scope of the API (HttpRoute binds it there, whatever the route's
    // scope), and the nested routes reference its id by parameter.
    const authorizer = new HttpJwtAuthorizer('Jwt', jwt.issuer, {
      authorizerName: `${settings.prefix}-jwt`,
      jwtAudience: [jwt.audience],
      identitySource: ['$request.header.Authorization'],
    });
    const open = new apigwv2.HttpNoneAuthorizer();
    const integrations = new Map<string, HttpLambdaIntegration>();
    // One 'Api' scope per nested stack: the routes' logical ids are those they had under the API in this stack.
    const routeScopes = new Map<BoundedContext, Construct>();
    const routeScopeOf = (ctx: BoundedContext): Construct => {
      let scope = routeScopes.get(ctx);
      if (!scope) {
        scope = new Construct(ctx, 'Api');
        routeScopes.set(ctx, scope);
      }
      return scope;
    };
    for (const route of m.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.function}Integration`, fnOf(route.function).fn);
        integrations.set(route.function, integration);
      }
      const timeout = fnOf(route.function).def.timeoutSeconds ?? 10;
      if (timeout > 30) {
        Annotations.of(fnOf(route.function)).addWarningV2(
          'chengguo:routeTimeout',
          `${route.method} ${route.path}: API Gateway answers 503 after 30 s, but ${route.function} may run ${timeout} s; the caller never sees the late result.`,
        );
      }
      const scope = routeScopeOf(contextOfFunction(route.function));
      // Every GET answers HEAD too (the handler drops the body): link checkers probe emailed pages with HEAD.
      const methods = route.method === 'GET' ? [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.HEAD] : [apigwv2.HttpMethod[route.method]];
      const made = methods.map(
        (method) =>
          new apigwv2.HttpRoute(scope, `${method}${route.path}`, {
            httpApi: api,
            routeKey: apigwv2.HttpRouteKey.with(route.path, method),
            integration,
            authorizer: route.auth === 'public' ? open : authorizer,
          }),
      );
      for (const one of route.auth === 'public' ? made : []) {
        acknowledge(
          one,
          ['AwsSolutions-APIG4'],
          `${route.method} ${route.path} is public by design (${route.summary}): it serves no personal or classified data and is declared auth: 'public' in the manifest.`,
        );
      }
    }
    return api;
  }
}

/** Names are unique, and every reference in the manifest resolves. */
export function checkManifest(m: Manifest, tableShapes: readonly TableShape[] = defaultTableShapes): void {
  const names = new Set<string>();
  for (const f of m.functions) {
    if (names.has(f.name)) throw new Error(`manifest: function ${f.name} is declared twice`);
    names.add(f.name);
  }
  for (const r of m.routes) {
    if (!names.has(r.function)) throw new Error(`manifest: route ${r.method} ${r.path} refers to unknown function ${r.function}`);
  }
  const keys = new Set(m.routes.map((r) => `${r.method} ${r.path}`));
  if (keys.size !== m.routes.length) throw new Error('manifest: a route (method + path) is declared twice');
  for (const s of m.stateMachines) {
    for (const fn of Object.values(s.functions)) {
      if (!names.has(fn)) throw new Error(`manifest: state machine ${s.name} refers to unknown function ${fn}`);
    }
  }
  for (const s of m.schedules) {
    if ('function' in s.target && !names.has(s.target.function)) throw new Error(`manifest: schedule ${s.name} refers to unknown function ${s.target.function}`);
  }
  const streamNames = new Set<string>();
  for (const s of m.streams) {
    if (streamNames.has(s.name)) throw new Error(`manifest: stream ${s.name} is declared twice`);
    streamNames.add(s.name);
    if (!names.has(s.function)) throw new Error(`manifest: stream ${s.name} refers to unknown function ${s.function}`);
    const shape = tableShapes.find((t) => t.name === s.table);
    if (!shape) throw new Error(`manifest: stream ${s.name} reads unknown table ${s.table}`);
    if (!shape.stream) {
      throw new Error(`manifest: stream ${s.name} reads table ${s.table}, which has no stream; give its shape stream: 'NEW_AND_OLD_IMAGES' in infra/tables.ts`);
    }
  }
}

/** The Lambda integrations the state machine role is granted; anything else would fail at run time. */
const grantedIntegrations = new Set(['arn:aws:states:::lambda:invoke', 'arn:aws:states:::lambda:invoke.waitForTaskToken']);

/** What an ASL file needs beyond its Lambda invocations (StatelessStack.stateMachine grants it). */
export interface IntegrationUse {
  /** A DISTRIBUTED Map: child executions of the state machine itself. */
  readonly distributedMap: boolean;
}

/**
 * The role of a state machine may invoke its manifest functions (and, for a
 * Distributed Map, run its own child executions) and nothing else, so an ASL
 * file that uses another service integration, or a Distributed Map reading
 * or writing S3 (ItemReader, ResultWriter), fails the synth here, with the
 * fix named, instead of failing with AccessDenied in an execution.
 */
export function checkIntegrations(file: string, node: unknown): IntegrationUse {
  let distributedMap = false;
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const item of n) visit(item);
      return;
    }
    if (typeof n !== 'object' || n === null) return;
    const o = n as Record<string, unknown>;
    if (o['Type'] === 'Task' && typeof o['Resource'] === 'string' && !grantedIntegrations.has(o['Resource'])) {
      throw new Error(`${file}: Task resource ${o['Resource']} is not granted to the state machine role; add its grant in StatelessStack.stateMachine`);
    }
    if (o['Type'] === 'Map') {
      for (const key of ['ItemReader', 'ResultWriter']) {
        if (key in o) throw new Error(`${file}: a Map ${key} reads or writes S3, which the state machine role is not granted; add the bucket grant in StatelessStack.stateMachine`);
      }
    }
    if (o['Mode'] === 'DISTRIBUTED') distributedMap = true;
    for (const value of Object.values(o)) visit(value);
  };
  visit(node);
  return { distributedMap };
}
