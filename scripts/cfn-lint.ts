/**
 * `npm run lint:cfn` — cfn-lint over every synthesised template of both
 * partitions, the nested ones included (one per bounded context, Operations,
 * ConsoleContent), each checked against the region its stack deploys to
 * (the Edge stack's us-east-1 too). Demo values, bundling skipped: the
 * templates are what CDK deploys, the asset hashes aside.
 *
 * cfn-lint is a Python tool: the project cannot install it (only the npm and
 * Debian registries are reachable, and Debian has no cfn-lint package); a
 * machine that has it (`pip install cfn-lint`) runs this, any other gets exit
 * 2 and a message saying so. It is not part of `npm test`. Findings explained
 * in docs/deploy.md ("Known cfn-lint findings") are ignored here by rule id,
 * each with that explanation's heading.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addChengguoStacks, projectRoot } from '../infra/stacks/chengguo-app.ts';

/** Rule ids explained in docs/deploy.md, Known cfn-lint findings (why each stays), per partition. */
export const explainedFindings = { aws: ['W3005'], 'aws-cn': ['W3005', 'E3601'] } as const;

try {
  execFileSync('cfn-lint', ['--version'], { stdio: 'pipe' });
} catch {
  console.error('cfn-lint 未安装，跳过 (cfn-lint is not installed; skipped): pip install cfn-lint — it is not in the npm or Debian registries, and not part of npm test.');
  process.exit(2);
}

const context = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
let failed = false;
for (const partition of ['aws-cn', 'aws'] as const) {
  const outdir = join(projectRoot, 'cdk.out.lint', partition);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, context: { ...context, partition, demo: true, 'aws:cdk:bundling-stacks': [] } });
  addChengguoStacks(app);
  const assembly = app.synth();
  const files = readdirSync(outdir);
  for (const stack of assembly.stacks) {
    // A nested template is named after its parent stack's construct path (Chengguo-prod-Stateless → ChengguoprodStateless…).
    const nestedPrefix = stack.hierarchicalId.replace(/[^A-Za-z0-9]/g, '');
    const nested = files.filter((f) => f.endsWith('.nested.template.json') && f.startsWith(nestedPrefix));
    const templates = [stack.templateFile, ...nested].map((f) => join(outdir, f));
    const region = stack.environment.region;
    console.log(`cfn-lint ${partition} ${stack.stackName} (${region}): ${templates.length} template(s), ${nested.length} nested`);
    const r = spawnSync('cfn-lint', ['--regions', region, '--ignore-checks', ...explainedFindings[partition], '--', ...templates], { stdio: 'inherit' });
    if (r.status !== 0) failed = true;
  }
}
process.exit(failed ? 1 : 0);
