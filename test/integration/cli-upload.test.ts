import { spawn } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListExecutionsCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { api, cloud, eventually, sfn, signIn } from './helpers.ts';

/**
 * The upload CLI as a user runs it — a child process on the project's Node
 * with tsx — against the local cloud: killed with SIGKILL mid-upload (a test
 * hook makes it kill itself right after a file or part is recorded), run
 * again, it resumes and completes; run once more, it starts nothing.
 */

const catalogue = {
  name: '从化区国土变更调查成果（命令行上传）',
  content: '地类图斑矢量数据、土地利用现状图、调查报告与元数据',
  format: 'Shapefile、GeoPackage、GeoTIFF、PDF',
  spatialScope: { regionCode: '440000' },
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'conditional',
};

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

let configDir: string;
let token: string;
const dirs: string[] = [];

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(projectRoot, 'node_modules/.bin/node'), ['--import', 'tsx', 'cli/chengguo.ts', ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        CHENGGUO_CONFIG_DIR: configDir,
        CHENGGUO_TOKEN: token,
        CHENGGUO_API_URL: cloud.urls.api,
        CHENGGUO_POLL_MS: '200',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const uploadedLines = (out: string) => out.split('\n').filter((l) => l.startsWith('已上传 ')).map((l) => l.slice(4).replace(/（.*$/, ''));

function packageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chengguo-cli-it-'));
  dirs.push(dir);
  cpSync(fixturePath('./valid'), dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(catalogue));
  return dir;
}

async function registeredTask(): Promise<string> {
  const reviewer = await signIn('chen.jing');
  const task = await api('POST', '/survey-tasks', {
    token: reviewer,
    body: { name: '从化区国土变更调查（命令行）', theme: 'landSurvey', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
  });
  expect(task.status).toBe(201);
  const taskId = task.body.task.taskId as string;
  const completion = await api('PUT', `/survey-tasks/${taskId}/completion`, { token, body: { completionDate: '2026-09-18' } });
  expect(completion.status).toBe(200);
  return taskId;
}

const stateOf = (dir: string) => JSON.parse(readFileSync(join(dir, '.chengguo-upload.json'), 'utf8')) as { submissionId: string; n: number; files: Record<string, { done?: boolean }> };

async function timelineTypes(submissionId: string): Promise<string[]> {
  const t = await api('GET', `/submissions/${submissionId}/timeline`, { token });
  expect(t.status).toBe(200);
  return (t.body.entries as Array<{ type: string }>).map((e) => e.type);
}

async function verificationExecutions(name: string) {
  const machines = await sfn.send(new ListStateMachinesCommand({}));
  const arn = machines.stateMachines?.find((m) => m.name === 'Verification')?.stateMachineArn;
  const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
  return (executions.executions ?? []).filter((e) => e.name === name);
}

const executionsNamed = async (name: string) => (await verificationExecutions(name)).length;
const executionStatus = async (name: string) => (await verificationExecutions(name))[0]?.status;

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'chengguo-cli-config-'));
  token = await signIn('li.na');
});
afterAll(() => {
  for (const d of [configDir, ...dirs]) rmSync(d, { recursive: true, force: true });
});

