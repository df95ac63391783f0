/**
 * Deployment settings, read once from CDK context (cdk.json or `-c key=value`).
 * Everything has an offline default so that `npm run synth` needs no AWS
 * account, no credentials and no network, for `aws` and for `aws-cn`.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

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
  /** Sign-in (docs/sign-in.md): the Cognito hosted sign-in domain prefix (aws) and the CLI's loopback redirect. */
  readonly signIn: { readonly cognitoDomainPrefix: string; readonly cliRedirectUri: string };
  readonly logRetention: RetentionDays;
  /** Default Object Lock retention of every custody object version (and its backup replica). */
  readonly custodyRetentionDays: number;
  /** Days after which an unfinished multipart upload to the uploads bucket is aborted. */
  readonly uploadAbortDays: number;
}

/**
 * aws: Singapore, backed up to Tokyo. Hong Kong (ap-east-1) has Cognito but no
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

function httpsUrl(key: string, value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'https:') throw new Error(`context ${key}: the JWT authorizer needs an https URL, got ${value}`);
  return value.replace(/\/+$/, '');
}

export function settingsFromContext(node: Node): DeploySettings {
  const partition = text(node, 'partition') ?? 'aws';
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
    signIn: { cognitoDomainPrefix, cliRedirectUri },
    logRetention: retention as RetentionDays,
    custodyRetentionDays: integer(node, 'custodyRetentionDays', 3650, 1, 36500),
    uploadAbortDays: integer(node, 'uploadAbortDays', 7, 1, 7),
  };
}
