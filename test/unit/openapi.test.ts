import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { manifest } from '#infra/manifest.ts';
import { buildOpenApi, routeContracts } from '#runtime/openapi.ts';

/** Every route's contract, as its context module declares it. */
const contracts = routeContracts();
import { successOf } from '#runtime/contract.ts';

describe('foundation: OpenAPI 3.1 generated from the zod contracts', () => {
  const doc = buildOpenApi(manifest, contracts, 'test');

  it('documents every manifest route with its method, auth and path parameters', () => {
    for (const route of manifest.routes) {
      const op = (doc.paths[route.path] as Record<string, Record<string, unknown>> | undefined)?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!['operationId']).toBe(route.function);
      const declared = [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]);
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

  type Responses = Record<string, { content?: Record<string, unknown>; $ref?: string }>;
  const responsesOf = (method: string, path: string) =>
    ((doc.paths[path] as Record<string, { responses: Responses }>)[method.toLowerCase()]!).responses;

  it('issue-9: names each operation\'s real success statuses, not 200 for all', () => {
    expect(Object.keys(responsesOf('POST', '/survey-tasks')).filter((s) => s.startsWith('2'))).toEqual(['201']);
    expect(Object.keys(responsesOf('POST', '/pings')).filter((s) => s.startsWith('2'))).toEqual(['202']);
    expect(Object.keys(responsesOf('POST', '/catalogue')).filter((s) => s.startsWith('2')).sort()).toEqual(['200', '201']);
    expect(Object.keys(responsesOf('POST', '/submissions/{submissionId}/versions/{n}/complete')).filter((s) => s.startsWith('2')).sort()).toEqual(['200', '202']);
    expect(responsesOf('GET', '/health')['503']?.content).toEqual(responsesOf('GET', '/health')['200']?.content);
    for (const route of manifest.routes) {
      const declared = successOf(contracts[route.function] ?? {}).map(String);
      const documented = Object.keys(responsesOf(route.method, route.path)).filter((s) => s.startsWith('2') || s === '302');
      expect(documented.sort(), route.function).toEqual([...declared].sort());
    }
  });

  it('issue-9: names the error statuses the HTTP wrapper produces, with the error body', () => {
    for (const route of manifest.routes) {
      const c = contracts[route.function] ?? {};
      const errors = Object.keys(responsesOf(route.method, route.path)).filter((s) => !s.startsWith('2') && s !== '302' && s !== '503').sort();
      const expected = ['400', '404', '409', '500', ...(route.auth === 'public' ? [] : ['401', '403']), ...(c.body ? ['413', '415'] : []), ...(c.unprocessable ? ['422'] : [])].sort();
      expect(errors, route.function).toEqual(expected);
    }
    const bodyRoute = responsesOf('POST', '/pings');
    expect(bodyRoute['415']).toEqual({ $ref: '#/components/responses/UnsupportedMediaType' });
    expect(doc.components.responses.UnsupportedMediaType.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });
});
