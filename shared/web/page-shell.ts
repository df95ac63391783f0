import { randomBytes } from 'node:crypto';
import { escapeHtml } from '#shared/web/html.ts';

/**
 * Public page shells: pages a link in an email or a CLI line opens
 * (GET …/page, auth 'public').
 *
 * A shell reads nothing and changes nothing when served, so a mail security
 * scanner that fetches every link learns nothing and decides nothing. In the
 * browser its script takes the signed-in user's ID token from localStorage
 * (`chengguo.idToken`: the local sign-in page puts it there; on AWS the
 * Cognito hosted UI's callback does) and calls the API with it; without a
 * token it shows only a sign-in link that comes back to the page.
 *
 * Every value from the API is inserted with textContent (never as HTML), and
 * the Content-Security-Policy allows only the page's own script (by nonce)
 * and requests to its own origin.
 */
export const idTokenStorageKey = 'chengguo.idToken';

export interface ShellPage {
  readonly html: string;
  readonly headers: Record<string, string>;
}

/**
 * Where a page sends a user who is not signed in: the system's own
 * /auth/sign-in (shared/web/sign-in.ts), which runs the authorization-code +
 * PKCE flow with the issuer (Cognito's hosted UI on AWS, the department's
 * issuer on aws-cn, the local issuer on the laptop) and comes back with the
 * ID token stored where the pages read it. SIGN_IN_URL is set by the stack.
 */
export function signInUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env['SIGN_IN_URL'] || '/auth/sign-in';
}

/** The sign-in URL that returns to `pagePath` (same-origin path) afterwards. */
export function signInHref(signInUrl: string, pagePath: string): string {
  return `${signInUrl}${signInUrl.includes('?') ? '&' : '?'}next=${encodeURIComponent(pagePath)}`;
}

const style = `body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1f2328;line-height:1.6}
header{background:#1f4e79;color:#fff;padding:12px 24px}header h1{font-size:18px;margin:0}
main{max-width:64rem;margin:0 auto;padding:16px 24px 48px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f6f8fa;white-space:nowrap}
.error td.sev{color:#a40e26;font-weight:bold}.warning td.sev{color:#9a6700}
.status{display:inline-block;padding:2px 8px;border-radius:4px;background:#e8eef5}
.pass{color:#116329;font-weight:bold}.fail{color:#a40e26;font-weight:bold}
.msg{padding:8px 12px;border-radius:4px;background:#fff8c5;border:1px solid #d4a72c}
.msg.ok{background:#dafbe1;border-color:#4ac26b}.msg.bad{background:#ffebe9;border-color:#ff8182}
textarea{width:100%;box-sizing:border-box;font:inherit}
button{background:#1f4e79;color:#fff;border:0;border-radius:4px;padding:8px 16px;margin-right:8px;cursor:pointer;font:inherit}
button.return{background:#a40e26}button.secondary{background:#fff;color:#1f4e79;border:1px solid #1f4e79}button[disabled]{opacity:.5;cursor:default}tr.redacted td{color:#666;font-style:italic}
iframe.report{display:block;width:100%;height:80vh;min-height:8rem;border:1px solid #dde3ea;border-radius:6px;background:#fff}
.muted{color:#57606a;font-size:.9rem}code{word-break:break-all}`;

/**
 * The head every server-rendered page shares (the task and report shells, the sign-in pages): UTF-8, no
 * referrer, no favicon request, the system's title and style. `extraStyle` adds rules after the common ones.
 */
export function documentHead(title: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · 自然资源调查监测成果管理系统</title>
<style>
${style}${extraStyle ? `\n${extraStyle}` : ''}
</style>
</head>`;
}

/**
 * The client-side helpers every shell script starts with: DOM builders that
 * only ever create text nodes, the status box, the token, and `call` (fetch
 * with the bearer token, no cookies, no cache). Without a token the script
 * stops here after showing the sign-in link.
 */
const prelude = `var statusBox = document.getElementById('status');
  var contentBox = document.getElementById('content');
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'class') node.className = attrs[k]; else node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function text(v) { return v === undefined || v === null ? '' : String(v); }
  function show(box, nodes) { box.textContent = ''; nodes.forEach(function (n) { box.appendChild(n); }); }
  function message(cls, words, link) {
    var nodes = [el('p', { class: 'msg ' + cls }, [words])];
    if (link) nodes.push(el('p', {}, [el('a', { href: link.href }, [link.text])]));
    show(statusBox, nodes);
  }
  function signInLink() { return { href: config.signIn, text: config.signInText }; }
  var token = null;
  try { token = localStorage.getItem(config.storageKey); } catch (e) { token = null; }
  // An expired token is no token: sign in again (the API would only answer 401).
  try { if (token && JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp * 1000 <= Date.now()) token = null; } catch (e) { token = null; }
  if (!token) { message('', config.signInPrompt, signInLink()); return; }
  function call(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token }, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (t) { var data = null; try { data = JSON.parse(t); } catch (e) { data = t; } return { status: res.status, data: data }; });
    });
  }
  function errorText(r) { return (r.data && r.data.error && r.data.error.message) || ('请求失败（' + r.status + '）'); }`;

export interface ShellOptions {
  /** The page's own path: the sign-in link comes back here. */
  readonly pagePath: string;
  readonly signInUrl: string;
  /** <title> and the header line. */
  readonly title: string;
  readonly heading: string;
  /** What the status box says while the script loads. */
  readonly loading: string;
  /** Shown with the sign-in link when there is no token. */
  readonly signInPrompt: string;
  readonly signInText: string;
  /** A plain-text note under the content. */
  readonly note: string;
  /** Values the page script reads as `config.<key>` (JSON; never secret). */
  readonly config: Record<string, string | number>;
  /** The page's own script: runs after the prelude, with a token. */
  readonly script: string;
}

export function shellPage(opts: ShellOptions): ShellPage {
  const nonce = randomBytes(16).toString('base64');
  // JSON inside a script element: `<` escaped so no value can close the element.
  const config = JSON.stringify({
    ...opts.config,
    signIn: signInHref(opts.signInUrl, opts.pagePath),
    signInPrompt: opts.signInPrompt,
    signInText: opts.signInText,
    storageKey: idTokenStorageKey,
  }).replace(/</g, '\\u003c');
  const html = `${documentHead(opts.title)}
<body>
<header><h1>自然资源调查监测成果管理系统 · ${escapeHtml(opts.heading)}</h1></header>
<main>
<div id="status" class="card">${escapeHtml(opts.loading)}</div>
<div id="content"></div>
<noscript><p class="msg">此页面需要启用浏览器脚本，以便使用您的登录身份读取数据。</p></noscript>
<p class="muted">${escapeHtml(opts.note)}</p>
</main>
<script nonce="${escapeHtml(nonce)}">
(function () {
  var config = ${config};
  ${prelude}
${opts.script}
})();
</script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  };
}

/** The page for a link whose parameters cannot be right: nothing to load. */
export function invalidLinkPage(what: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>链接无效</title></head><body><p>${escapeHtml(what)}链接无效：请核对邮件中的链接是否完整。</p></body></html>`;
}
