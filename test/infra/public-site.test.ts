import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { addChengguoStacks, addNagChecks } from '#infra/stacks/chengguo-app.ts';
import { asArray, asSuppliedByParent, functionsNamed, iamStatements, newApp, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

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


describe('R17.2 released files on AWS: the public site serves releases/ to CloudFront signed URLs of one trusted key group, through OAC; the download function signs them', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition: 'aws', downloadPublicKey: publicKey });
  });

  it('adds one releases/* behaviour: trusted key group only, HTTPS only, GET/HEAD, an origin at the bucket root read through origin access control', () => {
    const dists = resourcesOf(s.templates.stateless, 'AWS::CloudFront::Distribution').filter(([id]) => id.startsWith('PublicCatalogue'));
    expect(dists).toHaveLength(1);
    const config = dists[0]![1].Properties?.['DistributionConfig'] as Record<string, unknown>;
    const behaviours = config['CacheBehaviors'] as Array<Record<string, unknown>>;
    expect(behaviours).toHaveLength(1);
    const b = behaviours[0]!;
    expect(b).toMatchObject({ PathPattern: 'releases/*', ViewerProtocolPolicy: 'https-only', Compress: false });
    expect(b['AllowedMethods'] ?? ['GET', 'HEAD']).toEqual(['GET', 'HEAD']);
    const [keyGroupId] = resourcesOf(s.templates.stateless, 'AWS::CloudFront::KeyGroup').map(([id]) => id);
    expect(b['TrustedKeyGroups']).toEqual([{ Ref: keyGroupId }]);
    expect(b['TrustedSigners']).toBeUndefined();
    const origin = (config['Origins'] as Array<Record<string, unknown>>).find((o) => o['Id'] === b['TargetOriginId'])!;
    expect(origin['OriginPath'] ?? '').toBe('');
    expect(JSON.stringify(origin['DomainName'])).toContain('chengguo-prod-published-');
    expect(origin['OriginAccessControlId']).toBeDefined();
    // The default behaviour (the catalogue) stays unsigned and confined to public-catalogue/.
    expect((config['DefaultCacheBehavior'] as Record<string, unknown>)['TrustedKeyGroups']).toBeUndefined();
  });

  it('the key group holds exactly the operator\'s public key (no private key in any template)', () => {
    const keys = resourcesOf(s.templates.stateless, 'AWS::CloudFront::PublicKey');
    expect(keys).toHaveLength(1);
    expect((keys[0]![1].Properties?.['PublicKeyConfig'] as Record<string, unknown>)['EncodedKey']).toBe(publicKey);
    s.templates.stateless.hasResourceProperties('AWS::CloudFront::KeyGroup', { KeyGroupConfig: Match.objectLike({ Items: [{ Ref: keys[0]![0] }] }) });
    for (const t of s.templates.all.values()) expect(JSON.stringify(t.toJSON())).not.toContain('PRIVATE KEY');
  });

  it('the published bucket lets CloudFront of this account read releases/* — GetObject only, that prefix only, beside the catalogue\'s own statement', () => {
    const found = cloudfrontStatements(s).filter((f) => asArray(f.statement['Action'] as string[]).includes('s3:GetObject'));
    expect(found).toHaveLength(2);
    const releases = found.find((f) => f.statement['Sid'] === 'ReleaseDownloadsViaCloudFront')!;
    expect(asArray(releases.statement['Action'] as string[])).toEqual(['s3:GetObject']);
    expect(JSON.stringify(releases.statement['Resource'])).toMatch(/^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["PublishedBucket[0-9A-F]{8}","Arn"\]\},"\/releases\/\*"\]\]\}$/);
    expect(JSON.stringify(releases.statement['Condition'])).toContain(':distribution/*');
    expect(JSON.stringify(releases.statement['Condition'])).toContain('AWS:SourceAccount');
    // Without the key nothing under releases/ is readable by CloudFront (the first describe: two statements only).
    expect(JSON.stringify(cloudfrontStatements(synthChengguo({ partition: 'aws' })))).not.toContain('/releases/');
  });

  it('DownloadReleaseFile alone gets the domain, the key pair id and GetSecretValue on the one signing-key secret (its name, never its value)', () => {
    const found = functionsNamed(s, 'DownloadReleaseFile');
    expect(found).toHaveLength(1);
    const { template, resource, context } = found[0]!;
    const env = (resource.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
    const [keyId] = resourcesOf(s.templates.stateless, 'AWS::CloudFront::PublicKey').map(([id]) => id);
    expect(env['DOWNLOAD_SIGNING_KEY_SECRET']).toBe('chengguo-prod-download-signing-key');
    expect(asSuppliedByParent(s, context, env['DOWNLOAD_KEY_PAIR_ID'])).toEqual({ Ref: keyId });
    expect(JSON.stringify(asSuppliedByParent(s, context, env['DOWNLOAD_DISTRIBUTION_DOMAIN']))).toMatch(/PublicCatalogueDistribution[0-9A-F]{8}","DomainName"/);
    const grants = iamStatements(template).filter(({ statement }) => JSON.stringify(statement['Action']).includes('secretsmanager:'));
    expect(grants.map(({ statement }) => statement['Action'])).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(asSuppliedByParent(s, context, grants[0]!.statement['Resource']))).toMatch(/:secret:chengguo-prod-download-signing-key-\?\?\?\?\?\?"/);
    const others = [...s.templates.contexts.values()].flatMap((t) => resourcesOf(t, 'AWS::Lambda::Function')).filter(([, r]) => JSON.stringify(r.Properties?.['Environment'] ?? {}).includes('DOWNLOAD_'));
    expect(others).toHaveLength(1);
  });

  it('passes cdk-nag (AwsSolutions, NIST 800-53 R5) with the download key: no unacknowledged finding in the stateful and stateless stacks', () => {
    const app = newApp({ partition: 'aws', downloadPublicKey: publicKey }, { validate: true });
    const stacks = addChengguoStacks(app);
    addNagChecks(app);
    // As `npm run synth` does (and test/infra/nag.test.ts): synthesis first, then each pack over the stacks.
    expect(() => app.synth()).not.toThrow();
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      for (const stack of [stacks.stateful, stacks.stateless]) {
        const findings = pack.validateScope(stack).violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
        expect(findings, stack.stackName).toEqual([]);
      }
    }
  });

  it('without the key (the default) and in aws-cn the downloads stay presigned S3 GETs: no key group, no DOWNLOAD_ variables; aws-cn refuses the context', () => {
    const plain = synthChengguo({ partition: 'aws' });
    expect(resourcesOf(plain.templates.stateless, 'AWS::CloudFront::KeyGroup')).toEqual([]);
    const env = JSON.stringify(functionsNamed(plain, 'DownloadReleaseFile')[0]!.resource.Properties?.['Environment']);
    expect(env).not.toContain('DOWNLOAD_');
    expect(() => synthChengguo({ partition: 'aws-cn', downloadPublicKey: publicKey })).toThrow(/downloadPublicKey: CloudFront signed downloads are built in the aws partition only/);
    expect(() => synthChengguo({ partition: 'aws', downloadPublicKey: 'not a key' })).toThrow(/downloadPublicKey: the PEM public key/);
  });
});
