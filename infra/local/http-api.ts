/**
 * The HTTP API on loopback: every manifest route served by its real handler
 * through an API Gateway HTTP API (payload format 2.0) event, and the
 * structured result mapped back as API Gateway maps it.
 *
 * Authentication: on AWS the API's JWT authorizer rejects a bad token before
 * the function runs. Locally nothing is rejected here — withHttp verifies the
 * token itself against the issuer's JWKS on both targets, so the same code
 * decides, and a 401 looks the same in both places.
 *
 * Local-only extras, outside the manifest and under their own prefixes:
 *   /local-auth/…   the stand-in issuer: OpenID configuration, JWKS, the authorization-code + PKCE
 *                   endpoints (oauth2/authorize: its sign-in page; oauth2/token: codes and refresh
 *                   tokens — infra/local/oidc.ts), and two local conveniences: the demo-user page (/local-auth/)
 *                   and POST /local-auth/token ({"userId"} → an ID token, for tests and curl; no such
 *                   shortcut exists on AWS)
 *   /local/…        status, fire a schedule now
 *   /public/…       the public catalogue's static files (published bucket, public-catalogue/ prefix);
 *                   on AWS CloudFront or an S3 website serves that prefix, not the API
 *   /docs           the API docs page (renders /openapi.json)
 *   /console/…      the web console (工作台): dist/console, built by `npm run build:console` (run by
 *                   `prepare`); any other path under it is the app's index.html (history routing).
 *                   On AWS an S3 bucket behind CloudFront would serve it (not built yet)
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { manifest, type RouteDef } from '#infra/manifest.ts';
import type { LocalIssuer } from './issuer.ts';
import type { LocalFunctions } from './lambda-runtime.ts';
import { localAuthorizationServer } from './oidc.ts';
import { docsPage, signInPage, type DemoUserView } from './pages.ts';
import type { LocalScheduler } from './scheduler.ts';
import { projectRoot } from './paths.ts';
import { localAccount } from './ports.ts';

/** API Gateway's payload limit for HTTP APIs. */
const maxPayloadBytes = 10 * 1024 * 1024;

export interface HttpApiOptions {
  readonly functions: LocalFunctions;
  readonly issuer: LocalIssuer;
  readonly scheduler: LocalScheduler;
  readonly demoUsers: readonly DemoUserView[];
  /** The registry's view of a user, for minting tokens; undefined = not registered. */
  readonly lookupUser: (userId: string) => Promise<{ userId: string; email: string; name: string } | undefined>;
  readonly status: () => unknown;
  readonly urls: { readonly api: string; readonly inbox: string };
  readonly log: (line: string) => void;
  /** The built console (default: dist/console of the checkout). */
  readonly consoleDir?: string;
  /** The published public catalogue (R9.3); default: the published bucket through the S3 endpoint in the environment. */
  readonly publicFiles?: PublicFileReader;
  /** Where presigned upload URLs point (the local S3): the console's browser upload may connect there. */
  readonly uploadOrigin?: string;
}

export interface PublicFileReader {
  get(key: string): Promise<{ body: Buffer; contentType: string } | undefined>;
}

export interface CompiledRoute {
  readonly route: RouteDef;
  readonly routeKey: string;
  readonly segments: readonly string[];
  readonly params: number;
  readonly greedy: boolean;
}

export function compileRoute(route: RouteDef): CompiledRoute {
  const segments = route.path.split('/').filter(Boolean);
  return {
    route,
    routeKey: `${route.method} ${route.path}`,
    segments,
    params: segments.filter((s) => s.startsWith('{')).length,
    greedy: segments.some((s) => s.endsWith('+}')),
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** API Gateway picks the most specific route: literal segments beat parameters, a greedy {x+} comes last. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, rawPath: string) {
  const parts = rawPath.split('/').filter(Boolean);
  let best: { route: CompiledRoute; pathParameters: Record<string, string> } | undefined;
  for (const r of routes) {
    if (r.route.method !== method) continue;
    const fixed = r.greedy ? r.segments.length - 1 : r.segments.length;
    if (r.greedy ? parts.length <= fixed : parts.length !== fixed) continue;
    const pathParameters: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < fixed && ok; i += 1) {
      const seg = r.segments[i] ?? '';
      const part = parts[i] ?? '';
      if (seg.startsWith('{')) pathParameters[seg.slice(1, -1)] = decode(part);
      else ok = seg === part;
    }
    if (!ok) continue;
    if (r.greedy) pathParameters[(r.segments[fixed] ?? '{proxy+}').slice(1, -2)] = decode(parts.slice(fixed).join('/'));
    const better = !best || Number(r.greedy) < Number(best.route.greedy) || (r.greedy === best.route.greedy && r.params < best.route.params);
    if (better) best = { route: r, pathParameters };
  }
  return best;
}

