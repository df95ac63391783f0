/**
 * Sign-in: OpenID Connect authorization code + PKCE with oidc-client-ts, against
 * the issuer `GET /auth/config` names (its discovery document gives the
 * endpoints): the local issuer on the laptop, Cognito on `aws`, the
 * department's issuer on `aws-cn` — docs/sign-in.md. Tokens are kept in memory
 * only (InMemoryWebStorage): a reload signs in again; the PKCE state of a
 * sign-in in progress is in sessionStorage (this tab). The API takes the ID
 * token (as on AWS, the handlers refuse access tokens). Silent renew uses the
 * refresh token when the issuer gives one.
 */
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { SignInSettings } from './contracts.ts';

let manager: Promise<UserManager> | undefined;

export const callbackPath = '/console/callback';

/**
 * The runtime config written beside the console at deploy time (CloudFront: /console/config.json, the same
 * fields as GET /auth/config), else the API's GET /auth/config (the local cloud, which has no such file).
 */
async function settings(): Promise<SignInSettings> {
  const deployed = await fetch('/console/config.json', { headers: { accept: 'application/json' }, cache: 'no-cache' }).catch(() => undefined);
  if (deployed?.ok && (deployed.headers.get('content-type') ?? '').includes('json')) return (await deployed.json()) as SignInSettings;
  const res = await fetch('/auth/config', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`无法读取登录设置（GET /auth/config → ${res.status}）`);
  return (await res.json()) as SignInSettings;
}

export function userManager(): Promise<UserManager> {
  manager ??= settings().then(
    (s) =>
      new UserManager({
        authority: s.issuer,
        client_id: s.clientId,
        redirect_uri: `${location.origin}${callbackPath}`,
        post_logout_redirect_uri: `${location.origin}/console/signed-out`,
        response_type: 'code',
        scope: s.scopes.join(' '),
        userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
        automaticSilentRenew: true,
        loadUserInfo: false,
      }),
  );
  return manager;
}

let current: User | null = null;

export async function currentUser(): Promise<User | null> {
  const m = await userManager();
  current = await m.getUser();
  if (current?.expired) {
    current = await renew();
  }
  return current;
}

export async function renew(): Promise<User | null> {
  const m = await userManager();
  try {
    current = await m.signinSilent();
  } catch {
    current = null;
  }
  return current;
}

export function idToken(): string | undefined {
  return current && !current.expired ? current.id_token : undefined;
}

/** To the issuer's sign-in page; back at `next` (a path under /console/) afterwards. */
export async function signIn(next: string): Promise<void> {
  await (await userManager()).signinRedirect({ state: { next } });
}

/** The callback: code + verifier exchanged, state and nonce checked by oidc-client-ts. */
export async function completeSignIn(): Promise<string> {
  const user = await (await userManager()).signinCallback();
  current = user ?? null;
  const next = (user?.state as { next?: string } | undefined)?.next;
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Forgets the tokens here, and goes to the issuer's end-session endpoint when it has one. */
export async function signOut(): Promise<void> {
  const m = await userManager();
  await m.removeUser();
  current = null;
  const meta = await m.metadataService.getMetadata().catch(() => ({}) as { end_session_endpoint?: string });
  if (meta.end_session_endpoint) await m.signoutRedirect();
  else location.assign('/console/signed-out');
}
