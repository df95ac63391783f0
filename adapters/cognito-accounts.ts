import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { SignInAccounts } from '#shared/ports/identity.ts';

/**
 * Sign-in accounts in the Cognito user pool (`aws` partition, issue 12). The account's user name is the registry's
 * user id (the ID token's `cognito:username`, runtime/auth.ts); roles and clearance stay in the registry, which the
 * authorizer reads on every request, so the pool holds no groups. The invitation email is the pool's Chinese
 * template (infra/constructs/user-directory.ts, `userInvitation`), sent by AdminCreateUser.
 */
export class CognitoSignInAccounts implements SignInAccounts {
  readonly kind = 'cognito' as const;
  constructor(
    private readonly userPoolId: string,
    private readonly client: Pick<CognitoIdentityProviderClient, 'send'> = new CognitoIdentityProviderClient({}),
  ) {}

  async invite(user: { userId: string; email: string; name: string }): Promise<{ invited: boolean }> {
    try {
      await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: user.userId,
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: user.name },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      return { invited: true };
    } catch (error) {
      // Idempotent: a retry of a create whose account was already made leaves it (and its invitation) as it is.
      if (error instanceof UsernameExistsException || (error as { name?: string }).name === 'UsernameExistsException') return { invited: false };
      throw error;
    }
  }

  async disable(userId: string): Promise<void> {
    await this.client.send(new AdminDisableUserCommand({ UserPoolId: this.userPoolId, Username: userId }));
  }

  async enable(userId: string): Promise<void> {
    await this.client.send(new AdminEnableUserCommand({ UserPoolId: this.userPoolId, Username: userId }));
  }
}

/** aws-cn (the external issuer owns the accounts) and the laptop (the local issuer): the registry alone decides. */
export const registryOnlyAccounts: SignInAccounts = {
  kind: 'registry',
  invite: async () => ({ invited: false }),
  disable: async () => undefined,
  enable: async () => undefined,
};

export function signInAccountsFromEnv(env: NodeJS.ProcessEnv = process.env): SignInAccounts {
  return requireEnv(envNames.signInAccounts, env) === 'cognito' ? new CognitoSignInAccounts(requireEnv(envNames.userPoolId, env)) : registryOnlyAccounts;
}
