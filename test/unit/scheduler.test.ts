import { describe, expect, it } from 'vitest';
import { manifest } from '#infra/manifest.ts';
import { LocalScheduler, parseScheduleExpression, ScheduleExpressionError } from '#infra/local/scheduler.ts';

const shanghai = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);
const next = (expr: string, after: string, tz = shanghai) => parseScheduleExpression(expr).next(at(after), tz)?.toISOString();

describe('issue-4 local scheduler: cron expressions (EventBridge syntax)', () => {
  it('fires the daily 08:00 Beijing-time watch at 00:00 UTC the next morning', () => {
    expect(next('cron(0 8 * * ? *)', '2026-03-02T01:00:00Z')).toBe('2026-03-03T00:00:00.000Z');
  });

  it('fires later the same day when 08:00 Beijing time is still ahead', () => {
    expect(next('cron(0 8 * * ? *)', '2026-03-01T23:59:00Z')).toBe('2026-03-02T00:00:00.000Z');
  });

  it('never fires at the instant it is asked about: the next firing is strictly later', () => {
    expect(next('cron(0 8 * * ? *)', '2026-03-03T00:00:00Z')).toBe('2026-03-04T00:00:00.000Z');
  });

  it('reads day-of-week 1–7 as SUN–SAT, names included', () => {
    // 2026-03-02 is a Monday.
    expect(next('cron(30 9 ? * 2 *)', '2026-03-02T02:00:00Z')).toBe('2026-03-09T01:30:00.000Z');
    expect(next('cron(30 9 ? * MON-FRI *)', '2026-03-06T02:00:00Z')).toBe('2026-03-09T01:30:00.000Z');
  });

  it('supports lists, ranges and steps in minutes and hours', () => {
    expect(next('cron(0/15 9-10 * * ? *)', '2026-03-02T01:50:00Z')).toBe('2026-03-02T02:00:00.000Z');
    expect(next('cron(5,35 * * * ? *)', '2026-03-02T01:06:00Z')).toBe('2026-03-02T01:35:00.000Z');
  });

  it('fires monthly on the first, and quarterly in JAN,APR,JUL,OCT', () => {
    expect(next('cron(0 9 1 * ? *)', '2026-03-02T00:00:00Z')).toBe('2026-04-01T01:00:00.000Z');
    expect(next('cron(0 9 1 JAN,APR,JUL,OCT ? *)', '2026-04-01T02:00:00Z')).toBe('2026-07-01T01:00:00.000Z');
  });

  it('supports L (last day of the month) and W (nearest weekday)', () => {
    expect(next('cron(0 18 L * ? *)', '2026-02-01T00:00:00Z')).toBe('2026-02-28T10:00:00.000Z');
    // 2026-08-15 is a Saturday: 15W fires on Friday the 14th.
    expect(next('cron(0 9 15W * ? *)', '2026-08-01T00:00:00Z')).toBe('2026-08-14T01:00:00.000Z');
  });

  it('supports # (the nth weekday) and <weekday>L (the last one in the month)', () => {
    // first Monday of April 2026 is the 6th; last Friday of April 2026 is the 24th.
    expect(next('cron(0 9 ? * 2#1 *)', '2026-03-10T00:00:00Z')).toBe('2026-04-06T01:00:00.000Z');
    expect(next('cron(0 9 ? * 6L *)', '2026-04-01T00:00:00Z')).toBe('2026-04-24T01:00:00.000Z');
  });

  it('honours the year field and ends when the years run out', () => {
    expect(next('cron(0 0 1 1 ? 2027)', '2026-05-01T00:00:00Z', 'UTC')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2025)', '2026-05-01T00:00:00Z', 'UTC')).toBeUndefined();
  });

  it('evaluates wall time in zones with daylight saving, skipping a time that does not exist', () => {
    // Europe/Berlin springs forward on 2026-03-29 at 02:00 → 03:00.
    expect(next('cron(30 2 * * ? *)', '2026-03-28T02:00:00Z', 'Europe/Berlin')).toBe('2026-03-30T00:30:00.000Z');
    expect(next('cron(0 12 * * ? *)', '2026-07-01T00:00:00Z', 'Europe/Berlin')).toBe('2026-07-01T10:00:00.000Z');
  });

  it('refuses malformed expressions with a Chinese reason', () => {
    for (const bad of ['cron(0 8 * * *)', 'cron(0 8 * * * *)', 'cron(0 8 ? * ? *)', 'cron(60 8 * * ? *)', 'cron(0 8 * 13 ? *)', 'cron(0 8 ? * 8 *)', 'daily']) {
      expect(() => parseScheduleExpression(bad), bad).toThrow(ScheduleExpressionError);
      expect(() => parseScheduleExpression(bad), bad).toThrow(/[\u4e00-\u9fff]/);
    }
  });
});

describe('issue-4 local scheduler: rate and at expressions', () => {
  it('counts a rate from the schedule start', () => {
    const rate = parseScheduleExpression('rate(5 minutes)');

    const first = rate.next(at('2026-03-02T00:00:00Z'), shanghai, at('2026-03-02T00:00:00Z'));
    const later = rate.next(at('2026-03-02T00:12:00Z'), shanghai, at('2026-03-02T00:00:00Z'));

    expect(first?.toISOString()).toBe('2026-03-02T00:05:00.000Z');
    expect(later?.toISOString()).toBe('2026-03-02T00:15:00.000Z');
  });

  it('takes the singular unit for 1 and the plural above, as EventBridge does', () => {
    expect(() => parseScheduleExpression('rate(1 hour)')).not.toThrow();
    expect(() => parseScheduleExpression('rate(2 days)')).not.toThrow();
    expect(() => parseScheduleExpression('rate(1 hours)')).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression('rate(2 day)')).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression('rate(0 minutes)')).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression('rate(3 weeks)')).toThrow(ScheduleExpressionError);
  });

  it('fires an at() schedule once, in its zone, and not after it has passed', () => {
    expect(next('at(2026-10-01T09:00:00)', '2026-09-30T00:00:00Z')).toBe('2026-10-01T01:00:00.000Z');
    expect(next('at(2026-10-01T09:00:00)', '2026-10-01T02:00:00Z')).toBeUndefined();
  });
});

describe('issue-4 local scheduler: the manifest schedules', () => {
  it('parses every manifest schedule and finds its next firing', () => {
    for (const s of manifest.schedules) {
      expect(parseScheduleExpression(s.expression).next(new Date(), s.timezone), s.name).toBeInstanceOf(Date);
    }
  });

  it('fires a schedule on demand with the event withSchedule parses', async () => {
    const events: Record<string, unknown>[] = [];
    const scheduler = new LocalScheduler(
      manifest.schedules,
      async (_def, event) => {
        events.push(event);
        return 'ran';
      },
      () => undefined,
    );
    const name = manifest.schedules[0]?.name ?? '';

    const { result, executionId } = await scheduler.fire(name, at('2026-03-02T00:00:00Z'));

    expect(result).toBe('ran');
    expect(events).toEqual([
      expect.objectContaining({ schedule: name, scheduledTime: '2026-03-02T00:00:00Z', executionId, attempt: 1 }),
    ]);
    scheduler.stop();
  });
});
