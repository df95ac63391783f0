import { describe, expect, it } from 'vitest';
import { contract, successOf } from '#runtime/contract.ts';
import { withHttp } from './with-http-by-name.ts';
import { ResponseMismatch, responseValidator } from '../integration/response-validator.ts';

const ping = { pingId: 'ping-1', status: 'started', executionArn: 'arn:aws:states:cn-north-1:000000000000:execution:Ping:ping-1' };
const error = { error: { code: 'VALIDATION_FAILED', message: '请求参数有误', requestId: 'req-1' } };
const json = 'application/json; charset=utf-8';

describe('issue-9 API truth: every response the integration suite sees is checked against the OpenAPI document', () => {
  const validator = responseValidator();

  it('accepts a documented status with a body that matches the schema', () => {
    expect(validator.check('POST', '/pings', 202, json, ping)).toBe('checked');
    expect(validator.check('POST', '/pings', 400, json, error)).toBe('checked');
    expect(validator.check('GET', '/health', 503, json, { status: 'degraded', time: '2026-12-03T14:00:00.000Z', version: '0.1.0', checks: { registry: { ok: false } } })).toBe('checked');
  });

  it('rejects a status the operation does not document, naming the route and the documented ones', () => {
    // POST /pings answers 202, not 200; GET /health documents no 201; a public route has no 401.
    expect(() => validator.check('POST', '/pings', 200, json, ping)).toThrow(ResponseMismatch);
    expect(() => validator.check('POST', '/pings', 200, json, ping)).toThrow(/StartPing.*answered 200.*documented: 202/);
    expect(() => validator.check('GET', '/health', 201, json, {})).toThrow(ResponseMismatch);
    expect(() => validator.check('GET', '/health', 401, json, error)).toThrow(ResponseMismatch);
  });

  it('rejects a body that does not match the schema, naming the field', () => {
    const { executionArn: _, ...withoutArn } = ping;
    expect(() => validator.check('POST', '/pings', 202, json, withoutArn)).toThrow(/executionArn/);
    expect(() => validator.check('POST', '/pings', 202, json, { ...ping, status: 'finished' })).toThrow(/\/status/);
    expect(() => validator.check('POST', '/pings', 400, json, { message: 'Bad Request' })).toThrow(/does not match/);
  });

  it('rejects a content type the document does not name for that status', () => {
    expect(() => validator.check('POST', '/pings', 202, 'text/html; charset=utf-8', '<p>ok</p>')).toThrow(/text\/html/);
    expect(validator.check('GET', '/human-tasks/abc/page', 200, 'text/html; charset=utf-8', '<html></html>')).toBe('checked');
  });

  it('matches path templates as the HTTP API does, and leaves local pages and unknown paths alone', () => {
    expect(() => validator.check('GET', '/submissions/00000000-0000-4000-8000-000000000000/timeline?x=1', 201, json, {})).toThrow(/GetSubmissionTimeline/);
    expect(validator.check('POST', '/local-auth/token', 200, json, { idToken: 'x' })).toBe('skipped');
    expect(validator.check('GET', '/docs', 200, 'text/html', '')).toBe('skipped');
    expect(validator.check('GET', '/public/index.html', 200, 'text/html', '')).toBe('skipped');
    expect(validator.check('GET', '/no-such-route', 404, json, error)).toBe('skipped');
  });
});

describe('issue-9 API truth: a handler answers only the statuses its contract declares', () => {
  it('declares [200] when a contract names none, and keeps a declared order', () => {
    expect(successOf(contract({}))).toEqual([200]);
    expect(successOf(contract({ success: [202, 200] }))).toEqual([202, 200]);
  });

  it('does not compile a handler returning an undeclared success status (npm run lint checks the @ts-expect-error)', () => {
    const created = contract({ success: [201] });
    // @ts-expect-error 202 is not among the statuses this contract declares
    const wrong = withHttp('StartPing', created, async () => ({ status: 202, body: {} }));
    // @ts-expect-error a contract declaring nothing answers 200, not 201
    const undeclared = withHttp('StartPing', contract({}), async () => ({ status: 201, body: {} }));
    const right = withHttp('StartPing', created, async () => ({ status: 201, body: {} }));
    expect([wrong, undeclared, right].every((h) => typeof h === 'function')).toBe(true);
  });
});
