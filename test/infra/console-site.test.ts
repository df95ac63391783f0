import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { unhoistableHeaders } from '#adapters/s3-uploads.ts';
import { fixedConsoleRoutes, spaFallbackCode } from '#infra/constructs/console-site.ts';
import { managedRuleGroups } from '#infra/stacks/edge-stack.ts';
import { settingsFromContext } from '#infra/stacks/settings.ts';
import { resourcesOf, synthChengguo, type CfnResource, type Synthesised } from './synth.ts';

/** CloudFront's managed policies (their ids are fixed by AWS). */
const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const cachingOptimized = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const allViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const text = (v: unknown) => JSON.stringify(v);
const siteOf = (s: Synthesised) => {
  const found = resourcesOf(s.templates.stateless, 'AWS::CloudFront::Distribution').filter(([id]) => id.startsWith('ConsoleSiteDistribution'));
  expect(found).toHaveLength(1);
  return found[0]![1].Properties!['DistributionConfig'] as Record<string, unknown> & {
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors: Array<Record<string, unknown>>;
    Origins: Array<Record<string, unknown>>;
  };
};
const originOf = (config: ReturnType<typeof siteOf>, behavior: Record<string, unknown>) => config.Origins.find((o) => o['Id'] === behavior['TargetOriginId'])!;
const consoleContent = (s: Synthesised) => Template.fromStack(s.stateless.consoleContent);

/** The console's CSP (the response headers policy of /console*), its tokens joined. */
const uploadsCspOf = (s: Synthesised) => {
  const [, policy] = resourcesOf(s.templates.stateless, 'AWS::CloudFront::ResponseHeadersPolicy').find(([id]) => id.startsWith('ConsoleSiteConsoleHeaders'))!;
  const csp = (policy.Properties!['ResponseHeadersPolicyConfig'] as { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } } }).SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
  const join = csp as { 'Fn::Join'?: [string, unknown[]] };
  return join['Fn::Join'] ? join['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join('') : String(csp);
};
/** The uploads bucket's CorsConfiguration (stateful stack). */
const uploadsCorsOf = (s: Synthesised) => {
  const found = resourcesOf(s.templates.stateful, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('Uploads'));
  expect(found).toHaveLength(1);
  return found[0]![1].Properties?.['CorsConfiguration'];
};
/** The custody bucket's CorsConfiguration (stateful stack). */
const custodyCorsOf = (s: Synthesised) => {
  const found = resourcesOf(s.templates.stateful, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('Custody') && !id.startsWith('CustodyTrail'));
  expect(found).toHaveLength(1);
  return found[0]![1].Properties?.['CorsConfiguration'];
};
const expectedDownloadRule = (origin: string) => ({
  Id: 'console-grant-download',
  AllowedOrigins: [origin],
  AllowedMethods: ['GET', 'HEAD'],
  AllowedHeaders: ['range'],
  ExposedHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Content-Disposition'],
  MaxAge: 600,
});
const expectedCorsRule = (origin: string) => ({
  Id: 'console-browser-upload',
  AllowedOrigins: [origin],
  AllowedMethods: ['PUT', 'GET', 'HEAD'],
  AllowedHeaders: [...unhoistableHeaders],
  ExposedHeaders: ['ETag', 'x-amz-checksum-sha256', 'x-amz-request-id'],
  MaxAge: 600,
});

/** Runs the CloudFront Function's code on a viewer request, as CloudFront would. */
function viewerRequest(uri: string): { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> } {
  const handler = new Function(`${spaFallbackCode}; return handler;`)() as (e: unknown) => { uri?: string; statusCode?: number };
  return handler({ request: { uri, method: 'GET', headers: {} } });
}

