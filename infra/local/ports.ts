/**
 * Loopback ports of the local cloud. `npm start` uses base 4100; the
 * integration tests use their own base (CHENGGUO_PORT_BASE) and data folder,
 * so they run while a demo cloud is up.
 */
export interface LocalPorts {
  readonly api: number;
  readonly s3: number;
  readonly dynamodb: number;
  readonly sfn: number;
  readonly smtp: number;
  readonly inbox: number;
}

export function localPorts(base = Number(process.env['CHENGGUO_PORT_BASE'] ?? 4100)): LocalPorts {
  return { api: base, s3: base + 1, dynamodb: base + 2, sfn: base + 3, smtp: base + 4, inbox: base + 5 };
}

export const localRegion = 'cn-north-1';
export const localAccount = '000000000000';
/** Audience of the local issuer's tokens (the Cognito app client id on AWS). */
export const localAudience = 'chengguo-local';

/** Table and bucket names in the local cloud (CDK generates its own on AWS). */
export const localTableName = (t: string) => `chengguo-${t}`;
export const localBucketName = (b: string) => `chengguo-${b}`;
