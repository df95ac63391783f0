/**
 * The one opinionated Lambda of the project: Node.js 22 on ARM, an esbuild
 * bundle (bundling.ts: minified ESM ≤ 250 KB, source maps, AWS SDK v3 left to the runtime), X-Ray
 * tracing, its own KMS-encrypted log group with a retention, and its own role
 * that starts empty. Each `bind*` helper sets the environment variable the
 * handler reads (adapters/config.ts) and grants exactly what that access needs,
 * in one call, so a variable never exists without its permission or the
 * reverse.
 */
import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bucketEnv, envNames, stateMachineEnv, tableEnv } from '#adapters/config.ts';
import type { Access, BucketName, FunctionDef, TableName } from '../manifest.ts';
import { lambdaBundling, type MailTransport } from './bundling.ts';
import { DestructionRole } from './custody-lockdown.ts';
import { acknowledge, acknowledgeWildcardResource } from './nag.ts';

export interface TableRef {
  readonly name: TableName;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  /** Global secondary indexes, granted by name (no `index/*`). */
  readonly indexNames: readonly string[];
}

export interface BucketRef {
  readonly name: BucketName;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly key: kms.IKey;
  readonly region: string;
}

/** A state machine known by its physical name and ARN (built from the name, no construct reference). */
export interface StateMachineRef {
  readonly name: string;
  readonly arn: string;
}

/** A table's DynamoDB stream and the key its records are encrypted with. */
export interface StreamRef {
  readonly streamArn: string;
  readonly key: kms.IKey;
}

export interface JwtBinding {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** Which ID-token rule the handlers apply (runtime/auth.ts); Cognito when absent. */
  readonly tokenType?: 'cognito' | 'oidc';
}

export type MailBinding =
  | { readonly transport: 'ses'; readonly from: string; readonly identity: ses.IEmailIdentity }
  | {
      readonly transport: 'smtp';
      readonly from: string;
      readonly host: string;
      readonly port: number;
      /** JSON {"username","password"}; read by the function at run time (adapters/mailer.ts), never put in its environment. */
      readonly credentials: secretsmanager.ISecret;
    };

export interface ChengguoFunctionProps {
  readonly def: FunctionDef;
  /** Physical name: <prefix>-<def.name>. */
  readonly functionName: string;
  /** Root of the project: entries, package-lock.json and tsconfig.json live here. */
  readonly projectRoot: string;
  readonly logRetention: logs.RetentionDays;
  readonly logsKey: kms.IKey;
  /** The stage's mail transport: the only one the bundle carries (bundling.ts); bindEmail must match it. */
  readonly mailTransport: MailTransport;
  readonly environment?: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
  /** For functions invoked asynchronously (schedules): failed events land here. */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** The audit chains' partition keys (adapters/dynamo.ts keys.auditPartition) and what no function may do to them. */
export const auditChainLeadingKeys = ['AUDIT', 'AUDIT#*'] as const;
export const auditChainDeniedActions = ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'] as const;

const tableActions: Record<Access, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  // TransactWriteItems is authorised per item as Put/Update/Delete/ConditionCheck.
  readWrite: [
    'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem',
  ],
};

/**
 * No s3:DeleteObject in either: package versions are immutable once sealed and
 * nothing is overwritten (storage rules); an abandoned multipart upload is
 * aborted, which needs only s3:AbortMultipartUpload.
 */
const objectActions: Record<Access, readonly string[]> = {
  read: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectVersionAttributes', 's3:ListMultipartUploadParts'],
  readWrite: [
    's3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectVersionAttributes', 's3:ListMultipartUploadParts',
    's3:PutObject', 's3:AbortMultipartUpload',
  ],
};
const bucketActions = ['s3:ListBucket', 's3:ListBucketMultipartUploads'];

