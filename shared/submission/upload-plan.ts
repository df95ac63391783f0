/**
 * How each file of a package travels to the uploads bucket.
 *
 * Up to 100 MiB a file goes in one presigned PUT; above that in a multipart
 * upload, as S3 recommends. S3 allows at most 10,000 parts of 5 MiB – 5 GiB
 * (the last may be smaller); parts here are at least 8 MiB and grow in whole
 * MiB so that even a 5 TiB file fits in 10,000 parts.
 */
export const MiB = 1024 * 1024;
export const singlePutMaxBytes = 100 * MiB;
export const minPartBytes = 8 * MiB;
export const maxParts = 10_000;

/** Presigned URLs expire within the hour (a URL is a bearer credential for one key). */
export const urlExpirySeconds = 3600;
/** URLs issued per call (single PUTs plus parts): keeps the response well under Lambda's 6 MB. */
export const maxUrlsPerCall = 1000;

export type UploadPlan =
  | { readonly kind: 'single' }
  | { readonly kind: 'multipart'; readonly partSize: number; readonly partCount: number };

export function partSizeFor(size: number): number {
  return Math.max(minPartBytes, Math.ceil(size / maxParts / MiB) * MiB);
}

export function uploadPlan(size: number): UploadPlan {
  if (size <= singlePutMaxBytes) return { kind: 'single' };
  const partSize = partSizeFor(size);
  return { kind: 'multipart', partSize, partCount: Math.ceil(size / partSize) };
}

/** Bytes of part `partNumber` (1-based): every part is partSize except the last. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  const count = Math.ceil(size / partSize);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > count) {
    throw new RangeError(`part ${partNumber} outside 1..${count}`);
  }
  return partNumber < count ? partSize : size - partSize * (count - 1);
}

/** S3 wants checksums base64-encoded; manifests carry them as sha256sum prints them (hex). */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function base64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}
