/**
 * The local cloud's own pages: the sign-in page (act as a demo user) and the
 * API docs page. Plain HTML and a little JavaScript, nothing from a CDN: the
 * laptops have no internet.
 */
import { roleLabels, type Role } from '#shared/identity/roles.ts';
import { classificationLabels, type Classification } from '#shared/reference/classifications.ts';
import { escapeHtml } from '#shared/web/html.ts';

export interface DemoUserView {
  readonly userId: string;
  readonly name: string;
  readonly orgName: string;
  readonly roles: readonly Role[];
  readonly clearance: Classification;
  readonly description: string;
}

const esc = escapeHtml;

const style = `
  :root { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #1f2933; }
  body { margin: 0; background: #f5f7fa; }
  header { background: #1f4e79; color: #fff; padding: 14px 24px; }
  header a { color: #cfe3ff; margin-right: 16px; }
  main { max-width: 1080px; margin: 0 auto; padding: 16px 24px 48px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .muted { color: #637381; font-size: 13px; }
  .card { background: #fff; border: 1px solid #dde3ea; border-radius: 6px; padding: 12px 16px; margin: 10px 0; }
  .row { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
  .tag { display: inline-block; background: #e8eef5; border-radius: 3px; padding: 1px 6px; font-size: 12px; margin-right: 4px; }
  button { background: #1f4e79; color: #fff; border: 0; border-radius: 4px; padding: 6px 12px; cursor: pointer; }
  button.secondary { background: #e8eef5; color: #1f4e79; }
  textarea, input { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; width: 100%; box-sizing: border-box; }
  pre { background: #0f1720; color: #d6e2ef; padding: 10px; border-radius: 4px; overflow: auto; font-size: 12px; }
  .method { display: inline-block; min-width: 56px; text-align: center; font-weight: 600; border-radius: 3px; padding: 2px 6px; color: #fff; font-size: 12px; }
  .GET { background: #2f80ed; } .POST { background: #27ae60; } .PUT { background: #f2994a; } .PATCH { background: #9b51e0; } .DELETE { background: #eb5757; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; }
  table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #dde3ea; padding: 3px 8px; text-align: left; }
`;

function nav(apiUrl: string, inboxUrl: string): string {
  return `<header><h1>成果管理系统 · 本地云 <span class="muted" style="color:#cfe3ff">chengguo local cloud</span></h1>
  <nav><a href="/local-auth/">登录（选择演示用户）Sign in</a><a href="/docs">接口文档 API docs</a><a href="${esc(inboxUrl)}" target="_blank">邮件收件箱 Inbox</a><a href="/local/status">状态 Status</a><span class="muted" style="color:#cfe3ff">${esc(apiUrl)}</span></nav></header>`;
}

