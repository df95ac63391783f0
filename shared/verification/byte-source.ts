import { createHash } from 'node:crypto';

/**
 * The bytes of one package file, read in ranges. Ranged reads map one to one
 * onto S3 GetObject with a `Range` header, so the checks fetch headers only;
 * `stream()` is for the one check that must see every byte (SHA-256 when the
 * store holds no checksum for the object).
 */
export interface ByteSource {
  size(): Promise<number>;
  /** Up to `length` bytes from `offset`; fewer only at the end of the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  stream(): AsyncIterable<Uint8Array>;
}

/** A package file as the store holds it; `storedSha256` (hex) when the store kept a checksum. */
export interface PackageFile extends ByteSource {
  readonly storedSha256?: string;
}

export interface ReadTally {
  /** Ranged requests that reached the underlying store. */
  requests: number;
  /** Bytes fetched by ranged (header) reads. */
  headerBytes: number;
  /** Bytes fetched by streaming (the checksum fallback). */
  streamedBytes: number;
}

/** The first bytes of a file are fetched once and shared by every detector. */
export const HEAD_BYTES = 4096;

/**
 * Counts what the checks fetch (to prove they read headers, not whole files) and
 * serves repeated reads of the file's head from one fetch, so the format,
 * shapefile and CRS checks cost one request for a small header.
 */
export class TalliedSource implements ByteSource {
  readonly tally: ReadTally = { requests: 0, headerBytes: 0, streamedBytes: 0 };
  #size: number | undefined;
  #head: Uint8Array | undefined;

  constructor(private readonly inner: ByteSource) {}

  async size(): Promise<number> {
    this.#size ??= await this.inner.size();
    return this.#size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const size = await this.size();
    const end = Math.min(size, offset + Math.max(0, length));
    if (offset < 0 || offset >= end) return new Uint8Array(0);
    if (end <= HEAD_BYTES) {
      this.#head ??= await this.#fetch(0, Math.min(size, HEAD_BYTES));
      return this.#head.subarray(offset, end);
    }
    return this.#fetch(offset, end - offset);
  }

  async *stream(): AsyncIterable<Uint8Array> {
    for await (const chunk of this.inner.stream()) {
      this.tally.streamedBytes += chunk.byteLength;
      yield chunk;
    }
  }

  async #fetch(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(offset, length);
    this.tally.requests += 1;
    this.tally.headerBytes += bytes.byteLength;
    return bytes;
  }
}

export async function sha256Of(source: ByteSource): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source.stream()) hash.update(chunk);
  return hash.digest('hex');
}

/** S3 reports ChecksumSHA256 in base64; manifests carry hex. Both normalise to lowercase hex. */
export function normaliseSha256(value: string): string {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return v.toLowerCase();
  if (/^[A-Za-z0-9+/]{43}=$/.test(v)) return Buffer.from(v, 'base64').toString('hex');
  return v.toLowerCase();
}

/** A source over bytes held in memory (tests, small generated files). */
export function bytesSource(bytes: Uint8Array, storedSha256?: string): PackageFile {
  return {
    ...(storedSha256 === undefined ? {} : { storedSha256 }),
    size: async () => bytes.byteLength,
    read: async (offset, length) => bytes.slice(offset, Math.min(bytes.byteLength, offset + length)),
    async *stream() {
      for (let i = 0; i < bytes.byteLength; i += 65536) yield bytes.slice(i, i + 65536);
    },
  };
}

// --- little helpers for binary headers --------------------------------------

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.byteLength < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

export function ascii(bytes: Uint8Array, from = 0, to = bytes.byteLength): string {
  let s = '';
  for (let i = from; i < Math.min(to, bytes.byteLength); i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
