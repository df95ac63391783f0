import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { bucketEnv, requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Bytes, CopyOptions, CustodyObjectHead, CustodyRepair, CustodyStore, PartialCopy, UploadsSource } from '#shared/ports/custody.ts';
import { CustodyContentConflictError, CustodyObjectExistsError, CustodySourceChangedError } from '#shared/custody/errors.ts';
import { sha256OfStream } from '#shared/custody/hash.ts';
import type { IntegrityRun, IntegrityRunLog } from '#shared/custody/integrity.ts';
import { integrityRunIndex, keys } from './dynamo.ts';
import { countParts } from './dynamo-supervision.ts';
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
    readonly bucket: string,
    private readonly opts: {
      client?: Client;
      trustStoredChecksums: boolean;
      /** Set: package files are copied from it server-side (copyOnceFrom). */
      uploadsBucket?: string;
      /** Tests only (CHENGGUO_TEST_COPY_MULTIPART_MIB): multipart above this many bytes instead of 5 GiB. */
      multipartThreshold?: number;
    },
  ) {}

  private get client(): Client {
    return (this.opts.client ??= custodyClient());
  }

  /** Present when the store was given the uploads bucket: S3 copies the bytes, the function never carries them. */
  get copyOnceFrom(): CustodyStore['copyOnceFrom'] {
    const source = this.opts.uploadsBucket;
    if (!source) return undefined;
    const threshold = this.opts.multipartThreshold;
    return async (sourceKey, key, sha256, size, opts) => {
      const copier = new S3CopyIntoCustody(source, this.bucket, { client: this.client, trustStoredChecksums: this.opts.trustStoredChecksums, ...(threshold ? { multipartThreshold: threshold } : {}) });
      const done = await copier.copyOnce(sourceKey, key, sha256, size, opts);
      if (done.way === 'unfinished') return done.partial;
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
/** A finished copy (`resumed`: parts an earlier invocation had copied, not copied again), or one left for the next invocation. */
export type CopyOutcome = { way: CopyWay; confirmedBy: Confirmation; parts?: number; resumed?: number } | { way: 'unfinished'; partial: PartialCopy };

type Part = { PartNumber: number; ETag: string; ChecksumSHA256?: string };

/**
 * A server-side copy from the uploads bucket into a custody bucket, write-once:
 *  - up to `multipartThreshold` (5 GiB, CopyObject's limit) one CopyObject;
 *  - above it CreateMultipartUpload + UploadPartCopy of byte ranges,
 *    `copyParallel` at a time, + CompleteMultipartUpload. The ranges follow
 *    the source's own parts where it has equal ones (HeadObject PartNumber 1:
 *    the part size and count, as the upload plan made them,
 *    shared/submission/upload-plan.ts), so each copied part's SHA-256 is the
 *    source part's; every range reads the same source version
 *    (x-amz-copy-source-if-match with its ETag; a 412 is
 *    CustodySourceChangedError and the upload is aborted);
 * both with `If-None-Match: *` (a key already taken is confirmed, not
 * overwritten: 'present') and ChecksumAlgorithm SHA256. The bytes never pass
 * through the function, so any file S3 accepts (5 TiB) is copied by S3.
 *
 * Resumable across invocations (issue 11): 10,000 parts of a 5 TiB file take
 * longer than one 900 s Lambda. With `outOfTime` the copy starts no part once
 * it says so (at least one part per call, so every call makes progress),
 * lets the parts in flight finish and returns 'unfinished' with a
 * PartialCopy (key, uploadId, source ETag, parts done — never the part
 * list). The next call finds the upload again — the PartialCopy's uploadId,
 * or, after a crash that returned nothing, ListMultipartUploads for the key:
 * the earliest upload begun after the source was last modified (so all its
 * parts are of this source version) is kept, every other one (strays) is
 * aborted — ListParts (paginated) names the parts already there (of the
 * expected size), and only the others are copied. A resumed copy whose
 * source ETag differs from the PartialCopy's is aborted
 * (CustodySourceChangedError). Other failures leave the upload for the
 * retry to resume; S3's lifecycle rule (AbortIncompleteMultipartUpload)
 * removes what a failed transfer leaves.
 *
 * Confirmation against the verified manifest's SHA-256, without reading
 * bytes where S3 has checked them (trustStoredChecksums, i.e. on AWS):
 *  - a CopyObject copy carries a FULL_OBJECT SHA-256 that S3 computed over
 *    the copied bytes → compared with the manifest's SHA-256 directly;
 *  - a multipart copy carries a COMPOSITE SHA-256 (of its parts' SHA-256s);
 *    with the source's part layout it equals the source's composite, which
 *    S3 checked part by part at upload, and the source's bytes are the ones
 *    whose SHA-256 the verifier compared with the manifest → the parts'
 *    composite is compared with the source's BEFORE CompleteMultipartUpload
 *    (a difference aborts: custody never holds the wrong bytes) and the
 *    completed object's after it;
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

  /** Which way the bytes went and how the copy was confirmed; 'unfinished' when `opts.outOfTime` stopped a multipart copy. */
  async copyOnce(sourceKey: string, key: string, sha256: string, size: number, opts: CopyOptions = {}): Promise<CopyOutcome> {
    let way: CopyWay = size <= this.threshold ? 'copyObject' : 'uploadPartCopy';
    let parts: number | undefined;
    let resumed = 0;
    try {
      if (way === 'copyObject') {
        await this.client.send(
          new CopyObjectCommand({ Bucket: this.bucket, Key: key, CopySource: this.copySource(sourceKey), IfNoneMatch: '*', ChecksumAlgorithm: 'SHA256', MetadataDirective: 'COPY' }),
        );
      } else if (await this.exists(key)) {
        way = 'present';
      } else {
        const out = await this.multipartCopy(sourceKey, key, size, opts);
        if (!out.done) return { way: 'unfinished', partial: out.partial };
        parts = out.parts;
        resumed = out.resumed;
      }
    } catch (error) {
      if (!isTaken(error)) throw error;
      way = 'present';
    }
    const confirmedBy = await this.confirm(sourceKey, key, sha256, size);
    return { way, confirmedBy, ...(parts ? { parts } : {}), ...(resumed ? { resumed } : {}) };
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
  async layout(sourceKey: string, size: number): Promise<{ partSize: number; etag?: string; lastModified?: Date; followsSource: boolean }> {
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
    const follows = fits && this.partSize === undefined;
    return { partSize: follows ? first : fallback, ...(etag ? { etag } : {}), ...(head.LastModified ? { lastModified: head.LastModified } : {}), followsSource: follows };
  }

  private async abort(key: string, uploadId: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
  }

  /** Every open multipart upload of exactly `key` (ListMultipartUploads, paginated). */
  private async uploadsOf(key: string): Promise<Array<{ uploadId: string; initiated?: Date }>> {
    const found: Array<{ uploadId: string; initiated?: Date }> = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}) }),
      );
      for (const u of page.Uploads ?? []) if (u.Key === key && u.UploadId) found.push({ uploadId: u.UploadId, ...(u.Initiated ? { initiated: u.Initiated } : {}) });
      if (!page.IsTruncated || (!page.NextKeyMarker && !page.NextUploadIdMarker)) return found;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /**
   * The upload to go on with: the resumed one if S3 still has it, else the earliest begun after the
   * source's last modification (its parts can only be of this version), else a new one. Every other
   * upload of the key is a stray (a crashed invocation's) and is aborted.
   */
  private async uploadFor(key: string, hint: PartialCopy | undefined, sourceModified: Date | undefined): Promise<{ uploadId: string; adopted: boolean }> {
    const open = await this.uploadsOf(key);
    let keep = hint && open.some((u) => u.uploadId === hint.uploadId) ? hint.uploadId : undefined;
    if (!keep && sourceModified) {
      const after = open.filter((u) => u.initiated && u.initiated.getTime() >= sourceModified.getTime()).sort((a, b) => a.initiated!.getTime() - b.initiated!.getTime());
      keep = after[0]?.uploadId;
    }
    await Promise.all(open.filter((u) => u.uploadId !== keep).map((u) => this.abort(key, u.uploadId)));
    if (keep) return { uploadId: keep, adopted: true };
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
    if (!created.UploadId) throw new Error(`CreateMultipartUpload returned no UploadId for ${key}`);
    return { uploadId: created.UploadId, adopted: false };
  }

  /** The parts S3 holds for the upload (ListParts, paginated, 1,000 a page). */
  private async partsOf(key: string, uploadId: string): Promise<Map<number, { etag: string; size: number; checksum?: string }>> {
    const parts = new Map<number, { etag: string; size: number; checksum?: string }>();
    let marker: string | undefined;
    for (;;) {
      const page = await this.client.send(new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MaxParts: 1000, ...(marker ? { PartNumberMarker: marker } : {}) }));
      for (const p of page.Parts ?? []) {
        if (p.PartNumber && p.ETag) parts.set(p.PartNumber, { etag: p.ETag, size: p.Size ?? -1, ...(p.ChecksumSHA256 ? { checksum: p.ChecksumSHA256 } : {}) });
      }
      if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
      marker = page.NextPartNumberMarker;
    }
  }

  private async multipartCopy(
    sourceKey: string,
    key: string,
    size: number,
    opts: CopyOptions,
  ): Promise<{ done: true; parts: number; resumed: number } | { done: false; partial: PartialCopy }> {
    const { partSize, etag, lastModified, followsSource } = await this.layout(sourceKey, size);
    if (!etag) throw new Error(`HeadObject returned no ETag for uploads object ${sourceKey}`);
    const count = Math.ceil(size / partSize);
    const hint = opts.resume?.find((r) => r.bucket === this.bucket && r.key === key);
    if (hint && hint.sourceEtag !== etag) {
      // The parts already copied are of another version of the source: nothing of this upload may be completed.
      await this.abort(key, hint.uploadId);
      throw new CustodySourceChangedError(sourceKey, hint.sourceEtag);
    }
    const { uploadId, adopted } = await this.uploadFor(key, hint, lastModified);
    const have = adopted ? await this.partsOf(key, uploadId) : new Map<number, { etag: string; size: number; checksum?: string }>();
    const parts: Array<Part | undefined> = new Array(count);
    const todo: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const expected = Math.min(size, (i + 1) * partSize) - i * partSize;
      const there = have.get(i + 1);
      // A part already there counts only with the range's size (and its SHA-256 where the upload records it for the Complete).
      if (there && there.size === expected && (there.checksum || !this.trust)) parts[i] = { PartNumber: i + 1, ETag: there.etag, ...(there.checksum ? { ChecksumSHA256: there.checksum } : {}) };
      else todo.push(i);
    }
    const outOfTime = opts.outOfTime ?? (() => false);
    let started = 0;
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        // At least one part per call, so a resumed copy always makes progress.
        if (started > 0 && outOfTime()) return;
        const i = todo[next++]!;
        started += 1;
        const start = i * partSize;
        const end = Math.min(size, start + partSize) - 1;
        const out = await this.client
          .send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: i + 1,
              CopySource: this.copySource(sourceKey),
              CopySourceRange: `bytes=${start}-${end}`,
              CopySourceIfMatch: etag,
            }),
          )
          .catch((error: unknown) => {
            // 412 here is the source's ETag, not the target: never read as “key taken”.
            if (isTaken(error)) throw new CustodySourceChangedError(sourceKey, etag);
            throw error;
          });
        const partEtag = out.CopyPartResult?.ETag;
        if (!partEtag) throw new Error(`UploadPartCopy returned no ETag for part ${i + 1} of ${key}`);
        const checksum = out.CopyPartResult?.ChecksumSHA256;
        parts[i] = { PartNumber: i + 1, ETag: partEtag, ...(checksum ? { ChecksumSHA256: checksum } : {}) };
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(copyParallel, Math.max(1, todo.length)) }, worker));
    } catch (error) {
      if (error instanceof CustodySourceChangedError) await this.abort(key, uploadId);
      throw error;
    }
    const done = parts.filter((p): p is Part => p !== undefined);
    if (done.length < count) return { done: false, partial: { bucket: this.bucket, key, uploadId, sourceEtag: etag, partsDone: done.length, parts: count } };
    if (this.trust && followsSource) await this.checkComposite(sourceKey, key, uploadId, done);
    await this.client.send(
      new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, IfNoneMatch: '*', MpuObjectSize: size, MultipartUpload: { Parts: done } }),
    );
    return { done: true, parts: count, resumed: count - todo.length };
  }

  /** Before Complete: the parts' COMPOSITE SHA-256 must be the source's (which S3 checked at upload); else abort, nothing in custody. */
  private async checkComposite(sourceKey: string, key: string, uploadId: string, parts: readonly Part[]): Promise<void> {
    const source = compositeSha256(await this.client.send(new HeadObjectCommand({ Bucket: this.sourceBucket, Key: sourceKey, ChecksumMode: 'ENABLED' })));
    if (!source || parts.some((p) => !p.ChecksumSHA256)) return;
    const digests = Buffer.concat(parts.map((p) => Buffer.from(p.ChecksumSHA256!, 'base64')));
    const mine = `${createHash('sha256').update(digests).digest('base64')}-${parts.length}`;
    if (mine !== source) {
      await this.abort(key, uploadId);
      throw new CustodyContentConflictError(key);
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

/**
 * Tests only, never set by the CDK app: CHENGGUO_TEST_COPY_MULTIPART_MIB copies files above this many MiB
 * with UploadPartCopy (instead of above 5 GiB), so a test on the local cloud takes the multipart, resumable
 * path with a file of a few GiB or MiB (docs/custody.md, "一个 5 TiB 的文件").
 */
export const testCopyMultipartEnv = 'CHENGGUO_TEST_COPY_MULTIPART_MIB';

/** The uploads bucket when the function's environment names it (the copy into custody); others copy nothing. */
function uploadsBucketOf(env: NodeJS.ProcessEnv): { uploadsBucket?: string; multipartThreshold?: number } {
  const name = env[bucketEnv.uploads];
  const mib = Number(env[testCopyMultipartEnv] ?? '');
  return name ? { uploadsBucket: name, ...(mib > 0 ? { multipartThreshold: mib * 1024 * 1024 } : {}) } : {};
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
  constructor(
    private readonly table: string,
    /** auditedWrite; unit tests pass the in-memory registry's. */
    private readonly audited: (items: AuditedItem[], entry: AuditEntry) => Promise<unknown> = (items, entry) => auditedWrite({ items, entry }),
  ) {}

  /** A retried Write Report finds its run recorded and succeeds without a second audit record. */
  async record(run: IntegrityRun, entry: AuditEntry): Promise<void> {
    await this.write(run, entry, new ConflictError('INTEGRITY_RUN_RECORDED', `完整性检查 ${run.executionName} 已有记录`));
  }

  /**
   * The run's item, its audit record and its R10.1 counters (one per custodian,
   * issue 14) in one transaction. A national run over more custodians than a
   * transaction holds writes the rest of the counters in further parts, each
   * with a write-once marker item (RUN#<name>#COUNT#<k>) so a retry adds none twice.
   */
  private async write(run: IntegrityRun, entry: AuditEntry, recorded: Error): Promise<void> {
    const runKey = keys.integrityRun(run.date, run.executionName);
    const [first, ...rest] = countParts(this.table, entry, 1);
    await this.audited(
      [
        {
          item: { Put: { TableName: this.table, Item: { ...runKey, ...integrityRunIndex(run.checkedAt, run.executionName), ...run }, ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => recorded,
        },
        ...first!.items,
      ],
      first!.entry,
    ).catch((error: unknown) => {
      if (error !== recorded) throw error;
    });
    // A retry after a crash between parts finds the run recorded and writes the parts still missing.
    for (const [i, part] of rest.entries()) {
      const done = new ConflictError('INTEGRITY_RUN_COUNTED', `完整性检查 ${run.executionName} 的第 ${i + 2} 部分计数已记录`);
      try {
        await this.audited(
          [{ item: { Put: { TableName: this.table, Item: { pk: runKey.pk, sk: `${runKey.sk}#COUNT#${i + 2}` }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => done }, ...part.items],
          part.entry,
        );
      } catch (error) {
        if (error !== done) throw error;
      }
    }
  }
}

export function integrityRunLogFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoIntegrityRunLog {
  return new DynamoIntegrityRunLog(requireEnv(tableEnv.registry, env));
}
