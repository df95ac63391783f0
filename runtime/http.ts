/**
 * The HTTP trigger, one file: `http(identity, 'GetMe', [identityRepo], run)` for a
 * context module's route, and `withHttp`, the one stack every route runs through.
 * The route (method, path, auth, contract) is the context's, found by the typed
 * function key; the request is parsed, authenticated, validated, recorded and
 * mapped. On routes that are not public, `req.principal` is typed `Principal`:
 * no `signedIn` check is needed.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { RouteDef } from '#infra/manifest.ts';
import { identityRepositoryFromEnv } from '#adapters/dynamo-identity.ts';
import { securityRecordStoreFromEnv } from '#adapters/dynamo-security-records.ts';
import { DomainError, ForbiddenError, PayloadTooLargeError, UnprocessableError, UnsupportedMediaTypeError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { roleLabels } from '#shared/identity/roles.ts';
import { logger } from '#shared/log.ts';
import type { IdentityRepository, PersonLookup } from '#shared/ports/identity.ts';
import { signedInPerson } from '#shared/identity/sign-in.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { HiddenByClearanceError } from '#shared/security/access.ts';
import { runWithSecurityContext, type SecurityContext } from '#shared/security/context.ts';
import { InMemorySecurityRecords, securityRecordOf, type SecurityRecordStore } from '#shared/security/records.ts';
import { isObjectSchema, parseOrThrow } from '#shared/validation.ts';
import { jwtVerifierFromEnv, type TokenVerifier } from './auth.ts';
import type { DegradedOf, RouteContract, SuccessOf } from './contract.ts';
import { resolveFunction, type AnyContext, type AuthOf, type ContractOf, type RoutedKey } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';
import { verifier } from './ports/auth.ts';
import { identityRepo, publicSecurityRecords, securityRecords } from './ports/registry.ts';
import { statusOf } from './status.ts';
import { refuseLoneSurrogates } from './well-formed.ts';

/** A JSON body larger than this is refused before parsing (uploads go to S3, not here). */
export const maxBodyBytes = 1024 * 1024;

type Infer<T> = T extends z.ZodMiniType ? z.infer<T> : undefined;

export interface HttpRequest<C extends RouteContract> {
  readonly path: Infer<C['path']>;
  readonly query: Infer<C['query']>;
  readonly body: Infer<C['body']>;
  /** Undefined only on public routes. */
  readonly principal: Principal | undefined;
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly event: APIGatewayProxyEventV2;
}

/**
 * What a handler answers. `status` is one the route's contract declares
 * (HandlerStatus): an undeclared success status does not compile, and the
 * OpenAPI document names every status a handler may return.
 */
