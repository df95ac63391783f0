import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handler as createOrganisation } from '#functions/identity/create-organisation.ts';
import { handler as updateOrganisation } from '#functions/identity/update-organisation.ts';
import { handler as createUser } from '#functions/identity/create-user.ts';
import { handler as updateUser } from '#functions/identity/update-user.ts';
import { handler as getMe } from '#functions/identity/get-me.ts';
import { identityContracts } from '#functions/identity/context.ts';
import { jwtVerifier } from '#runtime/auth.ts';
import { FakeAccounts, FakeIdentity } from './identity-fakes.ts';

/**
 * Issue 12: administration of organisations and people through the real handlers and the one HTTP wrapper, on the
 * in-memory registry and audit chain seeded from the demo import file.
 */
const issuer = 'https://issuer.test/local-auth';
const audience = 'chengguo-test';
const { publicKey, privateKey } = await generateKeyPair('RS256');
const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });

const cognitoToken = (user: string) =>
  new SignJWT({ 'cognito:username': user, token_use: 'id' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(privateKey);

const oidcToken = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(privateKey);

interface Req {
  user?: string;
  bearer?: string;
  pathParameters?: Record<string, string>;
  body?: unknown;
}

function event(method: string, path: string, req: Req, bearer?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(req.pathParameters ? { pathParameters: req.pathParameters } : {}),
    ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-a1', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}
const context = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
type Handler = (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>;
async function call(h: Handler, method: string, path: string, req: Req = {}) {
  const bearer = req.bearer ?? (req.user ? await cognitoToken(req.user) : undefined);
  const res = (await h(event(method, path, req, bearer), context)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function setup(tokenType: 'cognito' | 'oidc' = 'cognito') {
  const identity = await FakeIdentity.seeded();
  const accounts = new FakeAccounts();
  const ports = {
    verifier: jwtVerifier({ issuer, audience, keys, tokenType }),
    identity,
    people: identity,
    directory: identity,
    accounts,
    identityAdmin: identity,
    trail: identity.trail,
    now: () => new Date('2026-12-03T08:00:00Z'),
  };
  const records = () => identity.auditRecords().length;
  return { identity, accounts, ports, records };
}

const xihu = { code: '330106-NR', name: '杭州市西湖区自然资源和规划局', regionCode: '330106', type: 'naturalResources' };
const yuexiu = { code: '440104-NR', name: '广州市规划和自然资源局越秀区分局', regionCode: '440104', type: 'naturalResources', parentCode: '440100-NR' };

describe('R3.1 issue 12: organisations — create, rename, move, deactivate; scoped and audited', () => {
  it('a provincial administrator creates an organisation below its own: 201, audited; the same again is 200 changed=false with no record', async () => {
    // prepare
    const { ports, identity, records } = await setup();
    const before = records();
    // act
    const first = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'wang.qiang', body: yuexiu });
    const again = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'wang.qiang', body: yuexiu });
    // assess
    expect(first.status).toBe(201);
    expect(first.body.organisation).toMatchObject({ ...yuexiu, level: 'county', rev: 1 });
    expect(identityContracts.CreateOrganisation.response.safeParse(first.body).success).toBe(true);
    expect(again).toMatchObject({ status: 200, body: { changed: false } });
    expect(records()).toBe(before + 1);
    expect(identity.auditRecords().at(-1)).toMatchObject({ actor: 'wang.qiang', action: 'identity.org.create', target: 'ORG#440104-NR' });
    expect((await identity.listOrganisations('440100-NR')).map((o) => o.code)).toContain('440104-NR');
  });

  it('refuses outside the administrator’s scope (403) and lets the national administrator act everywhere: a Zhejiang province from nothing', async () => {
    // prepare
    const { ports } = await setup();
    const zhejiang = { code: '330000-NR', name: '浙江省自然资源厅', regionCode: '330000', type: 'naturalResources', parentCode: '100000-NR' };
    // act
    const provincial = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'wang.qiang', body: zhejiang });
    const national = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'sun.yue', body: zhejiang });
    const county = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'sun.yue', body: { ...xihu, parentCode: '330000-NR' } });
    const notAdmin = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'chen.jing', body: yuexiu });
    // assess
    expect(provincial.status).toBe(403);
    expect(provincial.body.error.message).toMatch(/不在您的管理范围内/);
    expect(national.status).toBe(201);
    expect(county.status).toBe(201);
    expect(notAdmin.status).toBe(403);
  });

  it.each([
    ['an unknown region code', { ...yuexiu, code: '449999-NR', regionCode: '449999' }, 'body.regionCode'],
    ['a code that is not its region’s', { ...yuexiu, code: '440105-NR' }, 'body.code'],
    ['a level that is not its region’s', { ...yuexiu, level: 'municipal' }, 'body.level'],
    ['a parent of a lower level', { code: '440000-SV', name: '广东省测绘产品质量监督检验站', regionCode: '440000', type: 'technicalUnit', parentCode: '440117-NR' }, 'body.parentCode'],
    ['a parent whose region does not contain it', { ...yuexiu, code: '440304-NR', regionCode: '440304', name: '深圳市福田区' }, 'body.parentCode'],
    ['an unknown type', { ...yuexiu, type: 'bureau' }, 'body.type'],
    ['an unknown parent', { ...yuexiu, parentCode: '440199-NR' }, 'body.parentCode'],
  ])('refuses %s with a 4xx naming the field, and writes nothing', async (_what, body, field) => {
    // prepare
    const { ports, records, identity } = await setup();
    const before = records();
    // act
    const r = await call(createOrganisation.with(ports), 'POST', '/orgs', { user: 'wang.qiang', body });
    // assess
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(r.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(records()).toBe(before);
    expect(await identity.getOrganisation((body as { code: string }).code)).toBeUndefined();
  });

  it('refuses a duplicate organisation code with different details: 409 naming body.code', async () => {
    // prepare
    const { ports, records } = await setup();
    const before = records();
    // act
    const r = await call(createOrganisation.with(ports), 'POST', '/orgs', {
      user: 'wang.qiang',
      body: { code: '440000-CUS', name: '另一个技术中心', regionCode: '440000', type: 'custodian', parentCode: '440000-NR' },
    });
    // assess
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'ORG_EXISTS', details: [{ field: 'body.code' }] });
    expect(records()).toBe(before);
  });

  it('renames and moves (audited, rev +1), refuses a move below itself, and deactivates only once nobody active is under it — never deletes', async () => {
    // prepare
    const { ports, identity } = await setup();
    const patch = (user: string, code: string, body: unknown) => call(updateOrganisation.with(ports), 'PATCH', `/orgs/${code}`, { user, pathParameters: { code }, body });
    // act
    const renamed = await patch('wang.qiang', '440000-IMP', { name: '广东省地质测绘院（更名）', reason: '机构改革更名' });
    const cycle = await patch('wang.qiang', '440100-NR', { parentCode: '440117-NR' });
    const inUse = await patch('wang.qiang', '440000-IMP', { active: false });
    const liNaOff = await call(updateUser.with(ports), 'PATCH', '/users/li.na', { user: 'wang.qiang', pathParameters: { userId: 'li.na' }, body: { active: false } });
    const off = await patch('wang.qiang', '440000-IMP', { active: false, reason: '撤销' });
    const personInInactive = await call(createUser.with(ports), 'POST', '/users', {
      user: 'wang.qiang',
      body: { userId: 'new.person', name: '新人', email: 'new.person@example.gov.cn', orgCode: '440000-IMP', roles: ['submitter'], clearance: 'internal' },
    });
    // assess
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ changed: true, organisation: { name: '广东省地质测绘院（更名）', rev: 2 } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.details[0]).toMatchObject({ field: 'body.parentCode', code: 'PARENT_CYCLE' });
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toMatch(/li\.na/);
    expect(liNaOff.status).toBe(200);
    expect(off.status).toBe(200);
    expect(off.body.organisation.deactivatedAt).toBe('2026-12-03T08:00:00.000Z');
    expect(await identity.getOrganisation('440000-IMP')).toMatchObject({ deactivatedAt: expect.any(String) });
    expect(personInInactive.status).toBe(400);
    expect(personInInactive.body.error.details[0]).toMatchObject({ field: 'body.orgCode', code: 'ORG_INACTIVE' });
    expect(identity.auditRecords().filter((r) => r['action'] === 'identity.org.update').map((r) => r['target'])).toEqual(['ORG#440000-IMP', 'ORG#440000-IMP']);
  });
});

