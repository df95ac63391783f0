import type { S3Client } from '@aws-sdk/client-s3';
import type { BulletinFiles } from '#shared/ports/supervision.ts';
import { bucketName, s3Client } from './s3.ts';
import { S3WriteOnceFiles } from './s3-write-once.ts';

/**
 * Bulletin files in the documents bucket (R21.1), write-once:
 *   bulletins/<org>/<period>/通报-<period>.html | .xlsx | .json
 * A PUT carries If-None-Match: * — an existing bulletin is never rewritten.
 */
export class S3BulletinFiles extends S3WriteOnceFiles implements BulletinFiles {
  constructor(bucket: string, client: Pick<S3Client, 'send'> = s3Client()) {
    super(bucket, client);
  }
}

export function bulletinFilesFromEnv(env: NodeJS.ProcessEnv = process.env): S3BulletinFiles {
  return new S3BulletinFiles(bucketName('documents', env));
}
