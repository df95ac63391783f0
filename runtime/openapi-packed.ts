import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * The OpenAPI document carried in the OpenApi Lambda's bundle, precomputed (issue 10): building it at run time
 * needs zod's JSON-schema generator and every route's contract (292 KB of bundle). The Lambda bundling
 * (infra/constructs/bundling.ts) builds it with the same buildOpenApi and defines
 * `process.env.CHENGGUO_BUNDLED_OPENAPI` as its JSON, brotli-compressed, base64; the handler unpacks it once per
 * container and sets `info.version` as openApiDocument() would (APP_VERSION, else 0.1.0), so the document
 * served is byte-identical. No zod here.
 */
export const defaultApiVersion = '0.1.0';

export function packOpenApi(doc: unknown): string {
  const json = Buffer.from(JSON.stringify(doc), 'utf8');
  return brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } }).toString('base64');
}

export function unpackOpenApi(packed: string, version: string): { info: { version: string } } & Record<string, unknown> {
  const doc = JSON.parse(brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8')) as { info: { version: string } } & Record<string, unknown>;
  // Assigning an existing key keeps its place: the serialised document is the one built at run time.
  doc.info.version = version;
  return doc;
}
