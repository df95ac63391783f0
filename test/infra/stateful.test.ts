import { beforeAll, describe, expect, it } from 'vitest';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { tables } from '#infra/tables.ts';
import { asArray, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

let s: Synthesised;
beforeAll(() => {
  s = synthChengguo();
});

const bucketNamed = (t: Template, name: string) => {
  const found = resourcesOf(t, 'AWS::S3::Bucket').filter(([, r]) => JSON.stringify(r.Properties?.['BucketName'] ?? '').includes(`chengguo-prod-${name}-`));
  expect(found, `bucket ${name}`).toHaveLength(1);
  return found[0]![1];
};
const allBuckets = () => [...resourcesOf(s.templates.stateful, 'AWS::S3::Bucket'), ...resourcesOf(s.templates.backup, 'AWS::S3::Bucket')];

describe('R10.1 custody: immutable, versioned, backed up in a second region (issue 2)', () => {
  it('keeps every custody object version under versioning and a GOVERNANCE Object Lock default retention', () => {
    const custody = bucketNamed(s.templates.stateful, 'custody');

    expect(custody.Properties?.['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(custody.Properties?.['ObjectLockEnabled']).toBe(true);
    expect(custody.Properties?.['ObjectLockConfiguration']).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: s.settings.custodyRetentionDays } },
    });
  });

  it('replicates custody into the backup bucket of the backup region, re-encrypted with the backup key, never replicating deletes', () => {
    const rule = (bucketNamed(s.templates.stateful, 'custody').Properties?.['ReplicationConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules;

    expect(rule).toHaveLength(1);
    expect(JSON.stringify(rule[0]!['Destination'])).toContain(`chengguo-prod-backup-`);
    expect(JSON.stringify(rule[0]!['Destination'])).toContain(`-${s.settings.backupRegion}`);
    expect(rule[0]).toMatchObject({
      Status: 'Enabled',
      DeleteMarkerReplication: { Status: 'Disabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
      Destination: { EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: s.backup.stackName, Region: s.settings.backupRegion }) } } },
    });
  });

  it('puts the backup bucket in a region other than custody, versioned and Object-Locked like its source', () => {
    const backup = bucketNamed(s.templates.backup, 'backup');

    expect(s.backup.region).toBe(s.settings.backupRegion);
    expect(s.stateful.region).toBe(s.settings.region);
    expect(s.backup.region).not.toBe(s.stateful.region);
    expect(backup.Properties?.['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(backup.Properties?.['ObjectLockConfiguration']).toMatchObject({ Rule: { DefaultRetention: { Mode: 'GOVERNANCE' } } });
  });

  it('lets the replication role read custody versions (with their locks) and write replicas only into the backup bucket', () => {
    const policies = resourcesOf(s.templates.stateful, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('CustodyReplicationRole'));
    const statements = policies.flatMap(([, p]) => asArray((p.Properties?.['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement));
    const write = statements.find((st) => asArray(st['Action'] as string[]).includes('s3:ReplicateObject'));

    expect(statements.flatMap((st) => asArray(st['Action'] as string[]))).toEqual(expect.arrayContaining(['s3:GetObjectRetention', 's3:GetObjectLegalHold', 's3:GetObjectVersionForReplication']));
    expect(JSON.stringify(write?.['Resource'])).toMatch(/chengguo-prod-backup-.*\/\*/);
    expect(statements.flatMap((st) => asArray(st['Action'] as string[]))).not.toContain('s3:PutObject');
  });
});

describe('storage rules: every bucket (issue 2)', () => {
  it('blocks all public access on every bucket', () => {
    for (const [id, bucket] of allBuckets()) {
      expect(bucket.Properties?.['PublicAccessBlockConfiguration'], id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('denies every request that does not use TLS (1.2 or later) on every bucket', () => {
    for (const t of [s.templates.stateful, s.templates.backup]) {
      const policies = resourcesOf(t, 'AWS::S3::BucketPolicy');
      for (const [id] of resourcesOf(t, 'AWS::S3::Bucket')) {
        const policy = policies.find(([, p]) => JSON.stringify(p.Properties?.['Bucket']) === JSON.stringify({ Ref: id }));
        const statements = (policy?.[1].Properties?.['PolicyDocument'] as { Statement: Array<Record<string, unknown>> } | undefined)?.Statement ?? [];
        expect(statements, id).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
        expect(statements, id).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }));
      }
    }
  });

  it('encrypts the data buckets with a customer-managed KMS key and S3 Bucket Keys', () => {
    for (const [t, name] of [[s.templates.stateful, 'uploads'], [s.templates.stateful, 'custody'], [s.templates.stateful, 'published'], [s.templates.stateful, 'documents'], [s.templates.backup, 'backup']] as const) {
      const rule = (bucketNamed(t, name).Properties?.['BucketEncryption'] as { ServerSideEncryptionConfiguration: Array<Record<string, unknown>> }).ServerSideEncryptionConfiguration[0];
      expect(rule, name).toMatchObject({ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } });
    }
  });

  it('logs the access to every data bucket into the access-log bucket of its region', () => {
    for (const [t, name] of [[s.templates.stateful, 'uploads'], [s.templates.stateful, 'custody'], [s.templates.stateful, 'published'], [s.templates.stateful, 'documents'], [s.templates.backup, 'backup']] as const) {
      const logging = bucketNamed(t, name).Properties?.['LoggingConfiguration'] as { DestinationBucketName: { Ref: string } };
      expect(logging.DestinationBucketName.Ref, name).toMatch(/^AccessLogsBucket/);
    }
  });

  it('aborts unfinished multipart uploads, within the configured days in the uploads quarantine', () => {
    const uploads = bucketNamed(s.templates.stateful, 'uploads');

    expect((uploads.Properties?.['LifecycleConfiguration'] as { Rules: unknown[] }).Rules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: s.settings.uploadAbortDays } }),
    );
    expect(s.settings.uploadAbortDays).toBeGreaterThanOrEqual(1);
    expect(s.settings.uploadAbortDays).toBeLessThanOrEqual(7);
    for (const [id, bucket] of allBuckets()) {
      expect(JSON.stringify(bucket.Properties?.['LifecycleConfiguration']), id).toContain('AbortIncompleteMultipartUpload');
    }
  });

  it('retains every bucket, table and key when a stack is deleted', () => {
    for (const t of [s.templates.stateful, s.templates.backup]) {
      for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key']) {
        for (const [id, r] of Object.entries(t.findResources(type))) {
          expect((r as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Retain');
          expect((r as { UpdateReplacePolicy?: string }).UpdateReplacePolicy, id).toBe('Retain');
        }
      }
    }
  });

  it('rotates every customer-managed symmetric key (KMS cannot rotate an asymmetric signing key)', () => {
    for (const t of [s.templates.stateful, s.templates.backup]) {
      for (const [id, key] of resourcesOf(t, 'AWS::KMS::Key')) {
        if ((key.Properties?.['KeySpec'] ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT') continue;
        expect(key.Properties?.['EnableKeyRotation'], id).toBe(true);
      }
    }
  });

  it('R10.1 keeps one asymmetric key that signs audit anchors: ECC_NIST_P256, SIGN_VERIFY, retained', () => {
    const asymmetric = resourcesOf(s.templates.stateful, 'AWS::KMS::Key').filter(([, k]) => (k.Properties?.['KeySpec'] ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT');

    expect(asymmetric).toHaveLength(1);
    const [, key] = asymmetric[0]!;
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect((key as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    s.templates.stateful.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/chengguo-prod-audit-anchors' });
  });
});

describe('tables: registry and logs (issue 2)', () => {
  it('makes one table per infra/tables.ts shape, with its keys and global indexes', () => {
    const made = resourcesOf(s.templates.stateful, 'AWS::DynamoDB::Table');

    expect(made).toHaveLength(tables.length);
    for (const shape of tables) {
      s.templates.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: shape.partitionKey, KeyType: 'HASH' },
          { AttributeName: shape.sortKey, KeyType: 'RANGE' },
        ],
        ...(shape.globalIndexes.length > 0
          ? { GlobalSecondaryIndexes: shape.globalIndexes.map((g) => Match.objectLike({ IndexName: g.name, KeySchema: [{ AttributeName: g.partitionKey, KeyType: 'HASH' }, { AttributeName: g.sortKey, KeyType: 'RANGE' }] })) }
          : {}),
      });
    }
  });

  it('bills on demand with point-in-time recovery, deletion protection and a customer-managed KMS key', () => {
    for (const [id, table] of resourcesOf(s.templates.stateful, 'AWS::DynamoDB::Table')) {
      expect(table.Properties, id).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^TableKey/), 'Arn'] } },
      });
    }
  });
});

describe('sign-in: the Cognito user directory (aws partition)', () => {
  it('requires MFA, a strong password and threat protection, and lets no one sign themselves up', () => {
    s.templates.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true }) },
    });
  });
});
