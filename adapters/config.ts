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
  appBaseUrl: 'APP_BASE_URL',
} as const;

export const tableEnv = { registry: envNames.registryTable, logs: envNames.logsTable } as const;
export const bucketEnv = {
  uploads: envNames.uploadsBucket,
  custody: envNames.custodyBucket,
  backup: envNames.backupBucket,
  published: envNames.publishedBucket,
  documents: envNames.documentsBucket,
} as const;

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