describe('issue 13 hosting (issue 11 §6): the console and the API on one CloudFront site on aws', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition: 'aws' });
  });

  it('sends everything but /console* to the API: every method, nothing cached, the viewer headers (Authorization included) and query strings forwarded without Host, HTTPS only', () => {
    const config = siteOf(s);
    const api = config.DefaultCacheBehavior;

    expect(api['AllowedMethods']).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(api['CachePolicyId']).toBe(cachingDisabled);
    expect(api['OriginRequestPolicyId']).toBe(allViewerExceptHost);
    expect(api['ViewerProtocolPolicy']).toBe('redirect-to-https');
    const origin = originOf(config, api);
    expect(origin['CustomOriginConfig']).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    // The HTTP API's own host: Fn::Select 2 of its endpoint split at '/'.
    expect(origin['DomainName']).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.stringMatching(/^Api[0-9A-F]{8}$/), 'ApiEndpoint'] }] }] });
  });

  it('serves /console* from the private console bucket through origin access control, cached, GET/HEAD only, with the client-route function on viewer requests', () => {
    const config = siteOf(s);
    expect(config.CacheBehaviors).toHaveLength(1);
    const web = config.CacheBehaviors[0]!;

    expect(web['PathPattern']).toBe('/console*');
    expect(web['AllowedMethods'] ?? ['GET', 'HEAD']).toEqual(['GET', 'HEAD']);
    expect(web['CachePolicyId']).toBe(cachingOptimized);
    expect(web['FunctionAssociations']).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleSiteSpaFallback/), 'FunctionARN'] } }]);
    const origin = originOf(config, web);
    expect(origin['OriginAccessControlId']).toBeDefined();
    expect(text(origin['DomainName'])).toContain('ConsoleSiteFiles');
    const [, bucket] = resourcesOf(s.templates.stateless, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleSiteFiles'))!;
    expect(bucket.Properties?.['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    // Only CloudFront, and only this distribution, may read it (besides the TLS-only deny).
    const [, policy] = resourcesOf(s.templates.stateless, 'AWS::S3::BucketPolicy').find(([id]) => id.startsWith('ConsoleSiteFilesPolicy'))!;
    const allows = (policy.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement.filter((st) => st['Effect'] === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(text(allows[0]!['Condition'])).toMatch(/AWS:SourceArn.*ConsoleSiteDistribution/);
  });

  it('gives client routes index.html and leaves files and everything outside /console alone (the function run on sample requests)', () => {
    expect(viewerRequest('/console/tasks/T-1').uri).toBe('/console/index.html');
    expect(viewerRequest('/console/catalogue/GD-2026-001').uri).toBe('/console/index.html');
    expect(viewerRequest('/console/').uri).toBe('/console/index.html');
    expect(viewerRequest('/console/callback').uri).toBe('/console/index.html');
    expect(viewerRequest('/console/assets/index-abc123.js').uri).toBe('/console/assets/index-abc123.js');
    expect(viewerRequest('/console/config.json').uri).toBe('/console/config.json');
    expect(viewerRequest('/console')).toMatchObject({ statusCode: 301, headers: { location: { value: '/console/' } } });
  });

  it('puts a CSP fit for Vue and Element Plus (scripts from the site only, inline styles, calls to the site and the Cognito issuer and sign-in domain), HSTS, nosniff, frame DENY and no referrer on the console; API responses keep their own CSP', () => {
    const policies = resourcesOf(s.templates.stateless, 'AWS::CloudFront::ResponseHeadersPolicy');
    const consolePolicy = policies.find(([id]) => id.startsWith('ConsoleSiteConsoleHeaders'))![1].Properties!['ResponseHeadersPolicyConfig'] as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const h = consolePolicy.SecurityHeadersConfig;
    const csp = text(h['ContentSecurityPolicy']!['ContentSecurityPolicy']);

    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' https://cognito-idp.ap-southeast-1.");
    expect(csp).toContain('https://chengguo-prod.auth.ap-southeast-1.amazoncognito.com');
    expect(csp).not.toContain("'unsafe-eval'");
    expect(h['StrictTransportSecurity']).toMatchObject({ AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true });
    expect(h['ContentTypeOptions']).toEqual({ Override: true });
    expect(h['FrameOptions']).toEqual({ FrameOption: 'DENY', Override: true });
    expect(h['ReferrerPolicy']).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const apiPolicy = policies.find(([id]) => id.startsWith('ConsoleSiteApiHeaders'))![1].Properties!['ResponseHeadersPolicyConfig'] as { SecurityHeadersConfig: Record<string, unknown> };
    expect(apiPolicy.SecurityHeadersConfig['ContentSecurityPolicy']).toBeUndefined();
  });

  it('issue 13: lets the console connect to the uploads bucket at its regional endpoint (virtual-hosted, amazonaws.com) for the browser upload', () => {
    const csp = uploadsCspOf(s);
    expect(csp).toMatch(/connect-src 'self' https:\/\/cognito-idp\.[^;]* https:\/\/chengguo-prod-uploads-[^;]*-ap-southeast-1\.s3\.ap-southeast-1\.amazonaws\.com;/);
    expect(csp).not.toMatch(/https:\/\/s3\./);
  });

  it('issue 13: gives the uploads bucket a CORS rule for https://<consoleDomain> only — PUT/GET/HEAD, the signed headers, ETag exposed — and none, with a warning, without the domain', () => {
    const custom = synthChengguo({ partition: 'aws', consoleDomain: 'chengguo.zrzy.gd.gov.cn', consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-1' });
    expect(uploadsCorsOf(custom)).toEqual({ CorsRules: [expectedCorsRule('https://chengguo.zrzy.gd.gov.cn')] });

    expect(uploadsCorsOf(s)).toBeUndefined();
    const warnings = s.stateful.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('No -c consoleDomain: the uploads bucket has no CORS rule'))).toBe(true);
    // Only the uploads bucket (and custody, for grant downloads, and documents, for the signed scan: below) takes cross-origin requests.
    for (const [id, bucket] of resourcesOf(custom.templates.stateful, 'AWS::S3::Bucket'))
      if (!id.startsWith('Uploads') && !id.startsWith('Custody') && !/^Documents[0-9A-F]/.test(id)) expect(bucket.Properties?.['CorsConfiguration'], id).toBeUndefined();
  });

  it('R16.1 issue 13: lets the console follow a grant download\'s 302 — the custody bucket answers GET/HEAD from https://<consoleDomain> only (ETag, Content-Range exposed), and its endpoint is in the CSP connect-src', () => {
    const custom = synthChengguo({ partition: 'aws', consoleDomain: 'chengguo.zrzy.gd.gov.cn', consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-1' });
    expect(custodyCorsOf(custom)).toEqual({ CorsRules: [expectedDownloadRule('https://chengguo.zrzy.gd.gov.cn')] });
    expect(uploadsCspOf(custom)).toMatch(/connect-src 'self' [^;]* https:\/\/chengguo-prod-custody-[^;]*-ap-southeast-1\.s3\.ap-southeast-1\.amazonaws\.com;/);
    // Without the domain no rule can name the console's origin: none, and a warning.
    expect(custodyCorsOf(s)).toBeUndefined();
    const warnings = s.stateful.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('the custody bucket has no CORS rule'))).toBe(true);
  });

  it('R17.1 R18.1 issue 13: lets the console PUT a signed confidentiality scan and GET a grant’s 用途声明 — the documents bucket answers PUT/GET/HEAD from https://<consoleDomain> only with the signed headers (scanUploadCors), and its endpoint is in the CSP connect-src', () => {
    const custom = synthChengguo({ partition: 'aws', consoleDomain: 'chengguo.zrzy.gd.gov.cn', consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-1' });
    const documents = resourcesOf(custom.templates.stateful, 'AWS::S3::Bucket').filter(([id]) => /^Documents[0-9A-F]/.test(id));
    expect(documents).toHaveLength(1);
    expect(documents[0]![1].Properties?.['CorsConfiguration']).toEqual({
      CorsRules: [
        {
          Id: 'console-scan-upload',
          AllowedOrigins: ['https://chengguo.zrzy.gd.gov.cn'],
          AllowedMethods: ['PUT', 'GET', 'HEAD'],
          AllowedHeaders: ['content-type', 'x-amz-checksum-sha256', 'if-none-match'],
          ExposedHeaders: ['x-amz-request-id'],
          MaxAge: 600,
        },
      ],
    });
    expect(uploadsCspOf(custom)).toMatch(/connect-src 'self' [^;]* https:\/\/chengguo-prod-documents-[^;]*-ap-southeast-1\.s3\.ap-southeast-1\.amazonaws\.com;/);
    const warnings = s.stateful.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('the documents bucket has no CORS rule'))).toBe(true);
  });

  it('registers the console callback and sign-out addresses (console/src/auth.ts) on the site with the Cognito app client', () => {
    const client = resourcesOf(s.templates.stateless, 'AWS::Cognito::UserPoolClient')[0]![1].Properties!;
    const onSite = (suffix: string) => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleSiteDistribution/), 'DomainName'] }, suffix]] });

    expect(client['CallbackURLs']).toContainEqual(onSite('/console/callback'));
    expect(client['LogoutURLs']).toContainEqual(onSite('/console/signed-out'));
    const auth = readFileSync(new URL('../../console/src/auth.ts', import.meta.url), 'utf8');
    expect(auth).toContain("callbackPath = '/console/callback'");
    expect(auth).toContain('/console/signed-out');
  });

  it('copies dist/console into the bucket at deploy time with config.json (issuer, the app client id, scopes) and invalidates /console/*', () => {
    const t = consoleContent(s);
    const deployments = resourcesOf(t, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    for (const [, d] of deployments) expect(d.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'console/', Prune: false });
    const [, entry] = deployments.find(([id]) => id.startsWith('EntryAndConfig'))!;
    expect(entry.Properties).toMatchObject({ DistributionPaths: ['/console/*'] });
    expect(text(entry.Properties!['SystemMetadata'])).toContain('no-cache');
    // config.json's deploy-time values: the markers resolve to the parent's client id and the issuer.
    const markers = text(entry.Properties!['SourceMarkers']);
    expect(markers).toMatch(/referencetoChengguoprodStatelessSignInClient[0-9A-F]{8}Ref/);
    expect(markers).toMatch(/"OutputName":"PublishOutputRefUsersUserPool/);
    const [, files] = deployments.find(([id]) => id.startsWith('Files'))!;
    expect(text(files.Properties!['SystemMetadata'])).toContain('immutable');
    // No AWS managed policy on the deployment function's role.
    for (const [id, role] of resourcesOf(t, 'AWS::IAM::Role')) expect(role.Properties?.['ManagedPolicyArns'], id).toBeUndefined();
  });

  it('outputs the console URL and the CNAME target', () => {
    const outputs = s.templates.stateless.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
    expect(text(outputs['ConsoleUrl']!.Value)).toContain('/console/');
    expect(outputs['ConsoleDistributionDomain']).toBeDefined();
  });

  it('attaches the department domain and its ACM certificate (us-east-1) when given, and refuses half of the pair or a certificate outside us-east-1', () => {
    const custom = synthChengguo({ partition: 'aws', consoleDomain: 'chengguo.zrzy.gd.gov.cn', consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-1' });
    const config = siteOf(custom);
    expect(config['Aliases']).toEqual(['chengguo.zrzy.gd.gov.cn']);
    expect(config['ViewerCertificate']).toMatchObject({ AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-1', MinimumProtocolVersion: 'TLSv1.2_2021' });
    const client = resourcesOf(custom.templates.stateless, 'AWS::Cognito::UserPoolClient')[0]![1].Properties!;
    expect(client['CallbackURLs']).toContain('https://chengguo.zrzy.gd.gov.cn/console/callback');

    expect(() => synthChengguo({ partition: 'aws', consoleDomain: 'chengguo.zrzy.gd.gov.cn' })).toThrow(/consoleDomain and consoleCertificateArn: give both/);
    expect(() => synthChengguo({ partition: 'aws', consoleDomain: 'a.zrzy.gd.gov.cn', consoleCertificateArn: 'arn:aws:acm:ap-southeast-1:123456789012:certificate/x' })).toThrow(/us-east-1/);
  });
});

describe('issue 11 §6: WAF in front of the console, the API and the public catalogue (aws: CLOUDFRONT scope, its own stack in us-east-1)', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition: 'aws', alarmEmail: 'ops@zrzy.gd.gov.cn' });
  });

  it('creates the web ACL in the Edge stack in us-east-1: IP reputation, core rule set, known bad inputs, then a per-IP rate rule that answers 429', () => {
    expect(s.edge!.region).toBe('us-east-1');
    const edge = Template.fromStack(s.edge!);
    const [, acl] = resourcesOf(edge, 'AWS::WAFv2::WebACL')[0]!;
    const rules = acl.Properties!['Rules'] as Array<{ Name: string; Priority: number; Statement: Record<string, Record<string, unknown>>; Action?: unknown }>;

    expect(acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    expect(rules.map((r) => r.Name)).toEqual([...managedRuleGroups, 'RatePerClientIp']);
    expect(rules.map((r) => r.Priority)).toEqual([0, 1, 2, 3]);
    for (const r of rules.slice(0, 3)) expect(r.Statement['ManagedRuleGroupStatement']).toMatchObject({ VendorName: 'AWS', Name: r.Name });
    expect(rules[3]!.Statement['RateBasedStatement']).toMatchObject({ AggregateKeyType: 'IP', Limit: 2000 });
    expect(rules[3]!.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: [{ SingleHeader: { Name: 'authorization' } }] });
  });

  it('attaches it to both distributions by a cross-region stack output (Fn::GetStackOutput from us-east-1), no custom resource', () => {
    const dists = resourcesOf(s.templates.stateless, 'AWS::CloudFront::Distribution');
    expect(dists).toHaveLength(2);
    for (const [id, d] of dists) {
      const acl = (d.Properties!['DistributionConfig'] as Record<string, unknown>)['WebACLId'];
      expect(text(acl), id).toMatch(/"Fn::GetStackOutput":\{.*"StackName":"Chengguo-prod-Edge".*"Region":"us-east-1"/);
    }
    for (const t of s.templates.all.values()) expect(Object.keys(t.findResources('Custom::CrossRegionExportReader'))).toEqual([]);
  });

  it('alarms on a blocked-request spike to a topic of its own region, mailed to alarmEmail', () => {
    const edge = Template.fromStack(s.edge!);
    edge.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Dimensions: [{ Name: 'Rule', Value: 'ALL' }, { Name: 'WebACL', Value: 'chengguo-prod-edge' }],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^EdgeAlarms') }],
      AlarmDescription: Match.stringLikeRegexp('#waf-blocked'),
    });
    edge.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@zrzy.gd.gov.cn' });
  });
});

