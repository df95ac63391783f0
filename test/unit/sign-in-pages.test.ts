import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { handler as callbackHandler } from '#functions/identity/auth-callback-page.ts';
import { handler as settingsHandler } from '#functions/identity/get-sign-in-settings.ts';
import { handler as signInHandler } from '#functions/identity/sign-in-page.ts';
import { createLocalIssuer } from '#infra/local/issuer.ts';
import { codeLifetimeMs, localAuthorizationServer, redirectUriAllowed, s256 } from '#infra/local/oidc.ts';
import { localAudience } from '#infra/local/ports.ts';
import { isSameOriginPath, type SignInSettings } from '#shared/web/sign-in.ts';
import { lambdaContext } from './tasks-fakes.ts';

const api = 'http://127.0.0.1:8999';
const callback = `${api}/auth/callback`;
const verifier = 'v'.repeat(20) + '-._~' + 'A1'.repeat(12);
const users: Record<string, { userId: string; email: string; name: string }> = {
  'chen.jing': { userId: 'chen.jing', email: 'chen.jing@example.gov.cn', name: '陈静' },
};

async function world() {
  let clock = Date.parse('2026-12-03T08:00:00Z');
  const issuer = await createLocalIssuer({ dataDir: mkdtempSync(join(tmpdir(), 'chengguo-oidc-')), issuer: `${api}/local-auth`, jwksUrl: `${api}/local-auth/.well-known/jwks.json` });
  const server = localAuthorizationServer({
    issuer,
    callbackUrls: [callback],
    lookupUser: async (id) => users[id],
    demoUsers: [],
    now: () => clock,
  });
  const authorize = (over: Record<string, string> = {}) =>
    new URLSearchParams({
      client_id: localAudience,
      redirect_uri: callback,
      response_type: 'code',
      scope: 'openid email profile',
      state: 's1',
      nonce: 'n1',
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      ...over,
    });
  const codeFor = async (over: Record<string, string> = {}) => {
    const checked = server.check(authorize(over));
    if (!checked.ok) throw new Error('authorize refused');
    const approved = await server.approve(checked.request, 'chen.jing');
    if (!('redirect' in approved)) throw new Error(approved.error);
    return new URL(approved.redirect);
  };
  const exchange = (code: string, over: Record<string, string> = {}) =>
    server.token(new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback, client_id: localAudience, code_verifier: verifier, ...over }));
  return { server, issuer, authorize, codeFor, exchange, advance: (ms: number) => (clock += ms) };
}

describe('R20.1 sign-in: the local issuer serves the authorization-code + PKCE flow', () => {
  it('gives a code to the registered callback and exchanges it once, with the verifier, for ID, access and refresh tokens', async () => {
    // prepare
    const w = await world();
    const back = await w.codeFor();
    // act
    const first = await w.exchange(back.searchParams.get('code')!);
    const again = await w.exchange(back.searchParams.get('code')!);
    // assess
    expect(back.origin + back.pathname).toBe(callback);
    expect(back.searchParams.get('state')).toBe('s1');
    expect(first.status).toBe(200);
    const id = decodeJwt(String(first.body['id_token']));
    expect(id).toMatchObject({ 'cognito:username': 'chen.jing', token_use: 'id', nonce: 'n1', aud: localAudience, iss: `${api}/local-auth` });
    expect(decodeJwt(String(first.body['access_token']))['token_use']).toBe('access');
    expect(typeof first.body['refresh_token']).toBe('string');
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a wrong verifier and spends the code on that attempt (the right verifier after it fails too)', async () => {
    // prepare
    const w = await world();
    const code = (await w.codeFor()).searchParams.get('code')!;
    // act
    const wrong = await w.exchange(code, { code_verifier: 'w'.repeat(43) });
    const right = await w.exchange(code);
    // assess
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(String(wrong.body['error_description'])).toContain('PKCE 校验码');
    expect(right).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a code after its 60 s and a code sent back with another redirect_uri', async () => {
    // prepare
    const w = await world();
    const late = (await w.codeFor()).searchParams.get('code')!;
    const moved = (await w.codeFor()).searchParams.get('code')!;
    w.advance(codeLifetimeMs + 1);
    const fresh = (await w.codeFor()).searchParams.get('code')!;
    // act
    const expired = await w.exchange(late);
    const elsewhere = await w.exchange(fresh, { redirect_uri: 'http://127.0.0.1:1234/callback' });
    // assess
    expect(expired.status).toBe(400);
    expect(String(expired.body['error_description'])).toContain('已过期');
    expect(elsewhere).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(moved).not.toBe(late);
  });

  it('never redirects to an unregistered address; other bad requests go back to the client with error and state', async () => {
    // prepare
    const w = await world();
    // act
    const evil = w.server.check(w.authorize({ redirect_uri: 'https://evil.example.com/cb' }));
    const client = w.server.check(w.authorize({ client_id: 'someone-else' }));
    const noPkce = w.server.check(w.authorize({ code_challenge_method: 'plain' }));
    const noOpenid = w.server.check(w.authorize({ scope: 'email' }));
    // assess
    expect(evil).toMatchObject({ ok: false, page: expect.stringContaining('未登记') });
    expect(client).toMatchObject({ ok: false, page: expect.stringContaining('未知的客户端') });
    for (const c of [noPkce, noOpenid]) {
      if (c.ok || !('redirect' in c)) throw new Error('expected a redirect');
      const u = new URL(c.redirect);
      expect(u.origin + u.pathname).toBe(callback);
      expect(u.searchParams.get('state')).toBe('s1');
    }
    expect(new URL((noPkce as { redirect: string }).redirect).searchParams.get('error')).toBe('invalid_request');
    expect(new URL((noOpenid as { redirect: string }).redirect).searchParams.get('error')).toBe('invalid_scope');
  });

  it('accepts a native client on any loopback port (RFC 8252) and nothing else that is not registered', () => {
    expect(redirectUriAllowed('http://127.0.0.1:53123/callback', [callback])).toBe(true);
    expect(redirectUriAllowed('http://localhost:8765/callback', [callback])).toBe(true);
    expect(redirectUriAllowed(callback, [callback])).toBe(true);
    expect(redirectUriAllowed('http://127.0.0.1.evil.example.com/callback', [callback])).toBe(false);
    expect(redirectUriAllowed('https://evil.example.com/auth/callback', [callback])).toBe(false);
    expect(redirectUriAllowed('http://user@127.0.0.1:1/x', [callback])).toBe(false);
  });

  it('renews the ID token with the refresh token, and refuses an ID token offered as a refresh token', async () => {
    // prepare
    const w = await world();
    const tokens = (await w.exchange((await w.codeFor()).searchParams.get('code')!)).body;
    // act
    const renewed = await w.server.token(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(tokens['refresh_token']), client_id: localAudience }));
    const wrongKind = await w.server.token(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(tokens['id_token']), client_id: localAudience }));
    // assess
    expect(renewed.status).toBe(200);
    expect(decodeJwt(String(renewed.body['id_token']))).toMatchObject({ 'cognito:username': 'chen.jing', token_use: 'id' });
    expect(wrongKind).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

