/**
 * Custody locked down (R10.1, issue 11 item 3): what protects the custody
 * records beyond the IAM grants of the functions.
 *
 *  - `custodyPrincipals`: the few principals named anywhere below, by
 *    deterministic ARN (so a bucket policy in one stack can name a role made
 *    in another without a cross-stack reference): the destruction role, the
 *    break-glass role and the CloudFormation execution role of the CDK
 *    bootstrap (the deploy).
 *  - `lockBucket`: bucket-policy denies — version deletes, the governance
 *    bypass, retention and legal-hold changes for every principal except the
 *    destruction role and the break-glass role; the bucket's lock, versioning,
 *    replication, lifecycle and policy for every principal except the deploy
 *    and the break-glass role. An account administrator's IAM rights do not
 *    override an explicit deny.
 *  - `BreakGlassRole`: the named emergency role (MFA, the account's own
 *    principals only); every use shows in CloudTrail.
 *  - `DestructionRole`: the only role whose policy may delete custody
 *    versions with the GOVERNANCE bypass, and only under the prefixes of the
 *    result its session is tagged with; assumable only by the destroy
 *    function, only with those tags (adapters/s3-custody-destroyer.ts adds a
 *    session policy on the one prefix as well). The function's own role holds
 *    no delete and no bypass: nothing holds the bypass standing outside an
 *    approved destruction's session.
 *  - `CustodyTrail`: CloudTrail data events (reads and writes) on the custody
 *    bucket, into a KMS-encrypted, versioned, locked-down trail bucket and a
 *    CloudWatch Logs group, with log-file validation.
 */
import { Aws, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dataKey, type KeyPrincipals } from './keys.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import { SecureBucket } from './secure-bucket.ts';

export interface CustodyPrincipals extends KeyPrincipals {
  readonly destructionRoleName: string;
  readonly destructionRoleArn: string;
  readonly breakGlassRoleName: string;
}

