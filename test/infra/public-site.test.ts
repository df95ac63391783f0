import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { asArray, iamStatements, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

/** The CloudFront statements of the stateful stack (the published bucket and the storage key); the console bucket's own OAC statement lives in Stateless (console-site.test.ts). */
const cloudfrontStatements = (s: Synthesised) =>
  [s.templates.stateful].flatMap((t) =>
    [...resourcesOf(t, 'AWS::S3::BucketPolicy'), ...resourcesOf(t, 'AWS::KMS::Key')].flatMap(([id, r]) => {
      const doc = (r.Properties?.['PolicyDocument'] ?? r.Properties?.['KeyPolicy']) as { Statement: Array<Record<string, unknown>> };
      return doc.Statement.filter((st) => JSON.stringify(st['Principal'] ?? '').includes('cloudfront')).map((statement) => ({ id, statement }));
    }),
  );

describe('issue 11: the public catalogue is served on AWS by CloudFront, reading only public-catalogue/ through OAC, with security headers (R9.3)', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition: 'aws' });
  });

  it('has one distribution whose only origin is the public-catalogue/ prefix of the published bucket, via origin access control, HTTPS and GET/HEAD only', () => {
    // Two distributions: this one, and the console-and-API site (console-site.test.ts).
    const dists = resourcesOf(s.templates.stateless, 'AWS::CloudFront::Distribution').filter(([id]) => id.startsWith('PublicCatalogue'));
    expect(dists).toHaveLength(1);
    const config = dists[0]![1].Properties?.['DistributionConfig'] as Record<string, unknown>;
    const originsList = config['Origins'] as Array<Record<string, unknown>>;
    expect(originsList).toHaveLength(1);
    expect(originsList[0]).toMatchObject({ OriginPath: '/public-catalogue', S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(JSON.stringify(originsList[0]!['DomainName'])).toContain('chengguo-prod-published-');
    expect(originsList[0]!['OriginAccessControlId']).toBeDefined();
    const behavior = config['DefaultCacheBehavior'] as Record<string, unknown>;
    expect(config['DefaultRootObject']).toBe('index.html');
    expect(behavior['ViewerProtocolPolicy']).toBe('redirect-to-https');
    // CloudFront's default when absent: GET and HEAD only.
    expect(behavior['AllowedMethods'] ?? ['GET', 'HEAD']).toEqual(['GET', 'HEAD']);
    expect(config['CacheBehaviors']).toBeUndefined();
    s.templates.stateless.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
  });

  it('adds HSTS, nosniff, frame DENY, no-referrer and a strict content security policy to every response', () => {
    s.templates.stateless.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.stringLikeRegexp("^default-src 'none';.*frame-ancestors 'none'$") }),
        }),
      }),
    });
  });

  it('lets CloudFront of this account read objects under public-catalogue/ only, and decrypt them through S3 only — nothing else of any bucket', () => {
    const found = cloudfrontStatements(s);
    expect(found).toHaveLength(2);
    const bucket = found.find((f) => asArray(f.statement['Action'] as string[]).includes('s3:GetObject'))!;
    expect(asArray(bucket.statement['Action'] as string[])).toEqual(['s3:GetObject']);
    expect(JSON.stringify(bucket.statement['Resource'])).toMatch(/^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["PublishedBucket[0-9A-F]{8}","Arn"\]\},"\/public-catalogue\/\*"\]\]\}$/);
    expect(JSON.stringify(bucket.statement['Condition'])).toContain(':distribution/*');
    const key = found.find((f) => asArray(f.statement['Action'] as string[]).includes('kms:Decrypt'))!;
    expect(JSON.stringify(key.statement['Condition'])).toMatch(/kms:ViaService.*s3\./);
    for (const t of s.templates.all.values()) {
      for (const { statement } of iamStatements(t)) expect(JSON.stringify(statement['Principal'] ?? '')).not.toContain('cloudfront');
    }
    // Elsewhere CloudFront reads only the console bucket (its own OAC statement, with this distribution's ARN).
    const others = [...s.templates.all.values()].flatMap((t) => resourcesOf(t, 'AWS::S3::BucketPolicy')).filter(([, r]) => JSON.stringify(r).includes('cloudfront.amazonaws.com'));
    expect(others.map(([id]) => id).sort()).toEqual([expect.stringMatching(/^ConsoleSiteFilesPolicy/), expect.stringMatching(/^PublishedBucketPolicy/)].sort());
  });

  it('attaches the department domain, its certificate and the WAF web ACL when given', () => {
    const custom = synthChengguo({
      partition: 'aws',
      publicDomain: 'chengguo.zrzy.gd.gov.cn',
      publicCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      publicWebAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/chengguo/abc',
    });
    custom.templates.stateless.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['chengguo.zrzy.gd.gov.cn'],
        WebACLId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/chengguo/abc',
        ViewerCertificate: Match.objectLike({ AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    expect(() => synthChengguo({ partition: 'aws', publicDomain: 'chengguo.zrzy.gd.gov.cn' })).toThrow(/give both/);
  });

  it('on aws-cn serves no public catalogue through CloudFront (an ICP filing comes first, docs/deploy.md) and grants CloudFront nothing of the published bucket', () => {
    const cn = synthChengguo({ partition: 'aws-cn' });
    // The one distribution on aws-cn is the console-and-API site on the ICP-filed consoleDomain (console-site.test.ts).
    expect(resourcesOf(cn.templates.stateless, 'AWS::CloudFront::Distribution').map(([id]) => id)).toEqual([expect.stringMatching(/^ConsoleSiteDistribution/)]);
    expect(cloudfrontStatements(cn)).toEqual([]);
  });
});

