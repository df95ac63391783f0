import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { keyAdminActions } from '#infra/constructs/keys.ts';
import { asArray, functionsNamed, resourcesOf, synthChengguo, type CfnResource, type Synthesised } from './synth.ts';

/**
 * Issue 11 item 3: custody protected beyond the functions' IAM grants —
 * bucket-policy denies, key policies naming their principals, the governance
 * bypass only in a session of the destruction role, CloudTrail data events.
 */
let s: Synthesised;
beforeAll(() => {
  s = synthChengguo();
});

type Statement = Record<string, unknown> & { Effect: string; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };
const text = (v: unknown): string => JSON.stringify(v) ?? '';
const actions = (st: Statement) => asArray(st.Action);

function bucketPolicyOf(t: Template, bucketName: string): Statement[] {
  const bucket = resourcesOf(t, 'AWS::S3::Bucket').find(([, r]) => text(r.Properties?.['BucketName']).includes(`chengguo-prod-${bucketName}-`));
  expect(bucket, bucketName).toBeDefined();
  const policy = resourcesOf(t, 'AWS::S3::BucketPolicy').find(([, r]) => text(r.Properties?.['Bucket']) === text({ Ref: bucket![0] }));
  expect(policy, `${bucketName} policy`).toBeDefined();
  return asArray((policy![1].Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

const exempted = (st: Statement) => text(st.Condition?.['ArnNotEquals']?.['aws:PrincipalArn']);

describe('R10.1 issue-11 custody bucket policy denies what would remove or unlock a kept version, except to named roles', () => {
  it('denies version deletes, the governance bypass, retention and legal-hold changes to every principal but the destruction and break-glass roles', () => {
    const deny = bucketPolicyOf(s.templates.stateful, 'custody').find((st) => st.Effect === 'Deny' && actions(st).includes('s3:BypassGovernanceRetention'));

    expect(deny).toBeDefined();
    expect(text(deny!['Principal'])).toBe(text({ AWS: '*' }));
    expect(actions(deny!).sort()).toEqual(['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectLegalHold', 's3:PutObjectRetention']);
    expect(text(deny!['Resource'])).toContain('/*');
    const who = exempted(deny!);
    expect(who).toContain(':role/chengguo-prod-custody-destruction');
    expect(who).toContain(':role/chengguo-prod-custody-break-glass');
    expect((deny!.Condition!['ArnNotEquals']!['aws:PrincipalArn'] as unknown[]).length).toBe(2);
  });

  it('denies changing the lock, versioning, replication, lifecycle or the policy itself to every principal but the deploy and break-glass roles', () => {
    const deny = bucketPolicyOf(s.templates.stateful, 'custody').find((st) => st.Effect === 'Deny' && actions(st).includes('s3:PutBucketObjectLockConfiguration'));

    expect(deny).toBeDefined();
    expect(actions(deny!)).toEqual(expect.arrayContaining(['s3:PutBucketObjectLockConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:PutReplicationConfiguration']));
    expect(exempted(deny!)).toContain('cfn-exec-role');
    expect(exempted(deny!)).toContain(':role/chengguo-prod-custody-break-glass');
    expect(exempted(deny!)).not.toContain('custody-destruction');
  });

  it('locks the backup replica the same way, with break-glass alone allowed to remove its versions', () => {
    const deny = bucketPolicyOf(s.templates.backup, 'backup').find((st) => st.Effect === 'Deny' && actions(st).includes('s3:DeleteObjectVersion'));

    expect(deny).toBeDefined();
    expect(exempted(deny!)).toContain('custody-break-glass');
    expect(exempted(deny!)).not.toContain('custody-destruction');
  });

  it('names a break-glass role that only the account’s own principals may assume, with MFA', () => {
    const role = resourcesOf(s.templates.stateful, 'AWS::IAM::Role').find(([, r]) => r.Properties?.['RoleName'] === 'chengguo-prod-custody-break-glass');

    expect(role).toBeDefined();
    const trust = asArray((role![1].Properties?.['AssumeRolePolicyDocument'] as { Statement: Statement[] }).Statement);
    expect(trust).toHaveLength(1);
    expect(text(trust[0]!['Principal'])).toContain(':root');
    expect(trust[0]!.Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
  });
});

describe('R10.1 issue-11 the governance bypass only in a session of the destruction role, for the tagged result', () => {
  const destructionRole = (): [string, CfnResource, Template] => {
    const found = [...s.templates.contexts.values()].flatMap((t) =>
      resourcesOf(t, 'AWS::IAM::Role')
        .filter(([, r]) => r.Properties?.['RoleName'] === 'chengguo-prod-custody-destruction')
        .map(([id, r]) => [id, r, t] as [string, CfnResource, Template]),
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('trusts only the destroy function’s role, and only for a session tagged with the result number and the destruction id', () => {
    const [, role, template] = destructionRole();
    const fn = functionsNamed(s, 'DestroyCustodyObjects')[0]!;
    const fnRole = (fn.resource.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(template).toBe(fn.template);

    const trust = asArray((role.Properties?.['AssumeRolePolicyDocument'] as { Statement: Statement[] }).Statement);
    expect(trust.map((st) => actions(st)).flat().sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    for (const st of trust) {
      expect(text(st['Principal'])).toBe(text({ AWS: { 'Fn::GetAtt': [fnRole, 'Arn'] } }));
      expect(st.Condition).toEqual({ Null: { 'aws:RequestTag/resultNumber': 'false', 'aws:RequestTag/destructionId': 'false' } });
    }
  });

  it('deletes and bypasses only under the results/ and manifests/ prefixes of the result its session is tagged with', () => {
    const [id, , template] = destructionRole();
    const statements = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => text(p.Properties?.['Roles']).includes(`"${id}"`))
      .flatMap(([, p]) => asArray((p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement));
    const bypass = statements.filter((st) => actions(st).includes('s3:BypassGovernanceRetention'));

    expect(bypass).toHaveLength(1);
    expect(actions(bypass[0]!).sort()).toEqual(['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion']);
    const resources = text(bypass[0]!['Resource']);
    expect(resources).toContain('/results/${aws:PrincipalTag/resultNumber}/*');
    expect(resources).toContain('/manifests/${aws:PrincipalTag/resultNumber}/*');
    expect(statements.flatMap(actions)).not.toContain('s3:PutObject');
    const list = statements.find((st) => actions(st).includes('s3:ListBucketVersions'))!;
    expect(text(list.Condition)).toContain('results/${aws:PrincipalTag/resultNumber}/*');
  });

  it('holds the bypass nowhere else: no other role of the stage has s3:BypassGovernanceRetention except break-glass', () => {
    const holders: string[] = [];
    for (const [stack, t] of s.templates.all) {
      for (const [id, p] of resourcesOf(t, 'AWS::IAM::Policy')) {
        const doc = asArray((p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
        if (doc.some((st) => st.Effect === 'Allow' && actions(st).some((a) => a === 's3:BypassGovernanceRetention' || a === 's3:*'))) holders.push(`${stack}:${text(p.Properties?.['Roles'])}:${id}`);
      }
    }

    expect(holders).toHaveLength(2);
    expect(holders.filter((h) => h.includes('DestructionRole'))).toHaveLength(1);
    expect(holders.filter((h) => h.includes('CustodyBreakGlass'))).toHaveLength(1);
  });
});

describe('R10.1 issue-11 key policies name their principals', () => {
  const keys = () => [...s.templates.all].flatMap(([stack, t]) => resourcesOf(t, 'AWS::KMS::Key').map(([id, r]) => ({ stack, id, statements: asArray((r.Properties?.['KeyPolicy'] as { Statement: Statement[] }).Statement) })));

  it('gives no principal kms:* and no unconditioned account-root statement on any key', () => {
    const all = keys();

    expect(all.length).toBeGreaterThanOrEqual(7);
    for (const k of all) {
      for (const st of k.statements) {
        expect(actions(st), `${k.stack} ${k.id}`).not.toContain('kms:*');
        if (text(st['Principal']).includes(':root')) expect(st.Condition, `${k.stack} ${k.id} ${text(st['Sid'])}`).toBeDefined();
      }
    }
  });

  it('lets only the deploy and break-glass roles administer a key, and only the stage’s named roles use it', () => {
    for (const k of keys()) {
      const admin = k.statements.find((st) => actions(st).includes('kms:ScheduleKeyDeletion'));
      expect(admin, `${k.stack} ${k.id}`).toBeDefined();
      expect(actions(admin!).sort()).toEqual([...keyAdminActions].sort());
      expect(text(admin!.Condition)).toContain('cfn-exec-role');
      expect(text(admin!.Condition)).toContain('custody-break-glass');
      const use = k.statements.find((st) => actions(st).includes('kms:Decrypt') && text(st['Principal']).includes(':root'));
      expect(use, `${k.stack} ${k.id}`).toBeDefined();
      expect(text(use!.Condition?.['ArnLike']?.['aws:PrincipalArn'])).toContain(':role/chengguo-prod-*');
      expect(actions(admin!)).not.toContain('kms:Decrypt');
    }
  });

  it('names every function role after its function, so the key policies’ <prefix>-* admits them', () => {
    for (const t of s.templates.contexts.values()) {
      for (const [, fn] of resourcesOf(t, 'AWS::Lambda::Function')) {
        const roleId = (fn.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        const role = t.toJSON()['Resources'][roleId] as CfnResource;
        expect(role.Properties?.['RoleName']).toBe(fn.Properties?.['FunctionName']);
        expect(String(role.Properties?.['RoleName'])).toMatch(/^chengguo-prod-/);
      }
    }
  });
});

describe('R10.1 issue-11 CloudTrail data events on the custody bucket', () => {
  it('records every read and write of custody objects, encrypted, validated and sent to CloudWatch Logs', () => {
    const trails = resourcesOf(s.templates.stateful, 'AWS::CloudTrail::Trail');

    expect(trails).toHaveLength(1);
    const trail = trails[0]![1].Properties!;
    const custody = resourcesOf(s.templates.stateful, 'AWS::S3::Bucket').find(([, r]) => text(r.Properties?.['BucketName']).includes('chengguo-prod-custody-'))![0];
    expect(trail['EventSelectors']).toEqual([
      { DataResources: [{ Type: 'AWS::S3::Object', Values: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [custody, 'Arn'] }, '/']] }] }], IncludeManagementEvents: false, ReadWriteType: 'All' },
    ]);
    expect(trail['EnableLogFileValidation']).toBe(true);
    expect(trail['KMSKeyId']).toBeDefined();
    expect(trail['CloudWatchLogsLogGroupArn']).toBeDefined();
    expect(trail['IsLogging']).toBe(true);
  });

  it('keeps the trail’s files in a bucket whose versions only break-glass may remove', () => {
    const trail = resourcesOf(s.templates.stateful, 'AWS::CloudTrail::Trail')[0]![1].Properties!;
    const bucketId = (trail['S3BucketName'] as { Ref: string }).Ref;
    const policy = resourcesOf(s.templates.stateful, 'AWS::S3::BucketPolicy').find(([, r]) => text(r.Properties?.['Bucket']) === text({ Ref: bucketId }))![1];
    const deny = asArray((policy.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement).find((st) => st.Effect === 'Deny' && actions(st).includes('s3:DeleteObjectVersion'));

    expect(deny).toBeDefined();
    expect(exempted(deny!)).toContain('custody-break-glass');
    expect(exempted(deny!)).not.toContain('custody-destruction');
  });
});
