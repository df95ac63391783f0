import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as z from 'zod';
import { jwtVerifier } from '#runtime/auth.ts';
import { withHttp, type HttpDeps } from './with-http-by-name.ts';
import { routeMethodOf } from '#infra/local/http-api.ts';
import type { User } from '#shared/schemas/identity.ts';

const issuer = 'https://issuer.test/local-auth';
const audience = 'chengguo-test';
const admin: User = { userId: 'wang.admin', name: '王强', email: 'wang@example.gov.cn', orgCode: '440000-NR', roles: ['administrator'], clearance: 'secret' };
const context = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

function event(method: string, path: string, opts: { token?: string; body?: string } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), 'content-type': 'application/json' },
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('R20.1 issue-8 §6: a lone surrogate in a JSON body is refused at the boundary with 400 naming the field', async () => {
  // prepare: a signed-in administrator and a route whose handler records what reaches it
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
  const token = await new SignJWT({ 'cognito:username': admin.userId, token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(privateKey);
  const deps: HttpDeps = {
    verifier: () => jwtVerifier({ issuer, audience, keys }),
    identity: () => ({ getUser: async (id) => (id === admin.userId ? admin : undefined), getOrganisation: async () => undefined, listOrganisations: async () => [], listUsers: async () => [] }),
  };
  const reached: unknown[] = [];
  const handler = withHttp('StartPing', { success: [201] as const, body: z.object({ message: z.string(), files: z.array(z.object({ path: z.string() })).optional(), tags: z.record(z.string(), z.string()).optional() }) }, async (req) => {
    reached.push(req.body);
    return { status: 201, body: { ok: true } };
  }, deps);
  const post = async (raw: string) => {
    const res = (await handler(event('POST', '/pings', { token, body: raw }), context)) as APIGatewayProxyStructuredResultV2;
    return { status: res.statusCode, body: JSON.parse(String(res.body)) };
  };

  it('refuses "\\ud800" in a top-level field, in an array element and in a key, naming each; the handler never runs', async () => {
    // act
    const top = await post('{"message":"测试\\ud800"}');
    const nested = await post('{"message":"ok","files":[{"path":"a.tif"},{"path":"b\\udc00.tif"}]}');
    const key = await post('{"message":"ok","tags":{"k\\ud800":"v"}}');
    // assess
    expect([top.status, nested.status, key.status]).toEqual([400, 400, 400]);
    expect(top.body.error.details[0]).toMatchObject({ field: 'body.message', code: 'INVALID_UNICODE' });
    expect(nested.body.error.details[0]).toMatchObject({ field: 'body.files.1.path', code: 'INVALID_UNICODE' });
    expect(key.body.error.details[0].field).toBe('body.tags.k\uFFFD');
    expect(top.body.error.message).toContain('body.message');
    expect(top.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(reached).toEqual([]);
  });

  it('accepts a well-formed surrogate pair (an emoji, a CJK Extension B character)', async () => {
    const ok = await post('{"message":"𠀀 \\ud83d\\ude00"}');
    expect(ok.status).toBe(201);
    expect(reached).toEqual([{ message: '𠀀 😀' }]);
  });
});

describe('issue-8 §6: HEAD answers like GET without a body (emailed pages probed by link checkers)', () => {
  it('a page handler answers HEAD with the GET status and headers and an empty body', async () => {
    const page = withHttp('HumanTaskPage', { produces: 'text/html' as const }, async () => ({ body: '<p>待办任务</p>', headers: { 'cache-control': 'no-store' } }));
    const get = (await page(event('GET', '/human-tasks/x/page'), context)) as APIGatewayProxyStructuredResultV2;
    const head = (await page(event('HEAD', '/human-tasks/x/page'), context)) as APIGatewayProxyStructuredResultV2;
    expect(get.body).toBe('<p>待办任务</p>');
    expect(head.statusCode).toBe(get.statusCode);
    expect(head.headers).toEqual(get.headers);
    expect(head.body).toBe('');
  });

  it('the local HTTP API serves HEAD with the GET route, every other method with its own', () => {
    expect(routeMethodOf('HEAD')).toBe('GET');
    expect(routeMethodOf('GET')).toBe('GET');
    expect(routeMethodOf('POST')).toBe('POST');
    expect(routeMethodOf(undefined)).toBe('GET');
  });
});
