import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReleaseFileStore } from '#shared/publication/publish.ts';
import { S3CopyIntoCustody } from './s3-custody.ts';
import { storedChecksumsTrusted } from './s3-byte-source.ts';
import { bucketEnv } from '#adapters/config.ts';
import { bucketName } from './s3.ts';

/**
 * The published bucket's `releases/` prefix (R17.2). Copies reuse the custody copy (S3CopyIntoCustody: one
 * CopyObject up to 5 GiB, UploadPartCopy ranges above it, If-None-Match: *, confirmed against the verified
 * SHA-256), with the uploads bucket as the source and the published bucket as the target: no byte passes
 * through the function. Downloads are presigned GETs (SigV4 query string, `response-content-disposition`
 * so the browser saves the file under its name); Range requests go to S3 with the same URL.
 */
let client: S3Client | undefined;
function releaseClient(env: NodeJS.ProcessEnv): S3Client {
  client ??= new S3Client({
    forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return client;
}

export class S3ReleaseFiles implements ReleaseFileStore {
  constructor(
    private readonly client: S3Client,
    private readonly published: string,
    private readonly opts: { uploads?: string; trustStoredChecksums: boolean },
  ) {}

  async copyFromUploads(sourceKey: string, key: string, sha256: string, size: number): Promise<'copied' | 'present'> {
    if (!this.opts.uploads) throw new Error('S3ReleaseFiles: the uploads bucket is not configured for this function');
    const done = await new S3CopyIntoCustody(this.opts.uploads, this.published, { client: this.client, trustStoredChecksums: this.opts.trustStoredChecksums }).copyOnce(sourceKey, key, sha256, size);
    return done.way === 'present' ? 'present' : 'copied';
  }

  presignGet(key: string, opts: { expiresInSeconds: number; filename: string; contentType: string }): Promise<string> {
    const ascii = opts.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.published,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(opts.filename)}`,
        ResponseContentType: opts.contentType,
      }),
      { expiresIn: Math.min(opts.expiresInSeconds, 3600) },
    );
  }
}

export function releaseFilesFromEnv(env: NodeJS.ProcessEnv = process.env): S3ReleaseFiles {
  const uploads = env[bucketEnv.uploads] ? { uploads: bucketName('uploads', env) } : {};
  return new S3ReleaseFiles(releaseClient(env), bucketName('published', env), { trustStoredChecksums: storedChecksumsTrusted(env), ...uploads });
}