describe.each(['aws', 'aws-cn'] as const)('issue 11 §6: stack outputs for everything docs/deploy.md and the operator scripts name (%s)', (partition) => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition });
  });
  const outputs = (t: 'stateful' | 'stateless') => (s.templates[t].toJSON()['Outputs'] ?? {}) as Record<string, { Value: unknown; Description?: string }>;

  it('the stateful stack names the buckets, tables and keys by the variables the scripts read', () => {
    const o = outputs('stateful');
    const want: Record<string, string> = {
      UploadsBucketName: 'UPLOADS_BUCKET_NAME',
      CustodyBucketName: 'CUSTODY_BUCKET_NAME',
      PublishedBucketName: 'PUBLISHED_BUCKET_NAME',
      DocumentsBucketName: 'DOCUMENTS_BUCKET_NAME',
      BackupBucketName: 'BACKUP_BUCKET_NAME',
      BackupRegion: 'BACKUP_REGION',
      RegistryTableName: 'REGISTRY_TABLE_NAME',
      LogsTableName: 'LOGS_TABLE_NAME',
      AuditAnchorKeyArn: 'AUDIT_ANCHOR_KEY_ID',
    };
    for (const [id, envVar] of Object.entries(want)) expect(o[id]?.Description, id).toBe(envVar);
    expect(o['BackupRegion']!.Value).toBe(s.settings.backupRegion);
    expect(o['TableBackupVaultName']).toBeDefined();
  });

  it('the stateless stack gives the API URL, the alarm topic, the dashboard, and on aws the DKIM records and the public catalogue URL', () => {
    const o = outputs('stateless');
    for (const id of ['ApiUrl', 'AppBaseUrl', 'AlarmTopicArn', 'DashboardName']) expect(o[id], id).toBeDefined();
    const aws = partition === 'aws';
    for (const id of ['MailDkimRecord1', 'MailDkimRecord2', 'MailDkimRecord3', 'PublicCatalogueUrl']) expect(o[id] !== undefined, id).toBe(aws);
    if (aws) expect(JSON.stringify(o['MailDkimRecord1']!.Value)).toContain(' CNAME ');
  });
});

