import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SharingDocuments } from '#shared/sharing/model.ts';
import { bucketName } from './s3.ts';
import { S3WriteOnceFiles } from './s3-write-once.ts';

/**
 * The offline sharing chain's files in the documents bucket (R16.2, R17.1):
 *   sharing/<applicationId>/<docId>.html                                  letters, task orders, confidentiality agreements
 *   sharing/<applicationId>/confidentiality-agreement-<org>-signed-<sha>.<ext>   the signed scan, uploaded by presigned PUT
 * Write-once: every PUT carries If-None-Match: * (an existing object is never rewritten). The scan's presigned
 * PUT signs its SHA-256, length and If-None-Match as headers (see adapters/s3-uploads.ts on why they must not
 * be hoisted into the query): S3 refuses other bytes; the hand-over hashes the stored bytes again (emulators
 * do not check the checksum).
 */
let client: S3Client | undefined;
function documentsClient(env: NodeJS.ProcessEnv): S3Client {
  client ??= new S3Client({
    forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return client;
}

/** Kept as headers in the signature (as adapters/s3-uploads.ts does). */
const unhoistableHeaders = ['x-amz-checksum-sha256', 'if-none-match'] as const;

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export class S3SharingDocuments extends S3WriteOnceFiles implements SharingDocuments {
  constructor(
    protected override readonly client: S3Client,
    bucket: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    super(bucket, client);
  }

  /** The client and bucket, for a presigned GET on the same files (adapters/s3-feedback-attachments.ts). */
  target(): { client: S3Client; bucket: string } {
    return { client: this.client, bucket: this.bucket };
  }

  async putText(key: string, body: string, contentType: string): Promise<void> {
    await this.putOnce(key, body, contentType);
  }

  async presignPut(key: string, opts: { sha256: string; size: number; contentType: string; expiresInSeconds: number }): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }> {
    const checksum = hexToBase64(opts.sha256);
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ChecksumSHA256: checksum, IfNoneMatch: '*', ContentLength: opts.size, ContentType: opts.contentType }),
      { expiresIn: opts.expiresInSeconds, unhoistableHeaders: new Set(unhoistableHeaders), signableHeaders: new Set(['content-length', 'content-type', ...unhoistableHeaders]) },
    );
    return {
      url,
      headers: { 'x-amz-checksum-sha256': checksum, 'if-none-match': '*', 'content-length': String(opts.size), 'content-type': opts.contentType },
      expiresAt: new Date(this.now().getTime() + opts.expiresInSeconds * 1000).toISOString(),
    };
  }
}

export function sharingDocumentsFromEnv(env: NodeJS.ProcessEnv = process.env): S3SharingDocuments {
  return new S3SharingDocuments(documentsClient(env), bucketName('documents', env));
}
