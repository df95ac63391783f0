/**
 * The uploads bucket's CORS rule (issue 13: the console's browser upload PUTs the package's files and parts
 * straight to S3 with presigned URLs). One rule, read by the CDK app (the bucket's CorsConfiguration, stateful
 * stack) and by the local cloud's S3 front (infra/local/s3.ts `cors`), so both answer the browser alike:
 *
 * - only the console's origin (https://<consoleDomain> on AWS; the local cloud's own address on the laptop);
 * - PUT (single objects and parts), GET and HEAD;
 * - only the headers the presigned requests sign and the console sets (adapters/s3-uploads.ts
 *   `unhoistableHeaders`: `x-amz-checksum-sha256`, `if-none-match`; Content-Length and Host the browser sets
 *   itself, and a Blob slice carries no Content-Type);
 * - `ETag` readable (CompleteMultipartUpload needs each part's), with the checksum S3 echoes and its request id;
 * - preflights cached for 10 minutes.
 *
 * No CDK import: the local cloud loads this file too.
 */
export const uploadsCors = {
  methods: ['PUT', 'GET', 'HEAD'],
  allowedHeaders: ['x-amz-checksum-sha256', 'if-none-match'],
  exposedHeaders: ['ETag', 'x-amz-checksum-sha256', 'x-amz-request-id'],
  maxAgeSeconds: 600,
} as const;

/** A bucket's cross-origin rule for the console (the CDK CorsRule's fields, without CDK). */
export interface ConsoleCorsRule {
  readonly methods: readonly ('PUT' | 'GET' | 'HEAD')[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/**
 * The custody bucket's CORS rule (issue 13: a sharing grant's download, R16.1). The console fetches
 * GET /sharing/grants/{id}/files/{n} on its own site and follows the 302 to a presigned GET of the custody copy
 * (adapters/s3-sharing-links.ts): the bytes come from S3, cross-origin. Read-only — GET and HEAD from the console's
 * origin only; `Range` may be sent (a resumed download); the answer's ETag, Content-Range and Content-Disposition
 * (the file's name) readable (Content-Length is CORS-safelisted). Also read by the local S3 front.
 */
export const custodyDownloadCors = {
  methods: ['GET', 'HEAD'],
  allowedHeaders: ['range'],
  exposedHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Content-Disposition'],
  maxAgeSeconds: 600,
} as const satisfies ConsoleCorsRule;

/**
 * The documents bucket's rule. The signed confidentiality agreement's scan (R17.1, issue 13): the console PUTs it
 * from the browser with the presigned URL of POST /sharing/applications/{id}/confidentiality-scan, which signs the
 * Content-Type (a PDF or image type is no CORS-safelisted value, so the preflight asks for it) beside the checksum
 * and If-None-Match; a quality problem's attachments (R19.2) are PUT the same way. GET and HEAD: a grant's 用途声明
 * (R18.1) is downloaded in the page like the grant's files, following the 302 of GET /sharing/grants/{id}/files/{n}
 * to a presigned GET here. Nothing exposed. The local cloud's S3 front answers the documents bucket with it; on AWS
 * the documents bucket carries it (stateful stack, with -c consoleDomain) and its endpoint is in the console's CSP.
 */
export const scanUploadCors = {
  methods: ['PUT', 'GET', 'HEAD'],
  allowedHeaders: ['content-type', 'x-amz-checksum-sha256', 'if-none-match'],
  exposedHeaders: ['x-amz-request-id'],
  maxAgeSeconds: 600,
} as const satisfies ConsoleCorsRule;

/**
 * Where the uploads bucket's presigned URLs point on AWS (the origin the console's CSP must let it connect to):
 * virtual-hosted style at the regional endpoint — the SDK's choice for a bucket name without dots
 * (`<prefix>-uploads-<account>-<region>`) when no emulator endpoint is set (adapters/s3-uploads.ts).
 * `urlSuffix` is amazonaws.com, or amazonaws.com.cn in the China regions.
 */
export function uploadsEndpoint(bucketName: string, region: string, urlSuffix: string): string {
  return `https://${bucketName}.s3.${region}.${urlSuffix}`;
}

/** The custody bucket's presigned GETs (grant downloads) point at its endpoint the same way (same naming, no dots). */
export const custodyEndpoint = uploadsEndpoint;
