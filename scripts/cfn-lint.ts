/**
 * `npm run lint:cfn` — cfn-lint over the synthesised templates of both
 * partitions (demo values, bundling skipped: the templates are what CDK
 * deploys, the asset hashes aside). cfn-lint is a Python tool: the project
 * cannot install it (only the npm and Debian registries are reachable, and
 * Debian has no cfn-lint package); a machine that has it (`pip install
 * cfn-lint`) runs this, any other gets exit 2 and says so. Findings
 * explained in docs/deploy.md are listed in .cfnlintrc.yaml's ignore_checks
 * only with that explanation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addChengguoStacks, projectRoot } from '../infra/stacks/chengguo-app.ts';
import { readFileSync } from 'node:fs';

try {
  execFileSync('cfn-lint', ['--version'], { stdio: 'pipe' });
} catch {
  console.error('cfn-lint 未安装 (cfn-lint is not installed): pip install cfn-lint — it is not in the npm or Debian registries.');
  process.exit(2);
}

const context = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
let failed = false;
for (const [partition, regions] of [['aws-cn', ['cn-north-1', 'cn-northwest-1']], ['aws', ['ap-southeast-1', 'ap-northeast-1']]] as const) {
  const outdir = join(projectRoot, 'cdk.out.lint', partition);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, context: { ...context, partition, demo: true, 'aws:cdk:bundling-stacks': [] } });
  addChengguoStacks(app);
  app.synth();
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => join(outdir, f));
  console.log(`cfn-lint ${partition}: ${templates.length} templates, regions ${regions.join(' ')}`);
  const r = spawnSync('cfn-lint', ['--regions', ...regions, '--', ...templates], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