const roleArn = (name: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${name}`;

/** The named principals of a stage (prefix chengguo-<stage>), as ARNs valid in `scope`'s stack. */
export function custodyPrincipals(scope: Construct, prefix: string): CustodyPrincipals {
  const synth = Stack.of(scope).synthesizer as { cloudFormationExecutionRoleArn?: string };
  // The CDK bootstrap's execution role (DefaultStackSynthesizer), with its ${AWS::…} placeholders resolved.
  const deploy = synth.cloudFormationExecutionRoleArn ?? `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-\${AWS::AccountId}-\${AWS::Region}`;
  const destructionRoleName = `${prefix}-custody-destruction`;
  const breakGlassRoleName = `${prefix}-custody-break-glass`;
  return {
    prefix,
    destructionRoleName,
    destructionRoleArn: roleArn(destructionRoleName),
    breakGlassRoleName,
    breakGlassRoleArn: roleArn(breakGlassRoleName),
    deployRoleArn: Fn.sub(deploy),
  };
}

/** Object actions that would remove or unlock a kept version. */
export const protectedObjectActions = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:BypassGovernanceRetention',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
] as const;

/** Bucket actions that would weaken the protection itself. */
export const protectedBucketActions = [
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutReplicationConfiguration',
  's3:PutLifecycleConfiguration',
  's3:DeleteBucket',
] as const;

/**
 * The two denies on a kept bucket. `mayDelete` names who may still remove
 * versions (custody: the destruction role and break-glass; the backup replica
 * and the trail: break-glass only). The bucket's own settings stay with the
 * deploy (CloudFormation applies the bucket's configuration) and break-glass.
 * S3 always lets the account root change a bucket policy, so the root user
 * (itself MFA-guarded and alarmed on) remains the last resort.
 */
export function lockBucket(bucket: s3.IBucket, principals: CustodyPrincipals, mayDelete: readonly string[]): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'KeptVersionsOnlyByNamedRoles',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...protectedObjectActions],
      resources: [bucket.arnForObjects('*')],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...mayDelete] } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ProtectionOnlyByDeployOrBreakGlass',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...protectedBucketActions],
      resources: [bucket.bucketArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': [principals.deployRoleArn, principals.breakGlassRoleArn] } },
    }),
  );
}

/**
 * The break-glass role: assumable by the account's own IAM principals with
 * MFA, for what the denies keep from everyone else (an unapproved emergency
 * restore of a lock, destroying the backup replica after an approved
 * destruction, docs/custody.md). Its grant is confined to the custody bucket
 * (and, by the key policies, the data keys); every use is in CloudTrail.
 */
export class BreakGlassRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { readonly principals: CustodyPrincipals; readonly custody: s3.IBucket; readonly key: kms.IKey }) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.principals.breakGlassRoleName,
      description: 'Break-glass for the custody bucket: MFA only; every use is recorded by CloudTrail',
      assumedBy: new iam.AccountRootPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      maxSessionDuration: Duration.hours(1),
    });
    const objects = props.custody.arnForObjects('*');
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketPolicy', 's3:GetBucketObjectLockConfiguration', ...protectedBucketActions.filter((a) => a !== 's3:DeleteBucket')],
        resources: [props.custody.bucketArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:GetObjectLegalHold', 's3:PutObject', ...protectedObjectActions],
        resources: [objects],
      }),
    );
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }));
    acknowledgeWildcardResource(
      this.role,
      objects,
      'Break-glass acts on any custody object version an emergency names; the grant is confined to the custody bucket, needs MFA and every call is a CloudTrail data event.',
    );
  }
}

/**
 * The destruction role (in the destroy function's stack): deletes only under
 * `results/${aws:PrincipalTag/resultNumber}/` and `manifests/…/` of the
 * custody bucket, so a session can reach only the result it is tagged with;
 * its trust admits only the destroy function's role, and only when it tags
 * the session with the result number and the destruction id.
 */
export class DestructionRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { readonly roleName: string; readonly custodyBucketArn: string; readonly assumedBy: iam.IRole }) {
    super(scope, id);
    const tagged = '${aws:PrincipalTag/resultNumber}';
    // No untagged session: AssumeRole and TagSession both need the two tags.
    const withTags = { Null: { 'aws:RequestTag/resultNumber': 'false', 'aws:RequestTag/destructionId': 'false' } };
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Custody destruction: assumed per approved destruction by the destroy function with session tags and a session policy',
      assumedBy: new iam.ArnPrincipal(props.assumedBy.roleArn).withConditions(withTags),
      maxSessionDuration: Duration.hours(1),
    });
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:TagSession'], principals: [new iam.ArnPrincipal(props.assumedBy.roleArn)], conditions: withTags }),
    );
    const prefixes = [`results/${tagged}/*`, `manifests/${tagged}/*`];
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        resources: [props.custodyBucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes } },
      }),
    );
    const objects = prefixes.map((p) => `${props.custodyBucketArn}/${p}`);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'], resources: objects }));
    for (const resource of objects) {
      acknowledgeWildcardResource(
        this.role,
        resource,
        'Destruction removes every object version of the one approved result the session is tagged with (aws:PrincipalTag/resultNumber); its number is known only at run time.',
      );
    }
    props.assumedBy.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [this.role.roleArn] }));
  }
}

/** CloudTrail data events on the custody bucket (every read and write), kept like custody itself. */
export class CustodyTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(
    scope: Construct,
    id: string,
    props: {
      readonly principals: CustodyPrincipals;
      readonly custody: s3.IBucket;
      readonly accessLogs: s3.IBucket;
      readonly logsKey: kms.IKey;
      readonly logRetention: logs.RetentionDays;
    },
  ) {
    super(scope, id);
    const { prefix } = props.principals;
    const trailName = `${prefix}-custody-data-events`;
    const trailArn = `arn:${Aws.PARTITION}:cloudtrail:${Aws.REGION}:${Aws.ACCOUNT_ID}:trail/${trailName}`;
    this.key = dataKey(this, 'Key', `alias/${prefix}-custody-trail`, 'chengguo: CloudTrail data events of the custody bucket', props.principals);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsThisTrail',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*` },
        },
      }),
    );
    this.bucket = new SecureBucket(this, 'Logs', { encryptionKey: this.key, accessLogs: props.accessLogs }).bucket;
    lockBucket(this.bucket, props.principals, [props.principals.breakGlassRoleArn]);
    Validations.of(this.bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'CloudTrail log files carry signed digest files (log-file validation), so a changed or removed file is evident; the bucket keeps versions and denies their deletion to all but break-glass.',
    });
    const logGroup = new logs.LogGroup(this, 'Events', { retention: props.logRetention, encryptionKey: props.logsKey });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      includeGlobalServiceEvents: false,
      isMultiRegionTrail: false,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
      managementEvents: cloudtrail.ReadWriteType.NONE,
    });
    this.trail.addS3EventSelector([{ bucket: props.custody }], { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false });
  }
}
