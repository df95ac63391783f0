import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Write-once files in one bucket: a PUT carries If-None-Match: * (an existing object is never rewritten: false),
 * a GET of a missing key is undefined. The bulletins and the offline sharing documents (documents bucket) share it.
 */
export class S3WriteOnceFiles {
  constructor(
    protected readonly bucket: string,
    protected readonly client: Pick<S3Client, 'send'>,
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
