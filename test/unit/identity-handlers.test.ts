import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handler as getMe } from '#functions/identity/get-me.ts';
import { handler as listOrganisations } from '#functions/identity/list-organisations.ts';
import { handler as getOrganisation } from '#functions/identity/get-organisation.ts';
import { handler as listUsers } from '#functions/identity/list-users.ts';
import { handler as updateUserClearance } from '#functions/identity/update-user-clearance.ts';
import { jwtVerifier } from '#runtime/auth.ts';
import { identityContracts } from '#functions/identity/context.ts';
import { FakeIdentity } from './identity-fakes.ts';

const issuer = 'https://issuer.test/local-auth';
const audience = 'chengguo-test';
const { publicKey, privateKey } = await generateKeyPair('RS256');
const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });

const token = (user: string) =>
  new SignJWT({ 'cognito:username': user, token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

interface Req {
  user?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

function event(method: string, path: string, req: Req, bearer?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    ...(req.pathParameters ? { pathParameters: req.pathParameters } : {}),
    ...(req.query ? { queryStringParameters: req.query } : {}),
    ...(req.body !== undefined ? { body: typeof req.body === 'string' ? req.body : JSON.stringify(req.body) } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-h1', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

const context = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

type Handler = (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>;
async function call(h: Handler, method: string, path: string, req: Req = {}) {
  const res = (await h(event(method, path, req, req.user ? await token(req.user) : undefined), context)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function setup() {
  const identity = await FakeIdentity.seeded();
  const ports = { verifier: jwtVerifier({ issuer, audience, keys }), identity, identityAdmin: identity, trail: identity.trail };
  return { identity, ports };
}

describe('R3.1 R4.1 identity read routes', () => {
  it('GET /me returns the registry user, organisation and Chinese labels', async () => {
    const { ports } = await setup();

    const r = await call(getMe.with(ports), 'GET', '/me', { user: 'zhang.wei' });

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      user: { userId: 'zhang.wei', orgCode: '440000-CUS' },
      organisation: { name: '广东省自然资源技术中心' },
      labels: { roles: ['成果保管人'], clearance: '秘密' },
    });
    expect(identityContracts.GetMe.response.safeParse(r.body).success).toBe(true);
  });

  it('GET /me without a token is 401 TOKEN_MISSING', async () => {
    const { ports } = await setup();

    const r = await call(getMe.with(ports), 'GET', '/me');

    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('TOKEN_MISSING');
  });

  it('GET /orgs lists the top level, and ?parentCode= the children', async () => {
    const { ports } = await setup();
    const h = listOrganisations.with(ports);

    const top = await call(h, 'GET', '/orgs', { user: 'luo.xin' });
    const province = await call(h, 'GET', '/orgs', { user: 'luo.xin', query: { parentCode: '440000-NR' } });

    expect(top.body.items.map((o: { code: string }) => o.code)).toEqual(['100000-FG', '100000-NR', '100000-WR']);
    expect(province.body.items.map((o: { code: string }) => o.code)).toEqual(['440000-CUS', '440000-IMP', '440000-TEC', '440100-NR']);
  });

  it('GET /orgs?parentCode= with a malformed code is 400 naming query.parentCode', async () => {
    const { ports } = await setup();

    const r = await call(listOrganisations.with(ports), 'GET', '/orgs', { user: 'luo.xin', query: { parentCode: '广东' } });

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('query.parentCode');
  });

  it('GET /orgs/{code} returns the organisation, parent and children; 404 in Chinese for an unknown code', async () => {
    const { ports } = await setup();
    const h = getOrganisation.with(ports);

    const ok = await call(h, 'GET', '/orgs/440100-NR', { user: 'li.na', pathParameters: { code: '440100-NR' } });
    const missing = await call(h, 'GET', '/orgs/990000-NR', { user: 'li.na', pathParameters: { code: '990000-NR' } });

    expect(ok.status).toBe(200);
    expect(ok.body.parent.code).toBe('440000-NR');
    expect(ok.body.children.map((c: { code: string }) => c.code)).toEqual(['440117-NR']);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/组织 990000-NR 不存在/);
  });

  it('GET /orgs/{code}/users lists the users of one organisation to itself and its superiors, not to others (R20.1 need-to-know)', async () => {
    const { ports } = await setup();

    const own = await call(listUsers.with(ports), 'GET', '/orgs/440000-FG/users', { user: 'lin.feng', pathParameters: { code: '440000-FG' } });
    const other = await call(listUsers.with(ports), 'GET', '/orgs/440000-FG/users', { user: 'li.na', pathParameters: { code: '440000-FG' } });

    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([expect.objectContaining({ userId: 'lin.feng', roles: ['reviewer'] })]);
    expect(other.status).toBe(403);
  });
});

describe('R5.1 R20.1 PUT /users/{userId}/clearance', () => {
  const put = (user: string | undefined, userId: string, body: unknown): Req => ({
    ...(user ? { user } : {}),
    pathParameters: { userId },
    body,
  });

  it('lets an administrator change a clearance, returning the audit seq', async () => {
    const { ports, identity } = await setup();

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/li.na/clearance', put('wang.qiang', 'li.na', { clearance: 'secret', reason: '承担涉密项目' }));

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ changed: true, user: { userId: 'li.na', clearance: 'secret' } });
    // seq within the chain of the administrator's province (440000-NR → 44)
    expect(r.body.auditSeq).toBe(identity.chainRecords('440000-NR').length);
    expect(identityContracts.UpdateUserClearance.response.safeParse(r.body).success).toBe(true);
  });

  it('answers the same clearance again with 200 changed=false and no new record', async () => {
    const { ports, identity } = await setup();
    const h = updateUserClearance.with(ports);
    await call(h, 'PUT', '/users/li.na/clearance', put('wang.qiang', 'li.na', { clearance: 'secret', reason: '承担涉密项目' }));
    const before = identity.auditRecords().length;

    const r = await call(h, 'PUT', '/users/li.na/clearance', put('wang.qiang', 'li.na', { clearance: 'secret', reason: '承担涉密项目' }));

    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(false);
    expect(identity.auditRecords()).toHaveLength(before);
  });

  it('refuses without a token: 401 TOKEN_MISSING, nothing written', async () => {
    const { ports, identity } = await setup();
    const before = identity.auditRecords().length;

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/li.na/clearance', put(undefined, 'li.na', { clearance: 'secret', reason: '承担涉密项目' }));

    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('TOKEN_MISSING');
    expect(identity.auditRecords()).toHaveLength(before);
  });

  it('refuses a non-administrator: 403, nothing written', async () => {
    const { ports, identity } = await setup();
    const before = identity.auditRecords().length;

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/li.na/clearance', put('chen.jing', 'li.na', { clearance: 'secret', reason: '承担涉密项目' }));

    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect((await identity.getUser('li.na'))?.clearance).toBe('internal');
    expect(identity.auditRecords()).toHaveLength(before);
  });

  it('refuses a clearance value that does not exist: 400 naming body.clearance, nothing written', async () => {
    const { ports, identity } = await setup();
    const before = identity.auditRecords().length;

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/li.na/clearance', put('wang.qiang', 'li.na', { clearance: 'ultra', reason: '承担涉密项目' }));

    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain('body.clearance');
    expect(r.body.error.message).toContain('body.clearance');
    expect((await identity.getUser('li.na'))?.clearance).toBe('internal');
    expect(identity.auditRecords()).toHaveLength(before);
  });

  it('refuses a missing reason with 400 naming body.reason', async () => {
    const { ports } = await setup();

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/li.na/clearance', put('wang.qiang', 'li.na', { clearance: 'secret' }));

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('body.reason');
  });

  it('answers 404 for an unknown user', async () => {
    const { ports } = await setup();

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/nobody/clearance', put('wang.qiang', 'nobody', { clearance: 'secret', reason: '承担涉密项目' }));

    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/用户 nobody 不存在/);
  });

  it('answers 403 in Chinese when an administrator reaches outside their region', async () => {
    const { ports } = await setup();

    const r = await call(updateUserClearance.with(ports), 'PUT', '/users/ma.li/clearance', put('wang.qiang', 'ma.li', { clearance: 'internal', reason: '岗位调整' }));

    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/管辖区域/);
  });
});
