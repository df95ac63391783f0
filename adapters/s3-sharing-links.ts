import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadLinks } from '#shared/sharing/model.ts';
import { bucketName } from './s3.ts';

/**
 * Presigned GETs on the custody copy for a sharing grant (R16.1): the
 * requester's client fetches the bytes from S3 directly (Range requests work,
 * multi-GB files never pass through a Lambda). Minutes only; the response
 * names the file for the browser's save dialog (RFC 5987, UTF-8).
 */
let client: S3Client | undefined;
function linksClient(env: NodeJS.ProcessEnv): S3Client {
  client ??= new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']) });
  return client;
}

export class S3SharingLinks implements DownloadLinks {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** The documents bucket: the grant's 用途声明 (R18.1), written once at grant time. */
    private readonly documentsBucket?: string,
  ) {}

  async presignGet(key: string, opts: { expiresInSeconds: number; fileName: string; bucket?: 'custody' | 'documents' }): Promise<string> {
    const bucket = opts.bucket === 'documents' ? this.documentsBucket : this.bucket;
    if (!bucket) throw new Error('documents bucket not configured for download links');
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(opts.fileName)}` }),
      { expiresIn: opts.expiresInSeconds },
    );
  }
}

export function sharingLinksFromEnv(env: NodeJS.ProcessEnv = process.env): S3SharingLinks {
  return new S3SharingLinks(linksClient(env), bucketName('custody', env), bucketName('documents', env));
}
