/** Ports with no AWS behind them: the clock and the application's base URL. */
import { envNames } from '#adapters/config.ts';
import { port } from '../port.ts';

export const now = port({ name: 'now', env: [], build: (): (() => Date) => () => new Date() });

export const appBaseUrl = port({ name: 'appBaseUrl', env: ['appBaseUrl'], build: (env): string => env[envNames.appBaseUrl] ?? '' });

// --- platform, catalogue-report ---
import { randomBytes, randomUUID } from 'node:crypto';

/** A new UUID (ping ids). */
export const newUuid = port({ name: 'newId', env: [], build: (): (() => string) => randomUUID });

/** Four random bytes in hex (catalogue report ids). */
export const newHex4 = port({ name: 'newId', env: [], build: (): (() => string) => () => randomBytes(4).toString('hex') });

// --- tasks, verification ---
import { newTaskId } from '#shared/tasks/ids.ts';
import { signInUrlFromEnv } from '#shared/web/page-shell.ts';

/** 128 random bits, base64url: a human task's id (the domain bundle calls it `newId`). */
export const newTaskIdPort = port({ name: 'newId', env: [], build: (): (() => string) => newTaskId });

/** Where a page sends a user who is not signed in (SIGN_IN_URL, optional: the system's own /auth/sign-in by default). */
export const signInUrl = port({ name: 'signInUrl', env: [], build: (env): string => signInUrlFromEnv(env) });

// --- identity (the sign-in pages and GET /auth/config) ---
import { discoveredEndpoints, type EndpointSource } from '#adapters/oidc-discovery.ts';
import { callbackPath, defaultCliRedirectUri, signInScopes, type SignInSettings } from '#shared/web/sign-in.ts';

/** The app's OIDC client (OIDC_ISSUER, OIDC_CLIENT_ID; the callback under APP_BASE_URL) and the issuer's endpoints by discovery. */
export const signInClient = port({
  name: 'signIn',
  env: ['signIn', 'appBaseUrl'],
  build: (env): { settings: SignInSettings; issuer: EndpointSource } => {
    const issuer = env[envNames.oidcIssuer] ?? '';
    return {
      settings: {
        issuer,
        clientId: env[envNames.oidcClientId] ?? '',
        scopes: signInScopes,
        redirectUri: `${(env[envNames.appBaseUrl] ?? '').replace(/\/+$/, '')}${callbackPath}`,
        cliRedirectUri: env[envNames.oidcCliRedirectUri] || defaultCliRedirectUri,
      },
      issuer: discoveredEndpoints(issuer),
    };
  },
});

// --- transfer, custody, destruction ---

/** A random suffix for new ids (a destruction round is `<number>-<suffix>`). */
export const newId = port({ name: 'newId', env: [], build: (): (() => string) => () => randomBytes(6).toString('hex') });
