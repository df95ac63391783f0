import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addChengguoStacks, addNagChecks, type ChengguoStacks } from '#infra/stacks/chengguo-app.ts';
import { newApp } from './synth.ts';

const packs = { AwsSolutions: () => new AwsSolutionsChecks(), 'NIST.800.53.R5': () => new NIST80053R5Checks() } as const;

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

describe.each(['aws', 'aws-cn'] as const)('cdk-nag AwsSolutions and NIST 800-53 R5 on the %s partition (issue 2)', (partition) => {
  let app: App;
  let stacks: ChengguoStacks;
  beforeAll(() => {
    app = newApp({ partition }, { validate: true });
    stacks = addChengguoStacks(app);
    addNagChecks(app);
  });

  it('synthesises with CloudFormation validation and both rule packs registered, as `npm run synth` does', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it.each(Object.keys(packs) as Array<keyof typeof packs>)('%s reports no unacknowledged error or warning in any stack', (pack) => {
    for (const stack of [stacks.backup, stacks.stateful, stacks.stateless, ...(stacks.edge ? [stacks.edge] : [])]) {
      const report = packs[pack]().validateScope(stack);
      const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
      expect(findings, stack.stackName).toEqual([]);
    }
  });

  it('gives every acknowledgement a specific reason, on a resource or a stack — never on the whole app', () => {
    const acks = acknowledgements(app);

    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(60);
      expect(a.reason, `${a.id} at ${a.path}`).not.toMatch(/^(n\/a|ok|todo|suppress|not (needed|applicable))/i);
      expect(a.path, a.id).not.toBe('');
    }
    const stackLevel = acks.filter((a) => Stack.isStack(app.node.findChild(a.path.split('/')[0]!)) && !a.path.includes('/'));
    expect([...new Set(stackLevel.map((a) => a.id))]).toEqual(['NIST.800.53.R5-IAMNoInlinePolicy']);
  });

  it('acknowledges IAM wildcards finding by finding, never a whole rule', () => {
    const iam5 = acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));

    expect(iam5.length).toBeGreaterThan(0);
    for (const a of iam5) expect(a.id, a.path).toMatch(/^AwsSolutions-IAM5\[(Resource|Action)::.+\]$/);
  });
});
