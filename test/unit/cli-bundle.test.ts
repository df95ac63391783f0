import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';

/**
 * The CLI ships compiled: `npm run build:cli` (run by `npm ci` through
 * `prepare`) bundles cli/chengguo.ts with esbuild into dist/chengguo.mjs,
 * and the `chengguo` bin (packages/chengguo-cli, a local dependency) starts
 * that bundle — no TypeScript compiled at run time. It must run on Node 20
 * (the machine default here) and Node 22 (the project's pinned Node).
 */

const bundle = join(projectRoot, 'dist', 'chengguo.mjs');
/** PATH without the project's node_modules/.bin: the machine's own `node`. */
const machinePath = (process.env['PATH'] ?? '').split(delimiter).filter((d) => !d.includes(`node_modules${sep}.bin`)).join(delimiter);

beforeAll(() => {
  const built = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: projectRoot, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 60_000);

describe('issue-10 R7.1 upload CLI: compiled bundle behind the bin', () => {
  it('builds one self-contained file that prints the help on the project Node', () => {
    const run = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('chengguo — 自然资源调查监测成果汇交命令行工具');
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/from\s*["'](zod|#shared\/|\.\/)/);
  });

  it('runs on the machine’s own Node too (Node 20 here)', () => {
    const version = spawnSync('node', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: machinePath } });
    expect(version.status).toBe(0);

    const run = spawnSync('node', [bundle, '--help'], { encoding: 'utf8', env: { ...process.env, PATH: machinePath } });

    expect(run.stderr).toBe('');
    expect(run.status, `node ${version.stdout.trim()}`).toBe(0);
    expect(run.stdout).toContain('用法 usage');
  });

  it('`npx chengguo --help` runs the bundle with no engine warning', () => {
    const bin = join(projectRoot, 'node_modules', '.bin', 'chengguo');
    expect(existsSync(bin)).toBe(true);

    const run = spawnSync('npx', ['chengguo', '--help'], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, PATH: machinePath } });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('用法 usage');
    expect(run.stderr).not.toMatch(/EBADENGINE|Unsupported engine/);
    expect(run.stderr).toBe('');
  });
});
