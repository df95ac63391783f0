import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { envNames, requireEnv } from '#shared/config.ts';
import { UnauthenticatedError } from '#shared/errors.ts';

/**
 * One code path for AWS and the laptop: the token is verified against the
 * issuer's JWKS — Cognito's on AWS, the local cloud's issuer locally. The
 * token identifies the user (`cognito:username`); organisation, roles and
 * clearance come from the registry, which is authoritative.
 */
export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<{ userId: string; claims: JWTPayload }>;
}

export function jwtVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): TokenVerifier {
  return jwtVerifier({
    issuer: requireEnv(envNames.jwtIssuer, env),
    audience: requireEnv(envNames.jwtAudience, env),
    keys: createRemoteJWKSet(new URL(requireEnv(envNames.jwtJwksUrl, env)), { cacheMaxAge: 10 * 60_000 }),
  });
}

export function jwtVerifier(opts: { issuer: string; audience: string; keys: JWTVerifyGetKey }): TokenVerifier {
  const { issuer, audience, keys } = opts;
  return {
    async verify(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match?.[1]) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录，并在 Authorization 头中携带 Bearer 令牌');
      try {
        const { payload } = await jwtVerify(match[1], keys, { issuer, audience, algorithms: ['RS256'] });
        const userId = payload['cognito:username'];
        if (typeof userId !== 'string' || userId === '') {
          throw new UnauthenticatedError('TOKEN_INVALID', '身份令牌无效：缺少用户名声明');
        }
        return { userId, claims: payload };
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof joseErrors.JWTExpired) {
          throw new UnauthenticatedError('TOKEN_EXPIRED', '登录已过期：请重新登录后再试');
        }
        throw new UnauthenticatedError('TOKEN_INVALID', '身份令牌无效：签名、签发方或受众不符，请重新登录');
      }
    },
  };
}
