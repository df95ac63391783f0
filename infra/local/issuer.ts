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
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
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

export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: { keys: JWK[] };
  readonly openidConfiguration: Record<string, unknown>;
  mint(claims: TokenClaims, opts?: { expiresInSeconds?: number; now?: Date }): Promise<string>;
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

export async function createLocalIssuer(opts: { dataDir: string; issuer: string; jwksUrl: string }): Promise<LocalIssuer> {
  const privateJwk = await loadOrCreateKey(issuerKeyFile(opts.dataDir));
  const { kty, n, e, kid, alg } = privateJwk;
  const publicJwk: JWK = { kty, n, e, kid, alg, use: 'sig' };
  const key = await importJWK(privateJwk, 'RS256');
  return {
    issuer: opts.issuer,
    audience: localAudience,
    jwks: { keys: [publicJwk] },
    openidConfiguration: {
      issuer: opts.issuer,
      jwks_uri: opts.jwksUrl,
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
      response_types_supported: ['token'],
      claims_supported: ['sub', 'cognito:username', 'email', 'token_use', 'aud', 'iss', 'exp', 'iat'],
    },
    async mint(claims, mintOpts = {}) {
      const now = Math.floor((mintOpts.now ?? new Date()).getTime() / 1000);
      return new SignJWT({
        'cognito:username': claims.userId,
        email: claims.email,
        email_verified: true,
        token_use: 'id',
        auth_time: now,
        ...(claims.name ? { name: claims.name } : {}),
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
  };
}
