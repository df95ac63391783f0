import { describe, expect, it } from 'vitest';
import { AdminCreateUserCommand, AdminDisableUserCommand, AdminEnableUserCommand, UsernameExistsException } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoSignInAccounts, registryOnlyAccounts, signInAccountsFromEnv } from '#adapters/cognito-accounts.ts';

/** R3.1 issue 12: the Cognito admin adapter — what it asks the user pool, and idempotency of the invitation. */
function fakeClient(fail?: Error) {
  const sent: unknown[] = [];
  return {
    sent,
    send: async (command: unknown) => {
      sent.push(command);
      if (fail && command instanceof AdminCreateUserCommand) throw fail;
      return {};
    },
  };
}

describe('R3.1 issue 12: Cognito sign-in accounts (aws)', () => {
  it('creates the account named by the registry user id, with the email verified and the invitation sent by email', async () => {
    // prepare
    const client = fakeClient();
    const accounts = new CognitoSignInAccounts('ap-southeast-1_pool', client as never);
    // act
    const r = await accounts.invite({ userId: 'wu.fang', email: 'wu.fang@example.gov.cn', name: '吴芳' });
    // assess
    expect(r).toEqual({ invited: true });
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toBeInstanceOf(AdminCreateUserCommand);
    expect((client.sent[0] as AdminCreateUserCommand).input).toEqual({
      UserPoolId: 'ap-southeast-1_pool',
      Username: 'wu.fang',
      UserAttributes: [
        { Name: 'email', Value: 'wu.fang@example.gov.cn' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: '吴芳' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
  });

  it('an account that already exists is left as it is (a retried create is idempotent); other errors propagate', async () => {
    // prepare
    const exists = new CognitoSignInAccounts('p', fakeClient(new UsernameExistsException({ message: 'exists', $metadata: {} })) as never);
    const broken = new CognitoSignInAccounts('p', fakeClient(new Error('throttled')) as never);
    // act / assess
    expect(await exists.invite({ userId: 'wu.fang', email: 'w@example.gov.cn', name: '吴芳' })).toEqual({ invited: false });
    await expect(broken.invite({ userId: 'wu.fang', email: 'w@example.gov.cn', name: '吴芳' })).rejects.toThrow('throttled');
  });

  it('disables and enables by user name', async () => {
    // prepare
    const client = fakeClient();
    const accounts = new CognitoSignInAccounts('p', client as never);
    // act
    await accounts.disable('li.na');
    await accounts.enable('li.na');
    // assess
    expect(client.sent.map((c) => c!.constructor)).toEqual([AdminDisableUserCommand, AdminEnableUserCommand]);
    expect((client.sent[0] as AdminDisableUserCommand).input).toEqual({ UserPoolId: 'p', Username: 'li.na' });
  });

  it('is chosen by SIGN_IN_ACCOUNTS: cognito needs USER_POOL_ID; registry (aws-cn, the laptop) calls nothing', () => {
    expect(signInAccountsFromEnv({ SIGN_IN_ACCOUNTS: 'cognito', USER_POOL_ID: 'p' }).kind).toBe('cognito');
    expect(() => signInAccountsFromEnv({ SIGN_IN_ACCOUNTS: 'cognito' })).toThrow(/USER_POOL_ID/);
    expect(signInAccountsFromEnv({ SIGN_IN_ACCOUNTS: 'registry' })).toBe(registryOnlyAccounts);
  });
});
