import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler as listClocksHandler } from '#functions/supervision/list-clocks.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { seedUsers } from '#infra/local/seed.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { markVerified, returnVersion } from '#shared/submission/outcomes.ts';
import { createNextVersion } from '#shared/submission/submissions.ts';
import { recordCompletion } from '#shared/submission/tasks.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { assignNumber, recordReceipt } from '#shared/transfer/transfer.ts';
import { clockTypes, declareClockType } from '#shared/supervision/clock-types.ts';
import { InMemoryRegistryAccess, call, openedSubmission, registeredTask, standardFiles, type SubmissionWorld } from './submission-fakes.ts';
import { transferWorld } from './transfer-fakes.ts';
import { jwtVerifier } from '#runtime/auth.ts';
import { portsFor } from './submission-fakes.ts';

type Item = Record<string, unknown>;
const clockItem = (w: SubmissionWorld, id: string): Item | undefined => w.tables.get('registry', { pk: `CLOCK#${id}`, sk: 'META' });
const counters = (w: SubmissionWorld, org: string, month: string): Item => w.tables.get('registry', { pk: `SUPCOUNT#${org}`, sk: month }) ?? {};
const lastRecord = (w: SubmissionWorld) => w.identity.auditRecords().at(-1) as Item & { states?: Array<{ pk: string }>; detail?: Item };

async function sealed(w: SubmissionWorld, id: string, n: number) {
  for (const f of standardFiles) w.objects.putObject(objectKey(id, n, f.path), f.size);
  await completeVersion({ actor: await w.user('li.na'), submissionId: id, n, requestId: `seal-${n}` }, w.ports);
}

