import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { bucketEnv, requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Bytes, CustodyObjectHead, CustodyRepair, CustodyStore, UploadsSource } from '#shared/ports/custody.ts';
import { CustodyContentConflictError, CustodyObjectExistsError } from '#shared/custody/errors.ts';
import { sha256OfStream } from '#shared/custody/hash.ts';
import type { IntegrityRun, IntegrityRunLog } from '#shared/custody/integrity.ts';
import { integrityRunIndex, keys } from './dynamo.ts';
import { fullObjectSha256, storedChecksumsTrusted } from './s3-byte-source.ts';
import { bucketName } from './s3.ts';

/**
 * Custody in S3 (R10.1), write-once.
 *
 * putOnce guards twice, on purpose:
 *  - `If-None-Match: *` on the PUT: S3 enforces it atomically and answers
 *    412 PreconditionFailed (or 409 ConditionalRequestConflict on a race)
 *    when the key exists — this is the guard on AWS;
 *  - a HeadObject before it: the local S3 emulator (fauxqs) does not honour
 *    If-None-Match on PutObject, so the HEAD is the guard on the laptop. It
 *    leaves a race window locally only; on AWS the header closes it, and
 *    versioning + Object Lock keep every earlier version regardless.
 * The PUT also carries ChecksumSHA256, so S3 refuses bytes that do not match
 * the verified manifest (fauxqs records the claim without checking it; the
 * integrity audit streams and hashes there instead).
 *
 * The class has no delete and no overwrite: nothing in the code base can ask
 * it to destroy or replace custody. Restore (S3CustodyRepair) is a separate
 * class used only by the operator's restore tool.
 */
type Client = Pick<S3Client, 'send'>;

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function isTaken(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'PreconditionFailed' || e?.name === 'ConditionalRequestConflict' || e?.$metadata?.httpStatusCode === 412;
}

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

function body(bytes: Bytes): Uint8Array | Readable {
  return bytes instanceof Uint8Array ? bytes : Readable.from(bytes);
}

async function* readObject(client: Client, bucket: string, key: string): AsyncIterable<Uint8Array> {
  let out;
  try {
    out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isMissing(error)) throw new NotFoundError(`对象 ${key} 不存在`);
    throw error;
  }
  if (!out.Body) return;
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) yield chunk;
}

export class S3CustodyStore implements CustodyStore {
  constructor(
    private readonly bucket: string,
    private readonly opts: { client?: Client; trustStoredChecksums: boolean; /** Set: package files are copied from it server-side (copyOnceFrom). */ uploadsBucket?: string },
  ) {}

  private get client(): Client {
    return (this.opts.client ??= custodyClient());
  }

  /** Present when the store was given the uploads bucket: S3 copies the bytes, the function never carries them. */
  get copyOnceFrom(): CustodyStore['copyOnceFrom'] {
    const source = this.opts.uploadsBucket;
    if (!source) return undefined;
    return async (sourceKey, key, sha256, size) => {
      const done = await new S3CopyIntoCustody(source, this.bucket, { client: this.client, trustStoredChecksums: this.opts.trustStoredChecksums }).copyOnce(sourceKey, key, sha256, size);
      return done.way === 'present' ? 'present' : 'copied';
    };
  }

  async putOnce(key: string, bytes: Bytes, sha256: string, size: number): Promise<void> {
    if (await this.head(key)) throw new CustodyObjectExistsError(key);
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body(bytes), ContentLength: size, ChecksumSHA256: hexToBase64(sha256), IfNoneMatch: '*' }),
      );
    } catch (error) {
      if (isTaken(error)) throw new CustodyObjectExistsError(key);
      throw error;
    }
  }

  async head(key: string): Promise<CustodyObjectHead | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }));
      const stored = this.opts.trustStoredChecksums ? fullObjectSha256(out) : undefined;
      return { size: out.ContentLength ?? 0, ...(stored ? { storedSha256: base64ToHex(stored) } : {}) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  read(key: string): AsyncIterable<Uint8Array> {
    return readObject(this.client, this.bucket, key);
  }

  async list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(cursor ? { ContinuationToken: cursor } : {}) }));
    const found = (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
    return { keys: found, ...(out.IsTruncated && out.NextContinuationToken ? { cursor: out.NextContinuationToken } : {}) };
  }
}

