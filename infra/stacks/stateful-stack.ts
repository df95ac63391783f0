/**
 * Everything that holds data and must outlive a redeploy: keys, buckets,
 * tables, the user directory and mail credentials. All retained on delete.
 * Table and bucket shapes come from infra/tables.ts (the local cloud reads the
 * same file, so DynamoDB Local has exactly these keys and indexes).
 */
import { Annotations, Aws, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { BucketName, TableName } from '../manifest.ts';
import { buckets as bucketNames, tables as tableShapes } from '../tables.ts';
import { dataKey, logsKey } from '../constructs/keys.ts';
import { acknowledgeWildcardResource } from '../constructs/nag.ts';
import { AccessLogBucket, SecureBucket } from '../constructs/secure-bucket.ts';
import { UserDirectory, type JwtSettings } from '../constructs/user-directory.ts';
import { backupBucketArn, bucketName } from './naming.ts';
import type { DeploySettings } from './settings.ts';

/** The backup bucket lives in the backup stack (second region). */
export type RegionalBucketName = Exclude<BucketName, 'backup'>;

export interface StatefulStackProps extends StackProps {
  readonly settings: DeploySettings;
  /** The replication target's key, in the backup region (a weak, cross-region reference). */
  readonly backupKey: kms.IKey;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class StatefulStack extends Stack {
  readonly buckets: Readonly<Record<RegionalBucketName, s3.IBucket>>;
  /** Encrypts the four regional buckets (uploads, custody, published, documents). */
  readonly storageKey: kms.IKey;
  /** Encrypts both tables. */
  readonly tableKey: kms.IKey;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  /** Stream ARN of each table whose shape (infra/tables.ts) has a stream; manifest.streams read them. */
  readonly tableStreams: Readonly<Partial<Record<TableName, string>>>;
  /** Global secondary index names per table (IAM grants name them, no index/*). */
  readonly tableIndexes: Readonly<Record<TableName, readonly string[]>>;
  /** Encrypts the CloudWatch log groups of the stateless stack. */
  readonly logsKey: kms.IKey;
  /** Seals Step Functions task tokens of human tasks (functions with `sealsTaskTokens`). */
  readonly taskTokenKey: kms.IKey;
  /**
   * Signs the audit chain's anchors (R10.1, issue 8 §2): asymmetric ECC_NIST_P256,
   * SIGN_VERIFY, ECDSA_SHA_256. Its private half never leaves KMS; only the
   * AuditAnchor function may Sign (stateless stack, bindAuditAnchors).
   */
  readonly auditAnchorKey: kms.IKey;
  /** The external issuer's JWT settings (aws-cn); undefined with Cognito, whose app client (the audience) the stateless stack makes. */
  readonly jwt: JwtSettings | undefined;
  readonly userDirectory: UserDirectory | undefined;
  /** SMTP user and password (aws-cn: no SES); filled in by the operator after the first deploy. */
  readonly smtpSecret: secretsmanager.ISecret | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const p = settings.prefix;

    const storageKey = (this.storageKey = dataKey(this, 'StorageKey', `alias/${p}-storage`, 'chengguo: S3 buckets (uploads, custody, published, documents)'));
    const tableKey = (this.tableKey = dataKey(this, 'TableKey', `alias/${p}-tables`, 'chengguo: DynamoDB tables (registry, logs)'));
    this.logsKey = logsKey(this, 'LogsKey', `alias/${p}-logs`);
    this.auditAnchorKey = new kms.Key(this, 'AuditAnchorKey', {
      alias: `alias/${p}-audit-anchors`,
      description: 'chengguo: signs checkpoints of the audit hash chain (audit anchors)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // Asymmetric keys cannot rotate automatically; a retained key keeps old anchors verifiable.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskTokenKey = dataKey(this, 'TaskTokenKey', `alias/${p}-task-tokens`, 'chengguo: Step Functions task tokens of human tasks (bearer credentials, sealed at rest)');

    // ---- buckets ----
    const accessLogs = new AccessLogBucket(this, 'AccessLogs').bucket;
    const made: Partial<Record<RegionalBucketName, s3.Bucket>> = {};
    for (const name of bucketNames) {
      if (name === 'backup') continue;
      const id = pascal(name);
      const common = { bucketName: bucketName(this, settings, name), encryptionKey: storageKey, accessLogs };
      if (name === 'custody') {
        const replication = this.custodyReplication(settings, props.backupKey);
        made.custody = new SecureBucket(this, id, {
          ...common,
          // GOVERNANCE, not COMPLIANCE: R10.1 forbids unauthorised alteration,
          // and destruction (销毁) is itself an approved act of the regulation.
          // COMPLIANCE would make an approved destruction impossible until the
          // retention ends. Under GOVERNANCE a locked version can be removed
          // only with s3:BypassGovernanceRetention, which no role here holds
          // until the destruction workflow is granted it (after approval);
          // the account root can too, and CloudTrail records every bypass.
          objectLock: { mode: 'GOVERNANCE', days: settings.custodyRetentionDays },
          replication: { replicationRole: replication.role, replicationRules: replication.rules },
        }).bucket;
        this.grantReplication(replication.role, made.custody, storageKey, props.backupKey, settings);
      } else {
        made[name] = new SecureBucket(this, id, {
          ...common,
          // uploads is the quarantine: a presigned multipart upload abandoned by
          // a submitter is aborted and its parts deleted after this many days.
          ...(name === 'uploads' ? { abortIncompleteUploadAfterDays: settings.uploadAbortDays } : {}),
        }).bucket;
        Validations.of(made[name]).acknowledge({
          id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
          reason:
            name === 'uploads'
              ? 'uploads is a quarantine of unverified bytes; verified packages move to custody, which is replicated to the backup region.'
              : `${name} holds outputs regenerated from the registry and custody (reports, letters, desensitised releases); custody and the tables are the records that are backed up.`,
        });
      }
    }
    const { uploads, custody, published, documents } = made;
    if (!uploads || !custody || !published || !documents) throw new Error('infra/tables.ts: buckets must list uploads, custody, published and documents');
    this.buckets = { uploads, custody, published, documents };

    // ---- tables ----
    const tables: Partial<Record<TableName, dynamodb.Table>> = {};
    const indexes: Partial<Record<TableName, string[]>> = {};
    const streams: Partial<Record<TableName, string>> = {};
    for (const shape of tableShapes) {
      const table = new dynamodb.Table(this, `${pascal(shape.name)}Table`, {
        partitionKey: { name: shape.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: shape.sortKey, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: tableKey,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(shape.stream ? { stream: dynamodb.StreamViewType[shape.stream] } : {}),
      });
      if (shape.stream && table.tableStreamArn) streams[shape.name] = table.tableStreamArn;
      for (const gsi of shape.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.name,
          partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      Validations.of(table).acknowledge({
        id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
        reason: 'Point-in-time recovery (35 days, per-second restore) is on and deletion protection blocks table deletion; an AWS Backup plan would add a second copy of the same items at extra cost.',
      });
      tables[shape.name] = table;
      indexes[shape.name] = shape.globalIndexes.map((g) => g.name);
    }
    const { registry, logs } = tables;
    if (!registry || !logs || !indexes.registry || !indexes.logs) throw new Error('infra/tables.ts: tables must list registry and logs');
    this.tables = { registry, logs };
    this.tableIndexes = { registry: indexes.registry, logs: indexes.logs };
    this.tableStreams = streams;

    // ---- who signs in ----
    if (settings.oidc) {
      this.userDirectory = undefined;
      if (settings.oidc.placeholder) {
        Annotations.of(this).addWarningV2(
          'chengguo:oidcPlaceholder',
          `No OIDC issuer given: the JWT authorizer trusts the placeholder ${settings.oidc.issuer}, so no token is accepted. ` +
            'Before deploying pass the department identity provider: -c oidcIssuer=https://… -c oidcAudience=… [-c oidcJwksUrl=…].',
        );
      }
      this.jwt = { issuer: settings.oidc.issuer, audience: settings.oidc.audience, jwksUrl: settings.oidc.jwksUrl, tokenType: 'oidc' };
    } else {
      this.userDirectory = new UserDirectory(this, 'Users', { prefix: p, domainPrefix: settings.signIn.cognitoDomainPrefix });
      this.jwt = undefined;
      new CfnOutput(this, 'SignInDomain', { value: this.userDirectory.domain.baseUrl(), description: 'Cognito hosted sign-in (managed login) of the user pool' });
    }

    // ---- mail credentials (SMTP only) ----
    if (settings.mail.transport === 'smtp') {
      const secretKey = dataKey(this, 'SecretsKey', `alias/${p}-secrets`, 'chengguo: Secrets Manager (SMTP credentials)');
      const secret = new secretsmanager.Secret(this, 'SmtpCredentials', {
        secretName: `${p}/smtp`,
        description: 'SMTP user and password of the department mail relay (JSON: {"username","password"}); set after the first deploy.',
        encryptionKey: secretKey,
        generateSecretString: { secretStringTemplate: JSON.stringify({ username: `noreply` }), generateStringKey: 'password', excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The password is issued by the department mail relay, outside AWS; a rotation Lambda cannot change it there. Operators rotate it with the relay and update the secret.',
      });
      Validations.of(secret).acknowledge({
        id: 'NIST.800.53.R5-SecretsManagerRotationEnabled',
        reason: 'The password is issued by the department mail relay, outside AWS; a rotation Lambda cannot change it there. Operators rotate it with the relay and update the secret.',
      });
      this.smtpSecret = secret;
    } else {
      this.smtpSecret = undefined;
    }
  }

  /**
   * custody → backup (second region). Deletes are not replicated (a delete
   * marker on custody never hides the backup copy); replicas are encrypted with
   * the backup region's key. The role is written out by hand because
   * replicating Object Lock versions needs the retention and legal-hold reads
   * that the generated role lacks.
   */
  private custodyReplication(settings: DeploySettings, backupKey: kms.IKey): { role: iam.Role; rules: s3.ReplicationRule[] } {
    const role = new iam.Role(this, 'CustodyReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'S3 replication of the custody bucket to the backup region',
    });
    const destination = s3.Bucket.fromBucketAttributes(this, 'BackupBucket', {
      bucketArn: backupBucketArn(this, settings),
      region: settings.backupRegion,
    });
    return {
      role,
      rules: [{ id: 'custody-to-backup', destination, kmsKey: backupKey, sseKmsEncryptedObjects: true, deleteMarkerReplication: false }],
    };
  }

  private grantReplication(role: iam.Role, source: s3.Bucket, sourceKey: kms.IKey, backupKey: kms.IKey, settings: DeploySettings): void {
    const backupArn = backupBucketArn(this, settings);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [source.bucketArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
        resources: [source.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [`${backupArn}/*`] }),
    );
    acknowledgeWildcardResource(role, source.arnForObjects('*'), 'S3 replication reads every new object version of the custody bucket (keys are …/<submissionId>/v<N>/<path>); the grant is confined to that bucket.');
    acknowledgeWildcardResource(role, `${backupArn}/*`, 'S3 replication writes each replica under the same key into the backup bucket; the grant is confined to that bucket.');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [sourceKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.${this.urlSuffix}` } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [backupKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${settings.backupRegion}.${this.urlSuffix}` } },
      }),
    );
  }
}
