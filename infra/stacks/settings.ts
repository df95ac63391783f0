/**
 * Deployment settings, read once from CDK context (cdk.json or `-c key=value`).
 * Everything has an offline default so that `npm run synth` needs no AWS
 * account, no credentials and no network, for `aws` and for `aws-cn`. The
 * defaults that stand in for a department's own values (the mail domain
 * example.gov.cn, the placeholder issuer, the relay smtp.example.gov.cn) are
 * accepted only with `-c demo=true` (what `npm run synth` passes; each stack
 * then carries a warning saying so): any other synth — a deploy of a named
 * stage — refuses them with an error that names the context key to set.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { parsePublicPlatforms, type PublicPlatform } from '#shared/publication/announce.ts';

export type Partition = 'aws' | 'aws-cn';

export interface OidcSettings {
  /** https issuer (the `iss` claim); the JWKS lives at jwksUrl. */
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** True when no issuer was given and a documented placeholder stands in (aws-cn). */
  readonly placeholder: boolean;
}

export interface DeploySettings {
  readonly partition: Partition;
  readonly stage: string;
  /** Undefined (the default) = account-agnostic stacks: the deploying credentials decide. */
  readonly account: string | undefined;
  readonly region: string;
  readonly backupRegion: string;
  /** Resource-name prefix: chengguo-<stage>. */
  readonly prefix: string;
  /** External OIDC issuer; undefined = a Cognito user pool (aws partition only). */
  readonly oidc: OidcSettings | undefined;
  readonly mail:
    | { readonly transport: 'ses'; readonly domain: string; readonly from: string }
    | { readonly transport: 'smtp'; readonly from: string; readonly host: string; readonly port: number };
  /** Base URL of the links in emails; undefined = the HTTP API's own URL. */
  readonly appBaseUrl: string | undefined;
  /** R14.2: the external public platforms every release is announced to (-c publicPlatforms='[{"name","email"}]'; default none). */
  readonly publicPlatforms: readonly PublicPlatform[];
  /** Sign-in (docs/sign-in.md): the Cognito hosted sign-in domain prefix (aws) and the CLI's loopback redirect. */
  readonly signIn: { readonly cognitoDomainPrefix: string; readonly cliRedirectUri: string };
  readonly logRetention: RetentionDays;
  /** Default Object Lock retention of every custody object version (and its backup replica). */
  readonly custodyRetentionDays: number;
  /** Days after which an unfinished multipart upload to the uploads bucket is aborted. */
  readonly uploadAbortDays: number;
  /** `-c demo=true`: placeholders allowed (offline synth); the stacks warn that they are not deployable. */
  readonly demo: boolean;
  /** The placeholder values in use (empty outside demo: a placeholder there fails the synth). */
  readonly placeholders: readonly string[];
  /** Where the alarms are emailed (`-c alarmEmail=…`); the SNS topic has no subscription without it. */
  readonly alarmEmail: string | undefined;
  /** Noncurrent versions of the uploads and published buckets expire after this many days. */
  readonly noncurrentVersionDays: number;
  /** Daily AWS Backup recovery points of the tables are kept this long (vault lock minimum). */
  readonly backupRetentionDays: number;
  /** Where the alarm descriptions point: docs/runbooks.md in the repository, or `-c runbookUrl=https://…`. */
  readonly runbookUrl: string;
  /** The public catalogue's CloudFront front (aws only): custom domain, its ACM certificate and WAF web ACL (both us-east-1). */
  readonly publicSite: {
    readonly domain?: string | undefined;
    readonly certificateArn?: string | undefined;
    readonly webAclArn?: string | undefined;
    /**
     * R17.2: the PEM public key (RSA 2048) of the operator's download signing key pair (`-c downloadPublicKey=…`,
     * docs/deploy.md). Given (aws only): the public site serves releases/ to CloudFront signed URLs of its key group
     * and DownloadReleaseFile signs them with the private key from Secrets Manager; absent: presigned S3 GETs.
     */
    readonly downloadPublicKey?: string | undefined;
  };
  /**
   * The console and the API on one site (CloudFront; issue 13 hosting): the custom domain and its certificate —
   * aws: an ACM certificate in us-east-1 (both optional: *.cloudfront.net without them); aws-cn: an ICP-filed
   * domain and an IAM server certificate id (CloudFront in China serves only filed domains and takes no ACM
   * certificate), whose stand-ins are accepted in a demo synth only.
   */
  readonly consoleSite: {
    readonly domain: string | undefined;
    readonly certificate: { readonly acmArn: string } | { readonly iamCertificateId: string } | undefined;
  };
  /** The WAF in front of both CloudFront sites (aws only: CLOUDFRONT scope, stack in us-east-1): requests per IP per 5 minutes. */
  readonly waf: { readonly region: string; readonly rateLimitPer5Minutes: number };
}

