import { http } from '#runtime/http.ts';
import { signInClient } from '#runtime/ports/basics.ts';
import { authCallbackPage } from '#shared/web/sign-in.ts';
import { identity } from './context.ts';

/** GET /auth/callback — public: the browser exchanges the code with its PKCE verifier and keeps the ID token; reads nothing. */
export const handler = http(identity, 'AuthCallbackPage', [signInClient], async (_req, p) => {
  const page = authCallbackPage({ settings: p.signIn.settings, endpoints: await p.signIn.issuer.endpoints() });
  return { body: page.html, headers: page.headers };
});