const settings: SignInSettings = {
  issuer: 'https://idp.example.gov.cn/realms/chengguo',
  clientId: 'chengguo-web',
  scopes: ['openid', 'email', 'profile'],
  redirectUri: 'https://chengguo.example.gov.cn/auth/callback',
  cliRedirectUri: 'http://127.0.0.1/callback',
};
const endpoints = {
  authorizationEndpoint: 'https://idp.example.gov.cn/realms/chengguo/protocol/openid-connect/auth',
  tokenEndpoint: 'https://token.example.gov.cn/realms/chengguo/protocol/openid-connect/token',
};
const ports = { signIn: { settings, issuer: { endpoints: async () => endpoints } } };

function pageEvent(path: string, query: Record<string, string>): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString,
    headers: {},
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: { requestId: 'r1', http: { method: 'GET', path } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

describe('R20.1 sign-in pages: /auth/sign-in and /auth/callback', () => {
  it('lets only same-origin paths through as next', () => {
    for (const ok of ['/', '/human-tasks/abc/page', '/submissions/x/versions/1/report/page?x=1#y']) expect(isSameOriginPath(ok), ok).toBe(true);
    for (const bad of ['//evil.example.com', '/\\evil.example.com', 'https://evil.example.com/', 'javascript:alert(1)', '/a b', '/\tx', '', 'evil']) {
      expect(isSameOriginPath(bad), bad).toBe(false);
    }
  });

  it('refuses a next that leaves the site with a 400 naming the field, and serves nothing to follow', async () => {
    // act
    const res = (await signInHandler.with(ports)(pageEvent('/auth/sign-in', { next: '//evil.example.com/x' }), lambdaContext)) as APIGatewayProxyStructuredResultV2;
    // assess
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(String(res.body));
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(body.error)).toContain('next');
    expect(String(res.body)).not.toContain(endpoints.authorizationEndpoint);
  });

  it('starts the flow at the issuer’s discovered authorization endpoint with S256, state and nonce', async () => {
    // act
    const res = (await signInHandler.with(ports)(pageEvent('/auth/sign-in', { next: '/human-tasks/abc/page' }), lambdaContext)) as APIGatewayProxyStructuredResultV2;
    // assess
    expect(res.statusCode).toBe(200);
    const html = String(res.body);
    expect(html).toContain(JSON.stringify(endpoints.authorizationEndpoint));
    expect(html).toContain("code_challenge_method: 'S256'");
    expect(html).toContain('"next":"/human-tasks/abc/page"');
    expect(html).toContain(JSON.stringify(settings.redirectUri));
    expect(String(res.headers?.['content-security-policy'])).toMatch(/script-src 'nonce-[^']+'; .*connect-src 'self';/);
  });

  it('lets the callback page reach the token endpoint and nothing else', async () => {
    // act
    const res = (await callbackHandler.with(ports)(pageEvent('/auth/callback', { code: 'c', state: 's' }), lambdaContext)) as APIGatewayProxyStructuredResultV2;
    // assess
    expect(res.statusCode).toBe(200);
    expect(String(res.headers?.['content-security-policy'])).toContain("connect-src 'self' https://token.example.gov.cn;");
    expect(String(res.body)).toContain('登录状态无效（state 不符');
    expect(res.headers?.['cache-control']).toBe('no-store');
  });

  it('GET /auth/config tells the CLI the issuer, the public client and its loopback redirect', async () => {
    // act
    const res = (await settingsHandler.with(ports)(pageEvent('/auth/config', {}), lambdaContext)) as APIGatewayProxyStructuredResultV2;
    // assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toEqual({ ...settings, scopes: [...settings.scopes] });
  });
});