/**
 * The default partition is aws-cn (Beijing, backed up in Ningxia): survey
 * results are PRC government data and stay in the PRC. aws: Singapore, backed up to Tokyo. Hong Kong (ap-east-1) has Cognito but no
 * SES (CloudFormation's own validation refuses AWS::SES::EmailIdentity there);
 * it can still be chosen with `-c region=ap-east-1 -c mailTransport=smtp`.
 */
const defaultRegions: Record<Partition, { region: string; backupRegion: string }> = {
  aws: { region: 'ap-southeast-1', backupRegion: 'ap-northeast-1' },
  'aws-cn': { region: 'cn-north-1', backupRegion: 'cn-northwest-1' },
};

/**
 * Placeholder issuer for aws-cn, where Cognito user pools are not offered:
 * synth works, and a deployment must pass the department's own IdP with
 * `-c oidcIssuer=… -c oidcAudience=… [-c oidcJwksUrl=…]` (a warning says so).
 */
export const placeholderCnIssuer = 'https://idp.example.gov.cn/realms/chengguo';
export const placeholderCnAudience = 'chengguo';
/** Stand-ins for the console's ICP-filed domain and IAM server certificate on aws-cn (demo synth only). */
export const placeholderConsoleDomain = 'console.example.gov.cn';
export const placeholderIamCertificateId = 'ASCAPLACEHOLDERCERTIFICATE';

function text(node: Node, key: string): string | undefined {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`context ${key}: expected a string, got ${typeof v}`);
  return String(v);
}

function integer(node: Node, key: string, fallback: number, min: number, max: number): number {
  const raw = text(node, key);
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`context ${key}: expected an integer in ${min}..${max}, got ${raw}`);
  return v;
}

/**
 * Hosts that can never be a department's own: the project's stand-in
 * example.gov.cn and the names reserved for examples and tests (RFC 2606, RFC 6761).
 */
export function isPlaceholderHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const under = (d: string) => h === d || h.endsWith(`.${d}`);
  return ['example.gov.cn', 'example.com', 'example.net', 'example.org', 'example', 'test', 'invalid', 'localhost'].some(under);
}

function hostOf(value: string): string {
  if (value.includes('@')) return value.slice(value.lastIndexOf('@') + 1);
  try {
    return new URL(value).hostname;
  } catch {
    return value;
  }
}

function flag(node: Node, key: string): boolean {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '' || v === false || v === 'false') return false;
  if (v === true || v === 'true') return true;
  throw new Error(`context ${key}: expected true or false, got ${String(v)}`);
}

function httpsUrl(key: string, value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'https:') throw new Error(`context ${key}: the JWT authorizer needs an https URL, got ${value}`);
  return value.replace(/\/+$/, '');
}

