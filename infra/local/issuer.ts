/**
 * The local stand-in for the Cognito user pool: an RS256 issuer whose JWKS
 * the handlers fetch through JWT_JWKS_URL exactly as they fetch Cognito's on
 * AWS (runtime/auth.ts), so the verification code is the same.
 *
 * The key pair is generated once and kept in the data folder, so tokens
 * handed out survive a restart of the local cloud.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { localAudience } from './ports.ts';

/** ID tokens live 8 hours, a working day (Cognito's default is 1 hour; the demo is friendlier). */
export const tokenLifetimeSeconds = 8 * 3600;

/** Where the private key is kept: tests read it to mint an expired token. */
export function issuerKeyFile(dataDir: string): string {
  return join(dataDir, 'issuer', 'private-key.jwk.json');
}

export interface TokenClaims {
  readonly userId: string;
  readonly email: string;
  readonly name?: string;
}

/** Refresh tokens live 30 days, as Cognito's default. */
export const refreshTokenLifetimeSeconds = 30 * 24 * 3600;

export interface MintOptions {
  readonly expiresInSeconds?: number;
  readonly now?: Date;
  /** 'id' (default) or 'access': Cognito marks the two with token_use; the handlers accept ID tokens only. */
  readonly tokenUse?: 'id' | 'access';
  /** The OpenID Connect nonce of the authorization request (ID tokens only). */
  readonly nonce?: string;
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: { keys: JWK[] };
  readonly openidConfiguration: Record<string, unknown>;
  mint(claims: TokenClaims, opts?: MintOptions): Promise<string>;
  /** A refresh token: signed by the same key (so it survives a restart), token_use refresh, 30 days. */
  mintRefresh(userId: string, opts?: { now?: Date }): Promise<string>;
  /** The user a refresh token was issued to; undefined when it is not one of ours, expired or not a refresh token. */
  verifyRefresh(token: string): Promise<string | undefined>;
}

/** A stable UUID-shaped `sub` per user, as Cognito gives each user one UUID for life. */
function subjectOf(userId: string): string {
  const h = createHash('sha256').update(`chengguo-local:${userId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function loadOrCreateKey(file: string): Promise<JWK> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(jwk, null, 2), { mode: 0o600 });
  return jwk;
}

/** The endpoints under the issuer (mirroring Cognito's /oauth2/… paths). */
export function issuerEndpoints(issuer: string) {
  return {
    authorization: `${issuer}/oauth2/authorize`,
    token: `${issuer}/oauth2/token`,
    discovery: `${issuer}/.well-known/openid-configuration`,
  };
}

export async function createLocalIssuer(opts: { dataDir: string; issuer: string; jwksUrl: string }): Promise<LocalIssuer> {
  const privateJwk = await loadOrCreateKey(issuerKeyFile(opts.dataDir));
  const { kty, n, e, kid, alg } = privateJwk;
  const publicJwk: JWK = { kty, n, e, kid, alg, use: 'sig' };
  const key = await importJWK(privateJwk, 'RS256');
  const verifyKey = await importJWK(publicJwk, 'RS256');
  return {
    issuer: opts.issuer,
    audience: localAudience,
    jwks: { keys: [publicJwk] },
    // OpenID Connect Discovery 1.0: what a client library (openid-client in the CLI, an OIDC client in a
    // browser) needs for the authorization-code flow with PKCE, as Cognito publishes it for a user pool.
    openidConfiguration: {
      issuer: opts.issuer,
      authorization_endpoint: issuerEndpoints(opts.issuer).authorization,
      token_endpoint: issuerEndpoints(opts.issuer).token,
      jwks_uri: opts.jwksUrl,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'email', 'profile'],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
      claims_supported: ['sub', 'cognito:username', 'email', 'name', 'token_use', 'aud', 'iss', 'exp', 'iat', 'nonce'],
    },
    async mint(claims, mintOpts = {}) {
      const now = Math.floor((mintOpts.now ?? new Date()).getTime() / 1000);
      const tokenUse = mintOpts.tokenUse ?? 'id';
      return new SignJWT({
        'cognito:username': claims.userId,
        ...(tokenUse === 'id' ? { email: claims.email, email_verified: true } : { client_id: localAudience, scope: 'openid email profile' }),
        token_use: tokenUse,
        auth_time: now,
        ...(claims.name && tokenUse === 'id' ? { name: claims.name } : {}),
        ...(mintOpts.nonce && tokenUse === 'id' ? { nonce: mintOpts.nonce } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: kid ?? 'local', typ: 'JWT' })
        .setIssuer(opts.issuer)
        .setAudience(localAudience)
        .setSubject(subjectOf(claims.userId))
        .setIssuedAt(now)
        .setExpirationTime(now + (mintOpts.expiresInSeconds ?? tokenLifetimeSeconds))
        .setJti(randomUUID())
        .sign(key);
    },
    async mintRefresh(userId, refreshOpts = {}) {
      const now = Math.floor((refreshOpts.now ?? new Date()).getTime() / 1000);
      return new SignJWT({ 'cognito:username': userId, token_use: 'refresh' })
        .setProtectedHeader({ alg: 'RS256', kid: kid ?? 'local', typ: 'JWT' })
        .setIssuer(opts.issuer)
        .setAudience(localAudience)
        .setSubject(subjectOf(userId))
        .setIssuedAt(now)
        .setExpirationTime(now + refreshTokenLifetimeSeconds)
        .setJti(randomUUID())
        .sign(key);
    },
    async verifyRefresh(token) {
      try {
        const { payload } = await jwtVerify(token, verifyKey, { issuer: opts.issuer, audience: localAudience, algorithms: ['RS256'] });
        const userId = payload['cognito:username'];
        return payload['token_use'] === 'refresh' && typeof userId === 'string' ? userId : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