describe('R3.1 R5.1 issue 12: people — create, roles, organisation, deactivate; one person, one organisation', () => {
  const person = { userId: 'wu.fang', name: '吴芳', email: 'wu.fang@example.gov.cn', orgCode: '440117-NR', roles: ['submitter'], clearance: 'internal' };

  it('registers a person (201, audited, the sign-in account invited); the same again changes nothing and invites no one twice', async () => {
    // prepare
    const { ports, identity, accounts, records } = await setup();
    const before = records();
    // act
    const first = await call(createUser.with(ports), 'POST', '/users', { user: 'wang.qiang', body: person });
    const again = await call(createUser.with(ports), 'POST', '/users', { user: 'wang.qiang', body: person });
    // assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ changed: true, invited: true, user: { ...person, rev: 1 } });
    expect(identityContracts.CreateUser.response.safeParse(first.body).success).toBe(true);
    expect(again).toMatchObject({ status: 200, body: { changed: false } });
    expect(accounts.calls).toEqual(['invite wu.fang']);
    expect(records()).toBe(before + 1);
    expect(await identity.findUserByEmail('Wu.Fang@example.gov.cn')).toMatchObject({ userId: 'wu.fang' });
  });

  it.each([
    ['an email another person holds (a person in two organisations)', { ...person, email: 'li.na@example.gov.cn' }, 400, 'body.email'],
    ['the same user id in another organisation', { ...person, userId: 'li.na', email: 'li.na@example.gov.cn', orgCode: '440117-NR' }, 409, 'body.userId'],
    ['a clearance above the administrator’s own', { ...person, clearance: 'topSecret' }, 400, 'body.clearance'],
    ['an unknown organisation', { ...person, orgCode: '440199-NR' }, 400, 'body.orgCode'],
    ['an organisation outside the administrator’s scope', { ...person, orgCode: '100000-FG' }, 403, undefined],
    ['an unknown role', { ...person, roles: ['mayor'] }, 400, 'body.roles.0'],
    ['a malformed user id', { ...person, userId: 'Wu Fang' }, 400, 'body.userId'],
  ])('refuses %s with its 4xx and writes nothing', async (_what, body, status, field) => {
    // prepare
    const { ports, records, accounts } = await setup();
    const before = records();
    // act
    const r = await call(createUser.with(ports), 'POST', '/users', { user: 'wang.qiang', body });
    // assess
    expect(r.status).toBe(status);
    if (field) expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(records()).toBe(before);
    expect(accounts.calls).toEqual([]);
  });

  it('changes roles and moves a person (audited); refuses changing one’s own roles and acting on a person outside the scope', async () => {
    // prepare
    const { ports, identity } = await setup();
    const patch = (user: string, userId: string, body: unknown) => call(updateUser.with(ports), 'PATCH', `/users/${userId}`, { user, pathParameters: { userId }, body });
    // act
    const roles = await patch('wang.qiang', 'zhou.hong', { roles: ['supervisor', 'reviewer'], reason: '兼任审核' });
    const moved = await patch('wang.qiang', 'deng.hui', { orgCode: '440100-NR' });
    const self = await patch('wang.qiang', 'wang.qiang', { roles: ['administrator', 'publisher'] });
    const outside = await patch('wang.qiang', 'sun.yue', { name: '孙悦悦' });
    const badEmail = await patch('wang.qiang', 'zhou.hong', { email: 'chen.jing@example.gov.cn' });
    // assess
    expect(roles).toMatchObject({ status: 200, body: { changed: true, user: { roles: ['supervisor', 'reviewer'] } } });
    expect(moved.body.user.orgCode).toBe('440100-NR');
    expect((await identity.listUsers('440100-NR')).map((u) => u.userId)).toContain('deng.hui');
    expect(self.status).toBe(403);
    expect(outside.status).toBe(403);
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details[0]).toMatchObject({ field: 'body.email', code: 'EMAIL_TAKEN' });
    expect(identity.auditRecords().filter((r) => r['action'] === 'identity.user.update')).toHaveLength(2);
  });

  it('deactivation refuses sign-in at once (403 账号已停用) and disables the account; reactivation enables it', async () => {
    // prepare
    const { ports, accounts } = await setup();
    const patch = (body: unknown) => call(updateUser.with(ports), 'PATCH', '/users/li.na', { user: 'wang.qiang', pathParameters: { userId: 'li.na' }, body });
    // act
    const off = await patch({ active: false, reason: '调离' });
    const meOff = await call(getMe.with(ports), 'GET', '/me', { user: 'li.na' });
    const on = await patch({ active: true });
    const meOn = await call(getMe.with(ports), 'GET', '/me', { user: 'li.na' });
    // assess
    expect(off.body.user.deactivatedAt).toBeDefined();
    expect(meOff.status).toBe(403);
    expect(meOff.body.error).toMatchObject({ code: 'ACCOUNT_DISABLED', message: expect.stringContaining('账号已停用') });
    expect(on.body.user.deactivatedAt).toBeUndefined();
    expect(meOn.status).toBe(200);
    expect(accounts.calls).toEqual(['disable li.na', 'enable li.na']);
  });
});

