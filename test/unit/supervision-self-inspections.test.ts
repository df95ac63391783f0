import { describe, expect, it } from 'vitest';
import { handler as closeHandler } from '#functions/supervision/close-rectification.ts';
import { handler as fileHandler } from '#functions/supervision/file-self-inspection.ts';
import { handler as listHandler } from '#functions/supervision/list-self-inspections.ts';
import { DynamoSelfInspectionStore } from '#adapters/dynamo-self-inspections.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { counterKey, replay, type CounterTable } from '#shared/supervision/rebuild.ts';
import { remindSelfInspections, type Cadence } from '#shared/supervision/self-inspections.ts';
import { FakeMailer } from './custody-fakes.ts';
import { InMemoryRegistryAccess, call, portsFor, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

type Item = Record<string, unknown>;

async function world(nowIso = '2026-12-03T02:00:00.000Z', cadence: Cadence = 'quarterly') {
  const w = await submissionWorld();
  w.setNow(nowIso);
  const inspections = new DynamoSelfInspectionStore(new InMemoryRegistryAccess(w.tables));
  const clocks = new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
  const { verifier } = portsFor(w);
  const now = () => w.now;
  return {
    w,
    inspections,
    file: fileHandler.with({ verifier, identity: w.identity, inspections, cadence, now }),
    list: listHandler.with({ verifier, identity: w.identity, inspections, clocks, cadence, calendar: w.ports.calendar, now }),
    close: closeHandler.with({ verifier, identity: w.identity, inspections, now }),
  };
}
type World = Awaited<ReturnType<typeof world>>;

const checklist = {
  storage: { ok: true, note: '涉密成果存放于专用机房' },
  access: { ok: false, note: '2 个离职人员账号未及时注销' },
  media: { ok: true, note: '' },
  training: { ok: true, note: '本季度组织保密培训 1 次' },
};
const filing = (over: Record<string, unknown> = {}) => ({
  checklist,
  findings: '离职人员账号未及时注销',
  rectifications: [{ item: '注销离职人员账号并建立离职检查单', owner: '张伟', due: '2026-12-20' }],
  ...over,
});
const counters = (w: SubmissionWorld, org: string, month: string): Item => w.tables.get('registry', { pk: `SUPCOUNT#${org}`, sk: month }) ?? {};
function stored(w: SubmissionWorld): CounterTable {
  const out: CounterTable = new Map();
  for (const item of w.tables.scan('registry').filter((i) => String(i['pk']).startsWith('SUPCOUNT#'))) {
    const row = new Map<string, number>();
    for (const [k, v] of Object.entries(item)) if (k.startsWith('m:') && v !== 0) row.set(k.slice(2), v as number);
    out.set(counterKey(String(item['org']), String(item['month'])), row);
  }
  return out;
}
const field = (res: { body: { error: { details: Array<{ field: string }> } } }) => res.body.error.details[0]!.field;
const fileAs = (x: World, user: string, body: unknown = filing()) => call(x.file, 'POST', '/supervision/self-inspections', { user, body });

describe('R20.1 issue 14 §3: a custodian or requesting department files its self-inspection', () => {
  it('stores it write-once with the R20.1 clock of each rectification and the counters in one audited transaction; filing again changes nothing', async () => {
    // prepare
    const x = await world();
    const before = x.w.identity.auditRecords().length;

    // act
    const first = await fileAs(x, 'zhang.wei');
    const again = await fileAs(x, 'zhang.wei', filing({ findings: '另一份' }));

    // assess
    expect(first.status).toBe(201);
    expect(first.body.selfInspection).toMatchObject({ inspectionId: '440000-CUS.2026-Q4', org: '440000-CUS', period: '2026-Q4', due: '2026-12-31', late: false, filedBy: 'zhang.wei' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, selfInspection: { findings: '离职人员账号未及时注销' } });
    const records = x.w.identity.auditRecords().slice(before);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'supervision.selfInspection.file', target: 'SELFINSPECTION#440000-CUS.2026-Q4' });
    const clock = x.w.tables.get('registry', { pk: 'CLOCK#R20.1#440000-CUS.2026-Q4#0', sk: 'META' });
    expect(clock).toMatchObject({ state: 'running', ownerOrg: '440000-CUS', due: '2026-12-20', start: '2026-12-03', gsi1pk: 'CLOCKS#open' });
    expect(counters(x.w, '440000-CUS', '2026-12')).toMatchObject({ 'm:R20.1.selfInspections': 1, 'm:R20.1.rectifications': 1, 'm:clock.R20.1.due': 1 });
  });

  it('refuses a future period, a period of the wrong cadence, a past rectification date and a failed item without a note (400 naming the field), and a unit that does not file (403); nothing is written', async () => {
    // prepare
    const x = await world();
    const before = x.w.identity.auditRecords().length;

    // act
    const future = await fileAs(x, 'zhang.wei', filing({ period: '2027-Q1' }));
    const monthly = await fileAs(x, 'zhang.wei', filing({ period: '2026-11' }));
    const past = await fileAs(x, 'zhang.wei', filing({ rectifications: [{ item: '整改', owner: '张伟', due: '2026-12-01' }] }));
    const noNote = await fileAs(x, 'zhang.wei', filing({ checklist: { ...checklist, media: { ok: false, note: '' } } }));
    const reviewer = await fileAs(x, 'chen.jing');
    const submitter = await fileAs(x, 'li.na');

    // assess
    expect([future.status, monthly.status, past.status, noNote.status]).toEqual([400, 400, 400, 400]);
    expect([field(future), field(monthly), field(past), field(noNote)]).toEqual(['body.period', 'body.period', 'body.rectifications[0].due', 'body.checklist.media.note']);
    expect(future.body.error.message).toContain('尚未开始');
    expect([reviewer.status, submitter.status]).toEqual([403, 403]);
    expect(x.w.identity.auditRecords().length).toBe(before);
  });

  it('a requesting department files too, and a late filing of the last quarter is marked late and counted', async () => {
    // prepare
    const x = await world();

    // act
    const res = await fileAs(x, 'luo.xin', filing({ period: '2026-Q3', rectifications: [] }));

    // assess
    expect(res.status).toBe(201);
    expect(res.body.selfInspection).toMatchObject({ org: '440000-WR', period: '2026-Q3', due: '2026-09-30', late: true, rectifications: [] });
    expect(counters(x.w, '440000-WR', '2026-12')).toMatchObject({ 'm:R20.1.selfInspections': 1, 'm:R20.1.selfInspectionsLate': 1 });
  });
});

