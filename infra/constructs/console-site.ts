/**
 * The web console (工作台, issue 13) and the HTTP API on one site: a
 * CloudFront distribution whose default behaviour is the API (every method,
 * nothing cached, the viewer's headers — Authorization included — and query
 * strings forwarded, Host excepted as API Gateway requires), and whose
 * `/console*` behaviour reads the built console (dist/console) from a private
 * bucket. The console calls the API on its own origin, so the API has no CORS
 * rule; emailed links, /auth/* and the pages keep their paths. Only the browser
 * upload goes elsewhere: presigned PUTs to the uploads bucket, whose CORS rule
 * (stateful stack, infra/constructs/uploads-cors.ts) lets https://<consoleDomain> in.
 *
 * - The console's client routes (/console/tasks/…) get /console/index.html
 *   from a CloudFront Function on the console behaviour only: an API 404 or
 *   403 stays the API's JSON (a distribution-wide custom error response would
 *   replace it). A path with a file extension goes to the bucket as is.
 * - Security headers on the console (CSP for Vue + Element Plus: scripts from
 *   the site only, inline styles, calls to the site, the issuer and the uploads
 *   bucket's endpoint; HSTS,
 *   nosniff, frame-ancestors none and X-Frame-Options DENY, no referrer).
 *   API responses get the same transport headers without overriding what the
 *   handlers set (their pages carry their own CSP).
 * - aws: origin access control; aws-cn: origin access identity (CloudFront
 *   in China has no OAC), an ICP-filed domain and an IAM server certificate.
 *
 * The files and the runtime config (`/console/config.json`: the issuer and the
 * public client id, known only at deploy time) are copied in by a
 * BucketDeployment in a nested stack of their own (`consoleContent`): its
 * function is CDK's, not one of the manifest's, and the app client must be
 * created between the distribution (its callback address) and the config.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Fn, Names, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { DeploySettings } from '../stacks/settings.ts';
import { acknowledge } from './nag.ts';

/** Where the console lives on the site (console/vite.config.ts `base`, console/src/router.ts). */
export const consolePath = '/console';