function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|x-www-form-urlencoded|javascript))/i.test(contentType);
}

function clfTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function buildEvent(
  req: IncomingMessage,
  match: { route: CompiledRoute; pathParameters: Record<string, string> },
  url: URL,
  rawUrl: string,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') {
      cookies = String(value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const rawQueryString = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
  let query: Record<string, string> | undefined;
  for (const [k, v] of url.searchParams) {
    query ??= {};
    query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  }
  const now = new Date();
  const textual = isTextual(headers['content-type']);
  const rawPath = rawUrl.split('?')[0] ?? '/';
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: localAccount,
      apiId: 'local',
      domainName: headers['host'] ?? '127.0.0.1',
      domainPrefix: (headers['host'] ?? '127').split('.')[0] ?? '127',
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

interface StructuredResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

function writeResult(res: ServerResponse, result: unknown, requestId: string): number {
  // Payload format 2.0: an object with statusCode is a structured response; anything else is JSON with 200.
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as StructuredResult;
    const status = r.statusCode ?? 200;
    const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
    const headers: Record<string, string | string[]> = { 'content-type': 'application/json', 'apigw-requestid': requestId };
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (r.cookies?.length) headers['set-cookie'] = r.cookies;
    headers['content-length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(body);
    return status;
  }
  const text = JSON.stringify(result ?? null);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'apigw-requestid': requestId });
  res.end(text);
  return 200;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return status;
}

function sendHtml(res: ServerResponse, html: string, status = 200): number {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
  res.end(html);
  return 200;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function localError(code: string, message: string, requestId: string) {
  return { error: { code, message, requestId } };
}

/**
 * /public/<key> → the key under the published bucket's public-catalogue/
 * prefix; a folder path gets its index.html, as an S3 website's index
 * document does. Decoded segments '.', '..' or empty refuse (undefined), so
 * no path reaches outside the prefix.
 */
export function publicKeyOf(path: string): string | undefined {
  if (!path.startsWith('/public/')) return undefined;
  const rel = decode(path.slice('/public/'.length));
  const key = rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel;
  return key.split('/').some((p) => p === '' || p === '.' || p === '..') ? undefined : key;
}

const consoleTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
};

/**
 * The console's Content-Security-Policy: scripts only from this site (and WebAssembly, which hash-wasm
 * compiles in the upload's hashing worker); API and issuer calls only to this site (the local issuer lives
 * under /local-auth here), plus the uploads bucket's endpoint that presigned upload URLs point at; inline
 * styles, which Element Plus sets on elements.
 */
