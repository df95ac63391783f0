import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { jwtVerifier, type JwtTokenType } from '#runtime/auth.ts';
import { createLocalIssuer } from '#infra/local/issuer.ts';

const issuer = 'https://issuer.test/pool';
const audience = 'chengguo-client';

describe('R20.1 issue-8 §6: the JWT check requires exp, iat and an ID token (token_use / typ)', async () => {
  // prepare: one signing key; tokens differ only in the claim under test
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
  const now = Math.floor(Date.now() / 1000);
  async function token(claims: JWTPayload, opts: { exp?: boolean; iat?: boolean; typ?: string } = {}) {
    const jwt = new SignJWT({ 'cognito:username': 'li.na', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', ...(opts.typ ? { typ: opts.typ } : {}) })
      .setIssuer(issuer)
      .setAudience(audience);
    if (opts.iat !== false) jwt.setIssuedAt(now);
    if (opts.exp !== false) jwt.setExpirationTime(now + 3600);
    return `Bearer ${await jwt.sign(privateKey)}`;
  }
  const verify = (tokenType: JwtTokenType, authorization: string) => jwtVerifier({ issuer, audience, keys, tokenType }).verify(authorization);

  it('accepts a Cognito ID token with exp, iat and token_use id', async () => {
    await expect(verify('cognito', await token({ token_use: 'id' }))).resolves.toMatchObject({ userId: 'li.na' });
  });

  it('refuses a token without exp, and one without iat, with 401 TOKEN_INVALID naming the claim', async () => {
    for (const [opts, claim] of [[{ exp: false }, 'exp'], [{ iat: false }, 'iat']] as const) {
      const err = await verify('cognito', await token({ token_use: 'id' }, opts)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TOKEN_INVALID' });
      expect((err as Error).message).toContain(claim);
    }
  });

  it('refuses a Cognito access token, or a token with no token_use, where an ID token is required', async () => {
    for (const claims of [{ token_use: 'access' }, {}]) {
      const err = await verify('cognito', await token(claims)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TOKEN_INVALID' });
      expect((err as Error).message).toMatch(/身份令牌/);
    }
  });

  it('external OIDC issuer: accepts its ID token, refuses an RFC 9068 access token (typ at+jwt) and a Keycloak access token (typ Bearer)', async () => {
    // Issue 12: an external issuer names no registry user — its subject or email is matched (shared/identity/sign-in.ts),
    // so a `cognito:username` claim in its token is not taken as the user id.
    await expect(verify('oidc', await token({ typ: 'ID' }))).resolves.toMatchObject({ userId: '', claims: { 'cognito:username': 'li.na' } });
    await expect(verify('oidc', await token({}))).resolves.toMatchObject({ userId: '' });
    await expect(verify('oidc', await token({}, { typ: 'at+jwt' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(verify('oidc', await token({ typ: 'Bearer' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(verify('oidc', await token({ token_use: 'access' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(verify('oidc', await token({ typ: 'ID' }, { exp: false }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it("the local issuer's tokens conform: exp, iat and token_use id, accepted by the strict check", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chengguo-issuer-'));
    const local = await createLocalIssuer({ dataDir, issuer, jwksUrl: `${issuer}/jwks.json` });
    const minted = await local.mint({ userId: 'zhang.wei', email: 'zhang.wei@example.gov.cn' });
    const localKeys = createLocalJWKSet(local.jwks);
    const { claims } = await jwtVerifier({ issuer, audience: local.audience, keys: localKeys }).verify(`Bearer ${minted}`);
    expect(claims).toMatchObject({ token_use: 'id', 'cognito:username': 'zhang.wei' });
    expect(typeof claims.exp).toBe('number');
    expect(typeof claims.iat).toBe('number');
  });
});
