import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as unbundled } from '#functions/platform/openapi.ts';
import { manifest } from '#infra/manifest.ts';
import { maxBundleBytes } from '#infra/constructs/bundling.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';
import { buildOpenApi, routeContracts } from '#runtime/openapi.ts';
import { bundleLambdas, type Bundled } from '../../scripts/bundle-lambdas.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const context = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const get = {
  version: '2.0',
  routeKey: 'GET /openapi.json',
  rawPath: '/openapi.json',
  rawQueryString: '',
  headers: {},
  isBase64Encoded: false,
  requestContext: { requestId: 'req-1', http: { method: 'GET', path: '/openapi.json' } },
} as unknown as APIGatewayProxyEventV2;

describe('issue 10: the OpenApi Lambda serves the document built at bundle time, byte-identical to the one built at run time', () => {
  let dir: string;
  let bundled: Bundled;
  const load = async (tag: string) => ((await import(`${pathToFileURL(path.join(dir, 'OpenApi.mjs')).href}?${tag}`)) as { handler: Handler }).handler;

  beforeAll(async () => {
    // Inside the project, so the bundle's external @aws-sdk imports resolve as on Lambda's runtime.
    mkdirSync(path.join(projectRoot, '.test-data'), { recursive: true });
    dir = mkdtempSync(path.join(projectRoot, '.test-data', 'openapi-bundle-'));
    bundled = await bundleLambdas('ses', { names: ['OpenApi'], outdir: dir });
  });
  afterAll(() => {
    delete process.env['APP_VERSION'];
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GET /openapi.json with the same bytes as the handler run from source (which builds it with buildOpenApi)', async () => {
    const handler = await load('default');

    const fromBundle = await handler(get, context);
    const fromSource = await unbundled(get, context);

    expect(fromBundle.statusCode).toBe(200);
    expect(fromBundle.headers).toEqual(fromSource.headers);
    expect(fromBundle.body).toBe(fromSource.body);
    expect(fromBundle.body).toBe(JSON.stringify(buildOpenApi(manifest, routeContracts(), '0.1.0')));
  });

  it('still takes its version from APP_VERSION at run time, in its place in info', async () => {
    process.env['APP_VERSION'] = '2.7.1';
    const handler = await load('versioned');

    const body = (await handler(get, context)).body!;

    expect(body).toBe(JSON.stringify(buildOpenApi(manifest, routeContracts(), '2.7.1')));
  });

  it('leaves zod\'s JSON-schema generator and the other contexts\' contracts out of the bundle, which is under 250 KB', () => {
    const out = Object.values(bundled.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
    const inputs = Object.keys(out.inputs);

    expect(inputs.filter((f) => /to-json-schema|json-schema/.test(f))).toEqual([]);
    expect(inputs.filter((f) => /^functions\/(?!platform\/)/.test(f))).toEqual([]);
    expect(readFileSync(path.join(dir, 'OpenApi.mjs')).length).toBeLessThanOrEqual(maxBundleBytes);
  });
});
