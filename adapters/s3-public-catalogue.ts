import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PublicFile } from '#shared/catalogue/public/build.ts';
import type { PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import { bucketName, s3Client } from './s3.ts';

/**
 * The public catalogue's files in the published bucket, under
 * `public-catalogue/` (R9.3). On AWS a CloudFront distribution (or an S3
 * website) with origin access to this prefix serves them to the public;
 * the bucket itself keeps its public access blocked. Locally the HTTP
 * server serves the same keys at /public/… (infra/local/http-api.ts).
 */
export const publicCataloguePrefix = 'public-catalogue/';

type Client = Pick<S3Client, 'send'>;

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** A key under the prefix: relative, no '..' or empty segments (the local route passes a URL path here). */
export function safeRelativeKey(key: string): string | undefined {
  const parts = key.split('/');
  if (key === '' || parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return key;
}

export class S3PublicCatalogueFiles implements PublicCatalogueFiles {
  constructor(
    private readonly bucket: string,
    private readonly client: Client = s3Client(),
  ) {}

  async list(): Promise<Array<{ key: string; lastModified?: Date }>> {
    const out: Array<{ key: string; lastModified?: Date }> = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: publicCataloguePrefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of res.Contents ?? []) {
        if (o.Key) out.push({ key: o.Key.slice(publicCataloguePrefix.length), ...(o.LastModified ? { lastModified: o.LastModified } : {}) });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async put(key: string, file: PublicFile): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: publicCataloguePrefix + key,
        Body: file.body,
        ContentType: file.contentType,
        // Refreshed daily and after changes: a cache may keep a copy for a few minutes, not longer.
        CacheControl: 'public, max-age=300',
      }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    // DeleteObjects takes at most 1,000 keys per request.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((k) => ({ Key: publicCataloguePrefix + k })), Quiet: true } }));
      // DeleteObjects answers 200 and lists per-key failures (AccessDenied …): a file of an entry no longer
      // public that stays published is a disclosure, so the run fails and is retried instead.
      const failed = out.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(`public catalogue: ${failed.length} file(s) could not be deleted, e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`);
      }
    }
  }

  /** One published file with its content type; undefined when absent. */
  async get(key: string): Promise<{ body: Buffer; contentType: string } | undefined> {
    const safe = safeRelativeKey(key);
    if (!safe) return undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: publicCataloguePrefix + safe }));
      const bytes = out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      return { body: bytes, contentType: out.ContentType ?? 'application/octet-stream' };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

export function publicCatalogueFilesFromEnv(env: NodeJS.ProcessEnv = process.env): S3PublicCatalogueFiles {
  return new S3PublicCatalogueFiles(bucketName('published', env));
}
