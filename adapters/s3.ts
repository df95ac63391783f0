import { S3Client } from '@aws-sdk/client-s3';
import { bucketEnv, requireEnv, type BucketName } from '#adapters/config.ts';

/**
 * One S3 client per process.
 *
 * The endpoint comes from the SDK's standard AWS_ENDPOINT_URL_S3 (or the
 * global AWS_ENDPOINT_URL) when set — the local cloud — else AWS. With a
 * custom endpoint we switch to path-style addressing: the SDK's default,
 * virtual-hosted style, puts the bucket in the host name
 * (`chengguo-uploads.127.0.0.1`), which does not resolve on a laptop. The
 * JS SDK v3 has no environment variable for this (AWS_S3_FORCE_PATH_STYLE
 * is not one), so the factory decides from the endpoint variable. On AWS no
 * endpoint variable is set and requests stay virtual-hosted, as S3 prefers.
 */
let client: S3Client | undefined;
export function s3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  client ??= new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']) });
  return client;
}

/** The bucket's real name (CDK-generated on AWS), from its environment variable. */
export function bucketName(bucket: BucketName, env: NodeJS.ProcessEnv = process.env): string {
  return requireEnv(bucketEnv[bucket], env);
}
