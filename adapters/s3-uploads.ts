import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PackageObjectStore, SignedRequest, StoredObject, UploadedPart } from '#shared/ports/submission.ts';
import { PartsRejectedError } from '#shared/submission/errors.ts';
import { urlExpirySeconds } from '#shared/submission/upload-plan.ts';
import { bucketName } from './s3.ts';

/**
 * The uploads bucket for package versions.
 *
 * Integrity rides on S3's own checks, and S3 checks a presigned request's
 * checksum only when it travels as a *signed header*. The presigner hoists
 * every `x-amz-*` header into the query string unless told not to; a
 * checksum in the query is not verified against the body. So
 * `x-amz-checksum-sha256` and `if-none-match` are named unhoistable: they
 * stay headers, are listed in X-Amz-SignedHeaders, and the client must send
 * them with exactly these values — S3 then refuses other bytes
 * (BadDigest) and refuses to overwrite an existing key (412). Content-Length
 * is signed too, so a URL cannot carry a different size.
 *
 * Multipart: CreateMultipartUpload with ChecksumAlgorithm SHA256 makes S3
 * demand and check a SHA-256 per part (signed the same way). The finished
 * object's checksum is then COMPOSITE — SHA-256 over the parts' digests,
 * suffixed `-<parts>` — not the SHA-256 of the file (S3 offers full-object
 * checksums only for CRC algorithms). The verifier therefore compares the
 * manifest's SHA-256 of a multipart file by streaming it, and says so.
 *
 * The client never computes a request checksum of its own
 * (`requestChecksumCalculation: WHEN_REQUIRED`): a presigned PUT must carry
 * only the SHA-256 the manifest declared.
 */
export const unhoistableHeaders = ['x-amz-checksum-sha256', 'if-none-match'] as const;

let client: S3Client | undefined;
function uploadsClient(env: NodeJS.ProcessEnv = process.env): S3Client {
  client ??= new S3Client({
    // Path-style against an emulator endpoint (see adapters/s3.ts).
    forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return client;
}

export function packageObjectStoreFromEnv(env: NodeJS.ProcessEnv = process.env): S3PackageObjectStore {
  return new S3PackageObjectStore(uploadsClient(env), bucketName('uploads', env));
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

export class S3PackageObjectStore implements PackageObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private expiry(seconds: number): { expiresIn: number; expiresAt: string } {
    // Never longer than the hour the design allows, whatever the caller asks.
    const expiresIn = Math.min(seconds, urlExpirySeconds);
    return { expiresIn, expiresAt: new Date(this.now().getTime() + expiresIn * 1000).toISOString() };
  }

  async presignPut(key: string, opts: { checksumSha256: string; size: number; expiresInSeconds: number }): Promise<SignedRequest> {
    const { expiresIn, expiresAt } = this.expiry(opts.expiresInSeconds);
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ChecksumSHA256: opts.checksumSha256, IfNoneMatch: '*', ContentLength: opts.size }),
      { expiresIn, unhoistableHeaders: new Set(unhoistableHeaders), signableHeaders: new Set(['content-length', ...unhoistableHeaders]) },
    );
    return {
      url,
      headers: { 'x-amz-checksum-sha256': opts.checksumSha256, 'if-none-match': '*', 'content-length': String(opts.size) },
      expiresAt,
    };
  }

  async createMultipartUpload(key: string): Promise<string> {
    const out = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
    if (!out.UploadId) throw new Error(`CreateMultipartUpload returned no UploadId for ${key}`);
    return out.UploadId;
  }

  async presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    opts: { checksumSha256: string; size: number; expiresInSeconds: number },
  ): Promise<SignedRequest> {
    const { expiresIn, expiresAt } = this.expiry(opts.expiresInSeconds);
    const url = await getSignedUrl(
      this.client,
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, ChecksumSHA256: opts.checksumSha256, ContentLength: opts.size }),
      { expiresIn, unhoistableHeaders: new Set(['x-amz-checksum-sha256']), signableHeaders: new Set(['content-length', 'x-amz-checksum-sha256']) },
    );
    return { url, headers: { 'x-amz-checksum-sha256': opts.checksumSha256, 'content-length': String(opts.size) }, expiresAt };
  }

  async listObjects(prefix: string, range: { readonly startAfter?: string; readonly through?: string } = {}): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const through = range.through === undefined ? undefined : Buffer.from(range.through, 'utf8');
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : range.startAfter ? { StartAfter: range.startAfter } : {}) }),
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      const last = out[out.length - 1]?.key;
      if (through && last !== undefined && Buffer.compare(Buffer.from(last, 'utf8'), through) >= 0) break;
    } while (token);
    return out;
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[] | 'noSuchUpload' | 'unsupported'> {
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const page = await this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }),
        );
        for (const p of page.Parts ?? []) {
          if (p.PartNumber === undefined || !p.ETag) continue;
          parts.push({ partNumber: p.PartNumber, etag: p.ETag, size: p.Size ?? 0, ...(p.ChecksumSHA256 ? { checksumSha256: p.ChecksumSHA256 } : {}) });
        }
        if (!page.IsTruncated || !page.NextPartNumberMarker) break;
        marker = page.NextPartNumberMarker;
      }
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return 'noSuchUpload';
      // S3 never answers ListParts with NoSuchKey or an unparseable body; an emulator without ListParts does.
      if (errorName(error) === 'NoSuchKey' || errorName(error) === 'NotImplemented' || (error as { $metadata?: unknown } | null)?.$metadata === undefined) {
        return 'unsupported';
      }
      throw error;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: ReadonlyArray<{ partNumber: number; etag: string; checksumSha256: string }>,
    size: number,
  ): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          IfNoneMatch: '*',
          MpuObjectSize: size,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ChecksumSHA256: p.checksumSha256 })) },
        }),
      );
    } catch (error) {
      const name = errorName(error);
      if (name === 'InvalidPart') throw new PartsRejectedError('分片校验不一致：有分片尚未上传，或其 ETag / SHA-256 与对象存储收到的不符；请查询上传状态后重传这些分片');
      if (name === 'InvalidPartOrder') throw new PartsRejectedError('分片应按编号从小到大排列');
      if (name === 'EntityTooSmall') throw new PartsRejectedError('除最后一个分片外，每个分片都应不小于 5 MiB');
      if (name === 'NoSuchUpload') throw new PartsRejectedError('该分片上传已完成、已取消或已过期；请查询上传状态');
      if (name === 'PreconditionFailed') throw new PartsRejectedError('同名对象已存在，不能覆盖');
      throw error;
    }
  }

  async listMultipartUploads(prefix: string): Promise<Array<{ key: string; uploadId: string }>> {
    const out: Array<{ key: string; uploadId: string }> = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) out.push({ key: u.Key, uploadId: u.UploadId });
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
    return out;
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (errorName(error) !== 'NoSuchUpload') throw error;
    }
  }
}