const kmsActions: Record<Access, readonly string[]> = {
  read: ['kms:Decrypt'],
  readWrite: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

export class ChengguoFunction extends Construct {
  readonly def: FunctionDef;
  readonly mailTransport: MailTransport;
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ChengguoFunctionProps) {
    super(scope, id);
    const { def } = props;
    this.def = def;
    this.mailTransport = props.mailTransport;
    this.role = new iam.Role(this, 'Role', {
      // Named after the function: the key policies admit the stage's roles by name (<prefix>-*, infra/constructs/keys.ts).
      roleName: props.functionName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      // IAM descriptions accept Latin-1 only; the manifest's may be Chinese.
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logsKey });
    // Written by hand instead of AWSLambdaBasicExecutionRole: that managed
    // policy lets the function write to every log group of the account.
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: def.description.slice(0, 256),
      entry: path.join(props.projectRoot, def.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: def.memoryMb ?? 256,
      timeout: Duration.seconds(def.timeoutSeconds ?? 10),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      // One bundling for every function (infra/constructs/bundling.ts), measured by test/infra/bundle-size.test.ts.
      bundling: lambdaBundling(props.mailTransport),
    });
    acknowledgeWildcardResource(
      this.role,
      '*',
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions; nothing else in this role is granted on *.',
    );
  }

  /** TABLE env var + item-level read or read/write on the table and its named indexes, and its key via DynamoDB only. */
  bindTable(ref: TableRef, access: Access): this {
    this.fn.addEnvironment(tableEnv[ref.name], ref.table.tableName);
    const tableArn = ref.table.tableArn;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...tableActions[access]],
        resources: [tableArn, ...ref.indexNames.map((i) => `${tableArn}/index/${i}`)],
      }),
    );
    this.grantKeyVia(ref.key, 'dynamodb', Stack.of(this).region, access);
    if (ref.name === 'logs' && access === 'readWrite') this.denyAuditChainRewrite(ref);
    return this;
  }

  /**
   * No function may delete or edit an audit record or a chain head (issue 11
   * §3, R10.1): an explicit Deny of DeleteItem, UpdateItem and BatchWriteItem
   * (whose requests are unconditional puts and deletes) on every item whose
   * partition key is an audit chain's (`AUDIT`, `AUDIT#<province>`, IAM
   * dynamodb:LeadingKeys). A Deny wins over any Allow this role is given
   * later. What stays allowed is what auditedWrite uses: PutItem inside
   * TransactWriteItems — the record with attribute_not_exists, the head
   * conditional on its seq. IAM cannot tell a conditional put from an
   * overwrite; a record overwritten by a put is caught by the signed anchors
   * (docs/audit.md).
   */
  private denyAuditChainRewrite(ref: TableRef): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DenyAuditChainRewrite',
        effect: iam.Effect.DENY,
        actions: [...auditChainDeniedActions],
        resources: [ref.table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [...auditChainLeadingKeys] } },
      }),
    );
  }

  /**
   * Every HTTP function (manifest `verifiesJwt`) writes the security records
   * of its requests (R20.1, shared/security/records.ts): PutItem on the logs
   * table, only on items whose partition key starts with SECREC# (IAM
   * dynamodb:LeadingKeys), so it cannot touch the audit chain.
   */
  bindSecurityRecords(ref: TableRef): this {
    this.fn.addEnvironment(tableEnv[ref.name], ref.table.tableName);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [ref.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SECREC#*'] } },
      }),
    );
    this.grantKeyVia(ref.key, 'dynamodb', Stack.of(this).region, 'readWrite');
    return this;
  }

  /**
   * 我的通知 (issue 13): the mail port records each recipient's notification (runtime/ports/mail.ts) — PutItem on the
   * registry, items keyed NOTIFY#* only, whatever else the function may do there.
   */
  bindNotifications(ref: TableRef): this {
    this.fn.addEnvironment(tableEnv[ref.name], ref.table.tableName);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [ref.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTIFY#*'] } },
      }),
    );
    this.grantKeyVia(ref.key, 'dynamodb', Stack.of(this).region, 'readWrite');
    return this;
  }

  /** BUCKET env var + object read or write in that one bucket, and its key via S3 only. */
  bindBucket(ref: BucketRef, access: Access): this {
    this.fn.addEnvironment(bucketEnv[ref.name], ref.bucketName);
    const objects = `${ref.bucketArn}/*`;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: bucketActions, resources: [ref.bucketArn] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...objectActions[access]], resources: [objects] }));
    acknowledgeWildcardResource(
      this.role,
      objects,
      `Object keys are …/<submissionId>/v<N>/<path>, known only at run time; the grant is confined to the ${ref.name} bucket (${access}).`,
    );
    this.grantKeyVia(ref.key, 's3', ref.region, access);
    return this;
  }

  /**
   * The public-catalogue publishers — manifest flag `publishesPublicCatalogue`:
   * delete under public-catalogue/ of the published bucket only, where a
   * rebuild removes the files of entries no longer public (R9.3). Nothing else
   * in that bucket, and no other bucket.
   */
  bindPublicCatalogueCleanup(ref: BucketRef): this {
    const prefix = `${ref.bucketArn}/public-catalogue/*`;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [prefix] }));
    acknowledgeWildcardResource(
      this.role,
      prefix,
      'A rebuild of the public catalogue deletes the files of entries that are no longer public; their keys are known only at run time. Confined to the public-catalogue/ prefix of the published bucket (manifest publishesPublicCatalogue).',
    );
    return this;
  }

  /**
   * The audit anchor job only — manifest flag `signsAuditAnchors` (R10.1,
   * issue 8 §2): kms:Sign/Verify on the asymmetric anchor key (no other
   * principal may Sign), and list/read/write-once under audit-anchors/ of the
   * custody bucket — not the custody records themselves. Object Lock keeps
   * every anchor version; the role has no delete.
   */
  bindAuditAnchors(ref: BucketRef, key: kms.IKey): this {
    this.fn.addEnvironment('AUDIT_ANCHOR_KEY_ID', key.keyArn);
    this.fn.addEnvironment(bucketEnv[ref.name], ref.bucketName);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Sign', 'kms:Verify'], resources: [key.keyArn] }));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [ref.bucketArn], conditions: { StringLike: { 's3:prefix': ['audit-anchors/*'] } } }),
    );
    const anchors = `${ref.bucketArn}/audit-anchors/*`;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [anchors] }));
    acknowledgeWildcardResource(
      this.role,
      anchors,
      'One anchor object per checkpoint of each chain (audit-anchors/<seq>.json national, audit-anchors/<province>/<seq>.json), its seq known only at run time; confined to the audit-anchors/ prefix of the custody bucket (manifest signsAuditAnchors).',
    );
    this.grantKeyVia(ref.key, 's3', ref.region, 'readWrite');
    return this;
  }

  /**
   * Destruction (销毁) only — manifest flag `destroysCustodyObjects`: the
   * function's own role may only assume the destruction role (tagged with the
   * approved result; infra/constructs/custody-lockdown.ts DestructionRole),
   * whose policy deletes versions past GOVERNANCE retention under that
   * result's prefixes only; the adapter adds a session policy on the one
   * prefix. No delete and no governance bypass in this role itself.
   */
  bindCustodyDestruction(ref: BucketRef, roleName: string): this {
    const destruction = new DestructionRole(this, 'Destruction', { roleName, custodyBucketArn: ref.bucketArn, assumedBy: this.role });
    this.fn.addEnvironment('CUSTODY_DESTRUCTION_ROLE_ARN', destruction.role.roleArn);
    return this;
  }

  /**
   * <NAME>_STATE_MACHINE_ARN + StartExecution on it and DescribeExecution on its
   * executions. The ARN is built from the machine's known name, not taken from
   * the construct: the machine invokes functions of the same nested stack, so a
   * reference back to it would be a dependency cycle (stateless-stack.ts).
   */
  bindStateMachineStart(name: string, stateMachine: StateMachineRef): this {
    this.fn.addEnvironment(stateMachineEnv(name), stateMachine.arn);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.arn] }));
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.name}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
    acknowledgeWildcardResource(this.role, executions, `Execution names are chosen at StartExecution; DescribeExecution is confined to executions of the ${name} state machine.`);
    return this;
  }

  /** SendTaskSuccess/Failure/Heartbeat, scoped to the one state machine (IAM cannot scope a token further). */
  bindTaskResponse(name: string, stateMachine: StateMachineRef): this {
    this.fn.addEnvironment(stateMachineEnv(name), stateMachine.arn);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], resources: [stateMachine.arn] }),
    );
    return this;
  }

  /**
   * Read one table's change stream (the event source mapping polls it with this
   * role): that stream only, and the table key for its records through DynamoDB only.
   */
  bindStreamRead(stream: StreamRef): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [stream.streamArn],
      }),
    );
    this.grantKeyVia(stream.key, 'dynamodb', Stack.of(this).region, 'read');
    return this;
  }

  /** TASK_TOKEN_KEY_ID and kms:Encrypt/Decrypt on that one key (adapters/token-vault.ts). */
  bindTaskTokenKey(key: kms.IKey): this {
    this.fn.addEnvironment('TASK_TOKEN_KEY_ID', key.keyArn);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:Decrypt'], resources: [key.keyArn] }));
    return this;
  }

  bindJwt(jwt: JwtBinding): this {
    this.fn.addEnvironment(envNames.jwtIssuer, jwt.issuer);
    this.fn.addEnvironment(envNames.jwtAudience, jwt.audience);
    this.fn.addEnvironment(envNames.jwtJwksUrl, jwt.jwksUrl);
    this.fn.addEnvironment('JWT_TOKEN_TYPE', jwt.tokenType ?? 'cognito');
    return this;
  }

  /**
   * Issue 12: SIGN_IN_ACCOUNTS and, with a Cognito user pool (aws), USER_POOL_ID and the admin calls that create,
   * disable and enable an account — on that one pool only. Without a pool (aws-cn: the external issuer owns the
   * accounts) the registry alone decides and no Cognito permission is granted.
   */
  bindSignInAccounts(userPool: cognito.IUserPool | undefined): this {
    if (!userPool) {
      this.fn.addEnvironment(envNames.signInAccounts, 'registry');
      return this;
    }
    this.fn.addEnvironment(envNames.signInAccounts, 'cognito');
    this.fn.addEnvironment(envNames.userPoolId, userPool.userPoolId);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser'],
        resources: [userPool.userPoolArn],
      }),
    );
    return this;
  }

  /**
   * R17.2 on AWS (manifest flag `signsDownloads`, with -c downloadPublicKey): the public site's domain and the public
   * key's id in the environment, the signing key's secret by name only (read at run time by adapters/cloudfront-downloads.ts:
   * the private key is in no environment variable and no template) and GetSecretValue on that one secret.
   */
  /** `secretArn`: the secret's ARN pattern (its name and the six characters Secrets Manager appends). */
  bindDownloadSigning(signing: { domain: string; keyPairId: string; secretName: string; secretArn: string }): this {
    this.fn.addEnvironment(envNames.downloadDomain, signing.domain);
    this.fn.addEnvironment(envNames.downloadKeyPairId, signing.keyPairId);
    this.fn.addEnvironment(envNames.downloadSigningKeySecret, signing.secretName);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [signing.secretArn] }));
    return this;
  }

  /** MAIL_* (+ SMTP_*) and, for SES, ses:SendEmail on the one verified identity. */
  bindEmail(mail: MailBinding): this {
    if (mail.transport !== this.mailTransport) throw new Error(`${this.def.name}: mail by ${mail.transport}, but bundled with ${this.mailTransport} only`);
    this.fn.addEnvironment(envNames.mailTransport, mail.transport);
    this.fn.addEnvironment(envNames.mailFrom, mail.from);
    if (mail.transport === 'ses') {
      mail.identity.grantSendEmail(this.fn);
    } else {
      this.fn.addEnvironment(envNames.smtpHost, mail.host);
      this.fn.addEnvironment(envNames.smtpPort, String(mail.port));
      // The ARN only: adapters/mailer.ts reads the secret at run time
      // (GetSecretValue on this one secret, its key via Secrets Manager only),
      // so the password is in no environment variable and no template.
      // Written out, not secret.grantRead: that would add this role to the
      // key policy of the stateful stack's key, a reference back across stacks.
      this.fn.addEnvironment(envNames.smtpCredentialsSecret, mail.credentials.secretArn);
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [mail.credentials.secretArn] }),
      );
      const key = mail.credentials.encryptionKey;
      if (key) {
        this.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
          }),
        );
      }
    }
    return this;
  }

  /**
   * Issue 10: a function that sends mail but holds no transport hands each message to the stage's SendMail
   * (`deliversMail`) — MAIL_FUNCTION and lambda:InvokeFunction on that one function, by its deterministic ARN.
   */
  bindMailHandover(target: { readonly functionName: string; readonly functionArn: string }): this {
    this.fn.addEnvironment(envNames.mailFunction, target.functionName);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }));
    return this;
  }

  private grantKeyVia(key: kms.IKey, service: 'dynamodb' | 's3', region: string, access: Access): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...kmsActions[access]],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.${Stack.of(this).urlSuffix}` } },
      }),
    );
  }
}

/** Acknowledgements every function shares, each with the reason it holds for this design. */
export function acknowledgeFunctionFindings(fn: ChengguoFunction, opts: { readonly asyncTarget: boolean; readonly streamTarget?: boolean }): void {
  acknowledge(
    fn,
    ['AwsSolutions-L1'],
    'Node.js 22 is pinned on purpose: the project, its tests and the local cloud run on the pinned Node 22 (package.json engines), so the code is tested on the major it runs on in Lambda. Moving to a newer runtime is a deliberate, tested upgrade.',
  );
  acknowledge(
    fn,
    ['NIST.800.53.R5-LambdaInsideVPC'],
    'The functions reach only AWS service endpoints (DynamoDB, S3, Step Functions, SES, KMS) over TLS with IAM auth; there is no VPC resource to reach, and a VPC would add NAT cost and cold-start latency without narrowing access.',
  );
  acknowledge(
    fn,
    ['NIST.800.53.R5-LambdaConcurrency'],
    'Reserved concurrency is optional per function (ChengguoFunctionProps.reservedConcurrency); by default the stage throttling of the HTTP API bounds concurrency, and reserving it would fail on accounts with the default unreserved-concurrency quota.',
  );
  if (opts.streamTarget && !opts.asyncTarget) {
    acknowledge(
      fn,
      ['NIST.800.53.R5-LambdaDLQ'],
      'Invoked by a DynamoDB stream event source mapping, which invokes synchronously; a batch that still fails after its retries goes to the mapping\'s own on-failure SQS queue. A function dead-letter queue serves asynchronous invocations only.',
    );
  } else if (!opts.asyncTarget) {
    acknowledge(
      fn,
      ['NIST.800.53.R5-LambdaDLQ'],
      'Invoked synchronously only (API Gateway, or a Step Functions task that retries and catches); errors return to the caller, so a dead-letter queue would never receive anything.',
    );
  }
}
