import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AttachmentFiles } from '#shared/feedback/problems.ts';
import { sharingDocumentsFromEnv, type S3SharingDocuments } from './s3-sharing-documents.ts';

/**
 * A quality problem's attachments in the documents bucket (R19.2): feedback/<problemId>/<n>-<sha>.<ext>.
 * The PUT is the offline sharing scan's presigned write-once PUT (adapters/s3-sharing-documents.ts: SHA-256,
 * length, type and If-None-Match signed as headers); the GET is a presigned URL of minutes naming the file
 * for the browser's save dialog (RFC 5987). The bytes never pass through a function.
 */
export class S3ProblemAttachments implements AttachmentFiles {
  constructor(private readonly documents: S3SharingDocuments) {}

  presignPut(key: string, opts: { sha256: string; size: number; contentType: string; expiresInSeconds: number }) {
    return this.documents.presignPut(key, opts);
  }

  presignGet(key: string, opts: { expiresInSeconds: number; fileName: string }): Promise<string> {
    const { client, bucket } = this.documents.target();
    return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(opts.fileName)}` }), {
      expiresIn: opts.expiresInSeconds,
    });
  }
}

export function problemAttachmentsFromEnv(env: NodeJS.ProcessEnv = process.env): S3ProblemAttachments {
  return new S3ProblemAttachments(sharingDocumentsFromEnv(env));
}