describe('R20.1 issue 14 §3: the organiser and the supervisor see who filed, who is late and the open rectifications', () => {
  it('lists the custodians below the organisation with their status for the period, and the open R20.1 clocks', async () => {
    // prepare
    const x = await world();
    await fileAs(x, 'zhang.wei');

    // act
    const q4 = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong' });
    const q3 = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong', query: { period: '2026-Q3' } });
    const organiser = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'chen.jing', query: { period: '2026-Q3' } });

    // assess
    expect(q4.status).toBe(200);
    expect(q4.body).toMatchObject({ org: '440000-NR', period: '2026-Q4', due: '2026-12-31' });
    expect(q4.body.units).toEqual([expect.objectContaining({ org: '440000-CUS', status: 'filed', inspection: expect.objectContaining({ inspectionId: '440000-CUS.2026-Q4' }) })]);
    expect(q4.body.openRectifications).toEqual([expect.objectContaining({ type: 'R20.1', subject: '440000-CUS.2026-Q4#0', ownerOrg: '440000-CUS', due: '2026-12-20', overdue: false })]);
    expect(q3.body.units).toEqual([expect.objectContaining({ org: '440000-CUS', status: 'late', statusLabel: '逾期未填报' })]);
    expect(organiser.status).toBe(200);
  });

  it('refuses an organisation outside the caller’s units (403), a role outside supervision (403) and an unknown period (400 naming query.period)', async () => {
    // prepare
    const x = await world();

    // act
    const above = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong', query: { org: '100000-NR' } });
    const custodian = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhang.wei' });
    const bad = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong', query: { period: '2026-Q5' } });
    const future = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong', query: { period: '2027-Q2' } });

    // assess
    expect([above.status, custodian.status, bad.status, future.status]).toEqual([403, 403, 400, 400]);
    expect([field(bad), field(future)]).toEqual(['query.period', 'query.period']);
  });
});

