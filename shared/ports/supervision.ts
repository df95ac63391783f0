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

/** The charts of a bulletin, rendered server-side to SVG (adapters/bulletin-render.ts: d3-scale, d3-array, d3-path). */
export interface ChartInput {
  readonly trend: ReadonlyArray<{ readonly label: string; readonly rate: number | null }>;
  readonly lateByRegion: ReadonlyArray<{ readonly region: string; readonly late: number }>;
}
export interface WorkbookSheet {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
}
export interface BulletinRenderers {
  charts(input: ChartInput): Promise<{ trendSvg: string; lateSvg: string }>;
  /** An XLSX workbook, one sheet per section (adapters/bulletin-render.ts, write-excel-file). */
  workbook(sheets: readonly WorkbookSheet[], meta: { title: string; creator: string }): Promise<Uint8Array>;
}

/** Bulletin files in the documents bucket, write-once (If-None-Match: *). */
export interface BulletinFiles {
  /** False when the object already exists (it is left as it was). */
  putOnce(key: string, body: Uint8Array | string, contentType: string): Promise<boolean>;
  get(key: string): Promise<Uint8Array | undefined>;
}

export interface BulletinRecord {
  readonly bulletinId: string;
  readonly org: string;
  readonly orgName: string;
  readonly period: string;
  readonly periodLabel: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly trigger: 'schedule' | 'request';
  readonly keys: { readonly html: string; readonly xlsx: string; readonly json: string };
  readonly keyFigures: ReadonlyArray<{ readonly label: string; readonly value: string }>;
  readonly worst: ReadonlyArray<{ readonly org: string; readonly name: string; readonly late: number }>;
  /** Counter items read to build it (the cost does not grow with history). */
  readonly itemsRead: number;
}

export interface BulletinIndex {
  get(bulletinId: string): Promise<BulletinRecord | undefined>;
  list(org: string): Promise<BulletinRecord[]>;
  /** Write-once with its audit record; false when the bulletin already exists. */
  record(bulletin: BulletinRecord, entry: AuditEntry): Promise<boolean>;
}