describe('R6.1 R7.2 R8.1 R9.1 issue 14: statutory clocks live in the transaction of the event that starts or meets them', () => {
  it('R6.1 starts with the completion date (the clock, its due-date index and the due counter in the completion’s audited transaction) and is met by the first seal', async () => {
    // prepare
    const t = await transferWorld();
    const w = t.world;
    const calendar = await w.ports.calendar();
    const due = calendar.deadline('2026-09-18', 30).due;

    // act
    const task = await registeredTask(w);
    const started = clockItem(w, `R6.1#${task.taskId}`);
    const completionRecord = lastRecord(w);

    // assess
    expect(started).toMatchObject({ type: 'R6.1', state: 'running', ownerOrg: '440000-IMP', start: '2026-09-18', due, gsi1pk: 'CLOCKS#open', gsi1sk: `${due}#R6.1#${task.taskId}`, gsi2pk: 'CLOCKSOF#440000-IMP' });
    expect(completionRecord).toMatchObject({ action: 'submission.task.completion' });
    // The record's item states name the clock and the counter item: same transaction.
    expect(completionRecord.states?.map((s) => s.pk)).toEqual(expect.arrayContaining([`TASK#${task.taskId}`, `CLOCK#R6.1#${task.taskId}`, 'SUPCOUNT#440000-IMP']));
    expect(counters(w, '440000-IMP', due.slice(0, 7))).toMatchObject({ 'm:clock.R6.1.due': 1 });

    // act: open and seal
    const { openSubmission } = await import('#shared/submission/submissions.ts');
    const { catalogue } = await import('./submission-fakes.ts');
    const opened = await openSubmission({ actor: await w.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'o' }, w.ports);
    await sealed(w, opened.submission.submissionId, 1);

    // assess
    const met = clockItem(w, `R6.1#${task.taskId}`);
    expect(met).toMatchObject({ state: 'met', metOn: '2026-09-21', late: false, gsi2sk: `met#${due}#R6.1#${task.taskId}` });
    expect(met?.['gsi1pk']).toBeUndefined();
    expect(counters(w, '440000-IMP', due.slice(0, 7))).toMatchObject({ 'm:clock.R6.1.due': 1, 'm:clock.R6.1.onTime': 1 });
  }, 60_000);

  it('R6.1 a corrected completion date moves the clock and its due counter; repeating the same date changes nothing', async () => {
    // prepare
    const t = await transferWorld();
    const w = t.world;
    const task = await registeredTask(w);
    const calendar = await w.ports.calendar();
    const oldDue = calendar.deadline('2026-09-18', 30).due;
    const newDue = calendar.deadline('2026-08-03', 30).due;

    // act
    await recordCompletion({ actor: await w.user('li.na'), taskId: task.taskId, completionDate: '2026-08-03', requestId: 'moved' }, w.ports);
    const before = w.snapshot();
    await recordCompletion({ actor: await w.user('li.na'), taskId: task.taskId, completionDate: '2026-08-03', requestId: 'same' }, w.ports);

    // assess
    expect(clockItem(w, `R6.1#${task.taskId}`)).toMatchObject({ state: 'running', start: '2026-08-03', due: newDue, gsi1sk: `${newDue}#R6.1#${task.taskId}` });
    expect(counters(w, '440000-IMP', oldDue.slice(0, 7))['m:clock.R6.1.due']).toBe(0);
    expect(counters(w, '440000-IMP', newDue.slice(0, 7))['m:clock.R6.1.due']).toBe(1);
    expect(w.snapshot()).toEqual(before);
  }, 60_000);

  it('R7.2 a return starts the round’s resubmission clock (rounds, returns and defect rules counted); sealing the next version meets it', async () => {
    // prepare
    const t = await transferWorld();
    const w = t.world;
    const id = (await openedSubmission(w)).submission.submissionId;
    await sealed(w, id, 1);
    w.setNow('2026-09-28T02:00:00.000Z');
    const defects = [
      { file: 'data/parcels.prj', rule: 'crs.not-cgcs2000', message: '坐标系为 WGS 84', severity: 'error' as const },
      { file: 'data/x.prj', rule: 'crs.not-cgcs2000', message: '坐标系为 WGS 84', severity: 'error' as const },
      { file: 'report/a.pdf', rule: 'format.unrecognised', message: '不是 PDF', severity: 'warning' as const },
    ];

    // act
    await returnVersion(w.ports, { submissionId: id, n: 1, reasons: ['坐标系不符合要求'], defects, decidedBy: 'chen.jing' });
    const running = clockItem(w, `R7.2#${id}#v1`);
    w.setNow('2026-10-09T02:00:00.000Z');
    await createNextVersion({ actor: await w.user('li.na'), submissionId: id, files: standardFiles, requestId: 'v2' }, w.ports);
    await sealed(w, id, 2);

    // assess
    expect(running).toMatchObject({ type: 'R7.2', state: 'running', ownerOrg: '440000-IMP', start: '2026-09-28', regionCode: '440000' });
    expect(clockItem(w, `R7.2#${id}#v1`)).toMatchObject({ state: 'met', metOn: '2026-10-09', late: false });
    expect(counters(w, '440000-IMP', '2026-09')).toMatchObject({ 'm:R7.rounds': 1, 'm:R7.returns': 1, 'm:R7.rule.crs.not-cgcs2000': 1 });
    expect(counters(w, '440000-IMP', '2026-09')['m:R7.rule.format.unrecognised']).toBeUndefined();
  }, 60_000);

  it('R8.1 R9.1 verification starts the transfer clock (the organiser owns it); the custodian’s receipt meets it late and starts the catalogue-report clock', async () => {
    // prepare
    const t = await transferWorld();
    const w = t.world;
    const id = (await openedSubmission(w)).submission.submissionId;
    await sealed(w, id, 1);
    const calendar = await w.ports.calendar();

    // act
    await markVerified(w.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });
    const transfer = clockItem(w, `R8.1#${id}`);
    const { resultNumber } = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    w.setNow('2026-12-01T02:00:00.000Z');
    await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-12-01T02:00:00.000Z' }, requestId: 'r' });

    // assess
    expect(transfer).toMatchObject({ type: 'R8.1', state: 'running', ownerOrg: '440000-NR', start: '2026-09-21', due: calendar.deadline('2026-09-21', 15).due });
    expect(clockItem(w, `R8.1#${id}`)).toMatchObject({ state: 'met', metOn: '2026-12-01', late: true });
    expect(clockItem(w, `R9.1#${resultNumber}`)).toMatchObject({ type: 'R9.1', state: 'running', ownerOrg: '440000-CUS', start: '2026-12-01', due: calendar.deadline('2026-12-01', 30).due });
    expect(counters(w, '440000-NR', String(transfer?.['due']).slice(0, 7))).toMatchObject({ 'm:clock.R8.1.due': 1, 'm:clock.R8.1.late': 1 });
    expect(counters(w, '440000-IMP', '2026-09')).toMatchObject({ 'm:R7.rounds': 1, 'm:R7.passed': 1, 'm:R7.firstRoundPass': 1 });
  }, 60_000);

  it('a clock type is declared once; a later context adds its own without touching the watch', () => {
    // prepare
    const type = { id: 'X1.1', days: 20, label: '使用情况反馈期限（测试）', duty: '报送使用情况', context: 'use', ownerRoles: ['requester' as const] };

    // act
    declareClockType(type);

    // assess
    expect(clockTypes().map((c) => c.id)).toEqual(expect.arrayContaining(['R6.1', 'R7.2', 'R8.1', 'R9.1', 'R19.1', 'X1.1']));
    expect(() => declareClockType({ ...type, days: 21 })).toThrow(/declared twice/);
  }, 60_000);
});