/** CopyObject copies at most 5 GiB; above that S3 wants a multipart upload of UploadPartCopy parts. */
export const copyObjectMaxBytes = 5 * 1024 ** 3;
/** S3's limits on a part: 5 MiB (all but the last) to 5 GiB, at most 10,000 parts. */
const minPartBytes = 5 * 1024 ** 2;
const maxParts = 10_000;
/** UploadPartCopy requests in flight per file. */
export const copyParallel = 8;

export type CopyWay = 'copyObject' | 'uploadPartCopy' | 'present';
/** How the copy was confirmed equal to the verified manifest's SHA-256. */
export type Confirmation = 'fullObjectSha256' | 'compositeChecksum' | 'streamed';

/**
 * A server-side copy from the uploads bucket into a custody bucket, write-once:
 *  - up to `multipartThreshold` (5 GiB, CopyObject's limit) one CopyObject;
 *  - above it CreateMultipartUpload + UploadPartCopy of byte ranges,
 *    `copyParallel` at a time, + CompleteMultipartUpload, aborted if any step
 *    fails. The ranges follow the source's own parts where it has equal ones
 *    (HeadObject PartNumber 1: the part size and count, as the upload plan
 *    made them, shared/submission/upload-plan.ts), so each copied part's
 *    SHA-256 is the source part's; every range reads the same source version
 *    (x-amz-copy-source-if-match with its ETag);
 * both with `If-None-Match: *` (a key already taken is confirmed, not
 * overwritten: 'present') and ChecksumAlgorithm SHA256. The bytes never pass
 * through the function, so any file S3 accepts (5 TiB) is copied by S3.
 *
 * Confirmation against the verified manifest's SHA-256, without reading
 * bytes where S3 has checked them (trustStoredChecksums, i.e. on AWS):
 *  - a CopyObject copy carries a FULL_OBJECT SHA-256 that S3 computed over
 *    the copied bytes → compared with the manifest's SHA-256 directly;
 *  - a multipart copy carries a COMPOSITE SHA-256 (of its parts' SHA-256s);
 *    with the source's part layout it equals the source's composite, which
 *    S3 checked part by part at upload, and the source's bytes are the ones
 *    whose SHA-256 the verifier compared with the manifest → compared with
 *    the source's composite;
 *  - otherwise (an emulator's checksums prove nothing, a layout that could
 *    not be followed) the copy is streamed and hashed.
 * A difference stops the transfer (CustodyContentConflictError): the
 * integrity audit and custody:restore handle the object.
 */
export class S3CopyIntoCustody {
  private readonly threshold: number;
  private readonly partSize: number | undefined;
  private readonly client: Client;
  private readonly trust: boolean;
  constructor(
    private readonly sourceBucket: string,
    private readonly bucket: string,
    opts: { client?: Client; trustStoredChecksums?: boolean; multipartThreshold?: number; copyPartSize?: number } = {},
  ) {
    this.client = opts.client ?? custodyClient();
    this.threshold = Math.min(opts.multipartThreshold ?? copyObjectMaxBytes, copyObjectMaxBytes);
    this.partSize = opts.copyPartSize;
    this.trust = opts.trustStoredChecksums ?? false;
  }

