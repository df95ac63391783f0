import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { addChengguoStacks } from '#infra/stacks/chengguo-app.ts';
const ctx = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
const app = new App({ outdir: '/tmp/cdkout-try2', context: { ...ctx, partition: process.argv[2] ?? 'aws', 'aws:cdk:bundling-stacks': [] } });
const s = addChengguoStacks(app);
app.synth();
for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
  const r = pack.validateScope(app);
  const counts = new Map<string, string[]>();
  for (const v of r.violations) counts.set(v.ruleName, v.violatingResources.map((x) => x.constructPath));
  for (const [k, v] of [...counts].sort()) console.log(v.length, k, v.slice(0, 2).join(' | '));
}
