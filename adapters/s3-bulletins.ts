import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BulletinFiles } from '#shared/ports/supervision.ts';
import { bucketName, s3Client } from './s3.ts';

/**
 * Bulletin files in the documents bucket (R21.1), write-once:
 *   bulletins/<org>/<period>/通报-<period>.html | .xlsx | .json
 * A PUT carries If-None-Match: * — an existing bulletin is never rewritten.
 */
export class S3BulletinFiles implements BulletinFiles {
  constructor(
    private readonly bucket: string,
    private readonly client: Pick<S3Client, 'send'> = s3Client(),
  ) {}

  async putOnce(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch: '*' }));
      return true;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412 || e.$metadata?.httpStatusCode === 409) return false;
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw error;
    }
  }
}

export function bulletinFilesFromEnv(env: NodeJS.ProcessEnv = process.env): S3BulletinFiles {
  return new S3BulletinFiles(bucketName('documents', env));
}