/** The client routes' fallback: extensionless paths under /console get the app's index.html. */
export const spaFallbackCode = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '${consolePath}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${consolePath}/' } } };
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '${consolePath}/index.html';
  return request;
}`;

/**
 * The console's Content-Security-Policy on AWS: as the local cloud's (infra/local/http-api.ts consoleCsp),
 * with the issuer's origins added to connect-src (discovery, token, JWKS) and frame-src (silent renew), and the
 * uploads bucket's endpoint to connect-src (the browser upload's presigned PUTs), and the custody bucket's (a grant
 * download's presigned GET, issue 13). 'wasm-unsafe-eval' lets the
 * upload's hashing workers compile hash-wasm's WebAssembly (a worker script gets this header from /console* too);
 * no other eval.
 */
export function consoleCspFor(issuerOrigins: readonly string[], uploadOrigins: readonly string[] = []): string {
  const issuers = issuerOrigins.join(' ');
  return (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
    `connect-src 'self' ${[...issuerOrigins, ...uploadOrigins].join(' ')}; frame-src ${issuers}; frame-ancestors 'none'; base-uri 'self'; form-action 'self' ${issuers}; object-src 'none'`
  );
}

export interface ConsoleSiteProps {
  readonly settings: DeploySettings;
  readonly api: apigwv2.IHttpApi;
  /** Origins the console's OIDC client talks to (issuer, hosted sign-in domain). */
  readonly issuerOrigins: readonly string[];
  /** Where the browser upload's presigned URLs point (the uploads bucket's regional endpoint, infra/constructs/uploads-cors.ts). */
  readonly uploadOrigins: readonly string[];
  /** Where a sharing grant's download is redirected (the custody bucket's regional endpoint, infra/constructs/uploads-cors.ts). */
  readonly downloadOrigins?: readonly string[];
  /** The WAF web ACL (CLOUDFRONT scope) — aws only. */
  readonly webAclArn?: string | undefined;
  readonly logBucket: s3.IBucket;
}

export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** https://<custom domain or the distribution's>, no trailing slash. */
  readonly siteUrl: string;
  /** Where people open the console: /console/ (aws), /console (aws-cn: an object of that key, no function to rewrite /console/). */
  readonly consoleUrl: string;
  /** The client-route fallback (aws); undefined on aws-cn, where CloudFront Functions do not exist. */
  readonly spaFallback: cloudfront.Function | undefined;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const { settings } = props;
    const cn = settings.partition === 'aws-cn';
    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ id: 'expire-old-builds', noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'console-files/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const why = 'The console bucket holds the built web console (HTML, JS, CSS: public program code, no data): ';
    acknowledge(this.bucket, ['NIST.800.53.R5-S3DefaultEncryptionKMS'], `${why}SSE-S3 suffices, and a KMS key would have to let CloudFront decrypt besides.`);
    acknowledge(this.bucket, ['NIST.800.53.R5-S3BucketReplicationEnabled'], `${why}every deploy copies it again from the repository, which is its backup.`);

    const s3Origin = cn
      ? origins.S3BucketOrigin.withOriginAccessIdentity(this.bucket)
      : origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [cloudfront.AccessLevel.READ] });
    // https://<id>.execute-api.<region>.<suffix> → its host.
    const apiOrigin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', props.api.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });

    const transport = {
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
      contentTypeOptions: { override: true },
    };
    const consoleHeaders = new cloudfront.ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      responseHeadersPolicyName: `${settings.prefix}-console-security`,
      comment: 'chengguo console: security headers',
      securityHeadersBehavior: {
        ...transport,
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: consoleCspFor(props.issuerOrigins, [...props.uploadOrigins, ...(props.downloadOrigins ?? [])]), override: true },
      },
    });
    const apiHeaders = new cloudfront.ResponseHeadersPolicy(this, 'ApiHeaders', {
      responseHeadersPolicyName: `${settings.prefix}-api-security`,
      comment: 'chengguo API behind CloudFront: transport headers; the handlers set their own CSP',
      securityHeadersBehavior: {
        ...transport,
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: false },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: false },
      },
    });
    // CloudFront Functions do not exist in the China regions (AWS::CloudFront::Function is not in cn-north-1's
    // resource registry): there, ConsoleContent puts a copy of index.html at each fixed client route instead.
    this.spaFallback = cn
      ? undefined
      : new cloudfront.Function(this, 'SpaFallback', {
          functionName: `${settings.prefix}-console-routes`,
          comment: 'chengguo console: client routes get index.html',
          code: cloudfront.FunctionCode.fromInline(spaFallbackCode),
          runtime: cloudfront.FunctionRuntime.JS_2_0,
        });

    const site = settings.consoleSite;
    const acmArn = site.certificate && 'acmArn' in site.certificate ? site.certificate.acmArn : undefined;
    const certificate = acmArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', acmArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${settings.prefix} 工作台与接口 (console and API)`,
      defaultBehavior: {
        origin: apiOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: apiHeaders,
        compress: true,
      },
      additionalBehaviors: {
        [`${consolePath}*`]: {
          origin: s3Origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: consoleHeaders,
          compress: true,
          ...(this.spaFallback ? { functionAssociations: [{ function: this.spaFallback, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] } : {}),
        },
      },
      ...(certificate ? { minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      httpVersion: cn ? cloudfront.HttpVersion.HTTP2 : cloudfront.HttpVersion.HTTP2_AND_3,
      ...(cn ? {} : { priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL }),
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'console-and-api/',
      ...(site.domain && certificate ? { domainNames: [site.domain], certificate } : {}),
      ...(site.domain && cn ? { domainNames: [site.domain] } : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    if (cn && site.certificate && 'iamCertificateId' in site.certificate) {
      // CloudFront in China takes an IAM server certificate (no ACM): set on the L1, which the L2 has no prop for.
      (this.distribution.node.defaultChild as cloudfront.CfnDistribution).addPropertyOverride('DistributionConfig.ViewerCertificate', {
        IamCertificateId: site.certificate.iamCertificateId,
        SslSupportMethod: 'sni-only',
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });
    }
    this.siteUrl = `https://${site.domain ?? this.distribution.distributionDomainName}`;
    this.consoleUrl = `${this.siteUrl}${consolePath}${cn ? '' : '/'}`;
    if (cn) {
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR4'],
        'aws-cn: the viewer certificate is the department\'s IAM server certificate with TLSv1.2_2021, set on the CloudFormation resource (ViewerCertificate) because CloudFront in China takes no ACM certificate.',
      );
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR7'],
        'aws-cn: CloudFront in the China regions has no origin access control; the console bucket is read through an origin access identity, and blocks all public access.',
      );
    }

    acknowledge(
      this.distribution,
      ['AwsSolutions-CFR1'],
      'Government staff sign in from their offices, field sites and provincial networks; a geo restriction at country level would add nothing to the sign-in, the WAF and the JWT authorizer in front of every API call.',
    );
    if (!props.webAclArn) {
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR2'],
        'aws-cn: AWS WAF in the China regions is regional only and cannot be attached to CloudFront there (docs/deploy.md §7); the API keeps its stage throttling and JWT authorizer.',
      );
    }
    if (!certificate && !cn) {
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR4'],
        'Without -c consoleDomain/consoleCertificateArn the site uses the *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes; TLSv1.2_2021 applies once the department domain is attached (docs/deploy.md).',
      );
    }
    acknowledge(
      this.distribution,
      ['AwsSolutions-CFR5'],
      'The API origin is API Gateway over HTTPS with TLS 1.2 only (originSslProtocols); the S3 origin is reached by CloudFront over its own authenticated channel.',
    );
  }
}

