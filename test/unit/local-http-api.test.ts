import { Socket } from 'node:net';
import { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RouteDef } from '#infra/manifest.ts';
import { buildEvent, compileRoute, matchRoute } from '#infra/local/http-api.ts';

const r = (method: RouteDef['method'], path: string): RouteDef => ({ method, path, function: path, auth: 'any', summary: '' });

const routes = [
  r('GET', '/orgs'),
  r('GET', '/orgs/{code}'),
  r('GET', '/orgs/{code}/users'),
  r('GET', '/orgs/root'),
  r('GET', '/files/{path+}'),
  r('PUT', '/users/{userId}/clearance'),
].map(compileRoute);

describe('issue-4 local HTTP API: route matching as API Gateway matches', () => {
  it('prefers a literal segment over a parameter', () => {
    expect(matchRoute(routes, 'GET', '/orgs/root')?.route.routeKey).toBe('GET /orgs/root');
    expect(matchRoute(routes, 'GET', '/orgs/440000-NR')?.pathParameters).toEqual({ code: '440000-NR' });
  });

  it('matches the whole path and the method, nothing shorter or longer', () => {
    expect(matchRoute(routes, 'GET', '/orgs/440000-NR/users')?.route.routeKey).toBe('GET /orgs/{code}/users');
    expect(matchRoute(routes, 'GET', '/orgs/440000-NR/users/extra')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/orgs')).toBeUndefined();
    expect(matchRoute(routes, 'PUT', '/users/li.na/clearance')?.pathParameters).toEqual({ userId: 'li.na' });
  });

  it('decodes path parameters and gives a greedy parameter the rest of the path', () => {
    expect(matchRoute(routes, 'GET', '/orgs/%E5%B9%BF%E4%B8%9C')?.pathParameters).toEqual({ code: '广东' });
    expect(matchRoute(routes, 'GET', '/files/a/b/c.txt')?.pathParameters).toEqual({ path: 'a/b/c.txt' });
    expect(matchRoute(routes, 'GET', '/files')).toBeUndefined();
  });
});

describe('issue-4 local HTTP API: payload format 2.0 events', () => {
  function request(method: string, url: string, headers: Record<string, string>): IncomingMessage {
    const req = new IncomingMessage(new Socket());
    req.method = method;
    req.url = url;
    req.httpVersion = '1.1';
    req.headers = headers;
    return req;
  }

  it('builds the event API Gateway sends: route key, raw path and query, lower-case headers, cookies apart', () => {
    const raw = '/orgs/440000-NR/users?role=reviewer&role=publisher&q=%E5%B9%BF';
    const req = request('GET', raw, { host: '127.0.0.1:4100', 'user-agent': 'curl/8', authorization: 'Bearer t', cookie: 'a=1; b=2' });
    const match = matchRoute(routes, 'GET', '/orgs/440000-NR/users');
    if (!match) throw new Error('no match');

    const event = buildEvent(req, match, new URL(raw, 'http://127.0.0.1'), raw, Buffer.alloc(0), 'req-1');

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /orgs/{code}/users',
      rawPath: '/orgs/440000-NR/users',
      rawQueryString: 'role=reviewer&role=publisher&q=%E5%B9%BF',
      queryStringParameters: { role: 'reviewer,publisher', q: '广' },
      pathParameters: { code: '440000-NR' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: false,
      requestContext: { requestId: 'req-1', routeKey: 'GET /orgs/{code}/users', stage: '$default', http: { method: 'GET', path: '/orgs/440000-NR/users', userAgent: 'curl/8' } },
    });
    expect(event.headers).toEqual({ host: '127.0.0.1:4100', 'user-agent': 'curl/8', authorization: 'Bearer t' });
    expect(event.body).toBeUndefined();
    expect(typeof event.requestContext.timeEpoch).toBe('number');
  });

  it('passes a JSON body as text and a binary body as base64', () => {
    const match = matchRoute(routes, 'PUT', '/users/li.na/clearance');
    if (!match) throw new Error('no match');
    const url = new URL('/users/li.na/clearance', 'http://127.0.0.1');
    const json = buildEvent(request('PUT', url.pathname, { 'content-type': 'application/json' }), match, url, url.pathname, Buffer.from('{"a":"广"}'), 'r');
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = buildEvent(request('PUT', url.pathname, { 'content-type': 'application/octet-stream' }), match, url, url.pathname, bytes, 'r');

    expect(json).toMatchObject({ body: '{"a":"广"}', isBase64Encoded: false });
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });
});