  private copySource(key: string): string {
    return `${this.sourceBucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Which way the bytes went and how the copy was confirmed. */
  async copyOnce(sourceKey: string, key: string, sha256: string, size: number): Promise<{ way: CopyWay; confirmedBy: Confirmation; parts?: number }> {
    let way: CopyWay = size <= this.threshold ? 'copyObject' : 'uploadPartCopy';
    let parts: number | undefined;
    try {
      if (way === 'copyObject') {
        await this.client.send(
          new CopyObjectCommand({ Bucket: this.bucket, Key: key, CopySource: this.copySource(sourceKey), IfNoneMatch: '*', ChecksumAlgorithm: 'SHA256', MetadataDirective: 'COPY' }),
        );
      } else if (await this.exists(key)) {
        way = 'present';
      } else {
        parts = await this.multipartCopy(sourceKey, key, size);
      }
    } catch (error) {
      if (!isTaken(error)) throw error;
      way = 'present';
    }
    const confirmedBy = await this.confirm(sourceKey, key, sha256, size);
    return { way, confirmedBy, ...(parts ? { parts } : {}) };
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** The ranges to copy: the source's own equal parts where it has them, else `copyPartSize` or the smallest size that fits 10,000 parts (≥ 1 GiB). */
  async layout(sourceKey: string, size: number): Promise<{ partSize: number; etag?: string; followsSource: boolean }> {
    const fallback = this.partSize ?? Math.max(1024 ** 3, Math.ceil(size / maxParts));
    let head;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: this.sourceBucket, Key: sourceKey, PartNumber: 1 }));
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`上传桶中没有对象 ${sourceKey}`);
      throw error;
    }
    const etag = head.ETag;
    const count = head.PartsCount ?? 0;
    const first = head.ContentLength ?? 0;
    const fits = count > 1 && count <= maxParts && first >= minPartBytes && first <= copyObjectMaxBytes && first * (count - 1) < size && first * count >= size;
    return { partSize: fits && this.partSize === undefined ? first : fallback, ...(etag ? { etag } : {}), followsSource: fits && this.partSize === undefined };
  }

  private async multipartCopy(sourceKey: string, key: string, size: number): Promise<number> {
    const { partSize, etag } = await this.layout(sourceKey, size);
    const count = Math.ceil(size / partSize);
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`CreateMultipartUpload returned no UploadId for ${key}`);
    try {
      const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256?: string }> = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          const start = i * partSize;
          const end = Math.min(size, start + partSize) - 1;
          const out = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: i + 1,
              CopySource: this.copySource(sourceKey),
              CopySourceRange: `bytes=${start}-${end}`,
              ...(etag ? { CopySourceIfMatch: etag } : {}),
            }),
          ).catch((error: unknown) => {
            // 412 here is the source's ETag, not the target: never read as “key taken”.
            if (isTaken(error)) throw new Error(`uploads object ${sourceKey} changed during the copy into custody (copy-source-if-match ${etag ?? ''})`);
            throw error;
          });
          const partEtag = out.CopyPartResult?.ETag;
          if (!partEtag) throw new Error(`UploadPartCopy returned no ETag for part ${i + 1} of ${key}`);
          const checksum = out.CopyPartResult?.ChecksumSHA256;
          parts[i] = { PartNumber: i + 1, ETag: partEtag, ...(checksum ? { ChecksumSHA256: checksum } : {}) };
        }
      };
      await Promise.all(Array.from({ length: Math.min(copyParallel, count) }, worker));
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, IfNoneMatch: '*', MpuObjectSize: size, MultipartUpload: { Parts: parts } }),
      );
      return count;
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  private async confirm(sourceKey: string, key: string, sha256: string, size: number): Promise<Confirmation> {
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    if (head.ContentLength !== size) throw new CustodyContentConflictError(key);
    if (this.trust) {
      const full = fullObjectSha256(head);
      if (full) {
        if (base64ToHex(full) !== sha256) throw new CustodyContentConflictError(key);
        return 'fullObjectSha256';
      }
      const composite = compositeSha256(head);
      if (composite) {
        const source = await this.client.send(new HeadObjectCommand({ Bucket: this.sourceBucket, Key: sourceKey, ChecksumMode: 'ENABLED' }));
        if (compositeSha256(source) === composite) return 'compositeChecksum';
      }
    }
    const present = (await sha256OfStream(readObject(this.client, this.bucket, key))).sha256;
    if (present !== sha256) throw new CustodyContentConflictError(key);
    return 'streamed';
  }
}

/** A multipart object's COMPOSITE SHA-256 (`<base64>-<parts>`), else undefined. */
export function compositeSha256(head: { ChecksumSHA256?: string | undefined; ChecksumType?: string | undefined }): string | undefined {
  const value = head.ChecksumSHA256;
  if (!value) return undefined;
  return head.ChecksumType === 'COMPOSITE' || /-\d+$/.test(value) ? value : undefined;
}

export class S3UploadsSource implements UploadsSource {
  constructor(
    private readonly bucket: string,
    private readonly client: Client = custodyClient(),
  ) {}

  read(key: string): AsyncIterable<Uint8Array> {
    return readObject(this.client, this.bucket, key);
  }
}

/**
 * The restore tool's write: a plain PUT with the SHA-256 (S3 refuses other
 * bytes). On AWS the custody bucket is versioned, so this adds a version on
 * top of the damaged one, which Object Lock keeps for the investigation.
 */
export class S3CustodyRepair implements CustodyRepair {
  constructor(
    private readonly bucket: string,
    private readonly client: Client = custodyClient(),
  ) {}

  async replaceDamaged(key: string, bytes: Bytes, sha256: string, size: number): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body(bytes), ContentLength: size, ChecksumSHA256: hexToBase64(sha256) }));
  }
}

/**
 * The audit hashes what it reads itself and must report a mismatch, not fail
 * on it: the SDK's own response checksum validation is off unless required
 * (as for the verifier, adapters/s3-byte-source.ts).
 */
let custody: S3Client | undefined;
function custodyClient(env: NodeJS.ProcessEnv = process.env): S3Client {
  custody ??= new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']), responseChecksumValidation: 'WHEN_REQUIRED' });
  return custody;
}

/**
 * LOCAL_BACKUP_COPY=1 (set by the local cloud only): the copy to custody also
 * writes the backup bucket, standing in for S3 replication, which the
 * emulator does not have. On AWS it is unset: replication copies custody to
 * the backup region and no function holds a grant on the replica.
 */
export const localBackupCopyEnv = 'LOCAL_BACKUP_COPY';

export function custodyStoreFromEnv(env: NodeJS.ProcessEnv = process.env): S3CustodyStore {
  return new S3CustodyStore(bucketName('custody', env), { trustStoredChecksums: storedChecksumsTrusted(env), ...uploadsBucketOf(env) });
}

/** The uploads bucket when the function's environment names it (the copy into custody); others copy nothing. */
function uploadsBucketOf(env: NodeJS.ProcessEnv): { uploadsBucket?: string } {
  const name = env[bucketEnv.uploads];
  return name ? { uploadsBucket: name } : {};
}

/** The backup bucket as a write-once store where the local cloud copies it by hand; undefined on AWS. */
export function localBackupStoreFromEnv(env: NodeJS.ProcessEnv = process.env): S3CustodyStore | undefined {
  if (env[localBackupCopyEnv] !== '1') return undefined;
  return new S3CustodyStore(bucketName('backup', env), { trustStoredChecksums: storedChecksumsTrusted(env), ...uploadsBucketOf(env) });
}

export function uploadsSourceFromEnv(env: NodeJS.ProcessEnv = process.env): S3UploadsSource {
  return new S3UploadsSource(bucketName('uploads', env));
}

/** INTEGRITY#<date> / RUN#<executionName>: one audit run, written once with its audit record. */
export class DynamoIntegrityRunLog implements IntegrityRunLog {
  constructor(private readonly table: string) {}

  /** A retried Write Report finds its run recorded and succeeds without a second audit record. */
  async record(run: IntegrityRun, entry: AuditEntry): Promise<void> {
    const recorded = new ConflictError('INTEGRITY_RUN_RECORDED', `完整性检查 ${run.executionName} 已有记录`);
    try {
      await this.write(run, entry, recorded);
    } catch (error) {
      if (error !== recorded) throw error;
    }
  }

  private async write(run: IntegrityRun, entry: AuditEntry, recorded: Error): Promise<void> {
    await auditedWrite({
      items: [
        {
          item: { Put: { TableName: this.table, Item: { ...keys.integrityRun(run.date, run.executionName), ...integrityRunIndex(run.checkedAt, run.executionName), ...run }, ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => recorded,
        },
      ],
      entry,
    });
  }
}

export function integrityRunLogFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoIntegrityRunLog {
  return new DynamoIntegrityRunLog(requireEnv(tableEnv.registry, env));
}
