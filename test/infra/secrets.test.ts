import { beforeAll, describe, expect, it } from 'vitest';
import { envNames } from '#adapters/config.ts';
import { manifest } from '#infra/manifest.ts';
import { asArray, contextResources, functionsNamed, iamStatements, synthChengguo, type Synthesised } from './synth.ts';

/** Names and values that would put a credential into a function's configuration. */
const secretName = /(PASSWORD|PASSWD|SECRET(?!_ARN$)|TOKEN(?!_KEY_ID$|_TYPE$)|PRIVATE_KEY|CREDENTIAL(?!S_SECRET_ARN$))/i;
const secretValue = /resolve:secretsmanager|resolve:ssm-secure|SecretString/;

describe.each(['aws', 'aws-cn'] as const)('issue 11 §6: secrets are read at run time, never in a Lambda environment (%s)', (partition) => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthChengguo({ partition });
  });

  it('no function of any context has a secret-like variable or a dynamic secret reference in its environment', () => {
    const fns = contextResources(s, 'AWS::Lambda::Function');
    expect(fns.length).toBe(manifest.functions.length);
    for (const [id, fn] of fns) {
      const vars = ((fn.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
      expect(Object.keys(vars).filter((k) => secretName.test(k)), id).toEqual([]);
      expect(JSON.stringify(vars), id).not.toMatch(secretValue);
    }
  });

  it('the mail function reads the SMTP secret itself: GetSecretValue on that one secret, and no other function may', () => {
    // Issue 10: SendMail (deliversMail) alone holds the transport; the other senders hand their mail to it.
    const senders = new Set(manifest.functions.filter((f) => f.sendsEmail && f.deliversMail).map((f) => f.name));
    for (const def of manifest.functions) {
      const [found] = functionsNamed(s, def.name);
      const role = JSON.stringify((found!.resource.Properties?.['Role'] as unknown) ?? '');
      const statements = iamStatements(found!.template).filter(({ owner, statement }) => role.includes(owner.replace(/DefaultPolicy.*$/, '')) && asArray(statement['Action'] as string[]).includes('secretsmanager:GetSecretValue'));
      const env = (found!.resource.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      if (partition === 'aws-cn' && senders.has(def.name)) {
        expect(env[envNames.smtpCredentialsSecret], def.name).toBeDefined();
        expect(statements.length, def.name).toBe(1);
        expect(asArray(statements[0]!.statement['Resource'] as unknown[]), def.name).toHaveLength(1);
      } else {
        expect(env[envNames.smtpCredentialsSecret], def.name).toBeUndefined();
        expect(statements, def.name).toEqual([]);
      }
    }
  });
});
