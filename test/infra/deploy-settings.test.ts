import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { isPlaceholderHost, settingsFromContext } from '#infra/stacks/settings.ts';
import { cdkJsonContext, synthChengguo } from './synth.ts';

const settingsOf = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

/** A stage with the department's own values: what docs/deploy.md tells an operator to pass. */
const realCn = {
  partition: 'aws-cn',
  stage: 'prod',
  mailDomain: 'zrzy.gd.gov.cn',
  smtpHost: 'smtp.zrzy.gd.gov.cn',
  oidcIssuer: 'https://idp.zrzy.gd.gov.cn/realms/chengguo',
  oidcAudience: 'chengguo-web',
  // CloudFront in China: the ICP-filed domain of the console-and-API site and its IAM server certificate.
  consoleDomain: 'chengguo.zrzy.gd.gov.cn',
  consoleCertificateId: 'ASCA4EXAMPLEREALCERT1',
};
const realAws = { partition: 'aws', stage: 'prod', mailDomain: 'zrzy.gd.gov.cn' };

describe('issue 11 §6: a named production stage refuses placeholders; the offline demo synth says it is one', () => {
  it('refuses the silent defaults outside a demo synth, naming each context key to set (example.gov.cn, the placeholder issuer, the relay)', () => {
    let message = '';
    try {
      settingsOf({ stage: 'prod' });
    } catch (e) {
      message = (e as Error).message;
    }

    expect(message).toMatch(/placeholder values cannot be deployed/);
    expect(message).toContain('mailFrom=noreply@example.gov.cn');
    expect(message).toContain('smtpHost=smtp.example.gov.cn');
    expect(message).toContain('oidcIssuer=https://idp.example.gov.cn/realms/chengguo');
    expect(message).toContain('docs/deploy.md');
    expect(message).toMatch(/含占位值/);
    expect(() => settingsOf({ partition: 'aws', stage: 'prod' })).toThrow(/mailDomain=example\.gov\.cn/);
  });

  it('refuses a placeholder passed explicitly too (an example.gov.cn subdomain, an example.com alarm address)', () => {
    expect(() => settingsOf({ ...realCn, oidcIssuer: 'https://idp.nr.example.gov.cn/realms/x' })).toThrow(/oidcIssuer=https:\/\/idp\.nr\.example\.gov\.cn/);
    expect(() => settingsOf({ ...realAws, alarmEmail: 'ops@example.com' })).toThrow(/alarmEmail=ops@example\.com/);
    expect(() => settingsOf({ ...realAws, appBaseUrl: 'https://chengguo.test' })).toThrow(/appBaseUrl/);
  });

  it('accepts a stage with the department values, and then has no placeholder and no demo flag', () => {
    for (const ctx of [realCn, realAws]) {
      const s = settingsOf(ctx);
      expect(s.demo).toBe(false);
      expect(s.placeholders).toEqual([]);
    }
    expect(settingsOf(realCn).oidc?.placeholder).toBe(false);
  });

  it('knows the placeholder hosts, and not a real government domain', () => {
    expect(['example.gov.cn', 'smtp.example.gov.cn', 'EXAMPLE.COM', 'a.example', 'x.test', 'localhost'].map(isPlaceholderHost)).toEqual([true, true, true, true, true, true]);
    expect(['zrzy.gd.gov.cn', 'mnr.gov.cn', 'example.gov.cn.evil.cn'].map(isPlaceholderHost)).toEqual([false, false, false]);
  });

  it('cdk.json pins no partition (settings.ts defaults to aws-cn) and npm run synth passes demo=true for both partitions', async () => {
    expect(cdkJsonContext()['partition']).toBeUndefined();
    const { default: pkg } = (await import('../../package.json', { with: { type: 'json' } })) as { default: { scripts: Record<string, string> } };
    const synth = pkg.scripts['synth'] ?? '';
    expect(synth.split('&&').map((c) => c.trim())).toEqual([
      'cdk synth --quiet -c demo=true',
      'cdk synth --quiet -c demo=true -c partition=aws -o cdk.out.aws',
    ]);
  });

  it('a demo synth warns on every stack that it is not deployable and lists the placeholders; a real stage does not', () => {
    const demo = synthChengguo({ partition: 'aws-cn' });
    for (const stack of [demo.backup, demo.stateful, demo.stateless]) {
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('Demo synth \\(-c demo=true\\).*smtpHost=smtp\\.example\\.gov\\.cn.*not for deploying'));
    }
    const real = synthChengguo({ ...realCn, demo: false });
    Annotations.fromStack(real.stateful).hasNoWarning('*', Match.stringLikeRegexp('Demo synth'));
  });
});

describe('issue 11 §6: the deploy pipeline a department can adopt runs tests, cdk diff, a manual approval, then deploys the diffed templates', () => {
  it('orders test → diff → deploy, gates deploy on a protected environment, deploys the diffed cloud assembly, and never synthesises demo values', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../.github/workflows/deploy.yml', import.meta.url), 'utf8');
    const wf = parse(text) as { jobs: Record<string, { needs?: string; environment?: string; steps: Array<{ run?: string }> }>; permissions: Record<string, string> };
    const runs = (job: string) => wf.jobs[job]!.steps.flatMap((st) => (st.run ? [st.run] : [])).join('\n');

    expect(Object.keys(wf.jobs)).toEqual(['test', 'diff', 'deploy']);
    expect(runs('test')).toContain('npm test');
    expect(wf.jobs['diff']!.needs).toBe('test');
    expect(runs('diff')).toMatch(/cdk diff --all --app cdk\.out/);
    expect(wf.jobs['deploy']!.needs).toBe('diff');
    expect(wf.jobs['deploy']!.environment).toBeDefined();
    expect(runs('deploy')).toMatch(/cdk deploy --all --app cdk\.out/);
    expect(wf.permissions['id-token']).toBe('write');
    expect(text).not.toMatch(/demo=true|aws-secret-access-key/i);
  });
});
