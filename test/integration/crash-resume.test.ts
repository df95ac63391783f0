/**
 * Issue 8 §4: the local cloud killed with SIGKILL (the whole process tree:
 * node, its watchdog, DynamoDB Local's JVM, MailDev) while a transfer waits
 * at "Confirm Receipt" and a verification at "Technical Review"; started
 * again in the same data folder, both finish through the API with the task
 * links already emailed. Also: a second `npm start` in the same folder
 * refuses while the first runs, and a Ctrl-C pair (npm and node signalled
 * together) stops it gracefully.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { localUrls } from '#infra/local/cloud.ts';
import { portInUse } from '#infra/local/processes.ts';
import { fixtureFiles, fixtureManifest, taskIdIn } from './fixture-submission.ts';
import { api, eventually, signIn, waitForEmail } from './helpers.ts';
import { testPortBase } from './global-setup.ts';

// Beside the shared test cloud (base), the demo test (base+20) and the restart test (base+40).
const portBase = testPortBase + 60;
const urls = localUrls(localPorts(portBase));
const dataDir = join(projectRoot, '.test-data', `crash-${portBase}`);

interface Started {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function startCloud(opts: { reset: boolean; portBase?: number }): Started {
  const args = ['--import', 'tsx', 'infra/local/start.ts', '--port-base', String(opts.portBase ?? portBase), '--data-dir', dataDir, ...(opts.reset ? ['--reset'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, CHENGGUO_DEMO: '0', LOG_LEVEL: 'ERROR', CHENGGUO_PORT_BASE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started: Started = { child, output: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout?.on('data', (d: Buffer) => (started.output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (started.output += d.toString()));
  return started;
}

async function ready(cloud: Started): Promise<void> {
  await eventually(
    async () => {
      if (cloud.child.exitCode !== null) throw new Error(`local cloud exited ${cloud.child.exitCode}: ${cloud.output}`);
      return cloud.output.includes('本地云已就绪') ? true : undefined;
    },
    'the local cloud to be ready',
    90_000,
  );
}

/** Every descendant of pid (ps over the whole table: the children live in their own process groups). */
function tree(pid: number): number[] {
  const rows = spawnSync('ps', ['-eo', 'pid=,ppid=']).stdout.toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const out = [pid];
  for (let i = 0; i < out.length; i += 1) for (const [p, pp] of rows) if (pp === out[i] && p !== undefined) out.push(p);
  return out;
}

async function kill9(cloud: Started, base = portBase): Promise<void> {
  const pids = tree(cloud.child.pid ?? -1);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await cloud.exited;
  await eventually(async () => ((await Promise.all(Object.values(localPorts(base)).map((p) => portInUse(p)))).some(Boolean) ? undefined : true), 'ports free', 20_000);
}

const tokens = new Map<string, string>();
async function tokenOf(userId: string): Promise<string> {
  const token = tokens.get(userId) ?? (await signIn(userId, urls.api));
  tokens.set(userId, token);
  return token;
}
const call = async (method: string, path: string, userId: string, body?: unknown) => api(method, path, { token: await tokenOf(userId), apiUrl: urls.api, ...(body !== undefined ? { body } : {}) });

