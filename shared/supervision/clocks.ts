import * as z from 'zod/mini';
import { chinaDate, type IsoDate } from '#shared/calendar/dates.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';

/**
 * Statutory clocks (R6.1, R7.2, R8.1, R9.1; issue 14 §1) and the bulletin's
 * counters (R21.1). The event that starts or meets a clock says so in its
 * audit entry (`detail.supervision`); the adapter turns that into the clock
 * and counter items of the SAME transaction (adapters/dynamo-supervision.ts),
 * and `npm run supervision:rebuild-counters` replays the same effects from
 * the audit trail — one function, `applyEffects`, for both.
 */

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

export const clockStartSchema = z.object({
  type: z.string().check(z.minLength(1)),
  /** What the clock is about (task id, submission id and round, result number). */
  subject: z.string().check(z.minLength(1)),
  ownerOrg: z.string().check(z.minLength(1)),
  regionCode: z.string().check(z.minLength(1)),
  /** Chinese, e.g. the result's name. */
  title: z.string(),
  start: isoDate,
  due: isoDate,
  provisional: z.boolean(),
  /** Chinese: how the due date was computed (the calendar's basis). */
  basis: z.string(),
});
export type ClockStart = z.infer<typeof clockStartSchema>;

export const clockMeetSchema = z.object({ type: z.string().check(z.minLength(1)), subject: z.string().check(z.minLength(1)) });
export type ClockMeet = z.infer<typeof clockMeetSchema>;

/** A running clock whose duty ended without the owner doing it (another department's refusal closed the matter). */
export const clockCancelSchema = z.object({ type: z.string().check(z.minLength(1)), subject: z.string().check(z.minLength(1)), reason: z.string().check(z.minLength(1)) });
export type ClockCancel = z.infer<typeof clockCancelSchema>;

export const countSchema = z.object({ org: z.string().check(z.minLength(1)), metric: z.string().check(z.minLength(1)), by: z.optional(z.number().check(z.int())) });
export type CountIncrement = z.infer<typeof countSchema>;

export const supervisionEffectsSchema = z.object({
  /** When the event happened (ISO instant): on-time judgement and the counters' month use it, so a replay gives the same result. */
  at: z.string(),
  start: z.optional(z.array(clockStartSchema)),
  meet: z.optional(z.array(clockMeetSchema)),
  /** Running clocks ended by someone else's decision: recorded cancelled, counted neither met nor late. */
  cancel: z.optional(z.array(clockCancelSchema)),
  count: z.optional(z.array(countSchema)),
});
export type SupervisionEffects = z.infer<typeof supervisionEffectsSchema>;

export const clockStates = ['running', 'met', 'cancelled'] as const;
export const clockSchema = z.extend(clockStartSchema, {
  clockId: z.string(),
  state: z.enum(clockStates),
  startedAt: z.string(),
  metAt: z.optional(z.string()),
  metOn: z.optional(isoDate),
  /** Met after the due date. */
  late: z.optional(z.boolean()),
  /** Cancelled (state 'cancelled'): when, the China date, and why (Chinese). */
  cancelledAt: z.optional(z.string()),
  cancelledOn: z.optional(isoDate),
  cancelReason: z.optional(z.string()),
  /** The first day the watch found it overdue (the supervisor was told that day). */
  overdueSince: z.optional(isoDate),
  /** The last day an overdue notice went out (weekly while overdue). */
  lastOverdueNotice: z.optional(isoDate),
});
export type Clock = z.infer<typeof clockSchema>;

export const clockIdOf = (c: { type: string; subject: string }): string => `${c.type}#${c.subject}`;

/** A month, the counters' period: YYYY-MM (China time). */
export type Month = string;
export const monthOf = (day: IsoDate): Month => day.slice(0, 7);

/** Counter metric names. Clock metrics are kept in the month of the DUE date, so due − on time − late = still missing. */
export const metric = {
  clockDue: (type: string) => `clock.${type}.due`,
  clockOnTime: (type: string) => `clock.${type}.onTime`,
  clockLate: (type: string) => `clock.${type}.late`,
  clockCancelled: (type: string) => `clock.${type}.cancelled`,
} as const;

/** Attaches the supervision effects to an audit entry: the record itself says which clocks and counters it moves. */
export function withSupervision(entry: AuditEntry, effects: Omit<SupervisionEffects, 'at'>, at: string): AuditEntry {
  const empty = !effects.start?.length && !effects.meet?.length && !effects.cancel?.length && !effects.count?.length;
  if (empty) return entry;
  return { ...entry, detail: { ...(entry.detail ?? {}), supervision: { at, ...effects } } };
}