describe('R3.1 issue 12: sign-in through an external issuer (aws-cn) matches the subject or the email; unknown → 403 账号未开通', () => {
  it('matches by subject, then by verified email; an unknown account is 403 ACCOUNT_NOT_PROVISIONED; a cognito:username claim is ignored', async () => {
    // prepare
    const { ports } = await setup('oidc');
    const admin = await setup();
    await call(updateUser.with({ ...admin.ports, identity: ports.identity, people: ports.identity, directory: ports.identity }), 'PATCH', '/users/chen.jing', {
      user: 'wang.qiang',
      pathParameters: { userId: 'chen.jing' },
      body: { subject: 'keycloak-7f3a' },
    });
    const me = async (claims: Record<string, unknown>) => call(getMe.with(ports), 'GET', '/me', { bearer: await oidcToken(claims) });
    // act
    const bySubject = await me({ sub: 'keycloak-7f3a', email: 'someone.else@example.gov.cn' });
    const byEmail = await me({ sub: 'keycloak-0001', email: 'LI.NA@example.gov.cn', email_verified: true });
    const unverified = await me({ sub: 'keycloak-0002', email: 'li.na@example.gov.cn', email_verified: false });
    const unknown = await me({ sub: 'keycloak-9999', email: 'nobody@example.gov.cn', 'cognito:username': 'sun.yue' });
    const boundElsewhere = await me({ sub: 'keycloak-other', email: 'chen.jing@example.gov.cn' });
    // assess
    expect(bySubject.body.user.userId).toBe('chen.jing');
    expect(byEmail.body.user.userId).toBe('li.na');
    expect(unverified.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({ code: 'ACCOUNT_NOT_PROVISIONED', message: expect.stringContaining('账号未开通') });
    expect(boundElsewhere.status).toBe(403);
  });
});
