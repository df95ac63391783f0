import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { CliError } from './errors.ts';
import type { StoredCredentials } from './credentials.ts';

/**
 * `chengguo login` signs in as a person does with a command-line tool
 * (RFC 8252): the authorization code + PKCE flow of the same public client
 * the pages use, with the browser sent back to a loopback address the CLI
 * listens on (127.0.0.1, a random port unless the deployment names one).
 * openid-client does the protocol: discovery, PKCE S256, state and nonce
 * checks, the code exchange, the refresh grant.
 *
 * The API tells the CLI whom to sign in with (GET /auth/config), so
 * `--api URL` is all a user gives, on AWS and on the laptop.
 */

export interface SignInConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly cliRedirectUri: string;
}

type Fetch = typeof fetch;

export async function fetchSignInConfig(apiUrl: string, fetchImpl: Fetch = fetch): Promise<SignInConfig> {
  let res: Response;
  try {
    res = await fetchImpl(`${apiUrl}/auth/config`, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new CliError('API_UNREACHABLE', `无法连接 ${apiUrl}：${(error as Error).message}`);
  }
  const json = (await res.json().catch(() => undefined)) as Partial<SignInConfig> | undefined;
  if (!res.ok || !json || typeof json.issuer !== 'string' || typeof json.clientId !== 'string') {
    throw new CliError('SIGN_IN_UNAVAILABLE', `${apiUrl}/auth/config 未给出登录设置（HTTP ${res.status}）：请确认 --api 地址正确、服务端版本支持登录`);
  }
  return { issuer: json.issuer, clientId: json.clientId, scopes: json.scopes ?? ['openid'], cliRedirectUri: json.cliRedirectUri ?? 'http://127.0.0.1/callback' };
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The issuer's configuration by discovery; plain HTTP only for an issuer on this machine (the local cloud). */
export async function discover(issuer: string, clientId: string, fetchImpl?: Fetch): Promise<oidc.Configuration> {
  const url = new URL(issuer);
  const insecure = url.protocol === 'http:';
  if (insecure && !loopbackHosts.has(url.hostname)) throw new CliError('INSECURE_ISSUER', `登录服务 ${issuer} 未使用 https：拒绝登录`);
  try {
    const config = await oidc.discovery(url, clientId, undefined, oidc.None(), {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      ...(fetchImpl ? { [oidc.customFetch]: fetchImpl as never } : {}),
    });
    if (fetchImpl) config[oidc.customFetch] = fetchImpl as never;
    return config;
  } catch (error) {
    throw new CliError('SIGN_IN_UNAVAILABLE', `无法读取登录服务 ${issuer} 的配置：${(error as Error).message}`);
  }
}

interface Loopback {
  readonly redirectUri: string;
  /** The full callback URL the browser was sent to. */
  callback(timeoutMs: number): Promise<URL>;
  close(): void;
}

const donePage = (ok: boolean, text: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>chengguo 登录</title></head><body style="font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;padding:2rem"><h1>${ok ? '登录成功' : '登录未完成'}</h1><p>${text}</p></body></html>`;

/** A one-shot HTTP server on the loopback address of `template` (port 0 or none = any free port). */
export async function startLoopback(template: string): Promise<Loopback> {
  const t = new URL(template);
  if (t.protocol !== 'http:' || !loopbackHosts.has(t.hostname)) throw new CliError('BAD_REDIRECT', `命令行登录的回调地址须为本机回环地址，收到 ${template}`);
  const path = t.pathname || '/';
  let resolveCallback: (url: URL) => void = () => undefined;
  const got = new Promise<URL>((resolve) => {
    resolveCallback = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== path || (!url.searchParams.has('code') && !url.searchParams.has('error'))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    const ok = url.searchParams.has('code');
    const body = donePage(ok, ok ? '可以关闭此页面，回到命令行。' : `登录服务返回：${(url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? '').replace(/[<>&"']/g, '')}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(body);
    resolveCallback(new URL(`${t.protocol}//${t.host.replace(/:\d+$/, '')}:${(server.address() as AddressInfo).port}${req.url ?? '/'}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(t.port || 0), t.hostname === '[::1]' ? '::1' : '127.0.0.1', () => resolve());
  }).catch((error: NodeJS.ErrnoException) => {
    throw new CliError('LOOPBACK_PORT_BUSY', `无法在 ${template} 监听登录回调：${error.message}`);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://${t.hostname}:${port}${path}`,
    callback(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new CliError('LOGIN_TIMEOUT', `${Math.round(timeoutMs / 1000)} 秒内未完成登录：请重新运行 chengguo login`)), timeoutMs);
      });
      return Promise.race([got, timeout]).finally(() => clearTimeout(timer));
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Opens the system browser; quietly nothing when there is none (the URL is printed anyway). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser: the printed URL is the way
  }
}

/**
 * The local cloud's sign-in page answered by the CLI itself, as a person
 * pressing a user's button would: for tests and CI only, and only the local
 * issuer has such a page; any other issuer is refused.
 */
async function answerLocalSignIn(authorizationUrl: URL, userId: string, redirectUri: string, fetchImpl: Fetch): Promise<URL> {
  const form = new URLSearchParams(authorizationUrl.searchParams);
  form.set('userId', userId);
  const res = await fetchImpl(`${authorizationUrl.origin}${authorizationUrl.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = res.headers.get('location') ?? '';
  if (res.status === 302 && location.startsWith(redirectUri)) return new URL(location);
  if (res.status === 400 && new URL(authorizationUrl).pathname.endsWith('/local-auth/oauth2/authorize')) {
    throw new CliError('USER_NOT_SEEDED', `本地签发方拒绝以 ${userId} 登录：不是本地登记的用户（演示用户见 ${authorizationUrl.origin}/local-auth/）`);
  }
  throw new CliError('LOGIN_NOT_INTERACTIVE', '按用户名直接登录（chengguo login <用户名>）只适用于本地云；请运行 chengguo login 在浏览器中登录');
}

export interface LoginOptions {
  readonly apiUrl: string;
  /** Local cloud only: sign in as this user without a browser (tests, CI). */
  readonly userId?: string;
  readonly openBrowser: boolean;
  readonly timeoutMs?: number;
  readonly out: { write(text: string): unknown };
  readonly fetch?: Fetch;
  readonly now?: () => Date;
}

/** The claim the API reads the user from (runtime/auth.ts); a department issuer maps its username to it. */
function userOf(claims: oidc.IDToken | undefined): string {
  const name = claims?.['cognito:username'] ?? claims?.['preferred_username'] ?? claims?.sub;
  return typeof name === 'string' ? name : '';
}

function expiryOf(tokens: { expiresIn(): number | undefined }, idClaims: oidc.IDToken | undefined, now: Date): string | undefined {
  if (idClaims?.exp) return new Date(idClaims.exp * 1000).toISOString();
  const s = tokens.expiresIn();
  return s === undefined ? undefined : new Date(now.getTime() + s * 1000).toISOString();
}

export async function login(opts: LoginOptions): Promise<StoredCredentials> {
  const now = opts.now ?? (() => new Date());
  const settings = await fetchSignInConfig(opts.apiUrl, opts.fetch);
  const config = await discover(settings.issuer, settings.clientId, opts.fetch);
  const loopback = await startLoopback(settings.cliRedirectUri);
  try {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: loopback.redirectUri,
      scope: settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    let callback: URL;
    if (opts.userId !== undefined) {
      callback = await answerLocalSignIn(url, opts.userId, loopback.redirectUri, opts.fetch ?? fetch);
    } else {
      opts.out.write(`请在浏览器中登录（${opts.openBrowser ? '已尝试打开浏览器；如未打开，' : ''}请打开下面的地址）：\n${url.href}\n等待登录完成…\n`);
      if (opts.openBrowser) openBrowser(url.href);
      callback = await loopback.callback(opts.timeoutMs ?? 5 * 60_000);
    }
    if (callback.searchParams.has('error')) {
      throw new CliError('LOGIN_REFUSED', `登录服务拒绝了登录：${callback.searchParams.get('error_description') ?? callback.searchParams.get('error')}`);
    }
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    } catch (error) {
      throw new CliError('LOGIN_FAILED', `登录未完成：${(error as Error).message}`);
    }
    const claims = tokens.claims();
    const idToken = tokens.id_token;
    if (!idToken) throw new CliError('LOGIN_FAILED', '登录服务未返回身份令牌（id_token）');
    const expiresAt = expiryOf(tokens, claims, now());
    return {
      apiUrl: opts.apiUrl,
      userId: userOf(claims),
      token: idToken,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      issuer: settings.issuer,
      clientId: settings.clientId,
      savedAt: now().toISOString(),
    };
  } finally {
    loopback.close();
  }
}

/** A new ID token from the stored refresh token (silent: no browser); the refresh token is kept unless a new one comes. */
export async function refresh(stored: StoredCredentials, opts: { fetch?: Fetch; now?: () => Date } = {}): Promise<StoredCredentials> {
  const now = opts.now ?? (() => new Date());
  if (!stored.refreshToken || !stored.issuer || !stored.clientId) {
    throw new CliError('TOKEN_EXPIRED', '登录已过期，且没有可用的刷新令牌：请重新运行 chengguo login');
  }
  const config = await discover(stored.issuer, stored.clientId, opts.fetch);
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    tokens = await oidc.refreshTokenGrant(config, stored.refreshToken);
  } catch (error) {
    throw new CliError('TOKEN_EXPIRED', `登录已过期，续期失败（${(error as Error).message}）：请重新运行 chengguo login`);
  }
  if (!tokens.id_token) throw new CliError('TOKEN_EXPIRED', '续期未返回身份令牌：请重新运行 chengguo login');
  const expiresAt = expiryOf(tokens, tokens.claims(), now());
  return {
    ...stored,
    token: tokens.id_token,
    refreshToken: tokens.refresh_token ?? stored.refreshToken,
    ...(expiresAt ? { expiresAt } : {}),
    savedAt: now().toISOString(),
  };
}

/** Best effort: revoke the refresh token where the issuer offers revocation (Cognito does); the local file goes either way. */
export async function revoke(stored: StoredCredentials, fetchImpl?: Fetch): Promise<boolean> {
  if (!stored.refreshToken || !stored.issuer || !stored.clientId) return false;
  try {
    const config = await discover(stored.issuer, stored.clientId, fetchImpl);
    if (!config.serverMetadata().revocation_endpoint) return false;
    await oidc.tokenRevocation(config, stored.refreshToken, { token_type_hint: 'refresh_token' });
    return true;
  } catch {
    return false;
  }
}
