import type { z } from 'zod/mini';

/**
 * What a route accepts and returns. Handlers validate with it; the OpenAPI
 * document is generated from it (runtime/openapi.ts), so docs and
 * behaviour cannot disagree.
 */
/** The statuses a route may answer with on success. */
export type SuccessStatus = 200 | 201 | 202 | 302;

export interface RouteContract {
  /**
   * Every success status the handler answers with, the usual one first
   * (default [200]). The handler's result type admits only these (SuccessOf),
   * and the OpenAPI document names each.
   */
  readonly success?: readonly [SuccessStatus, ...SuccessStatus[]];
  /** A non-error answer outside 2xx with the success body (HealthCheck: 503 when the registry is unreachable). */
  readonly degraded?: { readonly status: 503; readonly description: string };
  /**
   * A 422 the route answers when the domain refuses the content as a whole (UnprocessableError): documented with
   * the error body plus `error.report`, the schema given here.
   */
  readonly unprocessable?: { readonly description: string; readonly report: z.core.$ZodType };
  readonly path?: z.core.$ZodObject;
  readonly query?: z.core.$ZodObject;
  readonly body?: z.core.$ZodType;
  readonly response?: z.core.$ZodType;
  /**
   * Content type of a successful response; JSON unless said. A list = a file
   * route: the handler returns the body as text and names its type in the
   * content-type header (one of the list).
   */
  readonly produces?: 'application/json' | 'text/html' | readonly string[];
  /** A larger JSON body limit for this route (e.g. a 10,000-file manifest); withHttp's default otherwise. */
  readonly maxBodyBytes?: number;
  readonly description?: string;
}

/** The success statuses a contract declares (read structurally: [200] when it declares none). */
export type SuccessOf<C> = C extends { readonly success: readonly (infer S)[] } ? S : 200;
/** The degraded status a contract declares, if any. */
export type DegradedOf<C> = C extends { readonly degraded: { readonly status: infer D extends number } } ? D : never;

/** The success statuses a contract declares, at run time. */
export function successOf(c: RouteContract): readonly SuccessStatus[] {
  return c.success ?? [200];
}

/** `const`: a declared `success: [201]` keeps its literal type, so SuccessOf can read it. */
export function contract<const C extends RouteContract>(c: C): C {
  return c;
}