export interface HttpResult<S extends number = 200> {
  /** Omitted = 200. */
  readonly status?: S;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * The statuses a handler of contract C may return itself: its declared
 * success and degraded statuses, and the refusals every operation documents
 * with the error body (400, 404, 409; e.g. a held-offline upload's 409).
 */
export type HandlerStatus<C> = SuccessOf<C> | DegradedOf<C> | 400 | 404 | 409;

export interface HttpDeps {
  readonly verifier: () => TokenVerifier;
  readonly identity: () => IdentityRepository & Partial<PersonLookup>;
  /**
   * Where the security records (R20.1) go: the logs table by default; unit
   * tests pass an InMemorySecurityRecords (a handler built with deps that
   * name none keeps its own in memory).
   */
  readonly securityRecords?: () => SecurityRecordStore;
}

export function errorBody(error: unknown, requestId: string) {
  if (error instanceof DomainError) {
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
        ...(error instanceof UnprocessableError && error.report !== undefined ? { report: error.report } : {}),
        requestId,
      },
    };
  }
  return { error: { code: 'INTERNAL_ERROR', message: `系统内部错误，请稍后重试；如仍失败，请联系管理员并提供请求编号 ${requestId}`, requestId } };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The object with unknown keys refused (zod classic's `.strict()`): a copy of its definition with `catchall: never`.
 * (`z.core.…` and `z.util.…` are namespaces: naming one at run time would put all of zod's core in the bundle.)
 */
function strictObject(schema: z.core.$ZodObject): z.core.$ZodObject {
  return z.clone(schema, { ...schema._zod.def, catchall: z.never() });
}

function lowerHeaders(h: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** application/json, or a JSON-based type (application/problem+json …), with any parameters (charset). */
const jsonMediaType = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/**
 * A body declared as something other than JSON (curl -d sends form
 * encoding, fetch with a string sends text/plain) is refused with 415
 * saying how to send it, not guessed at. A body with no content-type at all
 * is still read as JSON: the unit tests' events and some clients send none.
 * `headers` are the lower-cased request headers (API Gateway HTTP API and
 * the local http-api already lower-case them; withHttp lower-cases again).
 */
function parseJsonBody(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>, limit: number = maxBodyBytes): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const type = headers['content-type']?.trim();
  if (type && !jsonMediaType.test(type)) {
    throw new UnsupportedMediaTypeError(`请以 JSON 提交（请求头 content-type: application/json），收到的是 ${type.slice(0, 100)}`);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > limit) {
    throw new PayloadTooLargeError(`请求体过大：上限 ${limit / 1024} KiB（文件请通过上传地址提交）`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError('请求体不是有效的 JSON', [{ field: 'body', code: 'INVALID_JSON', message: '请求体不是有效的 JSON' }]);
  }
  refuseLoneSurrogates(parsed);
  return parsed;
}

/**
 * A route that declares no query parameters or no body says so instead of ignoring what it was sent:
 * `?dryRun=1` must not become a real write, nor `{"force":true}` pass unnoticed. An empty body or `{}`
 * is no body. A page (text/html) opened from an email keeps whatever a mail client appends to its link
 * (utm_source …): it reads nothing from the query anyway.
 */
function refuseUndeclared(spec: RouteContract, event: APIGatewayProxyEventV2): void {
  const issues: FieldIssue[] = [];
  if (!spec.query && spec.produces !== 'text/html') {
    for (const key of Object.keys(event.queryStringParameters ?? {})) {
      issues.push({ field: `query.${key}`, code: 'UNRECOGNIZED_KEY', message: `此接口不接受查询参数“${key}”` });
    }
  }
  if (!spec.body && event.body !== undefined && event.body !== null) {
    const raw = (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body).trim();
    if (raw !== '' && raw !== '{}') issues.push({ field: 'body', code: 'UNEXPECTED_BODY', message: '此接口不接受请求体，请不带请求内容提交' });
  }
  const first = issues[0];
  if (first) throw new ValidationError(`请求参数有误：${first.field} ${first.message}`, issues);
}

export async function authorise(route: RouteDef, authorization: string | undefined, deps: HttpDeps): Promise<Principal | undefined> {
  if (route.auth === 'public') return undefined;
  // Issue 12: the registered person (by user id; on aws-cn by subject or email), never a deactivated one.
  const user = await signedInPerson(deps.identity(), await deps.verifier().verify(authorization));
  if (route.auth !== 'any' && !route.auth.some((r) => user.roles.includes(r))) {
    throw new ForbiddenError(`无权执行此操作：需要以下角色之一：${route.auth.map((r) => `${roleLabels[r]}（${r}）`).join('、')}`);
  }
  return user;
}

let defaultDepsCache: HttpDeps | undefined;
/** Lazily built so that importing a handler in a unit test needs no environment. */
export async function defaultHttpDeps(): Promise<HttpDeps> {
  if (defaultDepsCache) return defaultDepsCache;
  let verifier: TokenVerifier | undefined;
  let identity: IdentityRepository | undefined;
  let records: SecurityRecordStore | undefined;
  defaultDepsCache = {
    verifier: () => (verifier ??= jwtVerifierFromEnv()),
    identity: () => (identity ??= identityRepositoryFromEnv()),
    securityRecords: () => (records ??= securityRecordStoreFromEnv()),
  };
  return defaultDepsCache;
}

/**
 * The one middleware stack for HTTP handlers: request id and logging, body
 * size and JSON, authentication and role check (from the manifest route),
 * zod validation of path/query/body, then the handler; errors mapped by the
 * one status table, unknown errors logged in full and never echoed.
 */
export function withHttp<C extends RouteContract>(
  route: RouteDef,
  spec: C,
  fn: (req: HttpRequest<C>) => Promise<HttpResult<HandlerStatus<C>>>,
  deps?: HttpDeps,
) {
  // The route is the handler's own (its context module's): the whole manifest never enters a bundle.
  const functionName = route.function;
  const routeName = `${route.method} ${route.path}`;
  const ownRecords = new InMemorySecurityRecords();
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const log = logger.createChild({ persistentKeys: { requestId, route: routeName } });
    const security: SecurityContext = { touched: [] };
    let principal: Principal | undefined;
    const resolved = deps ?? (await defaultHttpDeps());
    const keep = async (status: number, error?: unknown) => {
      const found = securityRecordOf({
        time: new Date(),
        requestId,
        route: routeName,
        principal,
        status,
        ...(error instanceof DomainError ? { code: error.code } : {}),
        hiddenByClearance: error instanceof HiddenByClearanceError,
        touched: security.touched,
      });
      if (found) await (resolved.securityRecords?.() ?? ownRecords).put(found.orgs, found.record);
    };
    try {
      const response = await runWithSecurityContext(security, async () => {
        const headers = lowerHeaders(event.headers);
        principal = await authorise(route, headers['authorization'], resolved);
        refuseUndeclared(spec, event);
        const rawBody = spec.body ? parseJsonBody(event, headers, spec.maxBodyBytes) : undefined;
        const req = {
          path: spec.path ? parseOrThrow(spec.path, event.pathParameters ?? {}, 'path') : undefined,
          // Unknown query parameters are refused, not ignored: a misspelt filter must not
          // silently widen a search.
          query: spec.query ? parseOrThrow(strictObject(spec.query), event.queryStringParameters ?? {}, 'query') : undefined,
          // The same for a body's top-level fields: a misspelt field must not be dropped silently.
          body: spec.body ? parseOrThrow(isObjectSchema(spec.body) ? strictObject(spec.body) : spec.body, rawBody, 'body') : undefined,
          principal,
          requestId,
          headers,
          event,
        } as HttpRequest<C>;
        const result = await fn(req);
        const status = result.status ?? 200;
        if (spec.produces === 'text/html' && typeof result.body === 'string') {
          return { statusCode: status, headers: { 'content-type': 'text/html; charset=utf-8', ...result.headers }, body: result.body };
        }
        if (Array.isArray(spec.produces) && typeof result.body === 'string') {
          const type = result.headers?.['content-type'];
          if (!type || !spec.produces.some((t) => type.startsWith(t))) throw new Error(`${functionName}: a file response needs a content-type among ${spec.produces.join(', ')}, got ${type}`);
          return { statusCode: status, headers: result.headers ?? {}, body: result.body };
        }
        if (result.body === undefined) return { statusCode: status, headers: result.headers ?? {} };
        return json(status, result.body, result.headers);
      });
      // A classified read that cannot be recorded is not answered (R20.1): the error below is a 500.
      await keep(response.statusCode ?? 200);
      return response;
    } catch (error) {
      const status = statusOf(error);
      if (status >= 500) log.error('unhandled error', error as Error);
      else log.info('request refused', { status, code: (error as DomainError).code });
      try {
        if (status < 500) await keep(status, error);
      } catch (recordError) {
        // The refusal stands whether or not its record could be written; the failure is logged in full.
        log.error('security record not written', recordError as Error);
      }
      return json(status, errorBody(error, requestId));
    }
  };
  // HEAD answers as GET without a body (link checkers probe emailed pages with HEAD).
  const headless = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const result = await base(event, context);
    return event.requestContext?.http?.method === 'HEAD' ? { ...result, body: '' } : result;
  };
  return headless;
}

/** What every route's stack needs besides the handler's own ports (tests may omit securityRecords: kept in memory). */
export type AuthPortsOf<A> = (A extends 'public' ? {} : { readonly verifier: TokenVerifier; readonly identity: IdentityRepository }) & {
  readonly securityRecords?: SecurityRecordStore;
};

export type TypedRequest<C extends RouteContract, A> = Omit<HttpRequest<C>, 'principal'> & {
  readonly principal: A extends 'public' ? undefined : Principal;
};

export type HttpEntry<P> = Entry<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, P>;

export function http<X extends AnyContext, K extends RoutedKey<X>, const U extends readonly AnyPort[]>(
  ctx: X,
  name: K,
  uses: U,
  run: NoInfer<(req: TypedRequest<ContractOf<X, K>, AuthOf<X, K>>, ports: PortsOf<U> & AuthPortsOf<AuthOf<X, K>>) => Promise<HttpResult<HandlerStatus<ContractOf<X, K>>>>>,
): HttpEntry<PortsOf<U> & AuthPortsOf<AuthOf<X, K>>> {
  const route = ctx.routes[name];
  if (!route) throw new Error(`context ${ctx.name}: no route for ${name}`);
  const stack: AnyPort[] = route.auth === 'public' ? [publicSecurityRecords] : [verifier, identityRepo, securityRecords];
  type P = PortsOf<U> & AuthPortsOf<AuthOf<X, K>>;
  const make = (ports: P) => {
    const p = ports as P & { verifier?: TokenVerifier; identity?: IdentityRepository; securityRecords?: SecurityRecordStore };
    const deps: HttpDeps = {
      verifier: () => p.verifier ?? missing('verifier'),
      identity: () => p.identity ?? missing('identity'),
      ...(p.securityRecords ? { securityRecords: () => p.securityRecords! } : {}),
    };
    return withHttp({ method: route.method, path: route.path, function: name, auth: route.auth, summary: route.summary }, route.contract as ContractOf<X, K>, (req) => run(req as TypedRequest<ContractOf<X, K>, AuthOf<X, K>>, ports), deps);
  };
  return entry(resolveFunction(ctx, name), [...stack, ...uses], make);
}

function missing(port: string): never {
  throw new Error(`port ${port} not given`);
}