describe('R8.2 R21.1 the console’s 期限监督 type filter offers every declared clock type', () => {
  it('console/src/contracts.ts clockTypeOptions names each id of clockTypes() (the page does not import the deadline rules)', () => {
    const text = readFileSync(new URL('../../console/src/contracts.ts', import.meta.url), 'utf8');
    const options = text.slice(text.indexOf('export const clockTypeOptions'), text.indexOf('];', text.indexOf('export const clockTypeOptions')));
    const offered = [...options.matchAll(/id: '([^']+)'/g)].map((m) => m[1]);
    const declared = clockTypes().map((c) => c.id).filter((id) => id !== 'X1.1');
    expect(offered.sort()).toEqual([...declared].sort());
  });
});

describe('R6.1 R21.1 issue 14: GET /supervision/clocks by organisation (with subordinates), type and region', () => {
  async function world() {
    const t = await transferWorld();
    const w = t.world;
    await registeredTask(w); // R6.1 owned by 440000-IMP
    const store = new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
    const base = portsFor(w);
    const h = listClocksHandler.with({ verifier: base.verifier, identity: w.identity, clocks: store, calendar: w.ports.calendar, now: () => w.now });
    return { w, h };
  }

  it('answers each demo user as their role and organisation allow: supervisors and organisers’ reviewers of the organisation or above, administrators', async () => {
    // prepare
    const { h } = await world();
    const mismatches: string[] = [];
    const above: Record<string, string[]> = { '440000-IMP': ['440000-IMP', '440000-NR', '100000-NR'], '440000-NR': ['440000-NR', '100000-NR'], '440000-CUS': ['440000-CUS', '440000-NR', '100000-NR'] };

    // act
    for (const u of seedUsers) {
      for (const [org, allowed] of Object.entries(above)) {
        const res = await call(h as never, 'GET', '/supervision/clocks', { user: u.userId, query: { org } });
        const roleOk = u.roles.some((r) => ['supervisor', 'reviewer', 'administrator'].includes(r));
        const organiserReviewer = u.roles.includes('reviewer') && /-(NR|FG)$/.test(u.orgCode);
        // issue 13: a custodian (with no supervising role) sees its own organisation's clocks only.
        const ownCustodian = !roleOk && u.roles.includes('custodian') && u.orgCode === org;
        const want = ownCustodian ? 200 : !roleOk ? 403 : u.roles.includes('administrator') || ((u.roles.includes('supervisor') || organiserReviewer) && allowed.includes(u.orgCode)) ? 200 : 403;
        if (res.status !== want) mismatches.push(`${u.userId} (${u.orgCode}) on ${org}: want ${want}, got ${res.status}`);
      }
    }

    // assess
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('lists the province’s clocks with its units’; filters by type and region; refuses an unknown type naming the field', async () => {
    // prepare
    const { h } = await world();

    // act
    const all = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhou.hong', query: { org: '440000-NR' } });
    const ownOnly = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhou.hong', query: { org: '440000-NR', subordinates: 'false' } });
    const otherType = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhou.hong', query: { type: 'R8.1' } });
    const otherRegion = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhou.hong', query: { region: '440100' } });
    const bad = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhou.hong', query: { type: 'R99.9' } });
    const badState = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhou.hong', query: { state: 'late' } });

    // assess
    expect(all.status).toBe(200);
    expect(all.body.orgs).toEqual(expect.arrayContaining(['440000-NR', '440000-IMP', '440000-CUS', '440100-NR', '440117-NR']));
    expect(all.body.items).toHaveLength(1);
    expect(all.body.items[0]).toMatchObject({ type: 'R6.1', ownerOrg: '440000-IMP', state: 'running', overdue: false, typeLabel: expect.stringContaining('汇交期限') });
    expect(ownOnly.body.items).toHaveLength(0);
    expect(otherType.body.items).toHaveLength(0);
    expect(otherRegion.body.items).toHaveLength(0);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.type');
    expect(badState.status).toBe(400);
    expect(JSON.stringify(badState.body)).toContain('query.state');
  }, 60_000);

  it('R9.1 issue 13: a custodian lists its own organisation’s clocks (the catalogue-report clock its receipt started), never those below it or another’s', async () => {
    // prepare
    const t = await transferWorld();
    const w = t.world;
    const id = (await openedSubmission(w)).submission.submissionId;
    await sealed(w, id, 1);
    await markVerified(w.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });
    const { resultNumber } = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: w.now.toISOString() }, requestId: 'r' });
    const store = new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
    const h = listClocksHandler.with({ verifier: portsFor(w).verifier, identity: w.identity, clocks: store, calendar: w.ports.calendar, now: () => w.now });

    // act
    const own = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhang.wei' });
    const withSubordinates = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhang.wei', query: { subordinates: 'true', state: 'open' } });
    const organiser = await call(h as never, 'GET', '/supervision/clocks', { user: 'zhang.wei', query: { org: '440000-NR' } });

    // assess
    expect(own.status).toBe(200);
    expect(own.body.orgs).toEqual(['440000-CUS']);
    expect(own.body.items.map((c: { type: string; subject: string; ownerOrg: string }) => [c.type, c.subject, c.ownerOrg])).toEqual([['R9.1', resultNumber, '440000-CUS']]);
    expect(own.body.items[0]).toMatchObject({ state: 'running', workingDaysLeft: expect.any(Number) });
    expect(withSubordinates.body.orgs).toEqual(['440000-CUS']);
    expect(organiser.status).toBe(403);
    expect(organiser.body.error.message).toContain('只能查看本单位');
  }, 60_000);
});

