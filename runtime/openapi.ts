import * as z from 'zod/mini';
import { contexts, manifest, type Manifest } from '#infra/manifest.ts';
import type { AnyContext } from './define.ts';
import { successOf, type RouteContract, type SuccessStatus } from './contract.ts';
import { defaultApiVersion, packOpenApi } from './openapi-packed.ts';

/**
 * OpenAPI 3.1 from the manifest's routes and their zod contracts. 3.1 uses
 * JSON Schema 2020-12, which is what zod 4 emits, so schemas go in unchanged.
 */
type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

const errorResponse: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'English error code, e.g. VALIDATION_FAILED, TOKEN_EXPIRED' },
        message: { type: 'string', description: '中文说明，告诉使用者如何处理' },
        requestId: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

/** What API Gateway itself answers when it refuses (payload over 10 MiB) or the function fails. */
const gatewayError: JsonSchema = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string', description: 'API 网关的英文说明，如 Internal Server Error' } },
};

function parameters(obj: z.core.$ZodObject | undefined, where: 'path' | 'query') {
  if (!obj) return [];
  const schema = toSchema(obj, 'input');
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s['description'] === 'string' ? { description: s['description'] } : {}),
    schema: s,
  }));
}

const successText: Record<SuccessStatus, string> = {
  200: '成功',
  201: '已创建',
  202: '已受理（后续由流程异步完成）',
  302: '重定向（Location 为短时有效的预签名地址）',
};

/**
 * Every status an operation answers with: its declared success statuses
 * (and degraded one), and the error statuses withHttp produces for it — 400
 * (validation, undeclared query or body), 401/403 unless public, 404, 409,
 * 413/415 where it reads a body, 422 where the contract declares one, 500 (internal, the same error body).
 */
function responsesOf(c: RouteContract, isPublic: boolean): Record<string, unknown> {
  const content = c.produces === 'text/html'
    ? { 'text/html': { schema: { type: 'string' } } }
    : Array.isArray(c.produces)
      ? Object.fromEntries(c.produces.map((t) => [t, { schema: { type: 'string' } }]))
      : { 'application/json': { schema: c.response ? toSchema(c.response, 'output') : {} } };
  const out: Record<string, unknown> = {};
  for (const status of successOf(c)) {
    out[String(status)] = status === 302
      ? { description: successText[status], headers: { Location: { description: '预签名下载地址（5 分钟内有效）', schema: { type: 'string', format: 'uri' } } } }
      : { description: successText[status], content };
  }
  if (c.degraded) out[String(c.degraded.status)] = { description: c.degraded.description, content };
  out['400'] = { $ref: '#/components/responses/BadRequest' };
  if (!isPublic) {
    out['401'] = { $ref: '#/components/responses/Unauthenticated' };
    out['403'] = { $ref: '#/components/responses/Forbidden' };
  }
  out['404'] = { $ref: '#/components/responses/NotFound' };
  out['409'] = { $ref: '#/components/responses/Conflict' };
  if (c.body) {
    out['413'] = { $ref: '#/components/responses/PayloadTooLarge' };
    out['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
  }
  if (c.unprocessable) {
    const error = errorResponse['properties'] as { error: { required: string[]; properties: JsonSchema } };
    out['422'] = {
      description: c.unprocessable.description,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['error'],
            properties: {
              error: { ...error.error, required: [...error.error.required, 'report'], properties: { ...error.error.properties, report: toSchema(c.unprocessable.report, 'output') } },
            },
          },
        },
      },
    };
  }
  out['500'] = { $ref: '#/components/responses/InternalError' };
  return out;
}

export function buildOpenApi(manifest: Manifest, contracts: Readonly<Record<string, RouteContract>>, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of manifest.routes) {
    const c = contracts[route.function] ?? {};
    const op: Record<string, unknown> = {
      operationId: route.function,
      summary: route.summary,
      ...(c.description ? { description: c.description } : {}),
      tags: [route.function.replace(/([a-z])([A-Z]).*/, '$1')],
      parameters: [...parameters(c.path, 'path'), ...parameters(c.query, 'query')],
      responses: responsesOf(c, route.auth === 'public'),
      ...(route.auth === 'public' ? { security: [] } : { security: [{ bearer: [] }] }),
      'x-chengguo-auth': route.auth,
    };
    if (c.body) {
      op['requestBody'] = { required: true, content: { 'application/json': { schema: toSchema(c.body, 'input') } } };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  const response = (description: string, gateway = false) => ({
    description,
    content: {
      'application/json': {
        schema: gateway
          ? { anyOf: [{ $ref: '#/components/schemas/Error' }, { $ref: '#/components/schemas/GatewayError' }] }
          : { $ref: '#/components/schemas/Error' },
      },
    },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'chengguo 自然资源调查监测成果管理 API',
      version,
      description: '汇交、核验、保管、目录、发布、共享、反馈与监督通报。错误信息以中文为主，附英文错误码。',
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorResponse, GatewayError: gatewayError },
      responses: {
        BadRequest: response('请求参数有误（字段见 details）'),
        Unauthenticated: response('未登录、令牌过期或无效'),
        Forbidden: response('无权执行此操作'),
        NotFound: response('对象不存在'),
        Conflict: response('状态冲突（例如已决定、已封存）'),
        PayloadTooLarge: response('请求体过大（文件请通过上传地址提交）；超过 API 网关上限（10 MiB）时为网关的错误体', true),
        UnsupportedMediaType: response('请求体须为 JSON（content-type: application/json）'),
        InternalError: response('系统内部错误（附请求编号）；函数本身失败时为 API 网关的错误体', true),
      },
    },
  };
}

/** Every route's contract, keyed by function name, read from the context modules (where each route declares it). */
export function routeContracts(ctxs: readonly AnyContext[] = contexts): Record<string, RouteContract> {
  return Object.fromEntries(ctxs.flatMap((ctx) => Object.entries(ctx.routes).flatMap(([fn, route]) => (route ? [[fn, route.contract]] : []))));
}

let served: ReturnType<typeof buildOpenApi> | undefined;
/** The document the OpenApi route serves: built once per container (it only changes with a deployment). */
export function openApiDocument(): ReturnType<typeof buildOpenApi> {
  return (served ??= buildOpenApi(manifest, routeContracts(), process.env['APP_VERSION'] ?? defaultApiVersion));
}

let packed: string | undefined;
/** The document as the Lambda bundling carries it (runtime/openapi-packed.ts), built with the default version. */
export function packedOpenApiDocument(): string {
  return (packed ??= packOpenApi(buildOpenApi(manifest, routeContracts(), defaultApiVersion)));
}