export interface ConsoleContentProps {
  readonly site: ConsoleSite;
  /** The built console (dist/console; `npm ci` builds it through `prepare`). */
  readonly consoleDir: string;
  /** The runtime config the console reads first: the same fields as GET /auth/config. */
  readonly config: { readonly issuer: string; readonly clientId: string; readonly scopes: readonly string[]; readonly redirectUri: string; readonly cliRedirectUri: string };
  readonly settings: DeploySettings;
  /** Encrypts the deployment function's log group (the stage's logs key). */
  readonly logsKey: kms.IKey;
}

/**
 * The console's fixed client routes (console/src/router.ts, the role pages of console/src/role-pages.ts and the work
 * pages of console/src/work-pages.ts, paths
 * without a parameter): on aws-cn, where no CloudFront Function can rewrite a path, each gets a copy of index.html
 * (test/infra/console-site.test.ts keeps this list equal to the three files' routes).
 */
export const fixedConsoleRoutes = [
  'callback',
  'signed-out',
  'forbidden',
  'catalogue',
  'notifications',
  'survey-tasks',
  'survey-tasks/new',
  'custody/receipts',
  'custody/entries',
  'custody/entries/new',
  'custody/reports',
  'custody/transfers',
  'custody/integrity-audits',
  'supervision/clocks',
  'supervision/bulletins',
  'supervision/incidents',
  'report-incident',
  'admin/orgs',
  'admin/people',
  'admin/import',
  'admin/calendar',
  // console/src/work-pages.ts (issue 13: sharing, publication, feedback, self-inspections)
  'sharing/apply',
  'sharing/applications',
  'sharing/addressed',
  'sharing/grants',
  'publication/requests',
  'publication/released',
  'feedback/problems',
  'self-inspections/file',
  'self-inspections',
  'self-inspections/own',
  'sharing/use-reports',
  'sharing/use-reports/addressed',
  'sharing/derived-products',
  'sharing/derived-products/addressed',
  'sharing/public-applications',
] as const;

/**
 * The console's files and config.json, copied into the bucket at deploy time
 * (nested stack `ConsoleContent`). Hashed assets are immutable; index.html and
 * config.json are revalidated on every load; the distribution's cache of
 * /console/* is invalidated after each copy.
 */
