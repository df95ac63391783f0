import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Clock, Month } from '#shared/supervision/clocks.ts';

/**
 * The supervision context's registry items (key design: adapters/dynamo.ts).
 * Clocks are written by the events themselves (adapters/dynamo-supervision.ts,
 * in the event's transaction); this port reads them and records the watch's
 * notices. Adapter: adapters/dynamo-supervision.ts.
 */
export interface ClockStore {
  /** Running clocks due on or before `day` (overdue included), oldest due first: a key query on the due-date index. */
  dueBy(day: string): Promise<Clock[]>;
  /** The clocks an organisation owns, in one state (a key query per organisation). */
  ownedBy(org: string, state: Clock['state']): Promise<Clock[]>;
  /**
   * Claims the notice of `clock` on `day` (one per clock × day, whatever the
   * number of runs) with its audit record, and records on the clock the
   * overdue days given. False when that day's notice was already claimed.
   */
  claimNotice(clock: Clock, day: string, set: { overdueSince?: string; lastOverdueNotice?: string }, entry: AuditEntry): Promise<boolean>;
}

/** One organisation's counters for one month: metric → count. */
export interface MonthCounters {
  readonly org: string;
  readonly month: Month;
  readonly values: Readonly<Record<string, number>>;
}

export interface CounterStore {
  /** The organisation's counters for the months from..to (inclusive), by key queries; `itemsRead` counts what DynamoDB returned. */
  read(org: string, from: Month, to: Month): Promise<MonthCounters[]>;
  readonly itemsRead: number;
}
