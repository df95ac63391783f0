/**
 * The storage rules (architecture.md) in one place: every bucket blocks public
 * access, refuses plain HTTP, encrypts with a customer-managed key (S3 Bucket
 * Keys keep the KMS request bill flat), keeps versions, logs access to a
 * dedicated log bucket, expires unfinished multipart uploads and survives a
 * stack deletion.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SecureBucketProps {
  readonly bucketName?: string;
  readonly encryptionKey: kms.IKey;
  readonly accessLogs: s3.IBucket;
  /** Days before an unfinished multipart upload is aborted (its parts deleted). */
  readonly abortIncompleteUploadAfterDays?: number;
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
  /** Noncurrent (overwritten or deleted) versions expire after this many days; kept forever when absent. */
  readonly noncurrentVersionExpirationDays?: number;
  readonly replication?: Pick<s3.BucketProps, 'replicationRole' | 'replicationRules'>;
  /** Cross-origin rules (the uploads bucket: the console's browser upload). */
  readonly cors?: s3.CorsRule[];
}

export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const lock = props.objectLock;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...(props.bucketName ? { bucketName: props.bucketName } : {}),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadAfterDays ?? 7) },
        ...(props.noncurrentVersionExpirationDays !== undefined
          ? [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays), expiredObjectDeleteMarker: true }]
          : []),
      ],
      ...(lock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              lock.mode === 'GOVERNANCE' ? s3.ObjectLockRetention.governance(Duration.days(lock.days)) : s3.ObjectLockRetention.compliance(Duration.days(lock.days)),
          }
        : {}),
      ...props.replication,
      ...(props.cors ? { cors: props.cors } : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/**
 * The target of S3 server access logs. S3 log delivery cannot write with
 * SSE-KMS, so this one bucket uses SSE-S3; it does not log its own access
 * (that would log the log writes, without end).
 */
export class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const v = Validations.of(this.bucket);
    v.acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the server-access-log target; logging its own access would log every log delivery, recursively.' });
    v.acknowledge({ id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: 'This is the server-access-log target; logging its own access would log every log delivery, recursively.' });
    v.acknowledge({ id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'S3 server access log delivery supports only SSE-S3 on the target bucket, not SSE-KMS.' });
    v.acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'Access logs are operational evidence kept versioned in-region; the records of custody (R10.1) are replicated from the custody bucket.' });
  }
}
