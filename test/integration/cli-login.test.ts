import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { cloud, forgeToken } from './helpers.ts';

/**
 * `chengguo login` as a person runs it, against the running local cloud: the
 * compiled bundle (esbuild, as `npm run build:cli` makes it) on the machine's
 * own Node (20 here), `--no-browser`, the printed address opened by this test
 * as a browser would (GET the issuer's sign-in page, press a user's button,
 * follow the redirect to the CLI's loopback port). Then the stored login is
 * used after its ID token expired: the CLI renews it with the refresh token.
 */

const machinePath = (process.env['PATH'] ?? '').split(delimiter).filter((d) => !d.includes(`node_modules${sep}.bin`)).join(delimiter);
let work: string;
let bundle: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'chengguo-cli-login-it-'));
  bundle = join(work, 'chengguo.mjs');
  const built = spawnSync(join(projectRoot, 'node_modules/.bin/esbuild'), ['cli/chengguo.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--log-level=warning', `--outfile=${bundle}`], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function start(args: string[], configDir: string): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; done: Promise<number | null> } {
  const child = spawn('node', [bundle, ...args], {
    cwd: work,
    env: { ...process.env, PATH: machinePath, CHENGGUO_CONFIG_DIR: configDir, CHENGGUO_TOKEN: '', CHENGGUO_API_URL: '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, done };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('R20.1 CLI login: loopback redirect with PKCE against the local issuer, 0600 file, refresh after expiry', () => {
  it('signs in through the printed address (as a browser would), stores ID and refresh token 0600, and renews an expired token silently', async () => {
    // prepare
    const configDir = join(work, 'config');
    const login = start(['login', '--api', cloud.urls.api, '--no-browser'], configDir);
    const address = await until(() => /^(http:\/\/\S+\/local-auth\/oauth2\/authorize\?\S+)$/m.exec(login.out())?.[1], 'the sign-in address');
    const authorize = new URL(address);

    // act 1: the person's browser: the sign-in page, the user's button, the redirect to the loopback port
    const pageHtml = await (await fetch(authorize)).text();
    const form = new URLSearchParams(authorize.searchParams);
    form.set('userId', 'li.na');
    const pressed = await fetch(`${authorize.origin}${authorize.pathname}`, { method: 'POST', body: form, redirect: 'manual' });
    const back = new URL(pressed.headers.get('location') ?? '');
    const landing = await (await fetch(back)).text();
    const code = await login.done;

    // assess 1
    expect(pageHtml).toContain('value="li.na"');
    // the demo users' roles in Chinese (成果汇交人), never the role ids
    expect(pageHtml).toContain('<span class="tag">成果汇交人</span>');
    expect(pageHtml).not.toContain('<span class="tag">submitter</span>');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(pressed.status).toBe(302);
    expect(back.hostname).toBe('127.0.0.1');
    expect(landing).toContain('登录成功');
    expect(login.err()).toBe('');
    expect(code).toBe(0);
    expect(login.out()).toContain(`已登录 ${cloud.urls.api}，用户 li.na`);
    const file = join(configDir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(stored).toMatchObject({ userId: 'li.na', issuer: cloud.urls.issuer, apiUrl: cloud.urls.api });
    expect(stored['refreshToken']).toMatch(/^ey/);

    // prepare 2: the ID token has expired (a real issuer-signed token, an hour past)
    const expired = await forgeToken({ userId: 'li.na', signer: 'issuer', issuedAt: new Date(Date.now() - 2 * 3600_000), expiresAt: new Date(Date.now() - 3600_000) });
    writeFileSync(file, JSON.stringify({ ...stored, token: expired, expiresAt: new Date(Date.now() - 3600_000).toISOString() }), { mode: 0o600 });

    // act 2: a command that calls the API with the stored login
    const status = start(['status', '00000000-0000-4000-8000-00000000beef', '--api', cloud.urls.api], configDir);
    const statusCode = await status.done;

    // assess 2: the API answered as to a signed-in user (404: no such submission), not 401; the file holds a fresh token
    const renewed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(status.err()).not.toMatch(/TOKEN_EXPIRED|401|过期/);
    expect(status.err()).toMatch(/404|不存在|没有/);
    expect(statusCode).toBe(1);
    expect(renewed['token']).not.toBe(expired);
    expect(new Date(renewed['expiresAt']!).getTime()).toBeGreaterThan(Date.now());
    expect(renewed['refreshToken']).toBe(stored['refreshToken']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const me = await fetch(`${cloud.urls.api}/me`, { headers: { authorization: `Bearer ${renewed['token']}` } });
    expect(me.status).toBe(200);
  });

  it('logout removes the stored login; a command afterwards asks to sign in', async () => {
    // prepare
    const configDir = join(work, 'config-logout');
    const login = start(['login', 'li.na', '--api', cloud.urls.api], configDir);
    expect(await login.done).toBe(0);
    // act
    const logout = start(['logout'], configDir);
    const logoutCode = await logout.done;
    const after = start(['status', '00000000-0000-4000-8000-00000000beef', '--api', cloud.urls.api], configDir);
    await after.done;
    // assess
    expect(logoutCode).toBe(0);
    expect(logout.out()).toContain('已退出登录');
    expect(after.err()).toContain('尚未登录');
  });
});
