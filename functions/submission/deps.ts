import { UnauthenticatedError } from '#shared/errors.ts';
import type { Principal } from '#shared/schemas/identity.ts';

/**
 * Routes other than `public` always carry a principal; this states it for the type checker.
 * Kept only for the handlers of other contexts not yet on `http()` (issue 9 step 4 deletes this file).
 */
export function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录');
  return principal;
}
