/**
 * The local issuer's OpenID Connect endpoints: authorization code with PKCE
 * (S256 only) and the refresh-token grant, for one public client (no secret)
 * whose id is the tokens' audience — as a Cognito app client with the hosted
 * UI, so the pages' sign-in (/auth/sign-in → /auth/callback) and the CLI's
 * loopback login run the same code against the laptop and against AWS.
 *
 * Why not a provider library (oidc-provider): it would be a new dependency
 * with its own storage, consent and session model, to stand in for the ~200
 * lines below; the local issuer must mint Cognito-shaped tokens
 * (`cognito:username`, `token_use`) from the registry's users, and nothing
 * here is deployed — on AWS Cognito (or the department's issuer) serves
 * these endpoints.
 *
 *   GET  /local-auth/oauth2/authorize   the sign-in page: pick a demo user, or type any registered user
 *   POST /local-auth/oauth2/authorize   (the page's form) → 302 redirect_uri?code=…&state=…
 *   POST /local-auth/oauth2/token       code + code_verifier → tokens; refresh_token → new ID token
 *
 * Codes are random, single-use (spent on the first attempt, right or wrong),
 * bound to client, redirect URI, PKCE challenge and nonce, and live 60 s.
 */
import { createHash, randomBytes } from 'node:crypto';
import { escapeHtml } from '#shared/web/html.ts';
import { roleLabels, type Role } from '#shared/identity/roles.ts';
import { type LocalIssuer, tokenLifetimeSeconds } from './issuer.ts';
import type { DemoUserView } from './pages.ts';
import { localAudience } from './ports.ts';

export const codeLifetimeMs = 60_000;

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly codeChallenge: string;
}

interface IssuedCode extends AuthorizationRequest {
  readonly userId: string;
  readonly expiresAt: number;
}

export type UserLookup = (userId: string) => Promise<{ userId: string; email: string; name: string } | undefined>;

export interface TokenResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** RFC 6749 §5.2 error with a Chinese description first. */
function oauthError(status: number, error: string, description: string): TokenResponse {
  return { status, body: { error, error_description: description } };
}

/**
 * Where a code may be sent: the system's own callback page, or a native app's
 * loopback address on any port (RFC 8252 §7.3: the CLI listens on a random port).
 */
export function redirectUriAllowed(uri: string, callbackUrls: readonly string[]): boolean {
  if (callbackUrls.includes(uri)) return true;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]') && url.hash === '' && url.username === '';
}

const verifierPattern = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export type AuthorizeCheck =
  | { readonly ok: true; readonly request: AuthorizationRequest }
  /** The client or redirect URI is wrong: never redirect (RFC 6749 §4.1.2.1), show the page. */
  | { readonly ok: false; readonly page: string }
  /** Anything else: back to the client with error=…&state=… */
  | { readonly ok: false; readonly redirect: string };

export interface LocalAuthorizationServer {
  check(params: URLSearchParams): AuthorizeCheck;
  /** The sign-in page of a checked request (an error line when the last attempt failed). */
  page(request: AuthorizationRequest, error?: string): string;
  /** The user signed in: a code for the client, as the redirect to follow. */
  approve(request: AuthorizationRequest, userId: string): Promise<{ redirect: string } | { error: string }>;
  token(form: URLSearchParams): Promise<TokenResponse>;
}

