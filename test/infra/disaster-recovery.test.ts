import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, synthChengguo, type CfnResource, type Synthesised } from './synth.ts';

const bucketNamed = (s: Synthesised, t: 'stateful' | 'backup', name: string): CfnResource => {
  const found = resourcesOf(s.templates[t], 'AWS::S3::Bucket').filter(([, b]) => JSON.stringify(b.Properties?.['BucketName'] ?? '').includes(`"chengguo-prod-${name}-`));
  expect(found, name).toHaveLength(1);
  return found[0]![1];
};
const rulesOf = (b: CfnResource) => ((b.Properties?.['LifecycleConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules);

describe.each(['aws', 'aws-cn'] as const)('issue 11 §5 R10.1: disaster recovery of the registry and the documents (%s)', (partition) => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition });
  });

  it('backs up both tables daily with AWS Backup, keeping each recovery point and a copy in the backup region for the retention', () => {
    const [[, plan]] = resourcesOf(s.templates.stateful, 'AWS::Backup::BackupPlan') as [[string, CfnResource]];
    const rules = (plan.Properties?.['BackupPlan'] as { BackupPlanRule: Array<Record<string, unknown>> }).BackupPlanRule;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ScheduleExpression: 'cron(0 19 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } });
    const copy = (rules[0]!['CopyActions'] as Array<{ DestinationBackupVaultArn: unknown; Lifecycle: unknown }>)[0]!;
    const arn = JSON.stringify(copy.DestinationBackupVaultArn);
    expect(arn).toContain(`:backup:${s.settings.backupRegion}:`);
    expect(arn).toContain(':backup-vault:chengguo-prod-tables-copy');
    expect(copy.Lifecycle).toEqual({ DeleteAfterDays: 35 });

    const [[, selection]] = resourcesOf(s.templates.stateful, 'AWS::Backup::BackupSelection') as [[string, CfnResource]];
    const resources = JSON.stringify((selection.Properties?.['BackupSelection'] as { Resources: unknown }).Resources);
    for (const table of ['RegistryTable', 'LogsTable']) expect(resources, table).toMatch(new RegExp(`"${table}[0-9A-F]{8}","Arn"`));
  });

  it('locks both vaults (compliance mode after a 3-day grace, minimum 7 days), the copy vault in the backup region, all retained', () => {
    s.templates.stateful.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({ BackupVaultName: 'chengguo-prod-tables', LockConfiguration: { MinRetentionDays: 7, ChangeableForDays: 3 }, EncryptionKeyArn: Match.anyValue() }),
      DeletionPolicy: 'Retain',
    });
    s.templates.backup.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({ BackupVaultName: 'chengguo-prod-tables-copy', LockConfiguration: { MinRetentionDays: 7, ChangeableForDays: 3 } }),
      DeletionPolicy: 'Retain',
    });
    expect(s.backup.region).toBe(s.settings.backupRegion);
  });

  it('replicates the documents bucket (reports and letters as sent) to its replica in the backup region, like custody, into an archive class', () => {
    for (const [source, rule, replica] of [['custody', 'custody-to-backup', 'backup'], ['documents', 'documents-to-replica', 'documents-replica']] as const) {
      const conf = bucketNamed(s, 'stateful', source).Properties?.['ReplicationConfiguration'] as { Rules: Array<Record<string, unknown>> };
      expect(conf.Rules, source).toHaveLength(1);
      const r = conf.Rules[0]!;
      expect(r['Id']).toBe(rule);
      expect(r['DeleteMarkerReplication']).toEqual({ Status: 'Disabled' });
      expect(r['Destination']).toMatchObject({ StorageClass: 'GLACIER_IR', ReplicationTime: { Status: 'Enabled' } });
      expect(JSON.stringify((r['Destination'] as { Bucket: unknown }).Bucket)).toContain(`chengguo-prod-${replica}-`);
      expect(JSON.stringify((r['Destination'] as { Bucket: unknown }).Bucket)).toContain(`-${s.settings.backupRegion}`);
    }
    bucketNamed(s, 'backup', 'documents-replica');
  });

  it('expires noncurrent versions of the uploads and published buckets, never of custody or documents (the records)', () => {
    for (const name of ['uploads', 'published']) {
      const rule = rulesOf(bucketNamed(s, 'stateful', name)).find((r) => r['Id'] === 'expire-noncurrent-versions');
      expect(rule, name).toMatchObject({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 }, ExpiredObjectDeleteMarker: true });
    }
    for (const name of ['custody', 'documents']) {
      expect(rulesOf(bucketNamed(s, 'stateful', name)).map((r) => r['Id']), name).toEqual(['abort-incomplete-multipart-uploads']);
    }
  });
});