void jwtVerifier;

describe('R21.1 R12.2 issue 15: a clock whose duty another department\'s decision ended is cancelled — neither met nor late, shown 已取消', () => {
  it('applyEffects: cancel on a running clock → cancelled with the reason, its due count taken back (+1 cancelled); repeated, on a met or unknown clock → nothing; a start does not revive it', async () => {
    // prepare
    const { applyEffects } = await import('#shared/supervision/clocks.ts');
    const start = { type: 'R12.1', subject: 'P#r1#a0', ownerOrg: '100000-NR', regionCode: '440000', title: '发布版本 X-R1', start: '2026-09-21', due: '2026-10-12', provisional: false, basis: '法定' };
    const first = applyEffects({ at: '2026-09-21T02:00:00.000Z', start: [start] }, () => undefined);
    const running = first.clocks[0]!.after;
    // act
    const cancelled = applyEffects({ at: '2026-09-25T02:00:00.000Z', cancel: [{ type: 'R12.1', subject: 'P#r1#a0', reason: '100000-FG 不予发布' }] }, () => running);
    const after = cancelled.clocks[0]!.after;
    const again = applyEffects({ at: '2026-09-26T02:00:00.000Z', cancel: [{ type: 'R12.1', subject: 'P#r1#a0', reason: '再次' }], meet: [{ type: 'R12.1', subject: 'P#r1#a0' }], start: [start] }, () => after);
    const unknown = applyEffects({ at: '2026-09-26T02:00:00.000Z', cancel: [{ type: 'R12.1', subject: 'nope', reason: 'x' }] }, () => undefined);
    // assess
    expect(after).toMatchObject({ state: 'cancelled', cancelledOn: '2026-09-25', cancelReason: '100000-FG 不予发布' });
    expect(after.metOn).toBeUndefined();
    expect(after.late).toBeUndefined();
    expect(cancelled.counters).toEqual([
      { org: '100000-NR', month: '2026-10', metric: 'clock.R12.1.due', delta: -1 },
      { org: '100000-NR', month: '2026-10', metric: 'clock.R12.1.cancelled', delta: 1 },
    ]);
    expect(again).toEqual({ clocks: [], counters: [] });
    expect(unknown).toEqual({ clocks: [], counters: [] });
  });

  it('GET /supervision/clocks?state=cancelled lists it (not under met nor open), not overdue; the store keeps it out of the watch\'s open index', async () => {
    // prepare
    const { applyEffects } = await import('#shared/supervision/clocks.ts');
    const { clockItem: itemOf } = await import('#adapters/dynamo-supervision.ts');
    const { listClocks } = await import('#shared/supervision/clock-list.ts');
    const { WorkingDayCalendar } = await import('#shared/calendar/calendar.ts');
    const start = { type: 'R12.1', subject: 'P#r1#a0', ownerOrg: '100000-NR', regionCode: '100000', title: '发布版本 X-R1', start: '2026-09-21', due: '2026-09-22', provisional: false, basis: '法定' };
    const running = applyEffects({ at: '2026-09-21T02:00:00.000Z', start: [start] }, () => undefined).clocks[0]!.after;
    const cancelled = applyEffects({ at: '2026-09-25T02:00:00.000Z', cancel: [{ type: 'R12.1', subject: 'P#r1#a0', reason: '100000-FG 不予发布' }] }, () => running).clocks[0]!.after;
    const stored = [cancelled];
    const sun = seedUsers.find((u) => u.userId === 'sun.yue')!;
    const ports = {
      clocks: { ownedBy: async (org: string, state: string) => stored.filter((c) => c.ownerOrg === org && c.state === state) },
      identity: { getOrganisation: async (code: string) => ({ code, name: code, level: 'national' as const, regionCode: '100000' }) as never, listOrganisations: async () => [] },
      calendar: async () => new WorkingDayCalendar(),
      now: () => new Date('2026-10-09T02:00:00.000Z'),
    };
    const actor = { userId: sun.userId, orgCode: sun.orgCode, roles: sun.roles, clearance: sun.clearance } as never;
    // act
    const listed = await listClocks(ports, { actor, org: '100000-NR', state: 'cancelled', subordinates: false });
    const open = await listClocks(ports, { actor, org: '100000-NR', state: 'open', subordinates: false });
    const met = await listClocks(ports, { actor, org: '100000-NR', state: 'met', subordinates: false });
    // assess
    expect(listed.items).toEqual([expect.objectContaining({ clockId: 'R12.1#P#r1#a0', state: 'cancelled', overdue: false, cancelReason: '100000-FG 不予发布' })]);
    expect(open.items).toEqual([]);
    expect(met.items).toEqual([]);
    expect(itemOf(cancelled)).toMatchObject({ gsi2sk: 'cancelled#2026-09-22#R12.1#P#r1#a0' });
    expect(itemOf(cancelled)['gsi1pk']).toBeUndefined();
  });
});
