import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubmissionResponse, TimelineResponse } from '../../cli/api.ts';
import { main, type Io } from '../../cli/main.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { Captured, FakeCloud } from './cli-fakes.ts';

const catalogue = {
  name: '从化区国土变更调查成果',
  content: '地类图斑矢量数据与调查报告',
  format: 'Shapefile、PDF',
  spatialScope: { regionCode: '440000' },
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'conditional',
} as const;

const taskId = '11111111-1111-4111-8111-111111111111';

/** A JWT-shaped token (the CLI reads only `exp`; the API verifies). */
function jwt(exp: Date): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ exp: Math.floor(exp.getTime() / 1000), 'cognito:username': 'li.na' })}.sig`;
}

type Route = (url: URL, init: RequestInit) => { status: number; body: unknown } | undefined;

/** The API over HTTP as the CLI sees it: each route answers or passes; anything unanswered is a 404. */
function fakeFetch(routes: Route[]): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const f = (async (input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    calls.push(`${init.method ?? 'GET'} ${url.pathname}`);
    for (const route of routes) {
      const answer = route(url, init);
      if (answer) return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }
    return new Response(JSON.stringify({ error: { code: 'ROUTE_NOT_FOUND', message: '没有这个接口' } }), { status: 404 });
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

let config: string;
let dirs: string[];
beforeEach(() => {
  config = mkdtempSync(join(tmpdir(), 'chengguo-cli-main-config-'));
  dirs = [config];
});
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function io(extra: Partial<Io> = {}): Io & { stdout: Captured; stderr: Captured } {
  return {
    stdout: new Captured(),
    stderr: new Captured(),
    env: { CHENGGUO_CONFIG_DIR: config, CHENGGUO_API_URL: 'http://api.test', CHENGGUO_TOKEN: jwt(new Date(Date.now() + 3600_000)), CHENGGUO_POLL_MS: '1' },
    ...extra,
  } as Io & { stdout: Captured; stderr: Captured };
}

function packageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chengguo-cli-main-pkg-'));
  dirs.push(dir);
  cpSync(fixturePath('./valid'), dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(catalogue));
  return dir;
}

describe('issue-3 R7.1 upload CLI: a wrong package folder is the user’s mistake, told as such', () => {
  it('names the missing folder and what to do, with no system-error wording, no resume hint and no API call', async () => {
    const { fetch, calls } = fakeFetch([]);
    const run = io({ fetch });
    const missing = join(config, 'no-such-package');

    const code = await main(['upload', missing, '--task', taskId], run);

    expect(code).toBe(1);
    expect(run.stderr.text).toContain(`错误 [PACKAGE_DIR_NOT_FOUND] 找不到成果包目录 ${missing}`);
    expect(run.stderr.text).toContain('请检查路径是否正确');
    expect(run.stderr.text).not.toContain('系统错误');
    expect(run.stderr.text).not.toContain('续传');
    expect(calls).toEqual([]);
  });

  it('says a file is not a folder, for manifest as for upload', async () => {
    const file = join(config, 'package.zip');
    writeFileSync(file, 'zip');
    const run = io();

    const code = await main(['manifest', file], run);

    expect(code).toBe(1);
    expect(run.stderr.text).toMatch(/^错误 \[PACKAGE_NOT_A_DIRECTORY\] .*package\.zip 是文件，不是目录/);
    expect(run.stderr.text).not.toContain('系统错误');
  });

  it('gives no resume hint when the API refuses before anything was uploaded', async () => {
    const dir = packageDir();
    const { fetch } = fakeFetch([
      (url) => (url.pathname.endsWith('/submissions') ? { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: '服务暂不可用' } } } : undefined),
    ]);
    const run = io({ fetch });

    const code = await main(['upload', dir, '--task', taskId, '--no-follow'], run);

    expect(code).toBe(1);
    expect(run.stderr.text).toContain('错误 [SERVICE_UNAVAILABLE] 服务暂不可用');
    expect(run.stderr.text).not.toContain('续传');
  });

  it('gives the resume hint once the version is open and the upload has begun', async () => {
    const dir = packageDir();
    const cloud = new FakeCloud();
    const opened = await cloud.api.openSubmission(taskId, { catalogue, files: [{ path: 'a.txt', size: 1, sha256: 'a'.repeat(64), role: 'data' }] });
    const withSubmission = fakeFetch([
      (url, init) => (url.pathname.endsWith('/submissions') && init.method === 'POST' ? { status: 201, body: { submission: opened } } : undefined),
      (url) => (url.pathname.endsWith('/uploads') ? { status: 403, body: { error: { code: 'FORBIDDEN', message: '无权操作' } } } : undefined),
    ]);
    const run = io({ fetch: withSubmission.fetch });

    const code = await main(['upload', dir, '--task', taskId, '--no-follow'], run);

    expect(code).toBe(1);
    expect(run.stdout.text).toContain(`已新建汇交 ${opened.submissionId}`);
    expect(run.stderr.text).toContain('错误 [FORBIDDEN] 无权操作');
    expect(run.stderr.text).toContain('重新运行同一命令即可从中断处续传');
  });
});

const deadline = (over: Partial<SubmissionResponse['submission']['deadlines'][number]>): SubmissionResponse['submission']['deadlines'][number] => ({
  kind: 'transfer',
  requirement: 'R8.1',
  label: '移交期限（核验通过后 15 个工作日）',
  start: '2026-11-02',
  days: 15,
  due: '2026-11-23',
  provisional: false,
  provisionalYears: [],
  basis: '国务院办公厅 2026 年节假日安排',
  today: '2026-11-28',
  workingDaysLeft: 0,
  overdue: false,
  met: false,
  ...over,
});

async function transferredSubmission(): Promise<{ response: SubmissionResponse; timeline: TimelineResponse }> {
  const cloud = new FakeCloud();
  const opened = await cloud.api.openSubmission(taskId, { catalogue, files: [{ path: 'data/a.shp', size: 10, sha256: 'a'.repeat(64), role: 'data' }] });
  const version = { ...opened.versions[0]!, status: 'verified' as const, statusLabel: '核验通过', sealedAt: '2026-10-30T02:00:00.000Z', decidedAt: '2026-11-02T03:00:00.000Z' };
  const submission = {
    ...opened,
    status: 'verified' as const,
    statusLabel: '核验通过',
    verifiedAt: '2026-11-02T03:00:00.000Z',
    transferRequired: true,
    transferredAt: '2026-11-10T07:30:00.000Z',
    versions: [version],
    deadlines: [
      deadline({ met: true, metOn: '2026-11-10', workingDaysLeft: 9 }),
      deadline({ kind: 'forestryCopy', requirement: 'R8.2', label: '成果副本送自然资源主管部门期限（核验通过后 10 个工作日）', due: '2026-11-16', workingDaysLeft: -9, overdue: true }),
      deadline({ kind: 'resubmission', requirement: 'R7.2', label: '重新汇交期限', due: '2026-12-08', workingDaysLeft: 6, provisional: true, provisionalYears: [2027] }),
    ],
  };
  const number = '440000-CUS-2026-LS-000007';
  const timeline: TimelineResponse = {
    submissionId: opened.submissionId,
    entries: [
      { at: '2026-11-05T01:00:00.000Z', type: 'numberAssigned', label: '赋统一编号并登记成果目录', n: 1, detail: { resultNumber: number, custodianOrg: '440000-CUS' } },
      { at: '2026-11-05T01:05:00.000Z', type: 'custodyCopied', label: '成果复制入保管库', n: 1, detail: { resultNumber: number, files: 9, bytes: 100 } },
      { at: '2026-11-10T07:31:00.000Z', type: 'custodyReceived', label: '保管单位确认接收', n: 1, detail: { resultNumber: number, receivedAt: '2026-11-10T07:30:00.000Z', implicit: false } },
    ],
  };
  return { response: { submission, task: null }, timeline };
}

describe('issue-3 R8.1 R8.2 upload CLI: `chengguo status` after the transfer to custody', () => {
  it('shows the unified number, the copy into custody and the receipt in Beijing time, and every deadline with where it stands', async () => {
    const { response, timeline } = await transferredSubmission();
    const id = response.submission.submissionId;
    const { fetch, calls } = fakeFetch([
      (url) => (url.pathname === `/submissions/${id}` ? { status: 200, body: response } : undefined),
      (url) => (url.pathname === `/submissions/${id}/timeline` ? { status: 200, body: timeline } : undefined),
    ]);
    const run = io({ fetch });

    const code = await main(['status', id], run);

    expect(code).toBe(0);
    expect(calls).toContain(`GET /submissions/${id}/timeline`);
    const out = run.stdout.text;
    expect(out).toContain('统一编号：440000-CUS-2026-LS-000007');
    expect(out).toContain('已移交保管：2026-11-05 09:05（北京时间）');
    expect(out).toContain('已接收：保管单位 440000-CUS 于 2026-11-10 15:30（北京时间）确认接收');
    expect(out).toContain('移交期限（核验通过后 15 个工作日）：2026-11-23（已完成，2026-11-10）');
    expect(out).toContain('成果副本送自然资源主管部门期限（核验通过后 10 个工作日）：2026-11-16（已逾期 9 个工作日）');
    expect(out).toContain('重新汇交期限：2026-12-08（剩余 6 个工作日，暂定）');
    expect(out).toContain('封存于 2026-10-30 10:00（北京时间）');
    expect(out).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(out.endsWith('\n')).toBe(true);
  });
});

describe('issue-3 upload CLI: every command ends its output with a newline', () => {
  it('ends help, manifest, abort and refusals with a newline', async () => {
    const dir = packageDir();
    const { fetch } = fakeFetch([(url, init) => (init.method === 'DELETE' ? { status: 200, body: { aborted: 0, paths: [] } } : undefined)]);
    const outputs: string[] = [];
    for (const argv of [['--help'], ['manifest', dir], ['abort', '00000000-0000-4000-8000-000000000001', '--version', '1'], ['status']]) {
      const run = io({ fetch });
      await main(argv, run);
      outputs.push(run.stdout.text + run.stderr.text);
    }

    for (const text of outputs) {
      expect(text.length).toBeGreaterThan(0);
      expect(text.endsWith('\n')).toBe(true);
    }
  });
});
