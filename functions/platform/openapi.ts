import { http } from '#runtime/http.ts';
import { openApiDocument } from '#runtime/openapi.ts';
import { platform } from './context.ts';

/** GET /openapi.json — the document, built once per container (it only changes with a deployment). */
export const handler = http(platform, 'OpenApi', [], async () => ({
  body: openApiDocument(),
  headers: { 'cache-control': 'public, max-age=300' },
}));
