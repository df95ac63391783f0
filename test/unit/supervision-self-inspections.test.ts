import { describe, expect, it } from 'vitest';
import { handler as closeHandler } from '#functions/supervision/close-rectification.ts';
import { handler as fileHandler } from '#functions/supervision/file-self-inspection.ts';
import { handler as listHandler } from '#functions/supervision/list-self-inspections.ts';
import { handler as ownHandler } from '#functions/supervision/list-own-self-inspections.ts';
import { DynamoSelfInspectionStore } from '#adapters/dynamo-self-inspections.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { counterKey, replay, type CounterTable } from '#shared/supervision/rebuild.ts';
import { openSelfInspections, type Cadence } from '#shared/supervision/self-inspections.ts';
import { runDeadlineWatch } from '#shared/supervision/watch.ts';
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
    own: ownHandler.with({ verifier, identity: w.identity, inspections, cadence, calendar: w.ports.calendar, now }),
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
    const clock = x.w.tables.get('registry', { pk: 'CLOCK#R20.1.rect#440000-CUS.2026-Q4#0', sk: 'META' });
    expect(clock).toMatchObject({ state: 'running', ownerOrg: '440000-CUS', due: '2026-12-20', start: '2026-12-03', gsi1pk: 'CLOCKS#open' });
    // The filing's own clock (R20.1, due on the quarter's last day) is met on time by the filing.
    expect(x.w.tables.get('registry', { pk: 'CLOCK#R20.1#440000-CUS.2026-Q4', sk: 'META' })).toMatchObject({ state: 'met', metOn: '2026-12-03', late: false, due: '2026-12-31' });
    expect(counters(x.w, '440000-CUS', '2026-12')).toMatchObject({ 'm:R20.1.selfInspections': 1, 'm:R20.1.rectifications': 1, 'm:clock.R20.1.rect.due': 1, 'm:clock.R20.1.due': 1, 'm:clock.R20.1.onTime': 1 });
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
    expect(counters(x.w, '440000-WR', '2026-12')).toMatchObject({ 'm:R20.1.selfInspections': 1 });
    expect(counters(x.w, '440000-WR', '2026-09')).toMatchObject({ 'm:clock.R20.1.due': 1, 'm:clock.R20.1.late': 1 });
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
    expect(q4.body.openRectifications).toEqual([expect.objectContaining({ type: 'R20.1.rect', subject: '440000-CUS.2026-Q4#0', ownerOrg: '440000-CUS', due: '2026-12-20', overdue: false })]);
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
    expect(x.w.tables.get('registry', { pk: 'CLOCK#R20.1.rect#440000-CUS.2026-Q4#0', sk: 'META' })).toMatchObject({ state: 'met', metOn: '2026-12-10', late: false });
    expect(list.body.openRectifications).toEqual([]);
    expect(counters(x.w, '440000-CUS', '2026-12')).toMatchObject({ 'm:clock.R20.1.rect.onTime': 1 });
    expect(replay(x.w.identity.auditRecords() as unknown as AuditRecord[]).counters).toEqual(stored(x.w));
  });
});

describe('R20.1 issue 14 §3: the schedule opens each period\'s self-inspection clock; the deadline watch reminds and reports the late units to their supervisors', () => {
  it('opens the filing clock of every unit that has not filed, once however often it fires; the watch tells the late unit and its supervisor; a late filing meets it late', async () => {
    // prepare
    const x = await world('2026-10-01T01:00:00.000Z');
    await fileAs(x, 'luo.xin', filing({ rectifications: [] }));
    const open = (iso: string, id: string) => openSelfInspections({ identity: x.w.identity, inspections: x.inspections, cadence: 'quarterly' }, { scheduledTime: new Date(iso), executionId: id });
    const mailer = new FakeMailer();
    const clocks = new DynamoSupervisionStore(new InMemoryRegistryAccess(x.w.tables));

    // act
    const october = await open('2026-10-01T01:00:00.000Z', 'oct');
    const november = await open('2026-11-01T01:00:00.000Z', 'nov');
    x.w.setNow('2027-01-04T01:00:00.000Z');
    const watch = await runDeadlineWatch({ clocks, identity: x.w.identity, mailer, calendar: x.w.ports.calendar, now: () => x.w.now }, { executionId: 'watch' });
    x.w.setNow('2027-01-05T02:00:00.000Z');
    const late = await fileAs(x, 'zhang.wei', filing({ period: '2026-Q4', rectifications: [] }));
    const list = await call(x.list, 'GET', '/supervision/self-inspections', { user: 'zhou.hong', query: { period: '2026-Q4' } });

    // assess
    // 水利部 (a requesting department with no users in the demo) has a clock too; 广东省水利厅 had filed.
    expect(october).toMatchObject({ period: '2026-Q4', opened: ['100000-WR.2026-Q4', '440000-CUS.2026-Q4'], filed: 1 });
    expect(november).toMatchObject({ opened: [], alreadyOpen: 2, filed: 1 });
    expect(watch.notified).toBe(2);
    expect(mailer.sent.map((m) => m.to)).toEqual(expect.arrayContaining([['zhang.wei@example.gov.cn'], ['zhou.hong@example.gov.cn']]));
    expect(mailer.sent.find((m) => m.to.includes('zhou.hong@example.gov.cn'))!.subject).toContain('保密自查报告');
    expect(late.body.selfInspection).toMatchObject({ late: true });
    expect(x.w.tables.get('registry', { pk: 'CLOCK#R20.1#440000-CUS.2026-Q4', sk: 'META' })).toMatchObject({ state: 'met', late: true, metOn: '2027-01-05' });
    expect(list.body.units).toEqual([expect.objectContaining({ org: '440000-CUS', status: 'filedLate' })]);
    expect(replay(x.w.identity.auditRecords() as unknown as AuditRecord[]).counters).toEqual(stored(x.w));
  });
});