describe('R20.1 issue 14 §3: closing a rectification meets its clock', () => {
  it('meets the R20.1 clock on time in the same transaction; closing again changes nothing; another unit gets 404; the counters rebuilt from the audit trail equal the incremental ones', async () => {
    // prepare
    const x = await world();
    await fileAs(x, 'zhang.wei');
    x.w.setNow('2026-12-10T02:00:00.000Z');
    const path = '/supervision/self-inspections/440000-CUS.2026-Q4/rectifications/0/close';
    const pathParameters = { inspectionId: '440000-CUS.2026-Q4', index: '0' };

    // act
    const other = await call(x.close, 'POST', path, { user: 'luo.xin', pathParameters, body: { note: '已整改' } });
    const closed = await call(x.close, 'POST', path, { user: 'zhang.wei', pathParameters, body: { note: '两个账号已注销，离职检查单已印发' } });
    const again = await call(x.close, 'POST', path, { user: 'zhou.hong', pathParameters, body: { note: '再次关闭' } });
    const list = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong' });

    // assess
    expect(other.status).toBe(404);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ changed: true, selfInspection: { revision: 2, rectifications: [{ state: 'closed', closedBy: 'zhang.wei' }] } });
    expect(again.body.changed).toBe(false);
    expect(x.w.tables.get('registry', { pk: 'CLOCK#R20.1#440000-CUS.2026-Q4#0', sk: 'META' })).toMatchObject({ state: 'met', metOn: '2026-12-10', late: false });
    expect(list.body.openRectifications).toEqual([]);
    expect(counters(x.w, '440000-CUS', '2026-12')).toMatchObject({ 'm:clock.R20.1.onTime': 1 });
    expect(replay(x.w.identity.auditRecords() as unknown as AuditRecord[]).counters).toEqual(stored(x.w));
  });
});

describe('R20.1 issue 14 §3: the schedule reminds the units that have not filed, and reports the late ones to their supervisors', () => {
  const run = async (x: World, mailer: FakeMailer, iso: string, id: string) =>
    remindSelfInspections({ identity: x.w.identity, inspections: x.inspections, mailer, cadence: 'quarterly', appBaseUrl: 'https://chengguo.example.gov.cn', now: () => new Date(iso) }, { scheduledTime: new Date(iso), executionId: id });

  it('reminds in the last month of the quarter, once however often it fires; nothing mid-quarter; after the quarter the late units and their supervisors are told', async () => {
    // prepare
    const x = await world('2026-12-01T01:00:00.000Z');
    const mailer = new FakeMailer();
    await fileAs(x, 'luo.xin');

    // act
    const november = await run(x, mailer, '2026-11-01T01:00:00.000Z', 'nov');
    const december = await run(x, mailer, '2026-12-01T01:00:00.000Z', 'dec');
    const twice = await run(x, mailer, '2026-12-01T01:00:00.000Z', 'dec-again');
    const sentInDecember = mailer.sent.length;
    const january = await run(x, mailer, '2027-01-01T01:00:00.000Z', 'jan');

    // assess
    expect(november).toMatchObject({ reminded: [], late: [] });
    // 水利部 (a requesting department with no users in the demo) is reminded too; 广东省水利厅 has filed.
    expect(december.reminded).toEqual(['100000-WR.2026-Q4', '440000-CUS.2026-Q4']);
    expect(twice).toMatchObject({ reminded: [], alreadySent: 2, emails: 0 });
    expect(mailer.sent[0]).toMatchObject({ to: ['zhang.wei@example.gov.cn'], subject: expect.stringContaining('保密自查提醒') });
    expect(mailer.sent[0]!.text).toContain('2026-12-31');
    expect(january.late).toEqual(['100000-WR.2026-Q4', '440000-CUS.2026-Q4']);
    const lateMails = mailer.sent.slice(sentInDecember);
    expect(lateMails.map((m) => m.to)).toEqual([['zhang.wei@example.gov.cn'], expect.arrayContaining(['zhou.hong@example.gov.cn', 'sun.yue@example.gov.cn'])]);
  });
});
