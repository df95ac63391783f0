import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as getCalendarHandler } from '#functions/platform/get-calendar.ts';
import { handler as updateCalendarHandler } from '#functions/platform/update-holiday-calendar.ts';
import { DynamoHolidayTableStore } from '#adapters/dynamo-calendar.ts';
import { keys } from '#adapters/dynamo.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { ConflictError, UnauthenticatedError } from '#shared/errors.ts';
import type { TokenVerifier } from '#runtime/auth.ts';
import type { HolidayTableAudit, HolidayTableStore } from '#shared/ports/calendar.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HolidayTable } from '#shared/schemas/calendar.ts';
import type { User } from '#shared/schemas/identity.ts';

const users: Record<string, User> = {
  'li.na': { userId: 'li.na', name: '李娜', email: 'li.na@example.gov.cn', orgCode: '440000-IMP', roles: ['submitter'], clearance: 'internal' },
  'wang.admin': { userId: 'wang.admin', name: '王强', email: 'wang@example.gov.cn', orgCode: '100000-NR', roles: ['administrator'], clearance: 'secret' },
};

/** "Bearer <userId>" stands for a verified token of that user. */
const verifier: TokenVerifier = {
  async verify(authorization) {
    const userId = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!userId) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌');
    return { userId, claims: {} };
  },
};
const identity: IdentityRepository = {
  getUser: async (id) => users[id],
  getOrganisation: async () => undefined,
  listOrganisations: async () => [],
  listUsers: async () => [],
};
const deps = { verifier, identity };

class FakeStore implements HolidayTableStore {
  readonly tables = new Map<number, HolidayTable>();
  readonly puts: Array<{ table: HolidayTable; audit: HolidayTableAudit }> = [];
  async get(year: number) {
    return this.tables.get(year);
  }
  async list() {
    return [...this.tables.values()].sort((a, b) => a.year - b.year);
  }
  async put(table: HolidayTable, audit: HolidayTableAudit, previous: HolidayTable | undefined) {
    if (this.tables.get(table.year)?.loadedAt !== previous?.loadedAt) throw new ConflictError('CALENDAR_CHANGED', '已被修改');
    this.tables.set(table.year, table);
    this.puts.push({ table, audit });
  }
}

const context = { awsRequestId: 'aws-1' } as unknown as Context;

function event(opts: { user?: string; method: string; path: string; query?: Record<string, string>; pathParameters?: Record<string, string>; body?: unknown }): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: opts.path,
    rawQueryString: '',
    headers: opts.user ? { Authorization: `Bearer ${opts.user}` } : {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-cal-1', http: { method: opts.method, path: opts.path } },
  } as unknown as APIGatewayProxyEventV2;
}

async function call(handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>, e: APIGatewayProxyEventV2) {
  const res = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

function setup(now = '2026-10-12T02:00:00Z') {
  const store = new FakeStore();
  const ports = { ...deps, holidays: store, now: () => new Date(now) };
  return { store, get: getCalendarHandler.with(ports), put: updateCalendarHandler.with(ports) };
}

const deadline = (query: Record<string, string>, user = 'li.na') => event({ user, method: 'GET', path: '/calendar/deadline', query });
const load = (year: string, body: unknown, user = 'wang.admin') =>
  event({ user, method: 'PUT', path: `/calendar/${year}`, pathParameters: { year }, body });

const notice2027 = {
  year: 2027,
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'],
  workdays: ['2027-02-20'],
  source: '测试用：假想的 2027 年节假日安排通知',
};

describe('R6.1 R8.1 GET /calendar/deadline: a deadline for any signed-in user', () => {
  it('answers the 30th working day after 2026-09-18 with days left from today (China date) and no provisional flag', async () => {
    const { get } = setup('2026-10-11T17:00:00Z');

    const r = await call(get, deadline({ start: '2026-09-18', days: '30' }));

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      start: '2026-09-18',
      days: 30,
      due: '2026-11-05',
      provisional: false,
      provisionalYears: [],
      today: '2026-10-12',
      workingDaysLeft: 18,
      overdue: false,
    });
    expect(r.body.basis).toContain('2026');
  });

  it('marks a deadline in 2027 provisional until the 2027 notice is loaded, then not', async () => {
    const { get, put } = setup();

    const before = await call(get, deadline({ start: '2027-01-29', days: '10' }));
    const loaded = await call(put, load('2027', notice2027));
    const after = await call(get, deadline({ start: '2027-01-29', days: '10' }));

    expect(before.body).toMatchObject({ due: '2027-02-18', provisional: true, provisionalYears: [2027] });
    expect(before.body.basis).toContain('暂定');
    expect(loaded.status).toBe(200);
    expect(after.body).toMatchObject({ due: '2027-02-20', provisional: false, provisionalYears: [] });
    expect(after.body.basis).toContain(notice2027.source);
  });

  it('answers 400 naming query.start for an impossible date, and query.days outside 1–365', async () => {
    const { get } = setup();

    const badDate = await call(get, deadline({ start: '2026-02-30', days: '30' }));
    const badFormat = await call(get, deadline({ start: '2026/09/18', days: '30' }));
    const cases = await Promise.all(['0', '366', '2.5', 'abc'].map((days) => call(get, deadline({ start: '2026-09-18', days }))));
    const missing = await call(get, deadline({ start: '2026-09-18' }));

    expect(badDate.status).toBe(400);
    expect(badDate.body.error.details[0].field).toBe('query.start');
    expect(badDate.body.error.message).toContain('不是有效的日历日期');
    expect(badFormat.body.error.details[0].field).toBe('query.start');
    for (const c of cases) {
      expect(c.status).toBe(400);
      expect(c.body.error.details[0].field).toBe('query.days');
    }
    expect(missing.body.error.details[0].field).toBe('query.days');
  });

  it('answers 400 for a start date outside the years the calendar covers', async () => {
    const { get } = setup();

    const r = await call(get, deadline({ start: '2099-12-20', days: '30' }));

    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('超出工作日历支持的范围');
  });

  it('refuses a caller without a token with 401', async () => {
    const { get } = setup();

    const r = await call(get, event({ method: 'GET', path: '/calendar/deadline', query: { start: '2026-09-18', days: '30' } }));

    expect(r.status).toBe(401);
  });
});