export class ConsoleContent extends NestedStack {
  constructor(scope: Construct, id: string, props: ConsoleContentProps) {
    super(scope, id, { description: `chengguo ${props.settings.stage} (${props.settings.partition}): the console's files and runtime config` });
    const { site, settings } = props;
    // The deployment function's role: no AWS managed policy (its logs are granted inline, to its own group).
    const indexHtml = path.join(props.consoleDir, 'index.html');
    if (!fs.existsSync(indexHtml)) throw new Error(`${indexHtml} is missing: build the console first (npm run build:console; npm ci runs it)`);
    const logGroup = new logs.LogGroup(this, 'DeployLogs', { retention: settings.logRetention, encryptionKey: props.logsKey, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${settings.prefix}: copies the built console into its bucket`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    const common = {
      destinationBucket: site.bucket,
      destinationKeyPrefix: `${consolePath.slice(1)}/`,
      role,
      logGroup,
      memoryLimit: 512,
      // Old hashed assets stay: a tab still running the previous build can load its lazy chunks.
      prune: false,
    } as const;
    const assets = new s3deploy.BucketDeployment(this, 'Files', {
      ...common,
      sources: [s3deploy.Source.asset(props.consoleDir, { exclude: ['index.html', '.vite', '.vite/**'] })],
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const entry = new s3deploy.BucketDeployment(this, 'EntryAndConfig', {
      ...common,
      sources: [
        s3deploy.Source.asset(props.consoleDir, { exclude: ['*', '!index.html'] }),
        s3deploy.Source.jsonData('config.json', { ...props.config, scopes: [...props.config.scopes] }),
      ],
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: site.distribution,
      distributionPaths: [`${consolePath}/*`],
    });
    // index.html names the new assets: they are in the bucket before it.
    entry.node.addDependency(assets);
    if (settings.partition === 'aws-cn') {
      const html = fs.readFileSync(indexHtml, 'utf8');
      // Keys at the bucket root: `console` (the entry, /console) and console/<route> for each fixed route.
      const { destinationKeyPrefix: _prefix, ...rootCommon } = common;
      const routes = new s3deploy.BucketDeployment(this, 'RouteEntries', {
        ...rootCommon,
        sources: [consolePath.slice(1), ...fixedConsoleRoutes.map((route) => `${consolePath.slice(1)}/${route}`)].map((key) => s3deploy.Source.data(key, html)),
        contentType: 'text/html; charset=utf-8',
        cacheControl: [s3deploy.CacheControl.noCache()],
      });
      routes.node.addDependency(assets);
    }

    const fn = 'CDK\'s BucketDeployment function (not a manifest function) runs only during a deploy, to copy the built console';
    const stack = Stack.of(this);
    acknowledge(this, ['AwsSolutions-L1'], `${fn}; its Python runtime is the one aws-cdk-lib ships and tests it with.`);
    acknowledge(this, ['NIST.800.53.R5-LambdaConcurrency'], `${fn}; CloudFormation invokes it once per deployment, so no concurrency to reserve.`);
    acknowledge(this, ['NIST.800.53.R5-LambdaDLQ'], `${fn}; CloudFormation calls it synchronously and fails the deploy on an error, so there is no asynchronous event to keep.`);
    acknowledge(this, ['NIST.800.53.R5-LambdaInsideVPC'], `${fn}; it talks only to the S3 and CloudFront APIs and holds no data, so a VPC adds nothing but NAT cost.`);
    acknowledge(
      role,
      ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`),
      `${fn}: the action groups BucketDeployment grants to read its asset and write the console bucket (grantRead/grantReadWrite), on those two buckets only.`,
    );
    acknowledge(
      role,
      [
        `AwsSolutions-IAM5[Resource::arn:${stack.partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*]`,
        `AwsSolutions-IAM5[Resource::<referenceto${Names.uniqueId(site.bucket.node.defaultChild!)}Arn>/*]`,
      ],
      `${fn}: it reads the console's zipped asset from the CDK bootstrap bucket and writes objects of the console bucket only.`,
    );
    acknowledge(role, ['AwsSolutions-IAM5[Resource::*]'], `${fn}: cloudfront:CreateInvalidation/GetInvalidation of the console distribution support no resource-level permission.`);
  }
}

/** The console build folder of a checkout. */
export const consoleDirOf = (projectRoot: string) => path.join(projectRoot, 'dist', 'console');
