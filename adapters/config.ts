/**
 * Environment, validated once at cold start: a missing variable fails loudly.
 * The variable names are the contract between the CDK function construct,
 * the local cloud and the handlers.
 */
export const envNames = {
  registryTable: 'REGISTRY_TABLE_NAME',
  logsTable: 'LOGS_TABLE_NAME',
  uploadsBucket: 'UPLOADS_BUCKET_NAME',
  custodyBucket: 'CUSTODY_BUCKET_NAME',
  backupBucket: 'BACKUP_BUCKET_NAME',
  publishedBucket: 'PUBLISHED_BUCKET_NAME',
  documentsBucket: 'DOCUMENTS_BUCKET_NAME',
  jwtIssuer: 'JWT_ISSUER',
  jwtJwksUrl: 'JWT_JWKS_URL',
  jwtAudience: 'JWT_AUDIENCE',
  mailTransport: 'MAIL_TRANSPORT',
  mailFrom: 'MAIL_FROM',
  smtpHost: 'SMTP_HOST',
  smtpPort: 'SMTP_PORT',
  /** ARN of the Secrets Manager secret {"username","password"} of the relay, read at run time (never the password itself). */
  smtpCredentialsSecret: 'SMTP_CREDENTIALS_SECRET_ARN',
  /** The one function that sends mail (SendMail, `deliversMail`); every other mail-sending function hands its messages to it (issue 10). */
  mailFunction: 'MAIL_FUNCTION',
  appBaseUrl: 'APP_BASE_URL',
  /** R14.2: the external public platforms every release is announced to, JSON `[{"name","email"}]` (absent or `[]`: none). */
  publicPlatforms: 'PUBLIC_PLATFORMS',
  /** The OpenID Connect issuer people sign in with (Cognito user pool, the aws-cn issuer, the local issuer). */
  oidcIssuer: 'OIDC_ISSUER',
  /** The public app client (no secret; authorization code + PKCE) of the pages and the CLI. */
  oidcClientId: 'OIDC_CLIENT_ID',
  /** The CLI's loopback redirect URI; a port of 0 (or none) = any port (RFC 8252 §7.3). */
  oidcCliRedirectUri: 'OIDC_CLI_REDIRECT_URI',
  /** Where a page sends a user who is not signed in (the system's own /auth/sign-in). */
  signInUrl: 'SIGN_IN_URL',
  signInAccounts: 'SIGN_IN_ACCOUNTS',
  userPoolId: 'USER_POOL_ID',
  /** R17.2 on AWS: the public site's CloudFront domain that serves releases/ to signed URLs only (absent: presigned S3 GETs). */
  downloadDomain: 'DOWNLOAD_DISTRIBUTION_DOMAIN',
  /** The CloudFront public key's id (the signed URL's Key-Pair-Id), a member of the behaviour's trusted key group. */
  downloadKeyPairId: 'DOWNLOAD_KEY_PAIR_ID',
  /** Name of the Secrets Manager secret holding the matching RSA private key (PEM), read at run time (the operator creates it: docs/deploy.md). */
  downloadSigningKeySecret: 'DOWNLOAD_SIGNING_KEY_SECRET',
} as const;

export const tableEnv = { registry: envNames.registryTable, logs: envNames.logsTable } as const;
export const bucketEnv = {
  uploads: envNames.uploadsBucket,
  custody: envNames.custodyBucket,
  backup: envNames.backupBucket,
  published: envNames.publishedBucket,
  documents: envNames.documentsBucket,
} as const;

/** The tables and buckets by name (infra/manifest.ts grants them; the adapters resolve them from the environment). */
export type TableName = keyof typeof tableEnv;
export type BucketName = keyof typeof bucketEnv;
export type Access = 'read' | 'readWrite';

/**
 * A stream's key filter (infra/manifest.ts `StreamDef.keys`): only records whose
 * pk starts with `pkPrefix` and, when given, whose sk equals `sk`.
 */
export interface StreamKeys {
  readonly pkPrefix: string;
  readonly sk?: string;
}

/** PING → PING_STATE_MACHINE_ARN; DailyBulletin → DAILY_BULLETIN_STATE_MACHINE_ARN */
export function stateMachineEnv(name: string): string {
  return `${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}_STATE_MACHINE_ARN`;
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (v === undefined || v === '') {
    throw new Error(`环境变量 ${name} 未设置 (missing environment variable ${name})`);
  }
  return v;
}