describe('issue 13 hosting on aws-cn: an ICP-filed domain and an IAM certificate, origin access identity, no CloudFront Function, no WAF', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition: 'aws-cn' });
  });

  it('serves the demo site on the stand-in domain with the IAM server certificate, through an origin access identity', () => {
    const config = siteOf(s);
    expect(config['Aliases']).toEqual(['console.example.gov.cn']);
    expect(config['ViewerCertificate']).toEqual({ IamCertificateId: 'ASCAPLACEHOLDERCERTIFICATE', SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    const web = config.CacheBehaviors[0]!;
    expect(text(originOf(config, web)['S3OriginConfig'])).toContain('origin-access-identity/cloudfront/');
    expect(web['FunctionAssociations']).toBeUndefined();
    expect(resourcesOf(s.templates.stateless, 'AWS::CloudFront::Function')).toEqual([]);
    expect(config['WebACLId']).toBeUndefined();
    expect(s.edge).toBeUndefined();
  });

  it('puts a copy of index.html (text/html) at /console and every fixed client route of console/src/router.ts, role-pages.ts and work-pages.ts instead', () => {
    const router = ['router.ts', 'role-pages.ts', 'work-pages.ts'].map((file) => readFileSync(new URL(`../../console/src/${file}`, import.meta.url), 'utf8')).join('\n');
    const fixed = [...router.matchAll(/path: '\/([^':]*)'/g)].map((m) => m[1]).filter((p) => p !== '' && !p!.includes('('));
    expect([...fixedConsoleRoutes].sort()).toEqual([...fixed].sort());
    const [, routes] = resourcesOf(consoleContent(s), 'Custom::CDKBucketDeployment').find(([id]) => id.startsWith('RouteEntries'))! as [string, CfnResource];
    expect(text(routes.Properties!['SystemMetadata'])).toContain('text/html');
    expect(routes.Properties!['DestinationBucketKeyPrefix']).toBeUndefined();
    expect(routes.Properties!['SourceObjectKeys']).toHaveLength(fixedConsoleRoutes.length + 1);
    const outputs = s.templates.stateless.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
    expect(outputs['ConsoleUrl']!.Value).toBe('https://console.example.gov.cn/console');
  });

  it('issue 13: lets the console on its domain upload from the browser: the uploads bucket\'s CORS rule and its amazonaws.com.cn endpoint in the CSP', () => {
    expect(uploadsCorsOf(s)).toEqual({ CorsRules: [expectedCorsRule('https://console.example.gov.cn')] });
    expect(uploadsCspOf(s)).toMatch(/connect-src 'self' https:\/\/idp\.example\.gov\.cn https:\/\/chengguo-prod-uploads-[^;]*-cn-north-1\.s3\.cn-north-1\.amazonaws\.com\.cn [^;]*;/);
    // R16.1: grant downloads (the custody bucket's GET from the console's domain, its .com.cn endpoint in the CSP).
    expect(custodyCorsOf(s)).toEqual({ CorsRules: [expectedDownloadRule('https://console.example.gov.cn')] });
    expect(uploadsCspOf(s)).toMatch(/https:\/\/chengguo-prod-custody-[^;]*-cn-north-1\.s3\.cn-north-1\.amazonaws\.com\.cn;/);
  });

  it('refuses the stand-in domain and certificate in a production synth, naming both keys', () => {
    const real = { partition: 'aws-cn', mailDomain: 'zrzy.gd.gov.cn', smtpHost: 'smtp.zrzy.gd.gov.cn', oidcIssuer: 'https://idp.zrzy.gd.gov.cn/realms/c', oidcAudience: 'c' };
    const settings = (ctx: Record<string, unknown>) => settingsFromContext(new App({ context: ctx }).node);

    expect(() => settings(real)).toThrow(/consoleDomain=console\.example\.gov\.cn, consoleCertificateId=ASCAPLACEHOLDERCERTIFICATE/);
    expect(() => settings({ ...real, consoleDomain: 'chengguo.zrzy.gd.gov.cn', consoleCertificateId: 'ASCA4REALCERT' })).not.toThrow();
    expect(() => settings({ ...real, consoleDomain: 'chengguo.zrzy.gd.gov.cn', consoleCertificateArn: 'arn:aws-cn:acm:cn-north-1:1:certificate/x' })).toThrow(/no ACM certificate/);
  });
});
