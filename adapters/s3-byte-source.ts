import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { PackageReader } from '#shared/ports/verification.ts';
import type { PackageFile } from '#shared/verification/byte-source.ts';
import { bucketName } from './s3.ts';

/**
 * Package files in S3 as ByteSources (shared/verification/byte-source.ts):
 *  - size and checksum from one HeadObject (ChecksumMode ENABLED);
 *  - read(offset, length) = GetObject with `Range: bytes=a-b` — the checks
 *    fetch headers only;
 *  - stream() = the whole GetObject body, for the checksum fallback.
 *
 * `storedSha256` is set only for a FULL_OBJECT SHA-256, i.e. a single PUT
 * whose checksum S3 verified on arrival. A multipart upload's SHA-256 is a
 * COMPOSITE (a checksum of the part checksums, shown as `…-<parts>`), which
 * does not equal the file's SHA-256, so those files are streamed and hashed —
 * and the report says which way each checksum was obtained.
 *
 * Trust: S3 verifies a checksum header before storing the object. An
 * emulator may not: fauxqs 2.4.1 (the local cloud) records whatever checksum
 * the client claims without hashing the bytes (tried: a PUT with a wrong
 * x-amz-checksum-sha256 is accepted and HeadObject returns the claimed
 * value), so its checksums prove nothing. STORED_CHECKSUMS=trust|ignore
 * says which; unset, they are trusted unless an S3 endpoint override
 * (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, i.e. an emulator) is configured.
 */
export const storedChecksumsEnv = 'STORED_CHECKSUMS';

export function storedChecksumsTrusted(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = env[storedChecksumsEnv];
  if (setting === 'trust') return true;
  if (setting === 'ignore') return false;
  if (setting) throw new Error(`${storedChecksumsEnv} 应为 trust 或 ignore (must be trust or ignore), got ${setting}`);
  return !(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
}

type Client = Pick<S3Client, 'send'>;

/** The full-object SHA-256 S3 holds for an object, base64; undefined for none or a composite (multipart) one. */
export function fullObjectSha256(head: { ChecksumSHA256?: string | undefined; ChecksumType?: string | undefined }): string | undefined {
  const value = head.ChecksumSHA256;
  if (!value) return undefined;
  if (head.ChecksumType === 'COMPOSITE' || /-\d+$/.test(value)) return undefined;
  return value;
}

export async function openS3PackageFile(client: Client, bucket: string, key: string, opts: { trustStoredChecksum: boolean }): Promise<PackageFile> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
  const size = head.ContentLength ?? 0;
  const stored = opts.trustStoredChecksum ? fullObjectSha256(head) : undefined;
  return {
    ...(stored ? { storedSha256: stored } : {}),
    size: async () => size,
    async read(offset, length) {
      const end = Math.min(size, offset + Math.max(0, length)) - 1;
      if (offset < 0 || offset > end) return new Uint8Array(0);
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${end}` }));
      return out.Body ? out.Body.transformToByteArray() : new Uint8Array(0);
    },
    async *stream() {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) return;
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) yield chunk;
    },
  };
}

export class S3PackageReader implements PackageReader {
  constructor(
    private readonly bucket: string,
    private readonly opts: { client?: Client; readonly trustStoredChecksum: boolean },
  ) {}

  private get client(): Client {
    return (this.opts.client ??= verifierClient());
  }

  async list(prefix: string): Promise<Array<{ key: string; size: number }>> {
    const out: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  open(key: string): Promise<PackageFile> {
    return openS3PackageFile(this.client, this.bucket, key, { trustStoredChecksum: this.opts.trustStoredChecksum });
  }
}

/**
 * The verifier's own client. The SDK by default checks a GetObject body
 * against the checksum the store returns and throws on a mismatch; the
 * verifier hashes what it streams itself and must report a mismatch as a
 * defect (manifest.checksum-mismatch), not fail on it — so responses are
 * validated only when asked (WHEN_REQUIRED). Path-style with an endpoint
 * override, as adapters/s3.ts explains.
 */
let verifier: S3Client | undefined;
function verifierClient(env: NodeJS.ProcessEnv = process.env): S3Client {
  verifier ??= new S3Client({ forcePathStyle: Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']), responseChecksumValidation: 'WHEN_REQUIRED' });
  return verifier;
}

export function packageReaderFromEnv(env: NodeJS.ProcessEnv = process.env): PackageReader {
  return new S3PackageReader(bucketName('uploads', env), { trustStoredChecksum: storedChecksumsTrusted(env) });
}
