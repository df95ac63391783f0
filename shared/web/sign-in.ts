import { randomBytes } from 'node:crypto';
import { escapeHtml } from '#shared/web/html.ts';
import { documentHead, idTokenStorageKey } from '#shared/web/page-shell.ts';

/**
 * Sign-in for the pages (emailed links, CLI links): OpenID Connect
 * authorization code with PKCE (S256), state and nonce — the flow Cognito's
 * hosted UI, the aws-cn department issuer and the local issuer all serve.
 *
 *   /auth/sign-in?next=/human-tasks/…/page   makes verifier, state, nonce (kept in sessionStorage,
 *                                            this tab only) → the issuer's authorization_endpoint
 *   /auth/callback?code=…&state=…            checks state, exchanges code + verifier at the
 *                                            token_endpoint, checks nonce, keeps the ID token where
 *                                            the pages read it (localStorage chengguo.idToken) → next
 *
 * The endpoints come from the issuer's discovery document (read by the
 * handler, adapters/oidc-discovery.ts). `next` is a same-origin path only —
 * checked by the route's contract and again in the browser — so the flow is
 * no open redirect. Errors are shown in Chinese on the page.
 */

/** The app's own OIDC client: what the pages and the CLI need to sign in (GET /auth/config). */
export interface SignInSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The system's own callback page: `${APP_BASE_URL}/auth/callback`. */
  readonly redirectUri: string;
  /** The CLI's loopback redirect (port 0 = any free port). */
  readonly cliRedirectUri: string;
}

export interface IssuerEndpoints {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly endSessionEndpoint?: string;
}

export const signInScopes = ['openid', 'email', 'profile'] as const;
export const signInPath = '/auth/sign-in';
export const callbackPath = '/auth/callback';
/** Default loopback redirect of the CLI: any port (RFC 8252 §7.3). */
export const defaultCliRedirectUri = 'http://127.0.0.1/callback';
/** How long a started sign-in may take before the callback refuses it. */
export const pendingSignInMaxMs = 10 * 60_000;

/**
 * A path on this site: "/" followed by anything but a second "/" or "\" (which
 * browsers read as another host), no whitespace, backslash or control character.
 */
export function isSameOriginPath(next: string): boolean {
  return next.length <= 2000 && /^\/(?![/\\])[^\s\\\u0000-\u001f\u007f]*$/.test(next);
}

/** The same rule as the browser runs it (kept in one place: the regex source is injected). */
const sameOriginPathSource = String.raw`^\/(?![/\\])[^\s\\\u0000-\u001f\u007f]*$`;


function originOf(url: string): string {
  return new URL(url).origin;
}

