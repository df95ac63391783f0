import { beforeAll, describe, expect, it } from 'vitest';
import { envNames } from '#adapters/config.ts';
import { manifest } from '#infra/manifest.ts';
import { asArray, asSuppliedByParent, functionsNamed, iamStatements, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

/**
 * Issue 12 (R3.1): the functions that manage sign-in accounts (`managesSignIn`) get the Cognito admin calls on the
 * one user pool on `aws`, and no Cognito permission at all on `aws-cn`, where the external issuer owns the accounts.
 */
const adminActions = ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser'];
const managing = manifest.functions.filter((f) => f.managesSignIn).map((f) => f.name).sort();

function envOf(s: Synthesised, name: string): Record<string, unknown> {
  const [fn] = functionsNamed(s, name);
  return ((fn!.resource.Properties?.['Environment'] as { Variables: Record<string, unknown> } | undefined)?.Variables) ?? {};
}

/** Every IAM statement of a function's own role, with the nested template's parameters resolved to what the parent passes. */
function statementsOf(s: Synthesised, name: string): Array<Record<string, unknown>> {
  const [fn] = functionsNamed(s, name);
  const role = (fn!.resource.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOf(fn!.template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.['Roles']).includes(`"${role}"`))
    .flatMap(([, p]) => asArray((p.Properties?.['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement))
    .map((st) => ({ ...st, Resource: asSuppliedByParent(s, fn!.context, st['Resource']) }));
}

const cognitoStatements = (s: Synthesised) =>
  [...s.templates.all.values()].flatMap((t) => iamStatements(t)).filter(({ statement }) => JSON.stringify(statement['Action']).includes('cognito-idp:'));

describe('R3.1 issue 12 on aws: Cognito admin grants exist, only for the functions that manage sign-in, scoped to the user pool', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo();
  });

  it('the manifest marks exactly the person-writing functions', () => {
    expect(managing).toEqual(['CreateUser', 'ImportOnboarding', 'UpdateUser']);
  });

  it.each(managing)('%s may AdminCreateUser / AdminDisableUser / AdminEnableUser on the user pool’s ARN only, and knows the pool', (name) => {
    // prepare
    const userPools = resourcesOf(s.templates.stateful, 'AWS::Cognito::UserPool');
    expect(userPools).toHaveLength(1);
    const [poolId] = userPools[0]!;
    // act
    const statements = statementsOf(s, name).filter((st) => JSON.stringify(st['Action']).includes('cognito-idp:'));
    const env = envOf(s, name);
    // assess
    expect(statements).toHaveLength(1);
    expect(asArray(statements[0]!['Action'] as string | string[]).sort()).toEqual(adminActions);
    const resource = JSON.stringify(statements[0]!['Resource']);
    expect(resource).not.toContain('"*"');
    expect(resource).toContain(poolId);
    expect(resource).toContain('Arn');
    expect(env[envNames.signInAccounts]).toBe('cognito');
    expect(JSON.stringify(asSuppliedByParent(s, functionsNamed(s, name)[0]!.context, env[envNames.userPoolId]))).toContain(poolId);
  });

  it('no other role holds any cognito-idp permission', () => {
    // act
    const owners = cognitoStatements(s).map(({ owner }) => owner);
    // assess
    expect(owners).toHaveLength(managing.length);
    for (const name of manifest.functions.map((f) => f.name).filter((n) => !managing.includes(n))) {
      expect(statementsOf(s, name).filter((st) => JSON.stringify(st['Action']).includes('cognito-idp:')), name).toEqual([]);
    }
  });

  it('the pool’s invitation email is in Chinese', () => {
    // act
    const [, pool] = resourcesOf(s.templates.stateful, 'AWS::Cognito::UserPool')[0]!;
    const invite = (pool.Properties?.['AdminCreateUserConfig'] as { InviteMessageTemplate: { EmailSubject: string; EmailMessage: string } }).InviteMessageTemplate;
    // assess
    expect(invite.EmailSubject).toContain('账号已开通');
    expect(invite.EmailMessage).toContain('{username}');
    expect(invite.EmailMessage).toContain('{####}');
  });
});

describe('R3.1 issue 12 on aws-cn: the external issuer owns the accounts, so no Cognito grant anywhere', () => {
  let cn: Synthesised;
  beforeAll(() => {
    cn = synthChengguo({ partition: 'aws-cn', oidcIssuer: 'https://idp.nr.example.gov.cn/realms/chengguo', oidcAudience: 'chengguo-web', smtpHost: 'smtp.nr.example.gov.cn' });
  });

  it.each(managing)('%s is told the registry alone decides (SIGN_IN_ACCOUNTS=registry, no USER_POOL_ID) and the JWT type is oidc', (name) => {
    const env = envOf(cn, name);
    expect(env[envNames.signInAccounts]).toBe('registry');
    expect(env[envNames.userPoolId]).toBeUndefined();
    expect(env['JWT_TOKEN_TYPE']).toBe('oidc');
  });

  it('holds no cognito-idp statement and no user pool', () => {
    expect(cognitoStatements(cn)).toEqual([]);
    expect(resourcesOf(cn.templates.stateful, 'AWS::Cognito::UserPool')).toEqual([]);
  });
});
