import { auditTrail, type AuditTrail } from '#adapters/audited-write.ts';
import { UnauthenticatedError } from '#shared/errors.ts';
import { defaultHttpDeps, type HttpDeps } from '#runtime/with-http.ts';
import type { IdentityAdministration, IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';

/** What the identity handlers need beyond the HTTP stack's own deps; tests pass fakes. */
export interface IdentityDeps extends HttpDeps {
  readonly admin?: () => IdentityAdministration;
  readonly trail?: () => AuditTrail;
}

export async function identityOf(deps: HttpDeps | undefined): Promise<IdentityRepository> {
  return (deps ?? (await defaultHttpDeps())).identity();
}

let adminCache: IdentityAdministration | undefined;
export async function administrationOf(deps: IdentityDeps | undefined): Promise<{ admin: IdentityAdministration; trail: AuditTrail }> {
  if (deps?.admin && deps.trail) return { admin: deps.admin(), trail: deps.trail() };
  if (!adminCache) {
    const { identityRepositoryFromEnv } = await import('#adapters/dynamo-identity.ts');
    adminCache = identityRepositoryFromEnv();
  }
  return { admin: deps?.admin?.() ?? adminCache, trail: deps?.trail?.() ?? auditTrail() };
}

/** Routes other than `public` always carry a principal; this states it for the type checker. */
export function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录');
  return principal;
}