function page(opts: { title: string; loading: string; config: Record<string, unknown>; script: string; connect: readonly string[] }) {
  const nonce = randomBytes(16).toString('base64');
  const config = JSON.stringify(opts.config).replace(/</g, '\\u003c');
  const html = `${documentHead(opts.title, 'main{max-width:48rem}')}
<body>
<header><h1>自然资源调查监测成果管理系统 · ${escapeHtml(opts.title)}</h1></header>
<main>
<div id="status" class="card">${escapeHtml(opts.loading)}</div>
<noscript><p class="msg">登录需要启用浏览器脚本。</p></noscript>
</main>
<script nonce="${escapeHtml(nonce)}">
(function () {
  var config = ${config};
  var statusBox = document.getElementById('status');
  function say(cls, words, link) {
    statusBox.textContent = '';
    var p = document.createElement('p');
    p.className = 'msg ' + cls;
    p.appendChild(document.createTextNode(words));
    statusBox.appendChild(p);
    if (link) {
      var a = document.createElement('a');
      a.setAttribute('href', link.href);
      a.appendChild(document.createTextNode(link.text));
      var q = document.createElement('p');
      q.appendChild(a);
      statusBox.appendChild(q);
    }
  }
  var samePath = new RegExp(config.samePath);
  function safeNext(next) { return typeof next === 'string' && next.length <= 2000 && samePath.test(next) ? next : '/auth/callback?signedIn=1'; }
  function b64url(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
${opts.script}
})();
</script>
</body>
</html>
`;
  const connect = [...new Set(["'self'", ...opts.connect.map(originOf)])].join(' ');
  return {
    html,
    headers: {
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src ${connect}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  };
}

/** GET /auth/sign-in: start the flow (or, with signOut, forget the token). */
export function signInStartPage(opts: { settings: SignInSettings; endpoints: IssuerEndpoints; next: string | undefined; signOut: boolean }) {
  const { settings, endpoints } = opts;
  return page({
    title: opts.signOut ? '退出登录' : '登录',
    loading: opts.signOut ? '正在退出登录…' : '正在转到登录页…',
    connect: [],
    config: {
      samePath: sameOriginPathSource,
      next: opts.next ?? null,
      signOut: opts.signOut,
      storageKey: idTokenStorageKey,
      authorizationEndpoint: endpoints.authorizationEndpoint,
      endSessionEndpoint: endpoints.endSessionEndpoint ?? null,
      clientId: settings.clientId,
      scope: settings.scopes.join(' '),
      redirectUri: settings.redirectUri,
    },
    script: `  if (config.signOut) {
    try { localStorage.removeItem(config.storageKey); } catch (e) { /* nothing kept */ }
    if (config.endSessionEndpoint) {
      var out = new URL(config.endSessionEndpoint);
      out.searchParams.set('client_id', config.clientId);
      out.searchParams.set('post_logout_redirect_uri', config.redirectUri);
      location.assign(out.toString());
      return;
    }
    say('', '已退出登录：本浏览器不再保存您的身份令牌。', { href: '/auth/sign-in', text: '重新登录' });
    return;
  }
  if (!window.crypto || !crypto.subtle || !window.sessionStorage) {
    say('bad', '此浏览器无法完成安全登录（需要 Web Crypto：请通过 https 或本机地址打开本系统）。');
    return;
  }
  function random(n) { var a = new Uint8Array(n); crypto.getRandomValues(a); return b64url(a); }
  var verifier = random(32), state = random(16), nonce = random(16);
  crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then(function (hash) {
    sessionStorage.setItem('chengguo.signIn.' + state, JSON.stringify({ verifier: verifier, nonce: nonce, next: safeNext(config.next), at: Date.now() }));
    var url = new URL(config.authorizationEndpoint);
    var params = { client_id: config.clientId, response_type: 'code', scope: config.scope, redirect_uri: config.redirectUri,
      state: state, nonce: nonce, code_challenge: b64url(new Uint8Array(hash)), code_challenge_method: 'S256' };
    Object.keys(params).forEach(function (k) { url.searchParams.set(k, params[k]); });
    location.assign(url.toString());
  }).catch(function (e) { say('bad', '无法开始登录：' + e); });`,
  });
}

/** GET /auth/callback: finish the flow. */
export function authCallbackPage(opts: { settings: SignInSettings; endpoints: IssuerEndpoints }) {
  const { settings, endpoints } = opts;
  return page({
    title: '登录',
    loading: '正在完成登录…',
    connect: [endpoints.tokenEndpoint],
    config: {
      samePath: sameOriginPathSource,
      storageKey: idTokenStorageKey,
      tokenEndpoint: endpoints.tokenEndpoint,
      clientId: settings.clientId,
      redirectUri: settings.redirectUri,
      maxAgeMs: pendingSignInMaxMs,
    },
    script: `  var again = { href: '/auth/sign-in', text: '重新登录' };
  var q = new URLSearchParams(location.search);
  var errors = {
    access_denied: '登录被拒绝或已取消。',
    invalid_request: '登录请求无效。',
    invalid_scope: '登录请求的范围无效。',
    unsupported_response_type: '登录服务不支持此登录方式。',
    invalid_grant: '授权码无效、已使用或已过期，或 PKCE 校验码不符。',
    invalid_client: '本系统的登录客户端未在登录服务中登记。',
    server_error: '登录服务出错，请稍后再试。',
    temporarily_unavailable: '登录服务暂时不可用，请稍后再试。'
  };
  function oauthText(error, description) { return (errors[error] || ('登录失败（' + error + '）。')) + (description ? ' ' + description : '') + ' 请重新登录。'; }
  // Whatever happens next, the code and state leave the address bar and the history.
  try { history.replaceState(null, '', location.pathname); } catch (e) { /* keep going */ }
  if (q.get('error')) { say('bad', oauthText(q.get('error'), q.get('error_description')), again); return; }
  var code = q.get('code'), state = q.get('state');
  if (!code) {
    if (q.get('signedIn')) say('', '已登录。', { href: '/docs', text: '接口文档' });
    else say('', '已退出登录。', again);
    return;
  }
  var key = 'chengguo.signIn.' + (state || '');
  var raw = null;
  try { raw = state ? sessionStorage.getItem(key) : null; sessionStorage.removeItem(key); } catch (e) { raw = null; }
  if (!raw) { say('bad', '登录状态无效（state 不符、已使用，或登录不是从本浏览器窗口发起的）：为安全起见未完成登录，请重新登录。', again); return; }
  var pending = JSON.parse(raw);
  if (!(Date.now() - pending.at <= config.maxAgeMs)) { say('bad', '登录请求已过期（须在 ' + Math.round(config.maxAgeMs / 60000) + ' 分钟内完成）：请重新登录。', again); return; }
  var body = new URLSearchParams({ grant_type: 'authorization_code', code: code, redirect_uri: config.redirectUri, client_id: config.clientId, code_verifier: pending.verifier });
  fetch(config.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), credentials: 'omit', cache: 'no-store' })
    .then(function (res) { return res.text().then(function (t) { var d = null; try { d = JSON.parse(t); } catch (e) { d = {}; } return { ok: res.ok, status: res.status, data: d }; }); })
    .then(function (r) {
      if (!r.ok || !r.data || typeof r.data.id_token !== 'string') {
        say('bad', r.data && r.data.error ? oauthText(r.data.error, r.data.error_description) : '登录服务未返回身份令牌（' + r.status + '）：请重新登录。', again);
        return;
      }
      var claims = null;
      try { claims = JSON.parse(decodeURIComponent(escape(atob(r.data.id_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))))); } catch (e) { claims = null; }
      if (!claims || claims.nonce !== pending.nonce) { say('bad', '身份令牌与本次登录不符（nonce）：为安全起见未保存，请重新登录。', again); return; }
      localStorage.setItem(config.storageKey, r.data.id_token);
      location.replace(safeNext(pending.next));
    })
    .catch(function (e) { say('bad', '无法连接登录服务：' + e + '。请稍后重新登录。', again); });`,
  });
}