describe('issue-3 R7.1 upload CLI on the local cloud', () => {
  it('survives SIGKILL after the first file, resumes without re-uploading it, completes, and a further run starts no second verification', async () => {
    const taskId = await registeredTask();
    const dir = packageDir();

    const killed = await cli(['upload', dir, '--task', taskId, '--parallel', '1'], { CHENGGUO_TEST_STOP_AFTER_FILES: '1' });

    expect(killed.signal).toBe('SIGKILL');
    const firstRun = uploadedLines(killed.stdout);
    expect(firstRun).toHaveLength(1);
    const { submissionId } = stateOf(dir);
    const between = await api('GET', `/submissions/${submissionId}/versions/1/uploads`, { token });
    expect(between.body.summary).toMatchObject({ files: 9, uploadedFiles: 1, complete: false });
    expect(between.body.files.filter((f: { status: string }) => f.status === 'uploaded').map((f: { path: string }) => f.path)).toEqual(firstRun);

    const resumed = await cli(['upload', dir, '--parallel', '3']);

    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('续传：已上传 1 个文件');
    const secondRun = uploadedLines(resumed.stdout);
    expect(secondRun).toHaveLength(8);
    expect(secondRun).not.toContain(firstRun[0]);
    expect(resumed.stdout).toContain(`第 1 版已封存，技术核验已启动（${submissionId}-v1）`);
    expect(resumed.stdout).toMatch(/第 1 版：(待技术审核|核验通过)/);
    expect(resumed.stdout).toContain(`${cloud.urls.api}/submissions/${submissionId}/versions/1/report/page`);

    const again = await cli(['upload', dir]);

    expect(again.code).toBe(0);
    expect(uploadedLines(again.stdout)).toEqual([]);
    expect(again.stdout).toContain('不会再次启动核验');
    const types = await timelineTypes(submissionId);
    expect(types.filter((t) => t === 'versionSealed')).toHaveLength(1);
    expect(types.filter((t) => t === 'verificationStarted')).toHaveLength(1);
    expect(await executionsNamed(`${submissionId}-v1`)).toBe(1);
  });

  it('sends a file over 100 MiB in signed parts, resumes after SIGKILL from the parts that arrived, and completes it', async () => {
    const taskId = await registeredTask();
    const dir = packageDir();
    // 101 MiB of AES-CTR keystream: over the single-PUT limit, so the API plans 13 parts of 8 MiB.
    const big = createCipheriv('aes-128-ctr', Buffer.alloc(16, 3), Buffer.alloc(16, 0)).update(Buffer.alloc(101 * 1024 * 1024));
    writeFileSync(join(dir, 'data', 'dom.tif'), big);

    const killed = await cli(['upload', dir, '--task', taskId, '--parallel', '2', '--no-follow'], { CHENGGUO_TEST_STOP_AFTER_PARTS: '3' });

    expect(killed.signal).toBe('SIGKILL');
    const { submissionId } = stateOf(dir);
    const between = await api('GET', `/submissions/${submissionId}/versions/1/uploads`, { token });
    const bigStatus = (between.body.files as Array<{ path: string; kind: string; partCount?: number; status: string }>).find((f) => f.path === 'data/dom.tif');
    expect(bigStatus).toMatchObject({ kind: 'multipart', partCount: 13, status: 'partial' });

    const resumed = await cli(['upload', dir, '--parallel', '4', '--no-follow']);

    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/续传：已上传 \d+ 个文件（(2[4-9]|[3-9]\d)\.\d MiB）/);
    expect(resumed.stdout).toContain('已上传 data/dom.tif（101 MiB），13 个分片');
    const after = await api('GET', `/submissions/${submissionId}/versions/1/uploads`, { token });
    expect(after.body.versionStatus).not.toBe('open');
    expect(after.body.summary).toMatchObject({ files: 10, uploadedFiles: 10, complete: true });
    const types = await timelineTypes(submissionId);
    expect(types.filter((t) => t === 'verificationStarted')).toHaveLength(1);
    // The verifier streams the multipart file to check its SHA-256: let its run end (or reach the review) before the cloud stops.
    await eventually(async () => {
      const s = await api('GET', `/submissions/${submissionId}`, { token });
      if (s.body.submission.versions[0]?.status === 'awaitingReview') return true;
      return (await executionStatus(`${submissionId}-v1`)) === 'RUNNING' ? undefined : true;
    }, 'the end of the verification of the package with the multipart file', 40_000);
  });

  it('prints an API refusal in Chinese with its code and field, and exits 1', async () => {
    const dir = packageDir();

    const refused = await cli(['upload', dir, '--task', '00000000-0000-4000-8000-000000000000']);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^错误 \[NOT_FOUND\] .*不存在/);
    expect(refused.stderr).toContain('POST /survey-tasks/00000000-0000-4000-8000-000000000000/submissions，HTTP 404');
  });

  it('signs in on the local cloud and keeps the token in the configuration folder', async () => {
    const login = await cli(['login', 'li.na', '--api', cloud.urls.api], { CHENGGUO_TOKEN: '' });

    expect(login.code).toBe(0);
    expect(login.stdout).toContain(join(configDir, 'credentials.json'));
    const saved = JSON.parse(readFileSync(join(configDir, 'credentials.json'), 'utf8'));
    expect(saved).toMatchObject({ apiUrl: cloud.urls.api, userId: 'li.na', token: expect.stringMatching(/^ey/) });
  });
});
