import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalIssuer } from '#infra/local/issuer.ts';
import { localAuthorizationServer } from '#infra/local/oidc.ts';
import { localAudience } from '#infra/local/ports.ts';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { credentialsPath, readCredentials, resolveAuth, type StoredCredentials } from '../../cli/credentials.ts';
import { refresh } from '../../cli/login.ts';
import { main, type Io } from '../../cli/main.ts';
import { Captured } from './cli-fakes.ts';

/**
 * `chengguo login` against the local issuer's real authorization server,
 * in-process: the fetch below routes the CLI's requests (openid-client's
 * discovery and token calls, the sign-in form) to it. The same flow against
 * the running local cloud: test/integration/cli-login.test.ts.
 */
const api = 'http://127.0.0.1:9';
const users: Record<string, { userId: string; email: string; name: string }> = { 'li.na': { userId: 'li.na', email: 'li.na@example.gov.cn', name: '李娜' } };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chengguo-cli-login-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function issuerFetch() {
  const issuer = await createLocalIssuer({ dataDir: dir, issuer: `${api}/local-auth`, jwksUrl: `${api}/local-auth/.well-known/jwks.json` });
  const server = localAuthorizationServer({ issuer, callbackUrls: [`${api}/auth/callback`], lookupUser: async (id) => users[id], demoUsers: [] });
  const calls: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const f = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    calls.push(`${method} ${url.pathname}`);
    const body = init.body === undefined ? undefined : new URLSearchParams(String(init.body));
    if (url.pathname === '/auth/config') return json(200, { issuer: `${api}/local-auth`, clientId: localAudience, scopes: ['openid', 'email', 'profile'], cliRedirectUri: 'http://127.0.0.1/callback' });
    if (url.pathname === '/local-auth/.well-known/openid-configuration') return json(200, issuer.openidConfiguration);
    if (url.pathname === '/local-auth/oauth2/authorize' && method === 'POST' && body) {
      const checked = server.check(body);
      if (!checked.ok) return new Response('refused', { status: 400 });
      const approved = await server.approve(checked.request, body.get('userId') ?? '');
      if ('error' in approved) return new Response(approved.error, { status: 400 });
      return new Response(null, { status: 302, headers: { location: approved.redirect } });
    }
    if (url.pathname === '/local-auth/oauth2/token' && body) {
      const answer = await server.token(body);
      return json(answer.status, answer.body);
    }
    return json(404, { error: 'not_found' });
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

function io(fetchImpl: typeof fetch): Io & { stdout: Captured; stderr: Captured } {
  return { stdout: new Captured(), stderr: new Captured(), env: { CHENGGUO_CONFIG_DIR: join(dir, 'config') }, fetch: fetchImpl };
}

describe('R20.1 CLI sign-in: authorization code + PKCE with a loopback redirect, refresh, logout', () => {
  it('logs in (non-interactive, local issuer), keeps ID and refresh token in a 0600 file, and says until when in Beijing time', async () => {
    // prepare
    const { fetch, calls } = await issuerFetch();
    const run = io(fetch);
    // act
    const code = await main(['login', 'li.na', '--api', api], run);
    // assess
    expect(run.stderr.text).toBe('');
    expect(code).toBe(0);
    const stored = (await readCredentials(run.env))!;
    expect(stored).toMatchObject({ apiUrl: api, userId: 'li.na', issuer: `${api}/local-auth`, clientId: localAudience });
    expect(decodeJwt(stored.token)).toMatchObject({ 'cognito:username': 'li.na', token_use: 'id' });
    expect(typeof stored.refreshToken).toBe('string');
    expect(statSync(credentialsPath(run.env)).mode & 0o777).toBe(0o600);
    expect(run.stdout.text).toBe(`已登录 ${api}，用户 li.na；令牌保存在 ${credentialsPath(run.env)}，有效期至 ${chinaDateTime(new Date(stored.expiresAt!))}（到期前自动续期）\n`);
    expect(calls).toEqual(['GET /auth/config', 'GET /local-auth/.well-known/openid-configuration', 'POST /local-auth/oauth2/authorize', 'POST /local-auth/oauth2/token']);
  });

  it('renews the ID token silently when it is about to expire, and saves the new one (0600)', async () => {
    // prepare
    const { fetch, calls } = await issuerFetch();
    const run = io(fetch);
    await main(['login', 'li.na', '--api', api], run);
    const before = (await readCredentials(run.env))!;
    const nearlyExpired = new Date(new Date(before.expiresAt!).getTime() - 60_000);
    calls.length = 0;
    // act
    const auth = await resolveAuth({}, run.env, nearlyExpired, (s: StoredCredentials) => refresh(s, { fetch }));
    // assess
    const after = (await readCredentials(run.env))!;
    expect(calls).toContain('POST /local-auth/oauth2/token');
    expect(auth.token).toBe(after.token);
    expect(after.token).not.toBe(before.token);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(statSync(credentialsPath(run.env)).mode & 0o777).toBe(0o600);
  });

  it('does not renew a token with time left, and refuses an unknown user in Chinese', async () => {
    // prepare
    const { fetch, calls } = await issuerFetch();
    const run = io(fetch);
    await main(['login', 'li.na', '--api', api], run);
    calls.length = 0;
    const other = io(fetch);
    // act
    await resolveAuth({}, run.env, new Date(), (s: StoredCredentials) => refresh(s, { fetch }));
    const code = await main(['login', 'nobody', '--api', api], other);
    // assess
    expect(calls).toEqual(['GET /auth/config', 'GET /local-auth/.well-known/openid-configuration', 'POST /local-auth/oauth2/authorize']);
    expect(code).toBe(1);
    expect(other.stderr.text).toContain('本地签发方拒绝以 nobody 登录');
  });

  it('logout deletes the stored login', async () => {
    // prepare
    const { fetch } = await issuerFetch();
    const run = io(fetch);
    await main(['login', 'li.na', '--api', api], run);
    // act
    const code = await main(['logout'], run);
    // assess
    expect(code).toBe(0);
    expect(run.stdout.text).toContain('已退出登录');
    await expect(readFile(credentialsPath(run.env))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
