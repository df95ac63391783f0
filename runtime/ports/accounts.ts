/** Sign-in accounts (issue 12): Cognito on aws, the registry alone on aws-cn and locally (functions with `managesSignIn`). */
import { signInAccountsFromEnv } from '#adapters/cognito-accounts.ts';
import { identityRepositoryFromEnv } from '#adapters/dynamo-identity.ts';
import type { DirectoryAdministration, IdentityRepository, PersonLookup, SignInAccounts } from '#shared/ports/identity.ts';
import { port } from '../port.ts';

export const signInAccounts = /* @__PURE__ */ port({ name: 'accounts', env: ['accounts'], build: (env): SignInAccounts => signInAccountsFromEnv(env) });

/** Organisations and people, written conditionally with their audit records. */
export const directory = /* @__PURE__ */ port({ name: 'directory', env: ['registry', 'logs'], build: (env): DirectoryAdministration => identityRepositoryFromEnv(env) });

/** Who holds an email or an external subject (one key read). */
export const people = /* @__PURE__ */ port({ name: 'people', env: ['registry'], build: (env): IdentityRepository & PersonLookup => identityRepositoryFromEnv(env) });