export function consoleCsp(uploadOrigin?: string): string {
  const connect = uploadOrigin ? `'self' ${new URL(uploadOrigin).origin}` : "'self'";
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src ${connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`;
}

/**
 * /console/<file> → a file under the console's build folder; a path that names no file (a route of the
 * app, /console/catalogue/…) gets index.html. '..' never leaves the folder.
 */
export async function consoleFile(dir: string, path: string): Promise<{ body: Buffer; contentType: string; immutable: boolean } | undefined> {
  const rel = decode(path.slice('/console/'.length));
  const root = normalize(dir + sep);
  const target = normalize(join(root, rel));
  if (rel !== '' && target.startsWith(root) && extname(target) !== '') {
    try {
      return { body: await readFile(target), contentType: consoleTypes[extname(target)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') };
    } catch {
      // an asset that is not there is a 404, not the app
      if (rel.startsWith('assets/')) return undefined;
    }
  }
  try {
    return { body: await readFile(join(root, 'index.html')), contentType: consoleTypes['.html']!, immutable: false };
  } catch {
    return undefined;
  }
}

/** HEAD is served by the GET route of the same path, as API Gateway does with the HEAD routes the CDK adds. */
export function routeMethodOf(method: string | undefined): string {
  return method === 'HEAD' ? 'GET' : (method ?? 'GET');
}

export function httpApiServer(opts: HttpApiOptions): Server {
  const routes = manifest.routes.map(compileRoute);
  let publicFiles = opts.publicFiles;
  const authServer = localAuthorizationServer({
    issuer: opts.issuer,
    callbackUrls: [`${opts.urls.api}/auth/callback`, `${opts.urls.api}/console/callback`],
    lookupUser: opts.lookupUser,
    demoUsers: opts.demoUsers,
  });
  // Discovery, keys and the token endpoint answer any origin (a browser client elsewhere, as with Cognito).
  const cors = { 'access-control-allow-origin': '*' };
  const published = async (): Promise<PublicFileReader> =>
    (publicFiles ??= (await import('#adapters/s3-public-catalogue.ts')).publicCatalogueFilesFromEnv());

  async function local(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<number | undefined> {
    const path = url.pathname;
    const method = routeMethodOf(req.method);
    if (method === 'GET' && path === '/') {
      res.writeHead(302, { location: '/console/' });
      res.end();
      return 302;
    }
    if (method === 'GET' && (path === '/local-auth' || path === '/local-auth/')) {
      return sendHtml(res, signInPage({ apiUrl: opts.urls.api, inboxUrl: opts.urls.inbox, users: opts.demoUsers }));
    }
    if (method === 'GET' && path === '/local-auth/.well-known/jwks.json') return sendJson(res, 200, opts.issuer.jwks, { 'cache-control': 'max-age=300', ...cors });
    if (method === 'GET' && path === '/local-auth/.well-known/openid-configuration') return sendJson(res, 200, opts.issuer.openidConfiguration, cors);
    if (path === '/local-auth/oauth2/authorize' && (method === 'GET' || method === 'POST')) {
      let params = url.searchParams;
      if (method === 'POST') {
        const body = await readBody(req);
        params = new URLSearchParams(body?.toString('utf8') ?? '');
      }
      const checked = authServer.check(params);
      if (!checked.ok) {
        if ('page' in checked) return sendHtml(res, checked.page, 400);
        res.writeHead(302, { location: checked.redirect, 'cache-control': 'no-store' });
        res.end();
        return 302;
      }
      if (method === 'GET') return sendHtml(res, authServer.page(checked.request));
      const userId = (params.get('userId') || params.get('otherUser') || '').trim();
      const approved = userId === '' ? { error: '请选择一位用户，或输入用户名。' } : await authServer.approve(checked.request, userId);
      if ('error' in approved) return sendHtml(res, authServer.page(checked.request, approved.error), 400);
      res.writeHead(302, { location: approved.redirect, 'cache-control': 'no-store' });
      res.end();
      return 302;
    }
    if (path === '/local-auth/oauth2/token' && method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
      res.end();
      return 204;
    }
    if (path === '/local-auth/oauth2/token' && method === 'POST') {
      const body = await readBody(req);
      const answer = await authServer.token(new URLSearchParams(body?.toString('utf8') ?? ''));
      return sendJson(res, answer.status, answer.body, { 'cache-control': 'no-store', pragma: 'no-cache', ...cors });
    }
    if (method === 'POST' && path === '/local-auth/token') {
      const body = await readBody(req);
      let userId: unknown;
      try {
        userId = (JSON.parse(body?.toString('utf8') ?? '') as { userId?: unknown }).userId;
      } catch {
        userId = undefined;
      }
      if (typeof userId !== 'string' || userId === '') {
        return sendJson(res, 400, localError('VALIDATION_FAILED', '请求体应为 {"userId": "演示用户名"}，如 {"userId":"zhang.wei"}', requestId));
      }
      const user = await opts.lookupUser(userId);
      if (!user) {
        return sendJson(res, 404, localError('USER_NOT_SEEDED', `用户 ${userId} 不是本地登记的用户；可用的演示用户见 /local-auth/`, requestId));
      }
      const idToken = await opts.issuer.mint({ userId: user.userId, email: user.email, name: user.name });
      return sendJson(res, 200, { idToken, tokenType: 'Bearer', expiresIn: 8 * 3600, userId: user.userId });
    }
    if (method === 'GET' && path === '/console') {
      res.writeHead(301, { location: '/console/' });
      res.end();
      return 301;
    }
    if (method === 'GET' && path.startsWith('/console/')) {
      const file = await consoleFile(opts.consoleDir ?? join(projectRoot, 'dist', 'console'), path);
      if (!file) return sendJson(res, 404, localError('CONSOLE_NOT_BUILT', `工作台文件不存在：${path}（请先运行 npm run build:console；npm ci 会自动构建）`, requestId));
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.body.length,
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        ...(file.contentType.startsWith('text/html') ? { 'content-security-policy': consoleCsp(opts.uploadOrigin), 'x-frame-options': 'DENY' } : {}),
      });
      res.end(file.body);
      return 200;
    }
    if (method === 'GET' && path === '/docs') return sendHtml(res, docsPage({ apiUrl: opts.urls.api, inboxUrl: opts.urls.inbox }));
    if (method === 'GET' && path === '/local/status') return sendJson(res, 200, opts.status());
    // /public/downloads/… is the DownloadReleaseFile route (R17.2), /public/applications/… the public applications' (R16.3): not static files.
    if (method === 'GET' && (path === '/public' || path.startsWith('/public/')) && !path.startsWith('/public/downloads/') && !path.startsWith('/public/applications/')) {
      if (path === '/public') {
        res.writeHead(301, { location: '/public/' });
        res.end();
        return 301;
      }
      const key = publicKeyOf(path);
      const file = key === undefined ? undefined : await (await published()).get(key);
      if (!file) return sendJson(res, 404, localError('NOT_PUBLISHED', `公开目录中没有 ${key ?? path}（目录每日更新，或由保管人调用 POST /public-catalogue/refresh 立即更新）`, requestId));
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(file.body);
      return 200;
    }
    const fire = /^\/local\/schedules\/([^/]+)\/run$/.exec(path);
    if (method === 'POST' && fire?.[1]) {
      const name = decode(fire[1]);
      if (!opts.scheduler.has(name)) return sendJson(res, 404, localError('SCHEDULE_NOT_FOUND', `没有名为 ${name} 的调度任务`, requestId));
      try {
        // ?at=<ISO instant>: the firing's planned time (a quarterly schedule fired for the quarter just ended); default now.
        const at = url.searchParams.get('at');
        const planned = at ? new Date(at) : new Date();
        if (Number.isNaN(planned.getTime())) return sendJson(res, 400, localError('VALIDATION_FAILED', `at 应为 ISO 时间，如 2027-01-01T00:00:00Z（收到 ${at}）`, requestId));
        const { executionId, result } = await opts.scheduler.fire(name, planned);
        return sendJson(res, 200, { schedule: name, executionId, result });
      } catch (error) {
        const e = error as Error;
        return sendJson(res, 500, localError('SCHEDULE_FAILED', `调度任务 ${name} 执行失败：${e.name}: ${e.message}`, requestId));
      }
    }
    return undefined;
  }

  return createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const done = (status: number) => opts.log(`API ${method} ${url.pathname} → ${status} (${Date.now() - started} ms)`);
    void (async () => {
      try {
        // HEAD is answered by the GET route; Node's server sends the headers and drops the body.
        const match = matchRoute(routes, routeMethodOf(method), url.pathname);
        if (!match) {
          const handled = await local(req, res, url, requestId);
          if (handled !== undefined) return done(handled);
          return done(
            sendJson(res, 404, localError('ROUTE_NOT_FOUND', `没有这个接口：${method} ${url.pathname}（接口列表见 /docs）`, requestId)),
          );
        }
        const body = await readBody(req);
        if (!body) return done(sendJson(res, 413, { message: 'Request Entity Too Large' }));
        const event = buildEvent(req, match, url, rawUrl, body, requestId);
        let result: unknown;
        try {
          result = await opts.functions.invoke(match.route.route.function, event, { requestId: randomUUID() });
        } catch (error) {
          // What API Gateway answers when the integration fails: no detail for the caller.
          const e = error as Error;
          opts.log(`API ${method} ${url.pathname}: 函数 ${match.route.route.function} 出错 (function error) ${e.name}: ${e.message}`);
          if (e.name === 'Sandbox.Timedout') return done(sendJson(res, 503, { message: 'Service Unavailable' }));
          return done(sendJson(res, 500, { message: 'Internal Server Error' }));
        }
        return done(writeResult(res, result, requestId));
      } catch (error) {
        opts.log(`API ${method} ${url.pathname}: 本地服务器错误 (local server error) ${error instanceof Error ? error.stack : String(error)}`);
        if (!res.headersSent) done(sendJson(res, 500, { message: 'Internal Server Error' }));
        else res.destroy();
      }
    })();
  });
}
