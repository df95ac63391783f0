import type { z } from 'zod';

/**
 * What a route accepts and returns. Handlers validate with it; the OpenAPI
 * document is generated from it (runtime/openapi.ts), so docs and
 * behaviour cannot disagree.
 */
export interface RouteContract {
  readonly path?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
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

export function contract<C extends RouteContract>(c: C): C {
  return c;
}
