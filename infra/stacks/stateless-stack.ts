/**
 * Everything that can be torn down and rebuilt from the repository: the
 * functions, state machines, HTTP API, schedules and mail identity. All of it
 * is generated from infra/manifest.ts — nothing here lists a function, route,
 * state machine or schedule by hand.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { envNames } from '#shared/config.ts';
import { manifest as defaultManifest, type BucketName, type FunctionDef, type Manifest, type StateMachineDef, type TableName } from '../manifest.ts';
import {
  ChengguoFunction,
  acknowledgeFunctionFindings,
  type BucketRef,
  type JwtBinding,
  type MailBinding,
  type TableRef,
} from '../constructs/chengguo-function.ts';
import { acknowledge, acknowledgeWildcardResource } from '../constructs/nag.ts';
import { bucketArn, bucketName } from './naming.ts';
import type { DeploySettings } from './settings.ts';

/** What the stateless stack needs from the stateful one (StatefulStack satisfies it). */
export interface StatefulRefs {
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly tableIndexes: Readonly<Record<TableName, readonly string[]>>;
  readonly tableKey: kms.IKey;
  readonly storageKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly taskTokenKey: kms.IKey;
  readonly jwt: JwtBinding;
  readonly smtpSecret: secretsmanager.ISecret | undefined;
}

export interface StatelessStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly stateful: StatefulRefs;
  /** Project root: function entries, statemachines/ and package-lock.json are resolved from it. */
  readonly projectRoot: string;
  readonly manifest?: Manifest;
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

/** One construct per bounded context: its functions, grouped as the code is. */
export class BoundedContext extends Construct {
  readonly functions = new Map<string, ChengguoFunction>();
}

