import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { fullObjectSha256, openS3PackageFile, S3PackageReader, storedChecksumsTrusted } from '#adapters/s3-byte-source.ts';
import { sha256Of, TalliedSource } from '#shared/verification/byte-source.ts';
import { verifyUnit } from '#shared/verification/verify-package.ts';

const bytes = Buffer.from('0123456789abcdefghij'.repeat(500));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

/** The S3 calls the adapter makes, answered as S3 answers them (Range is inclusive), and recorded. */
class FakeS3 {
  readonly calls: string[] = [];
  constructor(private readonly objects: Record<string, { body: Buffer; checksum?: string; type?: 'FULL_OBJECT' | 'COMPOSITE' }>) {}
  async send(command: unknown): Promise<unknown> {
    if (command instanceof HeadObjectCommand) {
      this.calls.push(`HEAD ${command.input.Key} ${command.input.ChecksumMode}`);
      const o = this.objects[command.input.Key!]!;
      return { ContentLength: o.body.length, ...(o.checksum ? { ChecksumSHA256: o.checksum, ChecksumType: o.type ?? 'FULL_OBJECT' } : {}) };
    }
    if (command instanceof GetObjectCommand) {
      this.calls.push(`GET ${command.input.Key} ${command.input.Range ?? 'all'}`);
      const o = this.objects[command.input.Key!]!;
      const m = /^bytes=(\d+)-(\d+)$/.exec(command.input.Range ?? '');
      const body = m ? o.body.subarray(Number(m[1]), Number(m[2]) + 1) : o.body;
      return {
        Body: {
          transformToByteArray: async () => new Uint8Array(body),
          async *[Symbol.asyncIterator]() {
            for (let i = 0; i < body.length; i += 4096) yield new Uint8Array(body.subarray(i, i + 4096));
          },
        },
      };
    }
    if (command instanceof ListObjectsV2Command) {
      this.calls.push(`LIST ${command.input.Prefix}`);
      return { Contents: Object.entries(this.objects).filter(([k]) => k.startsWith(command.input.Prefix ?? '')).map(([Key, o]) => ({ Key, Size: o.body.length })), IsTruncated: false };
    }
    throw new Error('unexpected command');
  }
}

describe('R7.1 the verifier reads S3 objects by range and takes the store’s checksum only when it vouches for the whole object', () => {
  it('serves header reads as ranged GETs and the checksum fallback as one streamed GET', async () => {
    const s3 = new FakeS3({ 'k/a.bin': { body: bytes } });
    const file = await openS3PackageFile(s3, 'bucket', 'k/a.bin', { trustStoredChecksum: true });
    const tallied = new TalliedSource(file);

    const head = await tallied.read(0, 100);
    const tail = await tallied.read(9990, 50);
    const digest = await sha256Of(tallied);

    expect(Buffer.from(head)).toEqual(bytes.subarray(0, 100));
    expect(Buffer.from(tail)).toEqual(bytes.subarray(9990, 10000));
    expect(digest).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(s3.calls).toEqual(['HEAD k/a.bin ENABLED', 'GET k/a.bin bytes=0-4095', 'GET k/a.bin bytes=9990-9999', 'GET k/a.bin all']);
    expect(file.storedSha256).toBeUndefined();
  });

  it('uses a single PUT’s full-object SHA-256, but not a multipart upload’s composite one', async () => {
    const s3 = new FakeS3({
      'k/single.bin': { body: bytes, checksum: sha(bytes) },
      'k/multi.bin': { body: bytes, checksum: `${sha(bytes)}-3`, type: 'COMPOSITE' },
    });

    const single = await openS3PackageFile(s3, 'b', 'k/single.bin', { trustStoredChecksum: true });
    const multi = await openS3PackageFile(s3, 'b', 'k/multi.bin', { trustStoredChecksum: true });

    expect(single.storedSha256).toBe(sha(bytes));
    expect(multi.storedSha256).toBeUndefined();
    expect(fullObjectSha256({ ChecksumSHA256: 'abc=-12' })).toBeUndefined();
  });

  it('ignores stored checksums where the store is an emulator that records what the client claims, and streams instead', async () => {
    const claimed = sha(Buffer.from('not these bytes'));
    const s3 = new FakeS3({ 'v/data/a.csv': { body: bytes, checksum: claimed } });
    const reader = new S3PackageReader('b', { client: s3, trustStoredChecksum: storedChecksumsTrusted({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4101' }) });
    const manifest = [{ path: 'data/a.csv', size: bytes.length, sha256: Buffer.from(claimed, 'base64').toString('hex'), role: 'data' as const }];

    const result = await verifyUnit({ paths: ['data/a.csv'], manifest, files: new Map([['data/a.csv', await reader.open('v/data/a.csv')]]), theme: 'water', regionCode: '440000' });

    expect(result.files[0]?.checksumSource).toBe('streamed');
    expect(result.defects.map((d) => d.rule)).toContain('manifest.checksum-mismatch');
    expect(await reader.list('v/')).toEqual([{ key: 'v/data/a.csv', size: bytes.length }]);
  });

  it('trusts S3’s checksums on AWS and lets STORED_CHECKSUMS decide explicitly', () => {
    expect(storedChecksumsTrusted({})).toBe(true);
    expect(storedChecksumsTrusted({ AWS_ENDPOINT_URL: 'http://localhost:9000' })).toBe(false);
    expect(storedChecksumsTrusted({ AWS_ENDPOINT_URL_S3: 'http://minio:9000', STORED_CHECKSUMS: 'trust' })).toBe(true);
    expect(storedChecksumsTrusted({ STORED_CHECKSUMS: 'ignore' })).toBe(false);
    expect(() => storedChecksumsTrusted({ STORED_CHECKSUMS: 'maybe' })).toThrow(/trust 或 ignore/);
  });
});
