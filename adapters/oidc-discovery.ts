/**
 * The issuer's OpenID Connect discovery document (RFC 8414 / OIDC Discovery
 * 1.0), read over HTTPS (plain HTTP only for the local issuer on loopback) and
 * kept for 10 minutes per Lambda container: the sign-in pages take the
 * authorization and token endpoints from it, as any OIDC client does.
 */
import type { IssuerEndpoints } from '#shared/web/sign-in.ts';

export interface EndpointSource {
  endpoints(): Promise<IssuerEndpoints>;
}

const cacheMs = 10 * 60_000;

export function discoveredEndpoints(issuer: string, fetchImpl: typeof fetch = fetch, now: () => number = Date.now): EndpointSource {
  let cached: { at: number; value: IssuerEndpoints } | undefined;
  return {
    async endpoints() {
      if (cached && now() - cached.at < cacheMs) return cached.value;
      const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`OIDC discovery ${url}: HTTP ${res.status}`);
      const doc = (await res.json()) as Record<string, unknown>;
      if (doc['issuer'] !== issuer) throw new Error(`OIDC discovery ${url}: issuer ${String(doc['issuer'])} is not ${issuer}`);
      const authorization = doc['authorization_endpoint'];
      const token = doc['token_endpoint'];
      if (typeof authorization !== 'string' || typeof token !== 'string') throw new Error(`OIDC discovery ${url}: no authorization_endpoint/token_endpoint (Cognito: the user pool needs a domain)`);
      const endSession = doc['end_session_endpoint'];
      const value: IssuerEndpoints = {
        authorizationEndpoint: authorization,
        tokenEndpoint: token,
        ...(typeof endSession === 'string' ? { endSessionEndpoint: endSession } : {}),
      };
      cached = { at: now(), value };
      return value;
    },
  };
}
