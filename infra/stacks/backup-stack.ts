/**
 * The second-region half of R10.1 ("backups of important results"): the
 * replication target of the custody bucket, its key and its access-log bucket.
 * Deployed before the stateful stack, which finds the bucket by its
 * deterministic name and the key by a weak cross-region reference (naming.ts).
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { custodyPrincipals, lockBucket } from '../constructs/custody-lockdown.ts';
import { dataKey } from '../constructs/keys.ts';
import { AccessLogBucket, SecureBucket } from '../constructs/secure-bucket.ts';
import { backupBucketName, backupKeyAliasName, documentsReplicaName, tableBackupVaultName } from './naming.ts';
import type { DeploySettings } from './settings.ts';

export interface BackupStackProps extends StackProps {
  readonly settings: DeploySettings;
}

export class BackupStack extends Stack {
  readonly bucket: s3.Bucket;
  /** Replica of the documents bucket (reports and letters as sent; issue 11 §5). */
  readonly documentsReplica: s3.Bucket;
  /** Where AWS Backup copies the tables' recovery points (vault-locked). */
  readonly tableCopyVault: backup.BackupVault;
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const named = custodyPrincipals(this, settings.prefix);
    const key = (this.key = dataKey(this, 'BackupKey', backupKeyAliasName(settings), 'chengguo: custody backup replicas (second region)', named));
    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    // The replicas keep the source's Object Lock retention; S3 requires Object
    // Lock on the destination to replicate locked versions at all.
    this.bucket = new SecureBucket(this, 'Backup', {
      bucketName: backupBucketName(this, settings),
      encryptionKey: key,
      accessLogs: accessLogs.bucket,
      objectLock: { mode: 'GOVERNANCE', days: settings.custodyRetentionDays },
    }).bucket;
    // Replicas of destroyed results are removed by break-glass only (docs/custody.md).
    lockBucket(this.bucket, named, [named.breakGlassRoleArn]);
    Validations.of(this.bucket).acknowledge(
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'This bucket is itself the cross-region replica of the custody bucket; a replica of the replica adds cost, not protection.' },
    );
    this.documentsReplica = new SecureBucket(this, 'DocumentsReplica', {
      bucketName: documentsReplicaName(this, settings),
      encryptionKey: key,
      accessLogs: accessLogs.bucket,
    }).bucket;
    Validations.of(this.documentsReplica).acknowledge(
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'This bucket is itself the cross-region replica of the documents bucket; a replica of the replica adds cost, not protection.' },
    );
    // The copy target of the tables' daily recovery points, locked like the
    // primary vault (compliance mode after a 3-day grace).
    this.tableCopyVault = new backup.BackupVault(this, 'TableBackupCopyVault', {
      backupVaultName: tableBackupVaultName(settings, 'copy'),
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: { minRetention: Duration.days(7), changeableFor: Duration.days(3) },
    });
  }
}
