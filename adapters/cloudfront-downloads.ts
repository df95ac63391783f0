import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import type { ReleaseFileStore } from '#shared/publication/publish.ts';
import { envNames } from './config.ts';
import { releaseFilesFromEnv } from './s3-release-files.ts';

/**
 * R17.2 on AWS: a public download is a CloudFront signed URL (canned policy: `Expires`, `Signature`,
 * `Key-Pair-Id`) on the public site's distribution, whose `releases/*` behaviour trusts one key group and reads
 * the published bucket through origin access control (infra/constructs/public-site.ts). The private key (RSA,
 * PEM) is the operator's, generated at deploy time and kept in Secrets Manager (docs/deploy.md); this function
 * reads it once per cold start. Locally and in aws-cn (no CloudFront key groups there: docs/deploy.md) the
 * download stays a presigned S3 GET (adapters/s3-release-files.ts) — chosen by the settings' environment, as
 * the other partition-dependent adapters are.
 */
export class CloudFrontSignedDownloads implements Pick<ReleaseFileStore, 'presignGet'> {
  constructor(
    private readonly domain: string,
    private readonly keyPairId: string,
    private readonly privateKey: () => Promise<string>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async presignGet(key: string, opts: { expiresInSeconds: number; filename: string; contentType: string }): Promise<string> {
    const ascii = opts.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    const path = key.split('/').map(encodeURIComponent).join('/');
    // S3 honours response-* overrides on the origin request that OAC signs; the behaviour's cache policy keys on (and forwards) these two.
    const query = new URLSearchParams({
      'response-content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(opts.filename)}`,
      'response-content-type': opts.contentType,
    });
    const seconds = Math.min(opts.expiresInSeconds, 3600);
    return getSignedUrl({
      url: `https://${this.domain}/${path}?${query.toString()}`,
      keyPairId: this.keyPairId,
      privateKey: await this.privateKey(),
      dateLessThan: new Date(this.now().getTime() + seconds * 1000),
    });
  }
}

/** The part of the Secrets Manager client used here (a fake in the unit test). */
export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

/** The signing key from Secrets Manager, read once (a failed read is retried on the next request). */
export function secretPrivateKey(secretId: string, client: SecretReader = new SecretsManagerClient({})): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    key ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
      const pem = out.SecretString ?? '';
      if (!pem.includes('PRIVATE KEY')) throw new Error(`下载签名私钥 ${secretId} 应为 PEM 格式的 RSA 私钥 (the download signing secret must hold the RSA private key in PEM; docs/deploy.md)`);
      return pem;
    });
    key.catch(() => (key = undefined));
    return key;
  };
}

/** CloudFront signed URLs when the stage configured them (aws with a download key), else presigned S3 GETs. */
export function downloadSignerFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<ReleaseFileStore, 'presignGet'> {
  const domain = env[envNames.downloadDomain];
  if (!domain) return releaseFilesFromEnv(env);
  const keyPairId = env[envNames.downloadKeyPairId];
  const secret = env[envNames.downloadSigningKeySecret];
  if (!keyPairId || !secret) throw new Error(`${envNames.downloadDomain} 已设置，但缺少 ${envNames.downloadKeyPairId} 或 ${envNames.downloadSigningKeySecret} (CloudFront downloads need the key pair id and the signing key secret)`);
  return new CloudFrontSignedDownloads(domain, keyPairId, secretPrivateKey(secret));
}
