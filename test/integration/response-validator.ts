/**
 * Checks a response of the API against the OpenAPI document, so that the
 * document and the behaviour cannot drift: the request's path is matched to
 * its manifest route template (as the local HTTP API matches it), the status
 * must be one the operation documents, the content type one documented for
 * that status, and a JSON body must satisfy the documented schema (ajv,
 * JSON Schema 2020-12; each schema compiled once, on first use).
 *
 * Paths outside the manifest (/local-auth, /local, /public, /docs, unknown
 * paths) are not the API's: `checkResponse` returns 'skipped' for them.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { manifest } from '#infra/manifest.ts';
import { compileRoute, matchRoute } from '#infra/local/http-api.ts';
import { buildOpenApi, routeContracts } from '#runtime/openapi.ts';

/** Every route's contract, as its context module declares it. */
const contracts = routeContracts();

type Json = Record<string, unknown>;

interface MediaType {
  readonly schema?: Json;
}
interface ResponseObject {
  readonly description?: string;
  readonly content?: Record<string, MediaType>;
}
interface Operation {
  readonly operationId: string;
  readonly responses: Record<string, ResponseObject | { $ref: string }>;
}
type OpenApiDocument = ReturnType<typeof buildOpenApi>;

export class ResponseMismatch extends Error {
  override readonly name = 'ResponseMismatch';
}

const localPrefixes = ['/local-auth', '/local', '/public', '/docs'];

function isLocalPage(pathname: string): boolean {
  return localPrefixes.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** The media type without parameters: `application/json; charset=utf-8` → `application/json`. */
function mediaTypeOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export interface ResponseValidator {
  /**
   * Throws ResponseMismatch naming the operation and what differs; returns
   * 'checked', or 'skipped' for a path that is no manifest route.
   */
  check(method: string, url: string, status: number, contentType: string | null | undefined, body: unknown): 'checked' | 'skipped';
}

export function responseValidator(doc: OpenApiDocument = buildOpenApi(manifest, contracts, 'test')): ResponseValidator {
  const routes = manifest.routes.map(compileRoute);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ESM/CJS interop: ajv-formats is CommonJS with a default export.
  const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  const components = doc.components as unknown as { responses: Record<string, ResponseObject>; schemas: Record<string, Json> };
  const compiled = new Map<string, ValidateFunction>();

  /** `#/components/schemas/X` refs are inlined (each response schema is compiled on its own, as its own root). */
  const inline = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(inline);
    if (!schema || typeof schema !== 'object') return schema;
    const ref = (schema as Json)['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const target = components.schemas[ref.slice('#/components/schemas/'.length)];
      if (!target) throw new Error(`OpenAPI: unresolved ${ref}`);
      return inline(target);
    }
    return Object.fromEntries(Object.entries(schema as Json).map(([k, v]) => [k, inline(v)]));
  };

  const responseOf = (op: Operation, status: string): ResponseObject | undefined => {
    const r = op.responses[status];
    if (!r) return undefined;
    if ('$ref' in r) {
      const found = components.responses[r.$ref.slice('#/components/responses/'.length)];
      if (!found) throw new Error(`OpenAPI: unresolved ${r.$ref}`);
      return found;
    }
    return r;
  };

  return {
    check(method, url, status, contentType, body) {
      const pathname = new URL(url, 'http://localhost').pathname;
      if (isLocalPage(pathname)) return 'skipped';
      const upper = method.toUpperCase();
      // A HEAD request is answered as its GET route, without a body.
      const match = matchRoute(routes, upper, pathname) ?? (upper === 'HEAD' ? matchRoute(routes, 'GET', pathname) : undefined);
      if (!match) return 'skipped';
      const template = match.route.route.path;
      const opMethod = match.route.route.method.toLowerCase();
      const op = (doc.paths[template] as Record<string, Operation> | undefined)?.[opMethod];
      const where = `${upper} ${pathname} (${match.route.route.function}, ${match.route.routeKey})`;
      if (!op) throw new ResponseMismatch(`${where}: the OpenAPI document has no such operation`);
      const response = responseOf(op, String(status));
      if (!response) {
        throw new ResponseMismatch(
          `${where}: answered ${status}, which the document does not name (documented: ${Object.keys(op.responses).join(', ')}); body: ${JSON.stringify(body).slice(0, 300)}`,
        );
      }
      const declared = response.content ?? {};
      const types = Object.keys(declared);
      if (upper === 'HEAD' || status === 204 || types.length === 0) return 'checked';
      const type = mediaTypeOf(contentType);
      const media = declared[type];
      if (!media) throw new ResponseMismatch(`${where}: ${status} answered ${contentType ?? '(no content-type)'}, the document names ${types.join(', ')}`);
      if (type !== 'application/json' && !type.endsWith('+json')) return 'checked';
      const key = `${opMethod} ${template} ${status} ${type}`;
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(inline(media.schema ?? {}) as Json);
        compiled.set(key, validate);
      }
      if (!validate(body)) {
        const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
        throw new ResponseMismatch(`${where}: ${status} body does not match the document: ${errors.join('; ')}; body: ${JSON.stringify(body).slice(0, 300)}`);
      }
      return 'checked';
    },
  };
}

let shared: ResponseValidator | undefined;

/** The validator the integration helpers use: one per test file (the document is built and schemas compiled once). */
export function checkResponse(method: string, url: string, status: number, contentType: string | null | undefined, body: unknown): 'checked' | 'skipped' {
  return (shared ??= responseValidator()).check(method, url, status, contentType, body);
}
