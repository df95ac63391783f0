import { http } from '#runtime/http.ts';
import { signInClient } from '#runtime/ports/basics.ts';
import { signInStartPage } from '#shared/web/sign-in.ts';
import { identity } from './context.ts';

/** GET /auth/sign-in — public: starts the authorization-code + PKCE flow in the browser; reads nothing. */
export const handler = http(identity, 'SignInPage', [signInClient], async (req, p) => {
  const page = signInStartPage({ settings: p.signIn.settings, endpoints: await p.signIn.issuer.endpoints(), next: req.query.next, signOut: req.query.signOut === '1' });
  return { body: page.html, headers: page.headers };
});