export class StatelessStack extends Stack {
  readonly functions: ReadonlyMap<string, ChengguoFunction>;
  readonly contexts: ReadonlyMap<string, BoundedContext>;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  readonly api: apigwv2.HttpApi;
  readonly schedules: ReadonlyMap<string, scheduler.Schedule>;
  readonly mailIdentity: ses.EmailIdentity | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, stateful, projectRoot } = props;
    const m = props.manifest ?? defaultManifest;
    const p = settings.prefix;
    checkManifest(m);

    // ---- what functions bind to ----
    const tableRefs = Object.fromEntries(
      (Object.keys(stateful.tables) as TableName[]).map((name) => [
        name,
        { name, table: stateful.tables[name], key: stateful.tableKey, indexNames: stateful.tableIndexes[name] } satisfies TableRef,
      ]),
    ) as Record<TableName, TableRef>;
    const bucketRef = (name: BucketName): BucketRef => {
      if (name === 'backup') {
        throw new Error('manifest: the backup bucket is the cross-region replica of custody; functions read custody, not the replica');
      }
      return { name, bucketName: bucketName(this, settings, name), bucketArn: bucketArn(this, settings, name), key: stateful.storageKey, region: settings.region };
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

    // ---- functions, one construct per bounded context ----
    const contexts = new Map<string, BoundedContext>();
    const functions = new Map<string, ChengguoFunction>();
    for (const def of m.functions) {
      const context = contextOf(def);
      let ctx = contexts.get(context);
      if (!ctx) {
        ctx = new BoundedContext(this, pascal(context));
        contexts.set(context, ctx);
      }
      const fn = new ChengguoFunction(ctx, def.name, {
        def,
        functionName: `${p}-${def.name}`,
        projectRoot,
        logRetention: settings.logRetention,
        logsKey: stateful.logsKey,
        ...(asyncTargets.has(def.name) && asyncFailures ? { deadLetterQueue: asyncFailures } : {}),
      });
      for (const [table, access] of Object.entries(def.tables ?? {}) as [TableName, 'read' | 'readWrite'][]) {
        fn.bindTable(tableRefs[table], access);
      }
      for (const [bucket, access] of Object.entries(def.buckets ?? {}) as [BucketName, 'read' | 'readWrite'][]) {
        fn.bindBucket(bucketRef(bucket), access);
      }
      if (def.verifiesJwt) fn.bindJwt(stateful.jwt);
      if (def.sendsEmail) fn.bindEmail(mail);
      if (def.sealsTaskTokens) fn.bindTaskTokenKey(stateful.taskTokenKey);
      if (def.destroysCustodyObjects) fn.bindCustodyDestruction(bucketRef('custody'));
      acknowledgeFunctionFindings(fn, { asyncTarget: asyncTargets.has(def.name) });
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
    for (const def of m.functions) {
      for (const name of def.startsStateMachines ?? []) fnOf(def.name).bindStateMachineStart(name, machineOf(name, def.name));
      for (const name of def.answersStateMachines ?? []) fnOf(def.name).bindTaskResponse(name, machineOf(name, def.name));
    }

    // ---- HTTP API ----
    this.api = this.httpApi(m, settings, stateful.jwt, stateful.logsKey, fnOf);
    const appBaseUrl = settings.appBaseUrl ?? this.api.apiEndpoint;
    for (const fn of functions.values()) fn.fn.addEnvironment(envNames.appBaseUrl, appBaseUrl);

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
      if ('function' in def.target) {
        const fn = fnOf(def.target.function).fn;
        target = new targets.LambdaInvoke(fn, targetProps);
        acknowledgeWildcardResource(
          role,
          `${fn.functionArn}:*`,
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
      schedules.set(def.name, schedule);
    }
    this.schedules = schedules;
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
    checkIntegrations(def.file, JSON.parse(asl));
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

  private httpApi(
    m: Manifest,
    settings: DeploySettings,
    jwt: JwtBinding,
    logsKey: kms.IKey,
    fnOf: (name: string) => ChengguoFunction,
  ): apigwv2.HttpApi {
    const api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${settings.prefix}-api`,
      description: 'chengguo 自然资源调查监测成果管理 HTTP API',
      createDefaultStage: false,
    });
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
    const authorizer = new HttpJwtAuthorizer('Jwt', jwt.issuer, {
      authorizerName: `${settings.prefix}-jwt`,
      jwtAudience: [jwt.audience],
      identitySource: ['$request.header.Authorization'],
    });
    const open = new apigwv2.HttpNoneAuthorizer();
    const integrations = new Map<string, HttpLambdaIntegration>();
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
      const [made] = api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        authorizer: route.auth === 'public' ? open : authorizer,
      });
      if (route.auth === 'public' && made) {
        acknowledge(
          made,
          ['AwsSolutions-APIG4'],
          `${route.method} ${route.path} is public by design (${route.summary}): it serves no personal or classified data and is declared auth: 'public' in the manifest.`,
        );
      }
    }
    return api;
  }
}

/** Names are unique, and every reference in the manifest resolves. */
export function checkManifest(m: Manifest): void {
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
}

/** The Lambda integrations the state machine role is granted; anything else would fail at run time. */
const grantedIntegrations = new Set(['arn:aws:states:::lambda:invoke', 'arn:aws:states:::lambda:invoke.waitForTaskToken']);

/**
 * The role of a state machine may invoke its manifest functions and nothing
 * else, so an ASL file that uses another service integration or a
 * distributed map fails the synth here, with the fix named, instead of
 * failing with AccessDenied in an execution.
 */
export function checkIntegrations(file: string, node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) checkIntegrations(file, item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (o['Type'] === 'Task' && typeof o['Resource'] === 'string' && !grantedIntegrations.has(o['Resource'])) {
    throw new Error(`${file}: Task resource ${o['Resource']} is not granted to the state machine role; add its grant in StatelessStack.stateMachine`);
  }
  if (o['Mode'] === 'DISTRIBUTED') {
    throw new Error(`${file}: a DISTRIBUTED Map needs states:StartExecution on its own executions; add the grant in StatelessStack.stateMachine`);
  }
  for (const value of Object.values(o)) checkIntegrations(file, value);
}
