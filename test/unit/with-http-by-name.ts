/**
 * withHttp by function name, for the HTTP-stack tests: the route comes from
 * the flat manifest. Handlers pass their own route (runtime/http.ts), so the
 * manifest of every context never enters a Lambda bundle.
 */
import { manifest } from '#infra/manifest.ts';
import { withHttp as withRoute, type HttpDeps, type HandlerStatus, type HttpRequest, type HttpResult } from '#runtime/http.ts';
import type { RouteContract } from '#runtime/contract.ts';

export type { HttpDeps } from '#runtime/http.ts';

export function withHttp<C extends RouteContract>(
  functionName: string,
  spec: C,
  fn: (req: HttpRequest<C>) => Promise<HttpResult<HandlerStatus<C>>>,
  deps?: HttpDeps,
) {
  const route = manifest.routes.find((r) => r.function === functionName);
  if (!route) throw new Error(`manifest: no route for function ${functionName}`);
  return withRoute(route, spec, fn, deps);
}