/** A `valid` package submitted and uploaded by li.na; verification starts and mails chen.jing the review task. */
async function submitted(): Promise<{ submissionId: string; name: string; since: Date }> {
  const since = new Date();
  const task = await call('POST', '/survey-tasks', 'chen.jing', { name: '2026 年度崩溃恢复集成测试任务', theme: 'landSurvey', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' });
  expect(task.status).toBe(201);
  const taskId = String(task.body.task.taskId);
  expect((await call('PUT', `/survey-tasks/${taskId}/completion`, 'li.na', { completionDate: '2026-09-18' })).status).toBe(200);
  const name = `崩溃恢复集成测试成果 ${randomBytes(3).toString('hex')}`;
  const opened = await call('POST', `/survey-tasks/${taskId}/submissions`, 'li.na', {
    catalogue: { name, content: '调查数据库、图件、报告与元数据', format: 'Shapefile、GeoPackage、GeoTIFF、PDF、XML', spatialScope: { regionCode: '440000' }, timePoint: '2026-06-30', classification: 'internal', sharingMode: 'online' },
    files: await fixtureManifest('valid'),
  });
  expect(opened.status).toBe(201);
  const submissionId = String(opened.body.submission.submissionId);
  const bytes = await fixtureFiles('valid');
  const issued = await call('POST', `/submissions/${submissionId}/versions/1/upload-urls`, 'li.na');
  expect(issued.status).toBe(200);
  for (const f of issued.body.files as Array<{ path: string; url: string; headers: Record<string, string> }>) {
    const { 'content-length': _length, ...headers } = f.headers;
    expect((await fetch(f.url, { method: 'PUT', headers, body: bytes.get(f.path) })).status, f.path).toBe(200);
  }
  expect((await call('POST', `/submissions/${submissionId}/versions/1/complete`, 'li.na')).status).toBe(202);
  return { submissionId, name, since };
}

async function versionIs(submissionId: string, status: string): Promise<void> {
  await eventually(
    async () => ((await call('GET', `/submissions/${submissionId}`, 'li.na')).body.submission?.versions as Array<{ n: number; status: string }> | undefined)?.find((v) => v.n === 1 && v.status === status),
    `v1 of ${submissionId} to be ${status}`,
    60_000,
  );
}

async function timelineHas(submissionId: string, type: string): Promise<Record<string, unknown>> {
  return eventually(
    async () => ((await call('GET', `/submissions/${submissionId}/timeline`, 'chen.jing')).body.entries as Array<Record<string, unknown>> | undefined)?.find((e) => e['type'] === type),
    `${type} on ${submissionId}`,
    60_000,
  );
}

describe('issue-8 R7.1 R8.1 a workflow interrupted by a crash of the local cloud is resumed', () => {
  it('kill -9 while a transfer waits at Confirm Receipt and a verification at Technical Review; after npm start both finish through the emailed tasks', async () => {
    let cloud = startCloud({ reset: true });
    let second: Started | undefined;
    try {
      await ready(cloud);
      // A transfer waiting at Confirm Receipt.
      const moving = await submitted();
      const reviewA = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${moving.name}`, since: moving.since, timeoutMs: 60_000, inboxUrl: urls.inbox });
      await versionIs(moving.submissionId, 'awaitingReview');
      expect((await call('POST', `/human-tasks/${taskIdIn(reviewA)}/decision`, 'chen.jing', { decision: 'approve' })).status).toBe(200);
      await versionIs(moving.submissionId, 'verified');
      expect((await call('POST', `/submissions/${moving.submissionId}/transfer`, 'chen.jing')).status).toBe(202);
      const receiptMail = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${moving.name}`, since: moving.since, timeoutMs: 60_000, inboxUrl: urls.inbox });
      const receiptTask = taskIdIn(receiptMail);
      // A verification waiting at Technical Review.
      const waiting = await submitted();
      const reviewB = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${waiting.name}`, since: waiting.since, timeoutMs: 60_000, inboxUrl: urls.inbox });
      await versionIs(waiting.submissionId, 'awaitingReview');
      const reviewTask = taskIdIn(reviewB);
      // The state-entered records are written a moment after the tasks exist.
      await new Promise((resolve) => setTimeout(resolve, 500));

      // A second npm start in the same folder (other ports, --reset) refuses and touches nothing.
      second = startCloud({ reset: true, portBase: portBase + 6 });
      const secondCode = await Promise.race([second.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
      expect(secondCode).toBe(1);
      expect(second.output).toContain('正被另一个本地云使用');
      expect((await call('GET', '/me', 'chen.jing')).status).toBe(200);

      await kill9(cloud);
      cloud = startCloud({ reset: false });
      await ready(cloud);
      expect(cloud.output).toMatch(/已从中断处恢复 2 个执行/);

      const tasks = await Promise.all([call('GET', `/human-tasks/${receiptTask}`, 'zhang.wei'), call('GET', `/human-tasks/${reviewTask}`, 'chen.jing')]);
      expect(tasks.map((t) => [t.status, t.body.status, t.body.canDecide])).toEqual([
        [200, 'open', true],
        [200, 'open', true],
      ]);
      const receipt = await call('POST', `/human-tasks/${receiptTask}/decision`, 'zhang.wei', { decision: 'approve' });
      const review = await call('POST', `/human-tasks/${reviewTask}/decision`, 'chen.jing', { decision: 'approve' });
      expect([receipt.status, review.status]).toEqual([200, 200]);
      await timelineHas(moving.submissionId, 'custodyReceived');
      await versionIs(waiting.submissionId, 'verified');
      const again = await call('POST', `/submissions/${moving.submissionId}/transfer`, 'chen.jing');
      expect(again).toMatchObject({ status: 200, body: { started: false } });
      const started = await call('POST', `/submissions/${waiting.submissionId}/transfer`, 'chen.jing');
      expect(started).toMatchObject({ status: 202, body: { started: true } });
      await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${waiting.name}`, since: waiting.since, timeoutMs: 60_000, inboxUrl: urls.inbox });

      // Ctrl-C in a terminal: npm and node get SIGINT together — one graceful stop, not "exit now".
      cloud.child.kill('SIGINT');
      cloud.child.kill('SIGINT');
      expect(await cloud.exited).toBe(0);
      expect(cloud.output).toContain('本地云已停止');
      expect(cloud.output).not.toContain('再次收到');
    } finally {
      if (second && second.child.exitCode === null && second.child.signalCode === null) await kill9(second, portBase + 6);
      if (cloud.child.exitCode === null && cloud.child.signalCode === null) await kill9(cloud);
    }
  }, 300_000);
});
