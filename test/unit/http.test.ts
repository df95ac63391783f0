import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { jwtVerifier } from '#runtime/auth.ts';
import { withHttp, type HttpDeps } from './with-http-by-name.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { User } from '#shared/schemas/identity.ts';

const issuer = 'https://issuer.test/local-auth';
const audience = 'chengguo-test';

async function keyPair() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  return { privateKey, jwks: createLocalJWKSet({ keys: [jwk] }) };
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
async function sign(privateKey: PrivateKey, opts: { user?: string; expiresIn?: string | number; iss?: string } = {}) {
  return new SignJWT({ 'cognito:username': opts.user ?? 'li.na', token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(opts.iss ?? issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(privateKey);
}

const users: Record<string, User> = {
  'li.na': { userId: 'li.na', name: '李娜', email: 'li.na@example.gov.cn', orgCode: '440000-IMP', roles: ['submitter'], clearance: 'internal' },
  'wang.admin': { userId: 'wang.admin', name: '王强', email: 'wang@example.gov.cn', orgCode: '440000-NR', roles: ['administrator'], clearance: 'secret' },
};

function fakeIdentity(): IdentityRepository {
  return {
    getUser: async (id) => users[id],
    getOrganisation: async () => undefined,
    listOrganisations: async () => [],
    listUsers: async () => [],
  };
}

function event(method: string, path: string, opts: { token?: string; body?: string; pathParameters?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

const context = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

async function call(h: ReturnType<typeof withHttp>, e: APIGatewayProxyEventV2) {
  const res = (await h(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

describe('foundation: HTTP plumbing — authentication, validation and the error table (R20.1 access control)', async () => {
  const good = await keyPair();
  const other = await keyPair();
  const deps: HttpDeps = {
    verifier: () => jwtVerifier({ issuer, audience, keys: good.jwks }),
    identity: fakeIdentity,
  };
  const writes: unknown[] = [];
  const ping = withHttp('StartPing', { success: [201], body: z.object({ message: z.string().min(1).max(200) }) } as const, async (req) => {
    writes.push(req.body);
    return { status: 201, body: { ok: true, by: req.principal?.userId } };
  }, deps);

  it('refuses a request without a token with 401 TOKEN_MISSING in Chinese, and runs nothing', async () => {
    const r = await call(ping, event('POST', '/pings', { body: '{"message":"hi"}' }));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('TOKEN_MISSING');
    expect(r.body.error.message).toMatch(/登录/);
    expect(writes).toHaveLength(0);
  });

  it('refuses an expired token with 401 TOKEN_EXPIRED', async () => {
    const token = await sign(good.privateKey, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const r = await call(ping, event('POST', '/pings', { token, body: '{"message":"hi"}' }));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('TOKEN_EXPIRED');
    expect(writes).toHaveLength(0);
  });

  it('refuses a token signed by another key, or from another issuer, with 401 TOKEN_INVALID', async () => {
    const forged = await sign(other.privateKey);
    const foreign = await sign(good.privateKey, { iss: 'https://evil.test' });
    for (const token of [forged, foreign]) {
      const r = await call(ping, event('POST', '/pings', { token, body: '{"message":"hi"}' }));
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('TOKEN_INVALID');
    }
    expect(writes).toHaveLength(0);
  });

  it('refuses a valid token for a user the registry does not know', async () => {
    const token = await sign(good.privateKey, { user: 'ghost' });
    const r = await call(ping, event('POST', '/pings', { token, body: '{"message":"hi"}' }));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('USER_UNKNOWN');
  });

  it('answers a malformed body with 400 naming the field, and runs nothing', async () => {
    const token = await sign(good.privateKey, { user: 'wang.admin' }); // POST /pings: administrators only
    const r = await call(ping, event('POST', '/pings', { token, body: '{"message":123}' }));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details[0].field).toBe('body.message');
    expect(r.body.error.message).toContain('body.message');
    const bad = await call(ping, event('POST', '/pings', { token, body: '{"message":' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].code).toBe('INVALID_JSON');
    expect(writes).toHaveLength(0);
  });

  it('refuses an unknown query parameter instead of ignoring it, naming it', async () => {
    const token = await sign(good.privateKey, { user: 'wang.admin' }); // POST /pings: administrators only
    const search = withHttp('GetMe', { query: z.object({ region: z.string().optional() }) }, async () => ({ body: { ran: true } }), deps);
    const e = { ...event('GET', '/me', { token }), queryStringParameters: { regionCode: '440000' } } as APIGatewayProxyEventV2;
    const r = await call(search, e);
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatchObject({ field: 'query.regionCode', code: 'UNRECOGNIZED_KEY' });
    expect(r.body.error.message).toBe('请求参数有误：query.regionCode 不支持的参数“regionCode”；可用的参数：region');
  });

  it('refuses query parameters and a body on a route that declares neither, so ?dryRun=1 cannot become a real write; {} is no body', async () => {
    const token = await sign(good.privateKey, { user: 'wang.admin' }); // POST /pings: administrators only
    let ran = 0;
    const act = withHttp('GetMe', {}, async () => ({ body: { ran: ++ran } }), deps);
    const post = (extra: Partial<APIGatewayProxyEventV2>) => call(act, { ...event('POST', '/me', { token }), ...extra } as APIGatewayProxyEventV2);

    const query = await post({ queryStringParameters: { dryRun: '1' } });
    const body = await post({ body: '[1,2]' });
    const empty = await post({ body: '{}' });

    expect(query.status).toBe(400);
    expect(query.body.error.details[0]).toEqual({ field: 'query.dryRun', code: 'UNRECOGNIZED_KEY', message: '此接口不接受查询参数“dryRun”' });
    expect(body.status).toBe(400);
    expect(body.body.error.details[0]).toMatchObject({ field: 'body', code: 'UNEXPECTED_BODY' });
    expect(empty.status).toBe(200);
    expect(ran).toBe(1);
  });

  it('lets a page opened from an email keep what a mail client appends to its link', async () => {
    const page = withHttp('HumanTaskPage', { produces: 'text/html' }, async () => ({ body: '<p>页面</p>' }), deps);

    const r = (await page({ ...event('GET', '/human-tasks/x/page', {}), queryStringParameters: { utm_source: 'mail' } } as APIGatewayProxyEventV2, context)) as { statusCode: number; body: string };

    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('<p>页面</p>');
  });

  it('refuses an unknown body field the same way, and says in Chinese which type a field needs', async () => {
    const token = await sign(good.privateKey);
    const create = withHttp('GetMe', { body: z.object({ name: z.string(), days: z.number().optional() }) }, async () => ({ body: { ran: true } }), deps);
    const post = (body: unknown) => call(create, { ...event('POST', '/me', { token }), body: JSON.stringify(body) } as APIGatewayProxyEventV2);

    const unknown = await post({ name: '国土调查', nmae: 'x' });
    const wrongType = await post({ name: 3 });
    const missing = await post({ days: 1 });

    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ field: 'body.nmae', code: 'UNRECOGNIZED_KEY', message: '不支持的参数“nmae”；可用的参数：name、days' }]);
    expect(wrongType.body.error.details[0]).toMatchObject({ field: 'body.name', message: '应为文本，实际为数字' });
    expect(missing.body.error.details[0]).toMatchObject({ field: 'body.name', message: '必填，应为文本' });
  });

  it('names the roles a forbidden caller lacks in Chinese', async () => {
    const admin = withHttp('UpdateUserClearance', {}, async () => ({ body: {} }), deps);
    const r = await call(admin, event('PUT', '/users/x/clearance', { token: await sign(good.privateKey) }));
    expect(r.body.error.message).toContain('系统管理员');
  });

  it('refuses a body over the size limit with 413', async () => {
    const token = await sign(good.privateKey, { user: 'wang.admin' }); // POST /pings: administrators only
    const r = await call(ping, event('POST', '/pings', { token, body: JSON.stringify({ message: 'x'.repeat(1024 * 1024 + 1) }) }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('runs the handler for a signed-in user with a valid body', async () => {
    const token = await sign(good.privateKey, { user: 'wang.admin' }); // POST /pings: administrators only
    const r = await call(ping, event('POST', '/pings', { token, body: '{"message":"你好"}' }));
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ ok: true, by: 'wang.admin' });
    expect(writes).toEqual([{ message: '你好' }]);
  });

  it('issue-8 §6: POST /pings is for administrators only — a submitter gets 403 naming the role, and nothing runs', async () => {
    const before = writes.length;
    const r = await call(ping, event('POST', '/pings', { token: await sign(good.privateKey), body: '{"message":"你好"}' }));
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('系统管理员');
    expect(writes).toHaveLength(before);
  });

  it('enforces the manifest route roles: a submitter may not change a clearance', async () => {
    const admin = withHttp('UpdateUserClearance', {}, async () => ({ body: { changed: true } }), deps);
    const asSubmitter = await call(admin, event('PUT', '/users/x/clearance', { token: await sign(good.privateKey) }));
    expect(asSubmitter.status).toBe(403);
    expect(asSubmitter.body.error.code).toBe('FORBIDDEN');
    const asAdmin = await call(admin, event('PUT', '/users/x/clearance', { token: await sign(good.privateKey, { user: 'wang.admin' }) }));
    expect(asAdmin.status).toBe(200);
  });

  it('hides an unexpected error behind a 500 with the request id', async () => {
    const boom = withHttp('HealthCheck', {}, async () => {
      throw new Error('secret stack detail');
    }, deps);
    const r = await call(boom, event('GET', '/health'));
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(r.body)).not.toContain('secret stack detail');
    expect(r.body.error.requestId).toBe('req-1');
  });
});

describe('issue-3 HTTP: a body must be sent as JSON', async () => {
  const keys = await keyPair();
  const deps: HttpDeps = { verifier: () => jwtVerifier({ issuer, audience, keys: keys.jwks }), identity: fakeIdentity };
  const seen: unknown[] = [];
  const create = withHttp('StartPing', { success: [201], body: z.object({ message: z.string().min(1) }) } as const, async (req) => {
    seen.push(req.body);
    return { status: 201, body: { ok: true } };
  }, deps);
  const post = async (headers: Record<string, string>) => {
    const token = await sign(keys.privateKey, { user: 'wang.admin' });
    const e = event('POST', '/pings', { token, body: '{"message":"你好"}' });
    return call(create, { ...e, headers: { ...e.headers, ...headers } } as APIGatewayProxyEventV2);
  };

  it('answers a body declared as form data or text with 415 UNSUPPORTED_MEDIA_TYPE saying how to send it, and runs nothing', async () => {
    const form = await post({ 'content-type': 'application/x-www-form-urlencoded' });
    const text = await post({ 'content-type': 'text/plain;charset=UTF-8' });

    for (const r of [form, text]) {
      expect(r.status).toBe(415);
      expect(r.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(r.body.error.message).toContain('请以 JSON 提交（请求头 content-type: application/json）');
    }
    expect(form.body.error.message).toContain('application/x-www-form-urlencoded');
    expect(seen).toHaveLength(0);
  });

  it('reads JSON whatever the header’s case or charset, and a JSON-based type', async () => {
    const plain = await post({ 'content-type': 'application/json' });
    const mixed = await post({ 'Content-Type': 'Application/JSON; charset=utf-8' });
    const problem = await post({ 'content-type': 'application/merge-patch+json' });

    expect([plain.status, mixed.status, problem.status]).toEqual([201, 201, 201]);
    expect(seen).toEqual([{ message: '你好' }, { message: '你好' }, { message: '你好' }]);
  });
});
