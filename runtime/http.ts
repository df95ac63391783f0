/**
 * An HTTP handler of a context module's route: `http(identity, 'GetMe', [identityRepo], run)`.
 * The route (method, path, auth, contract) is the context's, found by the typed
 * function key; the request is parsed, authenticated, validated, recorded and
 * mapped exactly as `withHttp` does (the one HTTP stack). On routes that are not
 * public, `req.principal` is typed `Principal`: no `signedIn` check is needed.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { SecurityRecordStore } from '#shared/security/records.ts';
import type { TokenVerifier } from './auth.ts';
import type { RouteContract } from './contract.ts';
import { resolveFunction, type AnyContext, type AuthOf, type ContractOf, type RoutedKey } from './define.ts';
import { entry, type Entry } from './lambda.ts';
import type { AnyPort, PortsOf } from './port.ts';
import { verifier } from './ports/auth.ts';
import { identityRepo, publicSecurityRecords, securityRecords } from './ports/registry.ts';
import { withHttp, type HandlerStatus, type HttpDeps, type HttpRequest, type HttpResult } from './with-http.ts';

export type { HttpRequest, HttpResult } from './with-http.ts';

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
