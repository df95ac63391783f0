import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpSubmissionApi } from '../../cli/api.ts';
import { resolveAuth } from '../../cli/credentials.ts';
import { ApiError, apiErrorFrom, CliError, formatError } from '../../cli/errors.ts';
import { main } from '../../cli/main.ts';
import { backoffDelay, isTransient, withRetry } from '../../cli/retry.ts';
import { Captured } from './cli-fakes.ts';

const noSleep = { attempts: 4, baseMs: 100, capMs: 1000, sleep: async () => undefined };

function fakeFetch(responses: Array<{ status: number; body: string } | Error>): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error('test: no more responses');
    if (next instanceof Error) throw next;
    return new Response(next.body, { status: next.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

/** A JWT-shaped token with the given expiry (the CLI only reads `exp`, the API verifies). */
function jwt(exp: Date): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ exp: Math.floor(exp.getTime() / 1000), 'cognito:username': 'li.na' })}.sig`;
}

describe('issue-3 R7.1 upload CLI: refusals printed in Chinese with the English code and the field', () => {
  it('prints the API’s message, code, each field and the request id', () => {
    const error = apiErrorFrom(
      400,
      JSON.stringify({
        error: {
          code: 'VALIDATION_FAILED',
          message: '请求参数有误：body.files.0.path 文件路径 “../x” 不能包含“..”路径段（不得指向上级目录）',
          details: [{ field: 'body.files.0.path', code: 'CUSTOM', message: '文件路径 “../x” 不能包含“..”路径段（不得指向上级目录）' }],
          requestId: 'req-1',
        },
      }),
      'POST /survey-tasks/t/submissions',
    );

    expect(formatError(error)).toEqual([
      '错误 [VALIDATION_FAILED] 请求参数有误：body.files.0.path 文件路径 “../x” 不能包含“..”路径段（不得指向上级目录）',
      '  · body.files.0.path：文件路径 “../x” 不能包含“..”路径段（不得指向上级目录） (CUSTOM)',
      '  （POST /survey-tasks/t/submissions，HTTP 400，请求编号 req-1）',
    ]);
  });

  it('turns an S3 XML refusal into a code and a message', () => {
    const error = apiErrorFrom(400, '<?xml version="1.0"?><Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated checksum.</Message></Error>', 'PUT s3/x');

    expect(error).toMatchObject({ status: 400, code: 'BadDigest', message: '对象存储拒绝：The SHA256 you specified did not match the calculated checksum.' });
  });

  it('still names the status of a response in no known shape', () => {
    expect(apiErrorFrom(502, '<html>Bad Gateway</html>')).toMatchObject({ code: 'HTTP_502', message: '服务器错误，请稍后重试：<html>Bad Gateway</html>' });
  });

  it('prints the CLI’s own refusals the same way', () => {
    const lines = formatError(new CliError('EMPTY_FILES', '成果包中有 1 个空文件', [{ field: 'a.dbf', message: '空文件（0 字节）' }]));

    expect(lines).toEqual(['错误 [EMPTY_FILES] 成果包中有 1 个空文件', '  · a.dbf：空文件（0 字节）']);
  });

  it('explains a refused connection in Chinese', () => {
    const lines = formatError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4100'), { code: 'ECONNREFUSED' }));

    expect(lines[0]).toContain('[ECONNREFUSED] 无法连接服务器');
  });

  it('explains a failed fetch by its cause, not as an internal error', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4100'), { code: 'ECONNREFUSED' }) });

    const lines = formatError(refused);

    expect(lines[0]).toContain('[ECONNREFUSED] 无法连接服务器');
    expect(lines[0]).not.toContain('INTERNAL');
  });

  it('names a response that does not match the shared contract', async () => {
    const { fetch } = fakeFetch([{ status: 200, body: JSON.stringify({ submission: { submissionId: 1 } }) }]);
    const api = new HttpSubmissionApi('http://api', 'token', noSleep, fetch);

    const error = await api.getSubmission('00000000-0000-4000-8000-000000000001').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'RESPONSE_CONTRACT_MISMATCH' });
    expect((error as ApiError).details.length).toBeGreaterThan(0);
  });

  it('exits 1 and prints the refusal on stderr for a command that fails', async () => {
    const config = mkdtempSync(join(tmpdir(), 'chengguo-cli-config-'));
    const stdout = new Captured();
    const stderr = new Captured();
    try {
      const code = await main(['status', 'some-id', '--api', 'http://127.0.0.1:9'], { stdout, stderr, env: { CHENGGUO_CONFIG_DIR: config } });

      expect(code).toBe(1);
      expect(stderr.text).toContain('错误 [NOT_LOGGED_IN] 尚未登录');
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('refuses unknown options with the usage hint', async () => {
    const stderr = new Captured();

    const code = await main(['upload', '.', '--paralel', '2'], { stdout: new Captured(), stderr, env: {} });

    expect(code).toBe(1);
    expect(stderr.text).toMatch(/错误 \[BAD_ARGUMENTS\] 参数有误：.*--paralel/);
  });
});

describe('issue-3 R7.1 upload CLI: tokens', () => {
  it('prefers --token over CHENGGUO_TOKEN', async () => {
    const token = jwt(new Date(Date.now() + 3600_000));
    const auth = await resolveAuth({ token, api: 'http://a/' }, { CHENGGUO_TOKEN: 'other', CHENGGUO_CONFIG_DIR: '/nonexistent' });

    expect(auth).toEqual({ apiUrl: 'http://a', token, source: 'flag' });
  });

  it('refuses an expired token before calling the API', async () => {
    const expired = jwt(new Date(Date.now() - 60_000));

    await expect(resolveAuth({}, { CHENGGUO_TOKEN: expired, CHENGGUO_CONFIG_DIR: '/nonexistent' })).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });
});

describe('issue-3 R7.1 upload CLI: retries', () => {
  it('retries transient failures with backoff and then succeeds', async () => {
    const { fetch, calls } = fakeFetch([
      { status: 503, body: '{"error":{"code":"INTERNAL_ERROR","message":"忙"}}' },
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
      { status: 200, body: JSON.stringify({ aborted: 0, paths: [] }) },
    ]);
    const delays: number[] = [];
    const api = new HttpSubmissionApi('http://api', 't', { ...noSleep, random: () => 1, onRetry: (_e, _a, d) => delays.push(d) }, fetch);

    const res = await api.abortUploads('s', 1);

    expect(res).toEqual({ aborted: 0, paths: [] });
    expect(calls).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
  });

  it('does not retry a refusal', async () => {
    const { fetch, calls } = fakeFetch([{ status: 409, body: '{"error":{"code":"VERSION_SEALED","message":"已封存"}}' }]);
    const api = new HttpSubmissionApi('http://api', 't', noSleep, fetch);

    await expect(api.completeVersion('s', 1)).rejects.toMatchObject({ code: 'VERSION_SEALED', status: 409 });
    expect(calls).toHaveLength(1);
  });

  it('never retries opening a submission (a lost response could open a second one)', async () => {
    const { fetch, calls } = fakeFetch([{ status: 503, body: '' }]);
    const api = new HttpSubmissionApi('http://api', 't', noSleep, fetch);

    await expect(api.openSubmission('t', { catalogue: {} as never, files: [] })).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    let n = 0;

    const error = await withRetry(async () => {
      n += 1;
      throw new ApiError(500, 'INTERNAL_ERROR', `第 ${n} 次`);
    }, noSleep).catch((e: unknown) => e);

    expect(n).toBe(4);
    expect(error).toMatchObject({ message: '第 4 次' });
  });

  it('caps the backoff and classifies errors', () => {
    expect(backoffDelay(10, { baseMs: 500, capMs: 15_000 }, () => 0.999)).toBe(14_985);
    expect(isTransient(new ApiError(429, 'SLOW_DOWN', ''))).toBe(true);
    expect(isTransient(new ApiError(403, 'FORBIDDEN', ''))).toBe(false);
    expect(isTransient(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe(true);
    expect(isTransient(new Error('x'))).toBe(false);
  });
});
