import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { envNames, requireEnv } from '#adapters/config.ts';
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

/**
 * Which kind of issuer signs the ID tokens: `cognito` (a Cognito user pool, and the local issuer that
 * stands in for it) puts `token_use: "id"` in an ID token and `"access"` in an access token; `oidc` (the
 * external issuer of the aws-cn deployment) marks an access token by its header `typ: at+jwt` (RFC 9068)
 * or a `typ` claim other than `ID` (Keycloak), and its ID token's audience is the configured client id.
 */
export const jwtTokenTypes = ['cognito', 'oidc'] as const;
export type JwtTokenType = (typeof jwtTokenTypes)[number];
export const jwtTokenTypeEnv = 'JWT_TOKEN_TYPE';

export function jwtVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): TokenVerifier {
  const tokenType = env[jwtTokenTypeEnv] ?? 'cognito';
  if (!(jwtTokenTypes as readonly string[]).includes(tokenType)) {
    throw new Error(`${jwtTokenTypeEnv} must be one of ${jwtTokenTypes.join(', ')}, got ${tokenType}`);
  }
  return jwtVerifier({
    issuer: requireEnv(envNames.jwtIssuer, env),
    audience: requireEnv(envNames.jwtAudience, env),
    keys: createRemoteJWKSet(new URL(requireEnv(envNames.jwtJwksUrl, env)), { cacheMaxAge: 10 * 60_000 }),
    tokenType: tokenType as JwtTokenType,
  });
}

/** Why a verified token is not an ID token of this issuer kind; undefined when it is one. */
function notAnIdToken(payload: JWTPayload, header: { typ?: string | undefined }, tokenType: JwtTokenType): string | undefined {
  const tokenUse = payload['token_use'];
  if (tokenType === 'cognito') {
    if (tokenUse !== 'id') return `应为身份令牌（token_use: id），收到的是 ${typeof tokenUse === 'string' ? tokenUse.slice(0, 20) : '无 token_use 声明'}`;
    return undefined;
  }
  if (tokenUse !== undefined && tokenUse !== 'id') return `应为身份令牌，收到的令牌 token_use 为 ${String(tokenUse).slice(0, 20)}`;
  if (typeof header.typ === 'string' && /^(application\/)?at\+jwt$/i.test(header.typ)) return '应为身份令牌，收到的是访问令牌（typ: at+jwt）';
  const typ = payload['typ'];
  if (typ !== undefined && typ !== 'ID') return `应为身份令牌（typ: ID），收到的令牌 typ 为 ${String(typ).slice(0, 20)}`;
  return undefined;
}

export function jwtVerifier(opts: { issuer: string; audience: string; keys: JWTVerifyGetKey; tokenType?: JwtTokenType }): TokenVerifier {
  const { issuer, audience, keys } = opts;
  const tokenType = opts.tokenType ?? 'cognito';
  return {
    async verify(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match?.[1]) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录，并在 Authorization 头中携带 Bearer 令牌');
      try {
        // exp and iat are required: a token without an expiry would be valid for ever.
        const { payload, protectedHeader } = await jwtVerify(match[1], keys, { issuer, audience, algorithms: ['RS256'], requiredClaims: ['exp', 'iat'] });
        const wrongKind = notAnIdToken(payload, protectedHeader, tokenType);
        if (wrongKind) throw new UnauthenticatedError('TOKEN_INVALID', `身份令牌无效：${wrongKind}；请用登录得到的身份令牌（ID token）`);
        // An external issuer (oidc) names no registry user: its subject or email is matched (shared/identity/sign-in.ts).
        const userId = tokenType === 'oidc' ? '' : payload['cognito:username'];
        if (tokenType === 'cognito' && (typeof userId !== 'string' || userId === '')) {
          throw new UnauthenticatedError('TOKEN_INVALID', '身份令牌无效：缺少用户名声明');
        }
        return { userId: typeof userId === 'string' ? userId : '', claims: payload };
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof joseErrors.JWTExpired) {
          throw new UnauthenticatedError('TOKEN_EXPIRED', '登录已过期：请重新登录后再试');
        }
        if (error instanceof joseErrors.JWTClaimValidationFailed && error.reason === 'missing') {
          throw new UnauthenticatedError('TOKEN_INVALID', `身份令牌无效：缺少 ${error.claim} 声明（令牌须有签发时间 iat 与过期时间 exp）`);
        }
        throw new UnauthenticatedError('TOKEN_INVALID', '身份令牌无效：签名、签发方或受众不符，请重新登录');
      }
    },
  };
}
