import { describe, expect, it } from 'vitest';
import { envNames } from '#adapters/config.ts';
import { resourcesOf, synthChengguo } from './synth.ts';

const platforms = [{ name: '广东省政务数据开放平台', email: 'opendata@gd.example.gov.cn' }];

describe('R14.2 -c publicPlatforms reaches PublishRelease as PUBLIC_PLATFORMS (and no other function)', () => {
  it('the validated list is PublishRelease\'s PUBLIC_PLATFORMS; a bad list fails the synth naming the key; none given → the variable is absent', () => {
    // act
    const s = synthChengguo({ publicPlatforms: JSON.stringify(platforms) });
    const bad = () => synthChengguo({ publicPlatforms: JSON.stringify([{ name: '平台', email: 'nope' }]) });
    const plain = synthChengguo();
    // assess
    const withVar = (t: typeof s) =>
      [...t.templates.contexts.values()].flatMap((template) =>
        resourcesOf(template, 'AWS::Lambda::Function')
          .filter(([, r]) => ((r.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {})[envNames.publicPlatforms] !== undefined)
          .map(([, r]) => [r.Properties?.['FunctionName'], (r.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables[envNames.publicPlatforms]]),
      );
    expect(withVar(s)).toEqual([[`${s.settings.prefix}-PublishRelease`, JSON.stringify(platforms)]]);
    expect(bad).toThrow(/context publicPlatforms.*PUBLIC_PLATFORMS/);
    expect(withVar(plain)).toEqual([]);
  });
});