describe('R20.1 PUT /calendar/{year}: an administrator loads a year of the State Council notice', () => {
  it('refuses a non-administrator with 403 and stores nothing', async () => {
    const { put, store } = setup();

    const r = await call(put, load('2027', notice2027, 'li.na'));

    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(store.puts).toEqual([]);
  });

  it('stores the table with who loaded it and when, passing the audit context to the store', async () => {
    const { put, store } = setup('2026-11-10T02:00:00Z');

    const r = await call(put, load('2027', { ...notice2027, holidays: [...notice2027.holidays].reverse() }));

    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(true);
    expect(r.body.table).toMatchObject({ year: 2027, loadedAt: '2026-11-10T02:00:00.000Z', loadedBy: 'wang.admin', holidays: notice2027.holidays });
    expect(store.puts).toHaveLength(1);
    expect(store.puts[0]!.audit).toEqual({ actor: 'wang.admin', orgCode: '100000-NR', requestId: 'req-cal-1' });
  });

  it('is idempotent: the same table again is a success that writes nothing', async () => {
    const { put, store } = setup();

    const first = await call(put, load('2027', notice2027));
    const again = await call(put, load('2027', { ...notice2027, workdays: [...notice2027.workdays] }));
    const changed = await call(put, load('2027', { ...notice2027, source: '国办发明电〔2026〕1号' }));

    expect(first.body.changed).toBe(true);
    expect(again.status).toBe(200);
    expect(again.body.changed).toBe(false);
    expect(again.body.table.loadedAt).toBe(first.body.table.loadedAt);
    expect(changed.body.changed).toBe(true);
    expect(store.puts).toHaveLength(2);
  });

  it('answers 400 naming the field for a date outside the year, a clash, or a year that differs from the path', async () => {
    const { put, store } = setup();

    const outside = await call(put, load('2027', { ...notice2027, holidays: ['2026-12-31'] }));
    const clash = await call(put, load('2027', { ...notice2027, workdays: ['2027-01-02'] }));
    const mismatch = await call(put, load('2028', notice2027));
    const badPath = await call(put, load('1999', { ...notice2027, year: 1999 }));

    expect(outside.status).toBe(400);
    expect(outside.body.error.details[0]).toMatchObject({ field: 'body.holidays.0', message: '放假日期 2026-12-31 不在 2027 年内' });
    expect(clash.body.error.details[0].field).toBe('body.workdays.0');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].field).toBe('body.year');
    expect(badPath.body.error.details[0].field).toBe('path.year');
    expect(store.puts).toEqual([]);
  });

  it('answers 409 when another administrator changed the year in between', async () => {
    const { put, store } = setup();
    store.put = async () => {
      throw new ConflictError('CALENDAR_CHANGED', '2027 年节假日安排刚被其他管理员修改');
    };

    const r = await call(put, load('2027', notice2027));

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CALENDAR_CHANGED');
  });
});

describe('R20.1 DynamoHolidayTableStore.put: the table and its audit record in one transaction', () => {
  const table: HolidayTable = { ...notice2027, loadedAt: '2026-11-10T02:00:00.000Z', loadedBy: 'wang.admin' };
  const audit: HolidayTableAudit = { actor: 'wang.admin', orgCode: '100000-NR', requestId: 'req-9' };

  it('writes CALENDAR#2027 with its list index and a calendar.year.put audit record together', async () => {
    const tables = new InMemoryTables();
    const store = new DynamoHolidayTableStore('registry', tables);

    await store.put(table, audit, undefined);

    expect(tables.transactions).toHaveLength(1);
    expect(tables.get('registry', keys.calendar(2027))).toMatchObject({ gsi1pk: 'CALENDARS', gsi1sk: 'CALENDAR#2027', source: notice2027.source });
    expect(tables.get('logs', { pk: 'AUDIT', sk: 'SEQ#000000000001' })).toMatchObject({
      action: 'calendar.year.put',
      target: 'CALENDAR#2027',
      actor: 'wang.admin',
      requestId: 'req-9',
      detail: { year: 2027, holidays: notice2027.holidays, workdays: notice2027.workdays },
    });
  });

  it('refuses a write based on a table that is no longer the stored one, writing nothing', async () => {
    const tables = new InMemoryTables();
    const store = new DynamoHolidayTableStore('registry', tables);
    await store.put(table, audit, undefined);
    const stale = { ...table, loadedAt: '2026-11-01T00:00:00.000Z' };

    await expect(store.put({ ...table, source: '二次' }, audit, undefined)).rejects.toMatchObject({ code: 'CALENDAR_CHANGED' });
    await expect(store.put({ ...table, source: '三次' }, audit, stale)).rejects.toMatchObject({ code: 'CALENDAR_CHANGED' });
    await store.put({ ...table, source: '更正', loadedAt: '2026-11-12T00:00:00.000Z' }, audit, table);

    expect(tables.transactions).toHaveLength(2);
    expect(tables.get('registry', keys.calendar(2027))).toMatchObject({ source: '更正' });
  });
});