describe('R20.1 issue 13: a custodian or requesting department sees its own past self-inspections and their rectifications with clocks (GET /supervision/self-inspections/own)', () => {
  it('zhang.wei sees 440000-CUS\'s filings newest period first, a page at a time; each open rectification with its R20.1 due date and working days left, a closed one without; this period\'s status', async () => {
    // prepare
    const x = await world();
    const before = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'zhang.wei' });
    await fileAs(x, 'zhang.wei', filing({ period: '2026-Q3', rectifications: [] }));
    await fileAs(x, 'zhang.wei', filing());
    await fileAs(x, 'luo.xin', filing({ period: '2026-Q3', rectifications: [] }));

    // act
    const own = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'zhang.wei' });
    const first = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'zhang.wei', query: { limit: '1' } });
    const second = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'zhang.wei', query: { limit: '1', cursor: first.body.cursor } });
    await call(x.close, 'POST', '/supervision/self-inspections/440000-CUS.2026-Q4/rectifications/0/close', { user: 'zhang.wei', pathParameters: { inspectionId: '440000-CUS.2026-Q4', index: '0' }, body: { note: '两个账号已注销' } });
    const closed = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'zhang.wei' });

    // assess
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ org: '440000-CUS', items: [], current: { period: '2026-Q4', due: '2026-12-31', status: 'pending' } });
    expect(own.status).toBe(200);
    expect(own.body.current).toMatchObject({ period: '2026-Q4', status: 'filed' });
    expect(own.body.items.map((i: { period: string }) => i.period)).toEqual(['2026-Q4', '2026-Q3']);
    const rect = own.body.items[0].rectifications[0];
    // Today 2026-12-03 (Thursday), due 2026-12-20 (Sunday): the working days to it, as the R20.1 clock counts them.
    expect(rect).toMatchObject({ item: '注销离职人员账号并建立离职检查单', due: '2026-12-20', state: 'open', overdue: false });
    expect(rect.workingDaysLeft).toBe((await x.w.ports.calendar()).workingDaysLeft('2026-12-20', '2026-12-03'));
    expect(rect.workingDaysLeft).toBeGreaterThan(5);
    expect(first.body.items.map((i: { period: string }) => i.period)).toEqual(['2026-Q4']);
    expect(second.body.items.map((i: { period: string }) => i.period)).toEqual(['2026-Q3']);
    expect(closed.body.items[0].rectifications[0]).toMatchObject({ state: 'closed', closingNote: '两个账号已注销', overdue: false });
    expect(closed.body.items[0].rectifications[0].workingDaysLeft).toBeUndefined();
  });

  it('lists only the caller\'s own unit (luo.xin sees 440000-WR\'s); a unit that files none is refused (403); a bad cursor is 400 naming query.cursor', async () => {
    // prepare
    const x = await world();
    await fileAs(x, 'zhang.wei', filing());
    await fileAs(x, 'luo.xin', filing({ period: '2026-Q3', rectifications: [] }));

    // act
    const requester = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'luo.xin' });
    const cityBureau = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'huang.wei' });
    const bad = await call(x.own, 'GET', '/supervision/self-inspections/own', { user: 'zhang.wei', query: { cursor: 'OPEN#2026-Q4' } });

    // assess
    expect(requester.body).toMatchObject({ org: '440000-WR', current: { status: 'pending' } });
    expect(requester.body.items.map((i: { inspectionId: string }) => i.inspectionId)).toEqual(['440000-WR.2026-Q3']);
    expect(cityBureau.status).toBe(403);
    expect(bad.status).toBe(400);
    expect(field(bad)).toBe('query.cursor');
  });
});
