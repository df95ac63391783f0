import { http } from '#runtime/http.ts';
import { signInClient } from '#runtime/ports/basics.ts';
import { identity } from './context.ts';

/** GET /auth/config — public: the issuer and public client to sign in with (the CLI's `chengguo login`). */
export const handler = http(identity, 'GetSignInSettings', [signInClient], async (_req, p) => {
  const { issuer, clientId, scopes, redirectUri, cliRedirectUri } = p.signIn.settings;
  return { body: { issuer, clientId, scopes: [...scopes], redirectUri, cliRedirectUri }, headers: { 'cache-control': 'max-age=300' } };
});
