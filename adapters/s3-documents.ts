import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocumentStore } from '#shared/ports/verification.ts';
import { bucketName, s3Client } from './s3.ts';

/**
 * The documents bucket (reports, letters, bulletins). Keys of the
 * verification context:
 *   reports/<submissionId>/v<n>/report.json | report.html   the report of round n (kept for every round)
 *   reports/<submissionId>/v<n>/plan.json                   the run's plan (manifest, files present)
 *   reports/<submissionId>/v<n>/batches/<i>.json            the units of batch i (Map item payloads stay small)
 *   reports/<submissionId>/v<n>/units/<i>.json              the results of batch i
 * A retried step rewrites its own object with the same content.
 */
type Client = Pick<S3Client, 'send'>;

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly bucket: string,
    private readonly client: Client = s3Client(),
  ) {}

  async putJson(key: string, value: unknown): Promise<void> {
    await this.putText(key, JSON.stringify(value), 'application/json; charset=utf-8');
  }

  async getJson(key: string): Promise<unknown> {
    const text = await this.getText(key);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  async putText(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToString('utf-8') : '';
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * One ListObjectsV2 page of keys under a prefix (up to 1,000); `cursor` is
   * the continuation token. The integrity audit's Write Report lists its
   * run's per-batch results this way rather than receiving them through the
   * state (256 KB). Needs s3:ListBucket, which every bucket grant carries.
   */
  async list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(cursor ? { ContinuationToken: cursor } : {}) }));
    const found = (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
    return { keys: found, ...(out.IsTruncated && out.NextContinuationToken ? { cursor: out.NextContinuationToken } : {}) };
  }
}

export function documentStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DocumentStore {
  return new S3DocumentStore(bucketName('documents', env));
}

/** The documents bucket with listing by prefix (the integrity audit's Write Report). */
export function listingDocumentStoreFromEnv(env: NodeJS.ProcessEnv = process.env): S3DocumentStore {
  return new S3DocumentStore(bucketName('documents', env));
}
