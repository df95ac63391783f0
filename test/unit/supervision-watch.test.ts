import { describe, expect, it } from 'vitest';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { addCalendarDays } from '#shared/calendar/dates.ts';
import { recordCompletion } from '#shared/submission/tasks.ts';
import { runDeadlineWatch } from '#shared/supervision/watch.ts';
import { InMemoryRegistryAccess, registeredTask } from './submission-fakes.ts';
import { transferWorld } from './transfer-fakes.ts';
import { RecordingMailer } from './tasks-fakes.ts';

/** 08:00 in China on a day. */
const morning = (day: string) => `${day}T00:00:00.000Z`;

async function watchWorld() {
  const t = await transferWorld();
  const w = t.world;
  const task = await registeredTask(w); // completion 2026-09-18: R6.1 owned by 广东省地质测绘院 (李娜)
  const calendar = await w.ports.calendar();
  const due = calendar.deadline('2026-09-18', 30).due;
  const mailer = new RecordingMailer();
  const store = new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
  const run = async (day: string, id = `run-${day}`, reminderDays?: number[]) => {
    w.setNow(morning(day));
    return runDeadlineWatch({ clocks: store, identity: w.identity, mailer, calendar: w.ports.calendar, now: () => w.now, ...(reminderDays ? { reminderDays } : {}) }, { executionId: id });
  };
  return { w, task, calendar, due, mailer, store, run };
}

describe('R6.1 R21.1 issue 14: the morning deadline watch', () => {
  it('reminds the owner 5 and 1 working days before and on the day, tells the supervisor once it is overdue, then weekly; never twice a day', async () => {
    // prepare
    const { calendar, due, mailer, run } = await watchWorld();
    const fiveBefore = calendar.addWorkingDays(due, -5);
    const oneBefore = calendar.addWorkingDays(due, -1);
    const sixBefore = calendar.addWorkingDays(due, -6);
    const after = addCalendarDays(due, 1);

    // act
    const quiet = await run(sixBefore);
    const r5 = await run(fiveBefore);
    const r5again = await run(fiveBefore, 'second-firing');
    await run(oneBefore);
    await run(due);
    const late = await run(after);
    const lateNext = await run(addCalendarDays(due, 2));
    const weekly = await run(addCalendarDays(after, 7));

    // assess
    expect(quiet).toMatchObject({ checked: 0, notified: 0 });
    expect(r5).toMatchObject({ checked: 1, notified: 1, emails: 1 });
    expect(r5again).toMatchObject({ checked: 1, notified: 0, alreadySent: 1, emails: 0 });
    expect(late).toMatchObject({ notified: 1, emails: 2 });
    expect(lateNext).toMatchObject({ notified: 0, emails: 0 });
    expect(weekly).toMatchObject({ notified: 1, emails: 1 });
    const toOwner = mailer.to('li.na@example.gov.cn').map((m) => m.subject);
    expect(toOwner).toHaveLength(5);
    expect(toOwner[0]).toMatch(/^【期限提醒】/);
    expect(mailer.to('li.na@example.gov.cn')[0]!.text).toContain('距期限还有 5 个工作日');
    expect(mailer.to('li.na@example.gov.cn')[1]!.text).toContain('距期限还有 1 个工作日');
    expect(toOwner[2]).toMatch(/^【今日到期】/);
    expect(toOwner[3]).toMatch(/^【已逾期】/);
    expect(toOwner[4]).toMatch(/^【逾期未办（每周提醒）】/);
    const toSupervisor = mailer.to('zhou.hong@example.gov.cn');
    expect(toSupervisor).toHaveLength(1);
    expect(toSupervisor[0]!.subject).toContain('广东省地质测绘院');
    expect(toSupervisor[0]!.text).toContain('监督提示');
    // Chinese only: the English 'Deadline R… for "<uuid>" is due on …' line is gone (the 事项 names it).
    for (const m of mailer.sent) {
      expect(m.text).not.toMatch(/Deadline |is due on|dueToday|overdueWeekly|\breminder\b/);
      expect(m.text).toContain('事项：');
    }
  }, 60_000);

  it('reads only the clocks due by the horizon (a key query on the due-date index); a met clock is never read', async () => {
    // prepare
    const { w, calendar, due, run, store } = await watchWorld();
    w.setNow('2026-11-03T02:00:00.000Z');
    for (let i = 0; i < 5; i += 1) {
      const later = await registeredTask(w, { completed: false });
      await recordCompletion({ actor: await w.user('li.na'), taskId: later.taskId, completionDate: '2026-11-02', requestId: `later-${i}` }, w.ports);
    }
    const laterDue = calendar.deadline('2026-11-02', 30).due;

    // act
    const before = store.itemsRead;
    const r = await run(calendar.addWorkingDays(due, -1));
    const read = store.itemsRead - before;

    // assess
    expect(laterDue > calendar.addWorkingDays(due, 4)).toBe(true);
    expect(r.checked).toBe(1);
    // the key condition (gsi1sk <= horizon) returns the one clock due soon, not the five due later
    expect(read).toBe(1);
  }, 60_000);

  it('sends reminders on working days only (a weekend does not repeat Friday’s reminder); the reminder days are configurable', async () => {
    // prepare
    const { calendar, due, mailer, run } = await watchWorld();
    let weekend = addCalendarDays(due, -8);
    while (calendar.isWorkingDay(weekend)) weekend = addCalendarDays(weekend, 1);
    const left = calendar.workingDaysLeft(due, weekend);
    const workday = calendar.addWorkingDays(due, -left);

    // act
    const onWeekend = await run(weekend, 'weekend', [left]);
    const onWorkday = await run(workday, 'workday', [left]);

    // assess
    expect(weekend < due).toBe(true);
    expect(onWeekend.notified).toBe(0);
    expect(onWorkday.notified).toBe(1);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.text).toContain(`距期限还有 ${left} 个工作日`);
  }, 60_000);
});