export function settingsFromContext(node: Node): DeploySettings {
  const partition = text(node, 'partition') ?? 'aws-cn';
  if (partition !== 'aws' && partition !== 'aws-cn') throw new Error(`context partition: expected aws or aws-cn, got ${partition}`);
  const stage = text(node, 'stage') ?? 'prod';
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(stage)) throw new Error(`context stage: lower-case letters, digits and '-', at most 12, got ${stage}`);
  const region = text(node, 'region') ?? defaultRegions[partition].region;
  const backupRegion = text(node, 'backupRegion') ?? defaultRegions[partition].backupRegion;
  for (const [key, r] of [['region', region], ['backupRegion', backupRegion]] as const) {
    if (r.startsWith('cn-') !== (partition === 'aws-cn')) throw new Error(`context ${key}: ${r} is not in partition ${partition}`);
  }
  if (region === backupRegion) throw new Error('context backupRegion: the custody backup must be in a second region (R10.1)');
  // CDK_DEFAULT_ACCOUNT is deliberately ignored: the templates are the same
  // with or without credentials, and deploy into the credentials' account.
  const account = text(node, 'account');
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new Error(`context account: 12 digits, got ${account}`);

  const issuer = text(node, 'oidcIssuer');
  let oidc: OidcSettings | undefined;
  if (issuer !== undefined || partition === 'aws-cn') {
    const iss = httpsUrl('oidcIssuer', issuer ?? placeholderCnIssuer);
    oidc = {
      issuer: iss,
      audience: text(node, 'oidcAudience') ?? placeholderCnAudience,
      jwksUrl: httpsUrl('oidcJwksUrl', text(node, 'oidcJwksUrl') ?? `${iss}/.well-known/jwks.json`),
      placeholder: issuer === undefined,
    };
  }

  const mailDomain = text(node, 'mailDomain') ?? 'example.gov.cn';
  const from = text(node, 'mailFrom') ?? `noreply@${mailDomain}`;
  // AWS China regions have no SES: SMTP there, and wherever mailTransport=smtp.
  const transport = text(node, 'mailTransport') ?? (partition === 'aws' ? 'ses' : 'smtp');
  if (transport !== 'ses' && transport !== 'smtp') throw new Error(`context mailTransport: expected ses or smtp, got ${transport}`);
  if (transport === 'ses' && partition === 'aws-cn') throw new Error('context mailTransport: SES is not offered in the aws-cn partition; use smtp');
  const mail: DeploySettings['mail'] =
    transport === 'ses'
      ? { transport: 'ses', domain: mailDomain, from }
      : { transport: 'smtp', from, host: text(node, 'smtpHost') ?? `smtp.${mailDomain}`, port: integer(node, 'smtpPort', 465, 1, 65535) };

  const alarmEmail = text(node, 'alarmEmail');
  if ((text(node, 'publicDomain') === undefined) !== (text(node, 'publicCertificateArn') === undefined)) {
    throw new Error('context publicDomain and publicCertificateArn: give both (the ACM certificate of the domain, in us-east-1) or neither');
  }
  const downloadPublicKey = text(node, 'downloadPublicKey')?.replace(/\\n/g, '\n');
  if (downloadPublicKey !== undefined) {
    if (partition !== 'aws') throw new Error('context downloadPublicKey: CloudFront signed downloads are built in the aws partition only (aws-cn serves downloads as presigned S3 URLs; docs/deploy.md)');
    if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n?$/.test(downloadPublicKey.trim() + '\n')) {
      throw new Error('context downloadPublicKey: the PEM public key (-----BEGIN PUBLIC KEY-----) of the download signing key pair (docs/deploy.md)');
    }
  }
  const consoleSite = consoleSiteFromContext(node, partition);
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) throw new Error(`context alarmEmail: an email address, got ${alarmEmail}`);

  // Values that stand in for the department's own: allowed only in a demo synth.
  const demo = flag(node, 'demo');
  const candidates: Array<[string, string | undefined]> = [
    ['mailDomain', mail.transport === 'ses' ? mail.domain : undefined],
    ['mailFrom', mail.from],
    ['smtpHost', mail.transport === 'smtp' ? mail.host : undefined],
    ['oidcIssuer', oidc?.issuer],
    ['oidcJwksUrl', oidc?.jwksUrl],
    ['appBaseUrl', text(node, 'appBaseUrl')],
    ['publicDomain', text(node, 'publicDomain')],
    ['alarmEmail', alarmEmail],
    ['consoleDomain', consoleSite.domain],
  ];
  const placeholders = candidates.flatMap(([key, v]) => (v !== undefined && isPlaceholderHost(hostOf(v)) ? [`${key}=${v}`] : []));
  if (consoleSite.certificate && 'iamCertificateId' in consoleSite.certificate && consoleSite.certificate.iamCertificateId === placeholderIamCertificateId) {
    placeholders.push(`consoleCertificateId=${placeholderIamCertificateId}`);
  }
  if (!demo && placeholders.length > 0) {
    throw new Error(
      `stage ${stage}: placeholder values cannot be deployed — ${placeholders.join(', ')}. ` +
        'Pass the department\'s own with -c key=value (docs/deploy.md), or -c demo=true for an offline demo synth that is not deployable. ' +
        `(阶段 ${stage} 含占位值，不能部署：请按 docs/deploy.md 以 -c 传入本单位的真实值)`,
    );
  }

  const retention = integer(node, 'logRetentionDays', RetentionDays.ONE_YEAR, 1, RetentionDays.TEN_YEARS);
  if (!Object.values(RetentionDays).includes(retention)) throw new Error(`context logRetentionDays: not a CloudWatch Logs retention, got ${retention}`);

  // Cognito accepts plain http only for localhost, and matches the port exactly: a fixed port on aws.
  // Other issuers (aws-cn) may allow any loopback port (RFC 8252 §7.3): the CLI then picks a free one.
  const cliRedirectUri = text(node, 'cliRedirectUri') ?? (oidc ? 'http://127.0.0.1/callback' : 'http://localhost:53682/callback');
  const cli = new URL(cliRedirectUri);
  if (cli.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(cli.hostname)) throw new Error(`context cliRedirectUri: a loopback http URL (RFC 8252), got ${cliRedirectUri}`);
  const cognitoDomainPrefix = text(node, 'cognitoDomainPrefix') ?? `chengguo-${stage}`;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(cognitoDomainPrefix) || /aws|amazon|cognito/.test(cognitoDomainPrefix)) {
    throw new Error(`context cognitoDomainPrefix: lower-case letters, digits and '-', without aws/amazon/cognito, got ${cognitoDomainPrefix}`);
  }

  return {
    partition,
    stage,
    account,
    region,
    backupRegion,
    prefix: `chengguo-${stage}`,
    oidc,
    mail,
    appBaseUrl: text(node, 'appBaseUrl'),
    publicPlatforms: publicPlatformsFromContext(text(node, 'publicPlatforms')),
    signIn: { cognitoDomainPrefix, cliRedirectUri },
    logRetention: retention as RetentionDays,
    custodyRetentionDays: integer(node, 'custodyRetentionDays', 3650, 1, 36500),
    uploadAbortDays: integer(node, 'uploadAbortDays', 7, 1, 7),
    demo,
    placeholders,
    alarmEmail,
    noncurrentVersionDays: integer(node, 'noncurrentVersionDays', 90, 1, 3650),
    backupRetentionDays: integer(node, 'backupRetentionDays', 35, 7, 36500),
    runbookUrl: text(node, 'runbookUrl') ?? 'docs/runbooks.md',
    publicSite: { domain: text(node, 'publicDomain'), certificateArn: text(node, 'publicCertificateArn'), webAclArn: text(node, 'publicWebAclArn'), ...(downloadPublicKey ? { downloadPublicKey: downloadPublicKey.trim() + '\n' } : {}) },
    consoleSite,
    waf: { region: 'us-east-1', rateLimitPer5Minutes: integer(node, 'wafRateLimit', 2000, 10, 2_000_000_000) },
  };
}

