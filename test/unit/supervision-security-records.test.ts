import { describe, expect, it } from 'vitest';
import { handler as listSecurityRecordsHandler } from '#functions/supervision/list-security-records.ts';
import { InMemorySecurityRecords, type SecurityRecord } from '#shared/security/records.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

const record = (requestId: string, time: string, over: Partial<SecurityRecord> = {}): SecurityRecord => ({
  time,
  requestId,
  kind: 'read',
  actor: 'li.na',
  actorOrg: '440000-IMP',
  route: 'GET /submissions/{submissionId}',
  status: 200,
  records: [{ target: `SUB#${requestId}`, classification: 'internal', access: 'read' }],
  ...over,
});

async function world() {
  const w = await submissionWorld();
  const records = new InMemorySecurityRecords();
  await records.put(['440000-IMP', '440000-NR'], record('r1', '2026-11-02T01:00:00.000Z'));
  await records.put(['440117-NR'], record('r2', '2026-11-03T01:00:00.000Z', { actor: 'deng.hui', actorOrg: '440117-NR', kind: 'refused', status: 403, code: 'FORBIDDEN' }));
  await records.put(['440000-CUS'], record('r3', '2026-11-04T01:00:00.000Z', { actor: 'zhang.wei', actorOrg: '440000-CUS' }));
  await records.put(['100000-FG'], record('r4', '2026-11-05T01:00:00.000Z', { actor: 'ma.li', actorOrg: '100000-FG' }));
  await records.put(['440000-IMP'], record('r0', '2026-09-01T01:00:00.000Z'));
  const base = portsFor(w);
  // The wrapper keeps its own security records of these calls in memory (no store given for the stack).
  const h = listSecurityRecordsHandler.with({ verifier: base.verifier, identity: w.identity, securityRecords: records, now: () => new Date('2026-11-20T00:00:00.000Z') });
  return { w, h };
}
const ids = (body: { items: Array<{ requestId: string }> }) => body.items.map((r) => r.requestId);

describe('R20.1 issue 14 §3: a supervisor queries the security records of their units', () => {
  it('lists the records of the caller\'s organisation and every one below it, newest first, each request once, default last 30 days', async () => {
    // prepare
    const { h } = await world();

    // act
    const res = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong' });

    // assess
    expect(res.status).toBe(200);
    expect(res.body.org).toBe('440000-NR');
    expect(res.body.orgs).toEqual(expect.arrayContaining(['440000-NR', '440000-IMP', '440000-CUS', '440100-NR', '440117-NR']));
    expect(ids(res.body)).toEqual(['r3', 'r2', 'r1']);
    expect(res.body.items.find((r: { requestId: string }) => r.requestId === 'r2')).toMatchObject({ kind: 'refused', status: 403, actor: 'deng.hui' });
  });

  it('pages with limit and cursor, and filters by from/to and by a unit below', async () => {
    // prepare
    const { h } = await world();

    // act
    const first = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { limit: '2', from: '2026-01-01' } });
    const second = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { limit: '2', from: '2026-01-01', cursor: first.body.cursor } });
    const window = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { from: '2026-11-03', to: '2026-11-03' } });
    const unit = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { org: '440000-IMP', from: '2026-01-01', subordinates: 'false' } });

    // assess
    expect(ids(first.body)).toEqual(['r3', 'r2']);
    expect(first.body.cursor).toBe('2026-11-03T01:00:00.000Z');
    expect(ids(second.body)).toEqual(['r1', 'r0']);
    expect(second.body.cursor).toBeUndefined();
    expect(ids(window.body)).toEqual(['r2']);
    expect(ids(unit.body)).toEqual(['r1', 'r0']);
  });

  it('refuses an organisation outside the caller\'s units (403), a role that is not supervision (403) and a bad range (400 naming the field); the administrator reads any', async () => {
    // prepare
    const { h } = await world();

    // act
    const other = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { org: '100000-FG' } });
    const reviewer = await call(h, 'GET', '/supervision/security-records', { user: 'chen.jing' });
    const backwards = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { from: '2026-11-05', to: '2026-11-01' } });
    const badDate = await call(h, 'GET', '/supervision/security-records', { user: 'zhou.hong', query: { from: '昨天' } });
    const admin = await call(h, 'GET', '/supervision/security-records', { user: 'sun.yue', query: { org: '100000-FG', from: '2026-01-01' } });

    // assess
    expect(other.status).toBe(403);
    expect(reviewer.status).toBe(403);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].field).toBe('query.from');
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.details[0].field).toBe('query.from');
    expect(ids(admin.body)).toEqual(['r4']);
  });
});
