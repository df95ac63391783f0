/**
 * Deterministic names. Values that only exist after a deploy (the backup
 * key's id, table names) cross stacks as weak references
 * (`@aws-cdk/core:defaultCrossStackReferences: weak` in cdk.json renders
 * Fn::GetStackOutput, which also works across regions, needs no export and
 * no custom resource, and synthesises offline). Bucket names are computed
 * instead, so that IAM statements on their objects are plain strings.
 */
import { Arn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { BucketName } from '../manifest.ts';
import type { DeploySettings } from './settings.ts';

/**
 * Bucket names are global: the account and region make them unique (≤ 63
 * characters). The stateless stack derives bucket ARNs from these names too,
 * so its IAM statements need no cross-stack export (an export cannot change
 * while imported) and their object wildcards are known when acknowledged.
 */
export function bucketName(scope: Construct, settings: DeploySettings, bucket: BucketName): string {
  const region = bucket === 'backup' ? settings.backupRegion : settings.region;
  return `${settings.prefix}-${bucket}-${Stack.of(scope).account}-${region}`;
}

export function bucketArn(scope: Construct, settings: DeploySettings, bucket: BucketName): string {
  return Arn.format({ service: 's3', region: '', account: '', resource: bucketName(scope, settings, bucket) }, Stack.of(scope));
}

export const backupBucketName = (scope: Construct, settings: DeploySettings) => bucketName(scope, settings, 'backup');
export const backupBucketArn = (scope: Construct, settings: DeploySettings) => bucketArn(scope, settings, 'backup');

export function backupKeyAliasName(settings: DeploySettings): string {
  return `alias/${settings.prefix}-backup`;
}

export function stackName(settings: DeploySettings, role: 'Backup' | 'Stateful' | 'Stateless' | 'Edge'): string {
  return `Chengguo-${settings.stage}-${role}`;
}

/** The AWS Backup vault of the tables (primary region) and its cross-region copy (backup region). */
export function tableBackupVaultName(settings: DeploySettings, where: 'primary' | 'copy'): string {
  return `${settings.prefix}-tables${where === 'copy' ? '-copy' : ''}`;
}

/** Replication rule ids: a dimension of the S3 replication metrics the alarms read. */
export const replicationRuleIds = { custody: 'custody-to-backup', documents: 'documents-to-replica' } as const;

/** The documents bucket's cross-region replica (backup region): reports and letters as sent (issue 11 §5). */
export function documentsReplicaName(scope: Construct, settings: DeploySettings): string {
  return `${settings.prefix}-documents-replica-${Stack.of(scope).account}-${settings.backupRegion}`;
}

export const documentsReplicaArn = (scope: Construct, settings: DeploySettings) =>
  Arn.format({ service: 's3', region: '', account: '', resource: documentsReplicaName(scope, settings) }, Stack.of(scope));
