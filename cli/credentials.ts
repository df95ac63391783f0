import { chinaDateTime } from '#shared/calendar/dates.ts';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { CliError } from './errors.ts';

/**
 * Where `chengguo login` keeps the tokens: `$CHENGGUO_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/chengguo`, else `~/.config/chengguo`, file
 * `credentials.json` (mode 0600, folder 0700: the ID and refresh tokens are
 * bearer credentials). `--token` or `CHENGGUO_TOKEN` win over the stored
 * token (a token obtained elsewhere, e.g. in CI).
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['CHENGGUO_CONFIG_DIR']) return env['CHENGGUO_CONFIG_DIR'];
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg && xdg !== '' ? xdg : join(homedir(), '.config'), 'chengguo');
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'credentials.json');
}

export interface StoredCredentials {
  readonly apiUrl: string;
  readonly userId: string;
  /** The ID token the API is called with. */
  readonly token: string;
  /** ISO time; from the token's `exp`. */
  readonly expiresAt?: string;
  /** For the silent renewal before expiry (refresh_token grant). */
  readonly refreshToken?: string;
  /** The issuer and public client the tokens came from (GET /auth/config at login). */
  readonly issuer?: string;
  readonly clientId?: string;
  readonly savedAt: string;
}

/** Renew this long before the ID token expires, so a command never starts with a token about to lapse. */
export const refreshMarginMs = 5 * 60_000;

/** The local cloud's default API address (`npm start`, port base 4100). */
export const defaultApiUrl = 'http://127.0.0.1:4100';

export async function readCredentials(env: NodeJS.ProcessEnv = process.env): Promise<StoredCredentials | undefined> {
  try {
    return JSON.parse(await readFile(credentialsPath(env), 'utf8')) as StoredCredentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('CREDENTIALS_UNREADABLE', `无法读取登录信息 ${credentialsPath(env)}：${(error as Error).message}；可删除该文件后重新登录`);
  }
}

export async function saveCredentials(creds: StoredCredentials, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  await mkdir(configDir(env), { recursive: true, mode: 0o700 });
  const path = credentialsPath(env);
  await writeFileAtomic(path, `${JSON.stringify(creds, null, 2)}\n`, 0o600);
  return path;
}

/** `chengguo logout`: the stored login is gone (true when there was one). */
export async function removeCredentials(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = credentialsPath(env);
  try {
    await readFile(path);
  } catch {
    return false;
  }
  await rm(path, { force: true });
  return true;
}

/** The `exp` claim of a JWT, without verifying it (the API verifies; this only warns early). */
export function tokenExpiry(token: string): Date | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

export function trimApiUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The API address and token for a command: flags, then environment
 * (CHENGGUO_API_URL, CHENGGUO_TOKEN), then the stored login. The stored
 * token is used only for the API it was issued by.
 */
export async function resolveAuth(
  flags: { api?: string | undefined; token?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
  now = new Date(),
  renew?: (stored: StoredCredentials) => Promise<StoredCredentials>,
): Promise<{ apiUrl: string; token: string; source: 'flag' | 'env' | 'login' }> {
  let stored = await readCredentials(env);
  // A stored login about to expire is renewed silently with its refresh token (and saved, mode 0600).
  if (renew && stored?.refreshToken && !flags.token && !env['CHENGGUO_TOKEN']) {
    const exp = tokenExpiry(stored.token) ?? (stored.expiresAt ? new Date(stored.expiresAt) : undefined);
    const apiUrl = trimApiUrl(flags.api ?? env['CHENGGUO_API_URL'] ?? stored.apiUrl);
    if (exp && exp.getTime() - now.getTime() <= refreshMarginMs && trimApiUrl(stored.apiUrl) === apiUrl) {
      stored = await renew(stored);
      await saveCredentials(stored, env);
    }
  }
  const apiUrl = trimApiUrl(flags.api ?? env['CHENGGUO_API_URL'] ?? stored?.apiUrl ?? defaultApiUrl);
  let token: string | undefined;
  let source: 'flag' | 'env' | 'login' = 'flag';
  if (flags.token) token = flags.token;
  else if (env['CHENGGUO_TOKEN']) {
    token = env['CHENGGUO_TOKEN'];
    source = 'env';
  } else if (stored && trimApiUrl(stored.apiUrl) === apiUrl) {
    token = stored.token;
    source = 'login';
  }
  if (!token) {
    throw new CliError(
      'NOT_LOGGED_IN',
      stored
        ? `已保存的登录信息属于 ${stored.apiUrl}，不适用于 ${apiUrl}：请先运行 chengguo login <用户名> --api ${apiUrl}，或用 --token / CHENGGUO_TOKEN 提供令牌`
        : `尚未登录：请运行 chengguo login --api <接口地址>（在浏览器中登录）；本地云也可 chengguo login <用户名>（如 li.na）；或用 --token / CHENGGUO_TOKEN 提供 ID 令牌`,
    );
  }
  const exp = tokenExpiry(token);
  if (exp && exp.getTime() <= now.getTime()) {
    throw new CliError(
      'TOKEN_EXPIRED',
      `令牌已于 ${chinaDateTime(exp)} 过期：${source === 'login' ? '请重新运行 chengguo login' : '请提供新的令牌'}`,
    );
  }
  return { apiUrl, token, source };
}
