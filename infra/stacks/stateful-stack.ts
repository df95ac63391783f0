/**
 * Everything that holds data and must outlive a redeploy: keys, buckets,
 * tables, the user directory and mail credentials. All retained on delete.
 * Table and bucket shapes come from infra/tables.ts (the local cloud reads the
 * same file, so DynamoDB Local has exactly these keys and indexes).
 */
import { Annotations, Arn, ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { BucketName, TableName } from '../manifest.ts';
import { buckets as bucketNames, tables as tableShapes } from '../tables.ts';
import { BreakGlassRole, CustodyTrail, custodyPrincipals, lockBucket } from '../constructs/custody-lockdown.ts';
import { dataKey, logsKey, namedKeyPolicy } from '../constructs/keys.ts';
import { acknowledge, acknowledgeWildcardResource } from '../constructs/nag.ts';
import { AccessLogBucket, SecureBucket } from '../constructs/secure-bucket.ts';
import { custodyDownloadCors, scanUploadCors, uploadsCors, type ConsoleCorsRule } from '../constructs/uploads-cors.ts';
import { UserDirectory, type JwtSettings } from '../constructs/user-directory.ts';
import { envNames } from '#adapters/config.ts';
import { allowPublicCatalogueReads, allowReleaseDownloads } from '../constructs/public-site.ts';
import { backupBucketArn, backupBucketName, bucketName, documentsReplicaArn, replicationRuleIds, tableBackupVaultName } from './naming.ts';
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
  /** Daily AWS Backup of both tables, copied to the backup region (issue 11 §5). */
  readonly tableBackup: { readonly plan: backup.BackupPlan; readonly vault: backup.BackupVault };

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const p = settings.prefix;

    // Key policies and the custody bucket policy name these principals (infra/constructs/custody-lockdown.ts).
    const named = custodyPrincipals(this, p);
    const storageKey = (this.storageKey = dataKey(this, 'StorageKey', `alias/${p}-storage`, 'chengguo: S3 buckets (uploads, custody, published, documents)', named));
    const tableKey = (this.tableKey = dataKey(this, 'TableKey', `alias/${p}-tables`, 'chengguo: DynamoDB tables (registry, logs)', named));
    this.logsKey = logsKey(this, 'LogsKey', `alias/${p}-logs`, named);
    this.auditAnchorKey = new kms.Key(this, 'AuditAnchorKey', {
      alias: `alias/${p}-audit-anchors`,
      description: 'chengguo: signs checkpoints of the audit hash chain (audit anchors)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      policy: namedKeyPolicy(named),
      // Asymmetric keys cannot rotate automatically; a retained key keeps old anchors verifiable.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskTokenKey = dataKey(this, 'TaskTokenKey', `alias/${p}-task-tokens`, 'chengguo: Step Functions task tokens of human tasks (bearer credentials, sealed at rest)', named);

    // ---- buckets ----
    const accessLogs = new AccessLogBucket(this, 'AccessLogs').bucket;
    const made: Partial<Record<RegionalBucketName, s3.Bucket>> = {};
    for (const name of bucketNames) {
      if (name === 'backup') continue;
      const id = pascal(name);
      const common = { bucketName: bucketName(this, settings, name), encryptionKey: storageKey, accessLogs };
      if (name === 'custody') {
        const replication = this.replication('Custody', settings, props.backupKey, backupBucketArn(this, settings), replicationRuleIds.custody);
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
          // Issue 13: the console follows a grant download's 302 to a presigned GET here (read-only, its origin only).
          ...consoleCorsFor(this, settings, 'console-grant-download', custodyDownloadCors),
          replication: { replicationRole: replication.role, replicationRules: replication.rules },
        }).bucket;
        this.grantReplication(replication.role, made.custody, storageKey, props.backupKey, settings, backupBucketArn(this, settings), true);
        // Issue 11 item 3: denies beyond IAM, the break-glass role, CloudTrail data events.
        lockBucket(made.custody, named, [named.destructionRoleArn, named.breakGlassRoleArn]);
        new BreakGlassRole(this, 'CustodyBreakGlass', { principals: named, custody: made.custody, key: storageKey });
        new CustodyTrail(this, 'CustodyTrail', { principals: named, custody: made.custody, accessLogs, logsKey: this.logsKey, logRetention: settings.logRetention });
      } else if (name === 'documents') {
        // The reports and letters as sent (verification, catalogue reports):
        // evidence that cannot be regenerated as it was, so replicated to the
        // second region like custody (issue 11 §5).
        const replication = this.replication('Documents', settings, props.backupKey, documentsReplicaArn(this, settings), replicationRuleIds.documents);
        made.documents = new SecureBucket(this, id, {
          ...common,
          replication: { replicationRole: replication.role, replicationRules: replication.rules },
          // The confidentiality agreement's signed scan and a quality problem's attachments are PUT from the console
          // (R17.1, R19.2: the signed headers); a grant's 用途声明 is read with a presigned GET (R18.1).
          ...consoleCorsFor(this, settings, 'console-scan-upload', scanUploadCors),
        }).bucket;
        this.grantReplication(replication.role, made.documents, storageKey, props.backupKey, settings, documentsReplicaArn(this, settings), false);
      } else {
        made[name] = new SecureBucket(this, id, {
          ...common,
          // uploads is the quarantine: a presigned multipart upload abandoned by
          // a submitter is aborted and its parts deleted after this many days.
          ...(name === 'uploads' ? { abortIncompleteUploadAfterDays: settings.uploadAbortDays } : {}),
          // The console's browser upload (issue 13): its origin may PUT with the signed headers and read the ETag.
          ...(name === 'uploads' ? consoleCorsFor(this, settings, 'console-browser-upload', uploadsCors) : {}),
          // Superseded versions (a re-uploaded part, a rebuilt catalogue page) are not records: they expire (issue 11 §5).
          noncurrentVersionExpirationDays: settings.noncurrentVersionDays,
        }).bucket;
        Validations.of(made[name]).acknowledge({
          id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
          reason:
            name === 'uploads'
              ? 'uploads is a quarantine of unverified bytes; verified packages move to custody, which is replicated to the backup region.'
              : `${name} holds the public catalogue and desensitised releases, rebuilt from the registry and custody; custody, documents and the tables are the records that are backed up.`,
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
      tables[shape.name] = table;
      indexes[shape.name] = shape.globalIndexes.map((g) => g.name);
    }
    const { registry, logs } = tables;
    if (!registry || !logs || !indexes.registry || !indexes.logs) throw new Error('infra/tables.ts: tables must list registry and logs');
    this.tables = { registry, logs };
    this.tableIndexes = { registry: indexes.registry, logs: indexes.logs };
    this.tableStreams = streams;
    this.tableBackup = this.backupPlan(settings, [registry, logs]);

    // ---- the public catalogue through CloudFront (aws; infra/constructs/public-site.ts) ----
    if (settings.partition === 'aws') allowPublicCatalogueReads(published, storageKey);
    if (settings.partition === 'aws' && settings.publicSite.downloadPublicKey) allowReleaseDownloads(published);

    // ---- outputs: what docs/deploy.md, docs/custody.md and the operator scripts name (env var in the description) ----
    const out = (id: string, value: string, envVar: string) => new CfnOutput(this, id, { value, description: envVar });
    out('UploadsBucketName', uploads.bucketName, envNames.uploadsBucket);
    out('CustodyBucketName', custody.bucketName, envNames.custodyBucket);
    out('PublishedBucketName', published.bucketName, envNames.publishedBucket);
    out('DocumentsBucketName', documents.bucketName, envNames.documentsBucket);
    out('BackupBucketName', backupBucketName(this, settings), envNames.backupBucket);
    out('BackupRegion', settings.backupRegion, 'BACKUP_REGION');
    out('RegistryTableName', registry.tableName, envNames.registryTable);
    out('LogsTableName', logs.tableName, envNames.logsTable);
    out('TableKeyArn', tableKey.keyArn, 'restore:drill --kms-key');
    out('AuditAnchorKeyArn', this.auditAnchorKey.keyArn, 'AUDIT_ANCHOR_KEY_ID');
    out('TableBackupVaultName', this.tableBackup.vault.backupVaultName, 'AWS Backup vault of the tables (restore drill)');

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
      const secretKey = dataKey(this, 'SecretsKey', `alias/${p}-secrets`, 'chengguo: Secrets Manager (SMTP credentials)', named);
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
   * A bucket → its replica in the backup region. Deletes are not replicated (a
   * delete marker here never hides the replica); replicas are encrypted with
   * the backup region's key and stored in an archive class (Glacier Instant
   * Retrieval: archive pricing, still readable at once for a restore).
   * Replication Time Control (15 min) publishes the latency and failure
   * metrics the alarms read. The role is written out by hand because
   * replicating Object Lock versions needs the retention and legal-hold reads
   * that the generated role lacks.
   */
  private replication(
    id: string,
    settings: DeploySettings,
    backupKey: kms.IKey,
    destinationArn: string,
    ruleId: string,
  ): { role: iam.Role; rules: s3.ReplicationRule[] } {
    const role = new iam.Role(this, `${id}ReplicationRole`, {
      // Named: the key policies admit the stage's roles by name (<prefix>-*, infra/constructs/keys.ts).
      roleName: `${settings.prefix}-${id.toLowerCase()}-replication`,
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `S3 replication of the ${id.toLowerCase()} bucket to the backup region`,
    });
    const destination = s3.Bucket.fromBucketAttributes(this, `${id}ReplicaBucket`, { bucketArn: destinationArn, region: settings.backupRegion });
    return {
      role,
      rules: [
        {
          id: ruleId,
          destination,
          kmsKey: backupKey,
          sseKmsEncryptedObjects: true,
          deleteMarkerReplication: false,
          storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
          replicationTimeControl: s3.ReplicationTimeValue.FIFTEEN_MINUTES,
          metrics: s3.ReplicationTimeValue.FIFTEEN_MINUTES,
        },
      ],
    };
  }

  /**
   * Both tables, daily at 03:00 Beijing time (19:00 UTC), kept
   * backupRetentionDays in a locked vault, each recovery point copied to a
   * locked vault in the backup region (issue 11 §5). PITR stays on for the
   * per-second restore of the last 35 days; the plan adds what PITR lacks: a
   * copy outside the region that an account administrator cannot shorten.
   */
  private backupPlan(settings: DeploySettings, tables: readonly dynamodb.ITable[]): { plan: backup.BackupPlan; vault: backup.BackupVault } {
    const p = settings.prefix;
    // Named principals (issue 11 §3): the vault key admits the stage's roles by name, so the Backup service role is named too.
    const key = dataKey(this, 'BackupVaultKey', `alias/${p}-backup-vault`, 'chengguo: AWS Backup vault of the tables', custodyPrincipals(this, p));
    const role = new iam.Role(this, 'TableBackupRole', {
      roleName: `${p}-table-backup`,
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup of the registry and logs tables (backup, restore, cross-region copy)',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    const vault = new backup.BackupVault(this, 'TableBackupVault', {
      backupVaultName: tableBackupVaultName(settings, 'primary'),
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
      // Vault Lock in compliance mode after a 3-day grace: no one, the root
      // user included, can delete a recovery point before minRetention.
      lockConfiguration: { minRetention: Duration.days(7), changeableFor: Duration.days(3) },
    });
    const copyVault = backup.BackupVault.fromBackupVaultArn(
      this,
      'TableBackupCopyVault',
      Arn.format({ service: 'backup', region: settings.backupRegion, resource: 'backup-vault', resourceName: tableBackupVaultName(settings, 'copy'), arnFormat: ArnFormat.COLON_RESOURCE_NAME }, this),
    );
    const plan = new backup.BackupPlan(this, 'TableBackupPlan', { backupPlanName: `${p}-tables`, backupVault: vault });
    plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'daily-with-cross-region-copy',
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: '19' }),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(8),
        deleteAfter: Duration.days(settings.backupRetentionDays),
        copyActions: [{ destinationBackupVault: copyVault, deleteAfter: Duration.days(settings.backupRetentionDays) }],
      }),
    );
    plan.addSelection('Tables', { resources: tables.map((t) => backup.BackupResource.fromDynamoDbTable(t)), role });
    acknowledge(
      role,
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]'],
      'The AWS Backup service role of the table selection only: AWS maintains these two service-role policies as DynamoDB backup and restore (incl. KMS grants and cross-region copies) evolve; a hand-written copy would drift and break a restore silently. The role is assumable by backup.amazonaws.com alone.',
    );
    return { plan, vault };
  }

  private grantReplication(role: iam.Role, source: s3.Bucket, sourceKey: kms.IKey, backupKey: kms.IKey, settings: DeploySettings, backupArn: string, objectLock: boolean): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [source.bucketArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', ...(objectLock ? ['s3:GetObjectRetention', 's3:GetObjectLegalHold'] : [])],
        resources: [source.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [`${backupArn}/*`] }),
    );
    acknowledgeWildcardResource(role, source.arnForObjects('*'), 'S3 replication reads every new object version of the source bucket (keys are …/<submissionId>/v<N>/<path>); the grant is confined to that bucket.');
    acknowledgeWildcardResource(role, `${backupArn}/*`, 'S3 replication writes each replica under the same key into its replica bucket in the backup region; the grant is confined to that bucket.');
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

