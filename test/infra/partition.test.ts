import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envNames } from '#adapters/config.ts';
import { manifest } from '#infra/manifest.ts';
import { placeholderCnIssuer, settingsFromContext } from '#infra/stacks/settings.ts';
import { asArray, functionsNamed, iamStatements, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

const settingsOf = (context: Record<string, unknown>) => settingsFromContext(new App({ context: { demo: true, ...context } }).node);

describe('deployment settings from CDK context (issue 2)', () => {
  it('defaults the aws partition to Singapore backed up in Tokyo, with SES mail and a Cognito user directory', () => {
    const s = settingsOf({ partition: 'aws' });

    expect(s).toMatchObject({ partition: 'aws', stage: 'prod', region: 'ap-southeast-1', backupRegion: 'ap-northeast-1', prefix: 'chengguo-prod', oidc: undefined, account: undefined });
    expect(s.mail).toEqual({ transport: 'ses', domain: 'example.gov.cn', from: 'noreply@example.gov.cn' });
  });

  it('defaults to aws-cn: Beijing backed up in Ningxia, with SMTP mail and a placeholder OIDC issuer that must be replaced (issue 11 §6)', () => {
    const s = settingsOf({});

    expect(s.partition).toBe('aws-cn');

    expect(s).toMatchObject({ region: 'cn-north-1', backupRegion: 'cn-northwest-1' });
    expect(s.mail).toMatchObject({ transport: 'smtp', port: 465 });
    expect(s.oidc).toEqual({ issuer: placeholderCnIssuer, audience: 'chengguo', jwksUrl: `${placeholderCnIssuer}/.well-known/jwks.json`, placeholder: true });
  });

  it('refuses settings that cannot deploy: a region outside the partition, a backup in the same region, SES in China, an http issuer', () => {
    expect(() => settingsOf({ partition: 'aws', region: 'cn-north-1' })).toThrow(/not in partition aws$/);
    expect(() => settingsOf({ partition: 'aws-cn', backupRegion: 'ap-southeast-1' })).toThrow(/not in partition aws-cn/);
    expect(() => settingsOf({ partition: 'aws', backupRegion: 'ap-southeast-1' })).toThrow(/second region/);
    expect(() => settingsOf({ partition: 'aws-cn', mailTransport: 'ses' })).toThrow(/SES is not offered/);
    expect(() => settingsOf({ partition: 'aws-cn', oidcIssuer: 'http://idp.example.gov.cn' })).toThrow(/https/);
    expect(() => settingsOf({ partition: 'azure' })).toThrow(/aws or aws-cn/);
    expect(() => settingsOf({ account: '1234' })).toThrow(/12 digits/);
  });
});

describe('aws-cn: the same system in the China partition (issue 2)', () => {
  let cn: Synthesised;
  beforeAll(() => {
    cn = synthChengguo({
      partition: 'aws-cn',
      oidcIssuer: 'https://idp.nr.example.gov.cn/realms/chengguo',
      oidcAudience: 'chengguo-web',
      smtpHost: 'smtp.nr.example.gov.cn',
      smtpPort: '587',
    });
  });
  const templates = () => [...cn.templates.all.values()];

  it('deploys to Beijing with the backup in Ningxia', () => {
    expect([cn.stateful.region, cn.stateless.region, cn.backup.region]).toEqual(['cn-north-1', 'cn-north-1', 'cn-northwest-1']);
  });

  it('writes every ARN in the aws-cn partition, state machine integrations included', () => {
    for (const [stack, t] of cn.templates.all) {
      const text = JSON.stringify(t.toJSON());
      expect(text, stack).not.toMatch(/arn:aws:/);
      // A nested context whose functions reach only stateful resources (by stack output) writes no ARN of its own.
      if (!stack.includes('/') || text.includes('arn:')) expect(text, stack).toMatch(/arn:(aws-cn|\$\{AWS::Partition\})|"Ref":"AWS::Partition"/);
    }
    for (const [, sm] of resourcesOf(cn.templates.stateless, 'AWS::StepFunctions::StateMachine')) {
      expect(sm.Properties?.['DefinitionString']).toContain('"arn:aws-cn:states:::lambda:invoke');
    }
  });

  it('sends mail over SMTP with the relay from context and credentials read from Secrets Manager at run time, with no SES at all', () => {
    // Issue 10: SendMail alone holds the transport (the other senders hand their mail to it: stateless.test.ts).
    const senders = manifest.functions.filter((f) => f.sendsEmail && f.deliversMail);
    expect(senders.map((f) => f.name)).toEqual(['SendMail']);
    for (const def of senders) {
      const found = functionsNamed(cn, def.name);
      expect(found, def.name).toHaveLength(1);
      const fn = found[0]!.resource;
      const env = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env, def.name).toMatchObject({ [envNames.mailTransport]: 'smtp', [envNames.smtpHost]: 'smtp.nr.example.gov.cn', [envNames.smtpPort]: '587', [envNames.mailFrom]: 'noreply@example.gov.cn' });
      // issue 11 §6: the secret's ARN, read at run time; never the password itself
      expect(env[envNames.smtpCredentialsSecret], def.name).toBeDefined();
      expect(JSON.stringify(env), def.name).not.toMatch(/resolve:secretsmanager|SMTP_PASSWORD|SMTP_USER/);
    }
    expect(resourcesOf(cn.templates.stateless, 'AWS::SES::EmailIdentity')).toEqual([]);
    for (const t of templates()) {
      for (const { statement } of iamStatements(t)) expect(asArray(statement['Action'] as string[]).filter((a) => a.startsWith('ses:'))).toEqual([]);
    }
    cn.templates.stateful.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ Name: 'chengguo-prod/smtp', KmsKeyId: Match.anyValue() }),
      DeletionPolicy: 'Retain',
    });
  });

  it('authorises with the department OIDC issuer instead of a Cognito user pool, and tells the functions the same', () => {
    expect(resourcesOf(cn.templates.stateful, 'AWS::Cognito::UserPool')).toEqual([]);
    cn.templates.stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://idp.nr.example.gov.cn/realms/chengguo', Audience: ['chengguo-web'] },
    });
    for (const def of manifest.functions.filter((f) => f.verifiesJwt)) {
      const found = functionsNamed(cn, def.name);
      expect(found, def.name).toHaveLength(1);
      const fn = found[0]!.resource;
      expect((fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables, def.name).toMatchObject({
        [envNames.jwtIssuer]: 'https://idp.nr.example.gov.cn/realms/chengguo',
        [envNames.jwtAudience]: 'chengguo-web',
        [envNames.jwtJwksUrl]: 'https://idp.nr.example.gov.cn/realms/chengguo/.well-known/jwks.json',
        // issue 8 §6: the handlers apply the external issuer's ID-token rule (runtime/auth.ts)
        JWT_TOKEN_TYPE: 'oidc',
      });
    }
  });

  it('warns at synth time when aws-cn runs on the placeholder issuer', () => {
    const placeholder = synthChengguo({ partition: 'aws-cn' });

    Annotations.fromStack(placeholder.stateful).hasWarning('*', Match.stringLikeRegexp('placeholder https://idp\\.example\\.gov\\.cn'));
    Annotations.fromStack(cn.stateful).hasNoWarning('*', Match.stringLikeRegexp('trusts the placeholder'));
  });
});
