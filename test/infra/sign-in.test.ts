import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envNames } from '#adapters/config.ts';
import { manifest } from '#infra/manifest.ts';
import { contextOf } from '#infra/stacks/stateless-stack.ts';
import { asSuppliedByParent, functionsNamed, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

const envOf = (s: Synthesised, name: string) =>
  asSuppliedByParent(s, contextOf(manifest.functions.find((f) => f.name === name)!), (functionsNamed(s, name)[0]!.resource.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables) as Record<string, unknown>;
const authorizerOf = (s: Synthesised) => resourcesOf(s.templates.stateless, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties?.['JwtConfiguration'] as { Issuer: unknown; Audience: unknown[] };

describe('R20.1 sign-in on AWS: Cognito hosted sign-in with the authorization code + PKCE flow, settings from the stack', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo();
  });

  it('gives the user pool a hosted sign-in domain, and the stateful stack no app client', () => {
    s.templates.stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'chengguo-prod' });
    expect(resourcesOf(s.templates.stateful, 'AWS::Cognito::UserPoolClient')).toEqual([]);
    s.templates.stateful.hasOutput('SignInDomain', {});
  });

  it('makes one public client: code flow only, no secret, openid scope, callback on the API and the CLI loopback, logout back to the callback', () => {
    const clients = resourcesOf(s.templates.stateless, 'AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const props = clients[0]![1].Properties!;
    expect(props['AllowedOAuthFlows']).toEqual(['code']);
    expect(props['AllowedOAuthFlowsUserPoolClient']).toBe(true);
    expect(props['GenerateSecret']).toBe(false);
    expect(props['AllowedOAuthScopes']).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(props['SupportedIdentityProviders']).toEqual(['COGNITO']);
    const callbacks = JSON.stringify(props['CallbackURLs']);
    expect(callbacks).toContain('/auth/callback');
    expect(callbacks).toContain(s.stateless.api.node.defaultChild ? s.stateless.getLogicalId(s.stateless.api.node.defaultChild as never) : 'Api');
    expect(props['CallbackURLs']).toContain('http://localhost:53682/callback');
    expect(JSON.stringify(props['LogoutURLs'])).toContain('/auth/callback');
  });

  it('has the authorizer trust that client, and gives every function the issuer, the client, the CLI redirect and SIGN_IN_URL', () => {
    const jwt = authorizerOf(s);
    const clientId = resourcesOf(s.templates.stateless, 'AWS::Cognito::UserPoolClient')[0]![0];
    expect(jwt.Audience).toEqual([{ Ref: clientId }]);
    for (const def of manifest.functions) {
      const env = envOf(s, def.name);
      expect(env[envNames.oidcIssuer], def.name).toEqual(jwt.Issuer);
      expect(env[envNames.oidcClientId], def.name).toEqual({ Ref: clientId });
      expect(env[envNames.oidcCliRedirectUri], def.name).toBe('http://localhost:53682/callback');
      expect(JSON.stringify(env[envNames.signInUrl]), def.name).toMatch(/\/auth\/sign-in"/);
    }
    s.templates.stateless.hasOutput('SignInUrl', { Value: Match.anyValue() });
    s.templates.stateless.hasOutput('SignInClientId', { Value: { Ref: clientId } });
  });

  it('uses the configured address (appBaseUrl) for the callback and SIGN_IN_URL when there is one', () => {
    const custom = synthChengguo({ appBaseUrl: 'https://chengguo.nr.example.gov.cn', stage: 'test', cognitoDomainPrefix: 'gd-chengguo-test' });
    const props = resourcesOf(custom.templates.stateless, 'AWS::Cognito::UserPoolClient')[0]![1].Properties!;
    expect((props['CallbackURLs'] as unknown[]).slice(0, 2)).toEqual(['https://chengguo.nr.example.gov.cn/auth/callback', 'http://localhost:53682/callback']);
    expect(envOf(custom, 'HumanTaskPage')[envNames.signInUrl]).toBe('https://chengguo.nr.example.gov.cn/auth/sign-in');
    custom.templates.stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'gd-chengguo-test' });
  });
});

describe('R20.1 sign-in on aws-cn: the department issuer from context keys', () => {
  it('makes no Cognito client or domain and gives every function the external issuer, its client id and the loopback redirect', () => {
    const cn = synthChengguo({ partition: 'aws-cn', oidcIssuer: 'https://idp.nr.example.gov.cn/realms/chengguo', oidcAudience: 'chengguo-web' });
    for (const t of cn.templates.all.values()) {
      expect(resourcesOf(t, 'AWS::Cognito::UserPoolClient')).toEqual([]);
      expect(resourcesOf(t, 'AWS::Cognito::UserPoolDomain')).toEqual([]);
    }
    for (const def of manifest.functions) {
      const env = envOf(cn, def.name);
      expect(env[envNames.oidcIssuer], def.name).toBe('https://idp.nr.example.gov.cn/realms/chengguo');
      expect(env[envNames.oidcClientId], def.name).toBe('chengguo-web');
      expect(env[envNames.oidcCliRedirectUri], def.name).toBe('http://127.0.0.1/callback');
    }
    cn.templates.stateless.hasOutput('SignInIssuer', { Value: 'https://idp.nr.example.gov.cn/realms/chengguo' });
  });
});