/**
 * consoleDomain with consoleCertificateArn (aws, ACM in us-east-1) or consoleCertificateId (aws-cn, IAM
 * server certificate). aws-cn needs both — CloudFront in China serves only an ICP-filed domain — and falls
 * back to stand-ins that only a demo synth accepts.
 */
function consoleSiteFromContext(node: Node, partition: Partition): DeploySettings['consoleSite'] {
  const domain = text(node, 'consoleDomain');
  const acmArn = text(node, 'consoleCertificateArn');
  const iamCertificateId = text(node, 'consoleCertificateId');
  if (partition === 'aws') {
    if (iamCertificateId !== undefined) throw new Error('context consoleCertificateId: an IAM server certificate is for aws-cn; on aws give consoleCertificateArn (ACM, us-east-1)');
    if ((domain === undefined) !== (acmArn === undefined)) {
      throw new Error('context consoleDomain and consoleCertificateArn: give both (the ACM certificate of the domain, in us-east-1) or neither');
    }
    if (acmArn !== undefined && !/^arn:aws:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(acmArn)) {
      throw new Error(`context consoleCertificateArn: CloudFront takes an ACM certificate in us-east-1, got ${acmArn}`);
    }
    return { domain, certificate: acmArn ? { acmArn } : undefined };
  }
  if (acmArn !== undefined) throw new Error('context consoleCertificateArn: CloudFront in the China regions takes no ACM certificate; import it into IAM and give consoleCertificateId');
  if (domain !== undefined && !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain)) throw new Error(`context consoleDomain: a domain name, got ${domain}`);
  return { domain: domain ?? placeholderConsoleDomain, certificate: { iamCertificateId: iamCertificateId ?? placeholderIamCertificateId } };
}

/** -c publicPlatforms: the PUBLIC_PLATFORMS JSON, validated at synth (a bad one fails the synth naming the key). */
function publicPlatformsFromContext(raw: string | undefined): readonly PublicPlatform[] {
  try {
    return parsePublicPlatforms(raw);
  } catch (error) {
    throw new Error(`context publicPlatforms: ${(error as Error).message}`);
  }
}