/** The effects an entry (or audit record) carries; undefined when none. */
export function effectsOf(entry: Pick<AuditEntry, 'detail'>): SupervisionEffects | undefined {
  const raw = entry.detail?.['supervision'];
  if (raw === undefined) return undefined;
  const parsed = supervisionEffectsSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export interface CounterDelta {
  readonly org: string;
  readonly month: Month;
  readonly metric: string;
  readonly delta: number;
}

export interface ClockChange {
  /** undefined: the clock did not exist. */
  readonly before: Clock | undefined;
  readonly after: Clock;
}

/**
 * What an event's effects change (at `effects.at`), given the clocks as they stand (`current`).
 * Idempotent by construction: starting a running clock with the same due date,
 * or meeting a met or unknown clock, changes nothing.
 *  - start, no clock: a running clock; +1 `clock.<type>.due` in the due month;
 *  - start, running with another due date (a corrected completion date): the
 *    clock moves, the due counter moves with it;
 *  - start, met: nothing (a clock is met once);
 *  - meet, running: met on the China date of `at`, late when after the due
 *    date; +1 on time or late in the due month;
 *  - cancel, running: cancelled on the China date of `at` with the reason (the
 *    duty ended by another's decision); its due count is taken back (−1 due,
 *    +1 cancelled in the due month), so it is neither met nor late nor missing;
 *    a met or cancelled clock stays as it is;
 *  - count: +by (default 1) in the month of `at`.
 */
export function applyEffects(effects: SupervisionEffects, current: (clockId: string) => Clock | undefined): { clocks: ClockChange[]; counters: CounterDelta[] } {
  const changes = new Map<string, ClockChange>();
  const counters: CounterDelta[] = [];
  const now = (id: string) => (changes.has(id) ? changes.get(id)!.after : current(id));
  const change = (id: string, after: Clock) => changes.set(id, { before: changes.get(id)?.before ?? current(id), after });
  const at = effects.at;
  const day = chinaDate(new Date(at));

  for (const s of effects.start ?? []) {
    const id = clockIdOf(s);
    const existing = now(id);
    if (existing && existing.state !== 'running') continue;
    if (existing && existing.due === s.due && existing.start === s.start) continue;
    if (existing) counters.push({ org: existing.ownerOrg, month: monthOf(existing.due), metric: metric.clockDue(existing.type), delta: -1 });
    counters.push({ org: s.ownerOrg, month: monthOf(s.due), metric: metric.clockDue(s.type), delta: 1 });
    change(id, { ...s, clockId: id, state: 'running', startedAt: existing?.startedAt ?? at });
  }
  for (const m of effects.meet ?? []) {
    const id = clockIdOf(m);
    const existing = now(id);
    if (!existing || existing.state !== 'running') continue;
    const late = day > existing.due;
    const { overdueSince: _o, lastOverdueNotice: _l, ...rest } = existing;
    change(id, { ...rest, ...(existing.overdueSince ? { overdueSince: existing.overdueSince } : {}), state: 'met', metAt: at, metOn: day, late });
    counters.push({ org: existing.ownerOrg, month: monthOf(existing.due), metric: late ? metric.clockLate(existing.type) : metric.clockOnTime(existing.type), delta: 1 });
  }
  for (const c of effects.cancel ?? []) {
    const id = clockIdOf(c);
    const existing = now(id);
    if (!existing || existing.state !== 'running') continue;
    const { overdueSince: _o, lastOverdueNotice: _l, ...rest } = existing;
    change(id, { ...rest, ...(existing.overdueSince ? { overdueSince: existing.overdueSince } : {}), state: 'cancelled', cancelledAt: at, cancelledOn: day, cancelReason: c.reason });
    counters.push(
      { org: existing.ownerOrg, month: monthOf(existing.due), metric: metric.clockDue(existing.type), delta: -1 },
      { org: existing.ownerOrg, month: monthOf(existing.due), metric: metric.clockCancelled(existing.type), delta: 1 },
    );
  }
  for (const c of effects.count ?? []) counters.push({ org: c.org, month: monthOf(day), metric: c.metric, delta: c.by ?? 1 });
  return { clocks: [...changes.values()], counters: mergeCounters(counters) };
}

/** One delta per org × month × metric, zeros dropped (one item per org × month in a transaction). */
export function mergeCounters(deltas: readonly CounterDelta[]): CounterDelta[] {
  const sum = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const k = `${d.org}\u0000${d.month}\u0000${d.metric}`;
    const prev = sum.get(k);
    sum.set(k, { ...d, delta: (prev?.delta ?? 0) + d.delta });
  }
  return [...sum.values()].filter((d) => d.delta !== 0);
}

/** The clock as a reader sees it today: overdue and days left are judged now, never stored stale. */
export interface ClockView extends Clock {
  readonly typeLabel: string;
  readonly overdue: boolean;
  /** Working days from today to the due date (negative when overdue); absent once met. */
  readonly workingDaysLeft?: number;
}