function redirectWith(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export function localAuthorizationServer(opts: {
  readonly issuer: LocalIssuer;
  /** The system's own callback page(s): `${api}/auth/callback`. */
  readonly callbackUrls: readonly string[];
  readonly lookupUser: UserLookup;
  readonly demoUsers: readonly DemoUserView[];
  readonly now?: () => number;
}): LocalAuthorizationServer {
  const codes = new Map<string, IssuedCode>();
  const now = opts.now ?? Date.now;
  const sweep = () => {
    // Expired codes are kept a while, so a late exchange hears "expired", not "unknown".
    for (const [code, issued] of codes) if (issued.expiresAt + 10 * codeLifetimeMs <= now()) codes.delete(code);
  };

  return {
    check(params) {
      const clientId = params.get('client_id') ?? '';
      const redirectUri = params.get('redirect_uri') ?? '';
      if (clientId !== localAudience) {
        return { ok: false, page: errorPage(`未知的客户端（client_id “${clientId}”）：本地签发方只接受 ${localAudience}。`, 'invalid_client') };
      }
      if (!redirectUriAllowed(redirectUri, opts.callbackUrls)) {
        return { ok: false, page: errorPage(`回调地址（redirect_uri）“${redirectUri}” 未登记：只接受本系统的 /auth/callback 或本机回环地址（http://127.0.0.1:端口/…）。`, 'invalid_request') };
      }
      const state = params.get('state') ?? '';
      const back = (error: string, description: string): AuthorizeCheck => ({
        ok: false,
        redirect: redirectWith(redirectUri, { error, error_description: description, ...(state ? { state } : {}) }),
      });
      if (params.get('response_type') !== 'code') return back('unsupported_response_type', '只支持授权码流程（response_type=code）');
      const scope = params.get('scope') ?? '';
      if (!scope.split(' ').includes('openid')) return back('invalid_scope', '请求须包含 openid 范围（scope=openid …）');
      if (state === '') return back('invalid_request', '缺少 state 参数');
      const codeChallenge = params.get('code_challenge') ?? '';
      if (params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
        return back('invalid_request', '须使用 PKCE：code_challenge_method=S256 与 43 位的 code_challenge');
      }
      return { ok: true, request: { clientId, redirectUri, state, nonce: params.get('nonce') ?? undefined, scope, codeChallenge } };
    },

    page(request, error) {
      return signInFormPage(request, opts.demoUsers, error);
    },

    async approve(request, userId) {
      const user = await opts.lookupUser(userId);
      if (!user) return { error: `用户 “${userId}” 不是本地登记的用户：请选择下列演示用户之一，或输入已登记的用户名。` };
      sweep();
      const code = randomBytes(32).toString('base64url');
      codes.set(code, { ...request, userId: user.userId, expiresAt: now() + codeLifetimeMs });
      return { redirect: redirectWith(request.redirectUri, { code, state: request.state }) };
    },

    async token(form) {
      const grantType = form.get('grant_type');
      const clientId = form.get('client_id');
      if (clientId !== localAudience) return oauthError(401, 'invalid_client', `未知的客户端（client_id “${clientId ?? ''}”）`);
      if (grantType === 'authorization_code') {
        const code = form.get('code') ?? '';
        const issued = codes.get(code);
        // Single use: spent on the first attempt, whether it succeeds or not.
        codes.delete(code);
        if (!issued) return oauthError(400, 'invalid_grant', '授权码无效或已使用：请重新登录');
        if (issued.expiresAt <= now()) return oauthError(400, 'invalid_grant', `授权码已过期（有效期 ${codeLifetimeMs / 1000} 秒）：请重新登录`);
        if (issued.clientId !== clientId) return oauthError(400, 'invalid_grant', '授权码不属于此客户端');
        if (form.get('redirect_uri') !== issued.redirectUri) return oauthError(400, 'invalid_grant', '回调地址（redirect_uri）与授权请求不一致');
        const verifier = form.get('code_verifier') ?? '';
        if (!verifierPattern.test(verifier)) return oauthError(400, 'invalid_request', '缺少或格式错误的 PKCE 校验码（code_verifier：43–128 位）');
        if (s256(verifier) !== issued.codeChallenge) return oauthError(400, 'invalid_grant', 'PKCE 校验码（code_verifier）与授权请求的 code_challenge 不符');
        const user = await opts.lookupUser(issued.userId);
        if (!user) return oauthError(400, 'invalid_grant', `用户 ${issued.userId} 已不在登记中`);
        const claims = { userId: user.userId, email: user.email, name: user.name };
        return {
          status: 200,
          body: {
            access_token: await opts.issuer.mint(claims, { tokenUse: 'access' }),
            id_token: await opts.issuer.mint(claims, issued.nonce ? { nonce: issued.nonce } : {}),
            refresh_token: await opts.issuer.mintRefresh(user.userId),
            token_type: 'Bearer',
            expires_in: tokenLifetimeSeconds,
            scope: issued.scope,
          },
        };
      }
      if (grantType === 'refresh_token') {
        const userId = await opts.issuer.verifyRefresh(form.get('refresh_token') ?? '');
        if (!userId) return oauthError(400, 'invalid_grant', '刷新令牌无效或已过期：请重新登录');
        const user = await opts.lookupUser(userId);
        if (!user) return oauthError(400, 'invalid_grant', `用户 ${userId} 已不在登记中`);
        const claims = { userId: user.userId, email: user.email, name: user.name };
        // As Cognito: a new ID and access token, the refresh token stays the same.
        return {
          status: 200,
          body: {
            access_token: await opts.issuer.mint(claims, { tokenUse: 'access' }),
            id_token: await opts.issuer.mint(claims),
            token_type: 'Bearer',
            expires_in: tokenLifetimeSeconds,
          },
        };
      }
      return oauthError(400, 'unsupported_grant_type', `不支持的授权类型 grant_type “${grantType ?? ''}”：只支持 authorization_code 与 refresh_token`);
    },
  };
}

const style = `body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1f2328;line-height:1.6}
header{background:#1f4e79;color:#fff;padding:12px 24px}header h1{font-size:18px;margin:0}
main{max-width:48rem;margin:0 auto;padding:16px 24px 48px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:10px 16px;margin:10px 0}
.msg{padding:8px 12px;border-radius:4px;background:#ffebe9;border:1px solid #ff8182}
button{background:#1f4e79;color:#fff;border:0;border-radius:4px;padding:6px 14px;cursor:pointer;font:inherit}
.muted{color:#57606a;font-size:.9rem}.tag{display:inline-block;background:#e8eef5;border-radius:3px;padding:0 6px;font-size:12px;margin-right:4px}
input{font:inherit;padding:4px 8px}`;

function shell(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${escapeHtml(title)} · 本地签发方</title><style>${style}</style></head>
<body><header><h1>自然资源调查监测成果管理系统 · ${escapeHtml(title)}</h1></header><main>${body}</main></body></html>`;
}

export function errorPage(message: string, code: string): string {
  return shell('无法登录', `<p class="msg">${escapeHtml(message)}</p><p class="muted">错误代码 ${escapeHtml(code)}。请从系统页面或命令行重新发起登录。</p>`);
}

function signInFormPage(request: AuthorizationRequest, users: readonly DemoUserView[], error?: string): string {
  const hidden = Object.entries({
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scope,
    state: request.state,
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  })
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const cards = users
    .map(
      (u) => `<div class="card"><button type="submit" name="userId" value="${escapeHtml(u.userId)}">以 ${escapeHtml(u.name)}（${escapeHtml(u.userId)}）登录</button>
 <span class="muted">${escapeHtml(u.orgName)}</span> ${u.roles.map((r) => `<span class="tag">${escapeHtml(roleLabels[r as Role] ?? r)}</span>`).join('')}<div class="muted">${escapeHtml(u.description)}</div></div>`,
    )
    .join('\n');
  const back = new URL(request.redirectUri);
  return shell(
    '登录',
    `${error ? `<p class="msg" role="alert">${escapeHtml(error)}</p>` : ''}
<p>本地云用自己的签发方代替 Cognito 登录页：选择一位演示用户，或输入已登记的用户名。登录后返回 <code>${escapeHtml(back.origin + back.pathname)}</code>。<br>
<span class="muted">The local issuer stands in for the Cognito hosted UI (authorization code + PKCE).</span></p>
<form method="post">${hidden}
<div class="card"><label>用户名 <input name="otherUser" autocomplete="username" placeholder="如 zhang.wei"></label> <button type="submit" name="userId" value="">登录</button></div>
${cards}
</form>`,
  );
}
