import { manifest } from '#infra/manifest.ts';
import { withHttp } from '#runtime/with-http.ts';
import { buildOpenApi } from '#runtime/openapi.ts';
import { contracts } from '#shared/schemas/contracts.ts';

// Built once per container: the document only changes with a deployment.
const document = buildOpenApi(manifest, contracts, process.env['APP_VERSION'] ?? '0.1.0');

export const handler = withHttp('OpenApi', contracts['OpenApi'] ?? {}, async () => ({
  body: document,
  headers: { 'cache-control': 'public, max-age=300' },
}));
