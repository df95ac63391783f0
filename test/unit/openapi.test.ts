import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { manifest } from '#infra/manifest.ts';
import { buildOpenApi } from '#runtime/openapi.ts';
import { contracts } from '#shared/schemas/contracts.ts';

describe('foundation: OpenAPI 3.1 generated from the zod contracts', () => {
  const doc = buildOpenApi(manifest, contracts, 'test');

  it('documents every manifest route with its method, auth and path parameters', () => {
    for (const route of manifest.routes) {
      const op = (doc.paths[route.path] as Record<string, Record<string, unknown>> | undefined)?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!['operationId']).toBe(route.function);
      const declared = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = (op!['parameters'] as { name: string; in: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
      expect(params.sort()).toEqual(declared.sort());
      expect(op!['security']).toEqual(route.auth === 'public' ? [] : [{ bearer: [] }]);
    }
  });

  it('has a contract for every route, so no route goes undocumented or unvalidated', () => {
    const missing = manifest.routes.filter((r) => !(r.function in contracts)).map((r) => r.function);
    expect(missing).toEqual([]);
  });

  it('emits request schemas that are valid JSON Schema 2020-12 and reject what the handler rejects', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops as Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>)) {
        const schema = op.requestBody?.content['application/json']?.schema;
        if (schema) expect(() => ajv.compile(schema), `${method} ${path}`).not.toThrow();
      }
    }
    const ping = (doc.paths['/pings'] as Record<string, { requestBody: { content: Record<string, { schema: object }> } }>)['post']!;
    const validate = ajv.compile(ping.requestBody.content['application/json']!.schema);
    expect(validate({ message: 123 })).toBe(false);
  });
});