/**
 * A bucket's CORS rule for the console's origin (infra/constructs/uploads-cors.ts): https://<consoleDomain> — the
 * uploads bucket's (browser upload), the custody bucket's (grant downloads, GET/HEAD only) and the documents
 * bucket's (the confidentiality agreement's signed scan, PUT only).
 * Without -c consoleDomain (aws) the console's address is the distribution's *.cloudfront.net name, made in the
 * stateless stack after this one, so no rule can name it: the bucket gets none (a wildcard over cloudfront.net would
 * let every CloudFront site in) and a warning says the browser upload and downloads need the domain; the CLI works regardless.
 */
function consoleCorsFor(scope: Construct, settings: DeploySettings, id: string, rule: ConsoleCorsRule): { cors?: s3.CorsRule[] } {
  const domain = settings.consoleSite.domain;
  if (domain === undefined) {
    const warning: Record<string, [string, string]> = {
      'console-browser-upload': [
        'chengguo:noConsoleDomainForUploads',
        'No -c consoleDomain: the uploads bucket has no CORS rule, so the console cannot upload packages from the browser (the CLI can). Give the console its domain (docs/deploy.md §7).',
      ],
      'console-grant-download': [
        'chengguo:noConsoleDomainForDownloads',
        'No -c consoleDomain: the custody bucket has no CORS rule, so the console cannot download a sharing grant\'s files in the page (the links still work opened directly). Give the console its domain (docs/deploy.md §7).',
      ],
      'console-scan-upload': [
        'chengguo:noConsoleDomainForScans',
        'No -c consoleDomain: the documents bucket has no CORS rule, so the console cannot upload a signed confidentiality agreement\'s scan (the presigned URL still works with curl). Give the console its domain (docs/deploy.md §7).',
      ],
    };
    const [warningId, message] = warning[id] ?? [`chengguo:noConsoleDomain:${id}`, `No -c consoleDomain: no CORS rule ${id}.`];
    Annotations.of(scope).addWarningV2(warningId, message);
    return {};
  }
  return {
    cors: [
      {
        id,
        allowedOrigins: [`https://${domain}`],
        allowedMethods: rule.methods.map((m) => s3.HttpMethods[m]),
        allowedHeaders: [...rule.allowedHeaders],
        exposedHeaders: [...rule.exposedHeaders],
        maxAge: rule.maxAgeSeconds,
      },
    ],
  };
}
