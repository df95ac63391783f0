import { http } from '#runtime/http.ts';
import { openApiDocument } from '#runtime/openapi.ts';
import { defaultApiVersion, unpackOpenApi } from '#runtime/openapi-packed.ts';
import { platform } from './context.ts';

let served: unknown;
/**
 * The document, once per container (it only changes with a deployment). Bundled for Lambda, it is the one
 * built at bundle time (runtime/openapi-packed.ts), so zod's JSON-schema generator and the other contexts'
 * contracts stay out of the bundle; unbundled (tests, the local cloud) it is built here. The define replaces
 * the literal expression only: written out, not held in a variable, so esbuild drops the other branch.
 */
function document(): unknown {
  served ??=
    process.env['CHENGGUO_BUNDLED_OPENAPI'] !== undefined
      ? unpackOpenApi(process.env['CHENGGUO_BUNDLED_OPENAPI'], process.env['APP_VERSION'] ?? defaultApiVersion)
      : openApiDocument();
  return served;
}

/** GET /openapi.json — the document generated from the zod contracts. */
export const handler = http(platform, 'OpenApi', [], async () => ({
  body: document(),
  headers: { 'cache-control': 'public, max-age=300' },
}));
