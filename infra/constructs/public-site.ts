/**
 * The public catalogue on the web (R9.3, issue 11): a CloudFront
 * distribution whose only origin is the `public-catalogue/` prefix of the
 * published bucket, read through origin access control (OAC). The bucket
 * policy and key policy that let CloudFront read live with the bucket and
 * key in the stateful stack (`allowPublicCatalogueReads`), scoped to that
 * prefix and to distributions of this account — a reference to this
 * distribution's id there would make the stateful stack depend on this one.
 *
 * Security headers on every response (HSTS, nosniff, frame DENY, a strict
 * CSP for the static pages, no referrer); HTTPS only, TLS 1.2+. A custom
 * domain (`-c publicDomain=… -c publicCertificateArn=…`, the ACM certificate
 * in us-east-1) and a WAF web ACL (`-c publicWebAclArn=…`, CLOUDFRONT scope,
 * us-east-1) are attached when given: both live outside the stage's regions.
 *
 * aws partition only: CloudFront in the China regions is a separate service
 * that needs an ICP filing (备案) of the domain before it serves anything;
 * docs/deploy.md says how the catalogue is served there.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export const publicCataloguePath = 'public-catalogue';

export interface PublicSiteProps {
  readonly prefix: string;
  /** The published bucket, by its deterministic name and region. */
  readonly bucketName: string;
  readonly bucketRegion: string;
  readonly domain?: string | undefined;
  readonly certificateArn?: string | undefined;
  readonly webAclArn?: string | undefined;
  /** Where CloudFront writes its access logs (an ACL-enabled bucket, as CloudFront standard logging requires). */
  readonly logBucket: s3.IBucket;
  /** R17.2: the PEM public key of the download signing key pair; given, releases/* is served to signed URLs of its key group only. */
  readonly downloadPublicKey?: string | undefined;
}

/** The published bucket's prefix of released files (shared/publication/keys.ts `releasesPrefix`). */
export const releasesPath = 'releases';

export class PublicSite extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** R17.2: the public key whose id signed download URLs carry (Key-Pair-Id); undefined without -c downloadPublicKey. */
  readonly downloadKey: cloudfront.PublicKey | undefined;

  constructor(scope: Construct, id: string, props: PublicSiteProps) {
    super(scope, id);
    const bucket = s3.Bucket.fromBucketAttributes(this, 'Published', { bucketName: props.bucketName, region: props.bucketRegion });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `${props.prefix}-public-catalogue-security`,
      comment: 'chengguo public catalogue: security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          override: true,
        },
      },
    });
    const certificate = props.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.prefix} 成果公开目录 (public catalogue, R9.3)`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        // originPath: the distribution can ask for nothing outside public-catalogue/.
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket, { originPath: `/${publicCataloguePath}`, originAccessLevels: [cloudfront.AccessLevel.READ] }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'public-catalogue/',
      ...(props.domain && certificate ? { domainNames: [props.domain], certificate } : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    // ---- R17.2: released files, to CloudFront signed URLs only (the download function signs them; docs/deploy.md) ----
    if (props.downloadPublicKey) {
      this.downloadKey = new cloudfront.PublicKey(this, 'DownloadKey', {
        publicKeyName: `${props.prefix}-downloads`,
        comment: 'chengguo public downloads (R17.2): verifies the signed URLs of DownloadReleaseFile',
        encodedKey: props.downloadPublicKey,
      });
      const keyGroup = new cloudfront.KeyGroup(this, 'DownloadKeyGroup', { keyGroupName: `${props.prefix}-downloads`, items: [this.downloadKey] });
      // The file name and type the download function asks S3 for (response-* overrides) are part of the signed URL and the cache key.
      const cachePolicy = new cloudfront.CachePolicy(this, 'DownloadCache', {
        cachePolicyName: `${props.prefix}-downloads`,
        comment: 'chengguo released files: keyed on the path and the response-* overrides',
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList('response-content-disposition', 'response-content-type'),
        headerBehavior: cloudfront.CacheHeaderBehavior.none(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        defaultTtl: Duration.hours(1),
        maxTtl: Duration.days(1),
        minTtl: Duration.seconds(0),
      });
      this.distribution.addBehavior(`${releasesPath}/*`, origins.S3BucketOrigin.withOriginAccessControl(bucket, { originAccessLevels: [cloudfront.AccessLevel.READ] }), {
        trustedKeyGroups: [keyGroup],
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy,
        responseHeadersPolicy: headers,
        compress: false,
      });
    } else {
      this.downloadKey = undefined;
    }
    acknowledge(
      this.distribution,
      ['AwsSolutions-CFR1'],
      'The public catalogue is published for everyone by regulation (R9.3: the national and provincial catalogues are made public); a geo restriction would withhold it from the public it is published for.',
    );
    if (!props.webAclArn) {
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR2'],
        'A CLOUDFRONT-scope WAF web ACL must be created in us-east-1, outside this stage; it is attached with -c publicWebAclArn=… (docs/deploy.md). The origin is static, read-only and GET/HEAD only.',
      );
    }
    if (!certificate) {
      acknowledge(
        this.distribution,
        ['AwsSolutions-CFR4'],
        'Without -c publicDomain/publicCertificateArn the distribution uses the *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes; minimumProtocolVersion TLSv1.2_2021 applies as soon as the department domain is attached (docs/deploy.md).',
      );
    }
  }
}

/**
 * R17.2 (aws, with -c downloadPublicKey): CloudFront (OAC) of this account may read objects under releases/ — the
 * public site's signed-URL behaviour; the storage key's CloudFront statement (allowPublicCatalogueReads) covers the
 * decryption. Like the catalogue's statement it names the account's distributions, not this one's id: the stateful
 * stack is deployed first and must not depend on the stateless one.
 */
export function allowReleaseDownloads(bucket: s3.IBucket): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ReleaseDownloadsViaCloudFront',
      principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${releasesPath}/*`)],
      conditions: { StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*` } },
    }),
  );
}

/**
 * The published bucket's side (stateful stack): CloudFront (OAC) of this
 * account may read objects under public-catalogue/ only, and decrypt them
 * with the storage key through S3 only.
 */
export function allowPublicCatalogueReads(bucket: s3.IBucket, key: kms.IKey): void {
  const distributions = `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*`;
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'PublicCatalogueViaCloudFront',
      principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${publicCataloguePath}/*`)],
      conditions: { StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'AWS:SourceArn': distributions } },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'PublicCatalogueViaCloudFront',
      principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID, 'kms:ViaService': `s3.${Stack.of(bucket).region}.${Aws.URL_SUFFIX}` },
        ArnLike: { 'AWS:SourceArn': distributions },
      },
    }),
  );
}