export function signInPage(opts: { apiUrl: string; inboxUrl: string; users: readonly DemoUserView[] }): string {
  const cards = opts.users
    .map(
      (u) => `<div class="card" data-user="${esc(u.userId)}">
  <div class="row"><strong>${esc(u.name)}</strong><code>${esc(u.userId)}</code><span>${esc(u.orgName)}</span>
    ${u.roles.map((r) => `<span class="tag">${esc(roleLabels[r])}</span>`).join('')}
    <span class="tag">密级：${esc(classificationLabels[u.clearance])}</span></div>
  <div class="muted" style="margin:6px 0">${esc(u.description)}</div>
  <button onclick="signIn('${esc(u.userId)}')">以此身份登录 · get token</button>
  <div class="out"></div>
</div>`,
    )
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>本地登录 · chengguo</title><style>${style}</style></head>
<body>${nav(opts.apiUrl, opts.inboxUrl)}<main>
<p>本地云用自己的签发方代替 Cognito：选择一位演示用户，取得身份令牌（8 小时有效），在请求中携带 <code>Authorization: Bearer &lt;令牌&gt;</code>。
令牌会保存在本浏览器中，接口文档页的“试一试”会自动使用。<br><span class="muted">The local issuer stands in for Cognito: pick a demo user to get an ID token (valid 8 h); the docs page's "try it" uses it.</span></p>
${cards}
</main>
<script>
async function signIn(userId) {
  const card = document.querySelector('[data-user="' + userId + '"] .out');
  card.textContent = '…';
  const res = await fetch('/local-auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  const data = await res.json();
  if (!res.ok) { card.textContent = (data.error && data.error.message) || res.status; return; }
  localStorage.setItem('chengguo.token', data.idToken);
  localStorage.setItem('chengguo.user', userId);
  // The human-task page (an emailed link) reads the token from here, as it would after the Cognito hosted UI.
  localStorage.setItem('chengguo.idToken', data.idToken);
  const next = new URLSearchParams(location.search).get('next');
  // Same-origin paths only ("/x…"): never "//host" or "/\\host", which browsers read as another site.
  if (next && next.charAt(0) === '/' && /[A-Za-z0-9]/.test(next.charAt(1))) { location.href = next; return; }
  const curl = 'curl -s -H "Authorization: Bearer ' + data.idToken + '" ' + location.origin + '/me';
  card.innerHTML = '<p class="muted">令牌（已保存，' + Math.round(data.expiresIn / 3600) + ' 小时内有效）· token saved</p>'
    + '<textarea rows="3" readonly>' + data.idToken + '</textarea>'
    + '<p class="muted">示例 · example</p><textarea rows="3" readonly>' + curl + '</textarea>'
    + '<p><button class="secondary" onclick="navigator.clipboard.writeText(this.closest(\\'.out\\').querySelectorAll(\\'textarea\\')[1].value)">复制 curl · copy</button></p>';
}
</script></body></html>`;
}

export function docsPage(opts: { apiUrl: string; inboxUrl: string }): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>接口文档 · chengguo</title><style>${style}</style></head>
<body>${nav(opts.apiUrl, opts.inboxUrl)}<main>
<div id="info" class="muted">正在读取 /openapi.json … loading</div>
<p class="muted" id="who"></p>
<div id="ops"></div>
</main>
<script>
const authLabel = (a) => a === 'public' ? '公开（无需登录）' : a === 'any' ? '任何登录用户' : '角色：' + a.join('、');
const esc = ${escapeHtml.toString()};
function schemaBlock(title, schema) {
  if (!schema || Object.keys(schema).length === 0) return '';
  return '<details><summary>' + title + '</summary><pre>' + esc(JSON.stringify(schema, null, 2)) + '</pre></details>';
}
function example(schema) {
  if (!schema || schema.type !== 'object' || !schema.properties) return '{}';
  const out = {};
  for (const [k, v] of Object.entries(schema.properties)) out[k] = v.enum ? v.enum[0] : v.type === 'number' || v.type === 'integer' ? 0 : v.type === 'boolean' ? false : v.type === 'array' ? [] : '';
  return JSON.stringify(out, null, 2);
}
async function tryIt(id, method, path) {
  const box = document.getElementById(id);
  let url = path;
  for (const input of box.querySelectorAll('input[data-in="path"]')) url = url.replace('{' + input.name + '}', encodeURIComponent(input.value));
  const q = new URLSearchParams();
  for (const input of box.querySelectorAll('input[data-in="query"]')) if (input.value) q.set(input.name, input.value);
  if ([...q].length) url += '?' + q;
  const headers = {};
  const token = localStorage.getItem('chengguo.token');
  if (token) headers.authorization = 'Bearer ' + token;
  const bodyBox = box.querySelector('textarea[name="body"]');
  if (bodyBox) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: bodyBox ? bodyBox.value : undefined });
  const text = await res.text();
  let shown = text; try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
  box.querySelector('.result').innerHTML = '<p class="muted">' + method + ' ' + esc(url) + ' → ' + res.status + '</p><pre>' + esc(shown) + '</pre>';
}
(async () => {
  const user = localStorage.getItem('chengguo.user');
  document.getElementById('who').innerHTML = user ? '“试一试”以 <code>' + esc(user) + '</code> 的身份发送（<a href="/local-auth/">换人</a>）' : '未登录：<a href="/local-auth/">先选择演示用户</a>，“试一试”才会携带令牌';
  const doc = await (await fetch('/openapi.json')).json();
  document.getElementById('info').innerHTML = '<h2 style="margin:0">' + esc(doc.info.title) + ' <span class="muted">v' + esc(doc.info.version) + ' · OpenAPI ' + esc(doc.openapi) + '</span></h2><p>' + esc(doc.info.description || '') + '</p><p class="muted"><a href="/openapi.json">/openapi.json</a></p>';
  let n = 0;
  const html = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const id = 'op' + (n++);
      const M = method.toUpperCase();
      const params = op.parameters || [];
      const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
      const okStatus = Object.keys(op.responses || {}).find((s) => /^2/.test(s)) || '200';
      const ok = op.responses && op.responses[okStatus] && op.responses[okStatus].content;
      const okSchema = ok && ok['application/json'] && ok['application/json'].schema;
      html.push('<div class="card" id="' + id + '"><div class="row"><span class="method ' + M + '">' + M + '</span><code>' + esc(path) + '</code><strong>' + esc(op.summary || '') + '</strong><span class="tag">' + esc(authLabel(op['x-chengguo-auth'] || 'any')) + '</span><span class="muted">' + esc(op.operationId || '') + '</span></div>'
        + (op.description ? '<p>' + esc(op.description) + '</p>' : '')
        + (params.length ? '<table><tr><th>参数</th><th>位置</th><th>必填</th><th>说明</th><th>值</th></tr>' + params.map((p) => '<tr><td><code>' + esc(p.name) + '</code></td><td>' + p.in + '</td><td>' + (p.required ? '是' : '否') + '</td><td>' + esc(p.description || (p.schema && p.schema.description) || '') + '</td><td><input name="' + esc(p.name) + '" data-in="' + p.in + '"></td></tr>').join('') + '</table>' : '')
        + (body ? schemaBlock('请求体 request body', body.schema) + '<textarea name="body" rows="4">' + esc(example(body.schema)) + '</textarea>' : '')
        + schemaBlock('响应 response (' + okStatus + ')', okSchema)
        + '<p><button class="secondary" onclick="tryIt(\\'' + id + '\\', \\'' + M + '\\', \\'' + path + '\\')">试一试 · try it</button></p><div class="result"></div></div>');
    }
  }
  document.getElementById('ops').innerHTML = html.join('');
})().catch((e) => { document.getElementById('info').textContent = '无法读取 /openapi.json：' + e; });
</script></body></html>`;
}
