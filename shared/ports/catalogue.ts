import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Page } from '#shared/ports/submission.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { SharingMode } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';

/** What a catalogue search asks; every field narrows, `classifications` always does (clearance). */
export interface CatalogueFilter {
  /** GB/T 2260 code: the entry's region is this one or inside it. */
  readonly regionCode?: string;
  /** The entry's region is exactly this one (the overlap check's ancestor levels). */
  readonly exactRegion?: string;
  readonly theme?: ThemeId;
  /** The entry's time point/period overlaps [from, to] (either end may be open). */
  readonly from?: string;
  readonly to?: string;
  /** The classifications the caller may see (non-empty; derived from clearance, never from input alone). */
  readonly classifications: readonly Classification[];
  readonly sharingMode?: SharingMode;
  readonly custodian?: string;
  /** Each keyword must occur in the name or content. */
  readonly keywords?: readonly string[];
  /** [west, south, east, north]: the entry's box (or its province's) intersects it. */
  readonly bbox?: readonly [number, number, number, number];
  readonly includeDestroyed?: boolean;
}

/** An entry by its number or by its submission (what the human-task kinds read). */
export interface CatalogueEntryReader {
  getEntry(resultNumber: string): Promise<CatalogueEntry | undefined>;
  getEntryForSubmission(submissionId: string): Promise<CatalogueEntry | undefined>;
}

/**
 * The catalogue's registry items (key design in adapters/dynamo.ts).
 * Adapter: adapters/dynamo-catalogue.ts.
 */
export interface CatalogueStore extends CatalogueEntryReader {
  /** Every stored version snapshot, oldest first. */
  listVersions(resultNumber: string): Promise<CatalogueEntry[]>;
  /** The last number used by a custodian in a year (0 before the first). */
  readSequence(custodianOrg: string, year: number): Promise<number>;
  /**
   * One transaction: counter previousSequence → entry.sequence, the entry,
   * its first version snapshot, the submission's catalogue marker and the
   * audit record. Throws SequenceMovedError when another registration took
   * the number first, AlreadyCataloguedError when the submission has an entry.
   */
  createEntry(entry: CatalogueEntry, previousSequence: number, audit: AuditEntry): Promise<void>;
  /** The next version (conditional on the stored version being `previous.version`, else ConflictError ENTRY_CHANGED). */
  /** `review`: the approved confidentiality review a lowered classification applies (approved → applied, same transaction). */
  updateEntry(next: CatalogueEntry, previous: CatalogueEntry, audit: AuditEntry, review?: { reviewId: string }): Promise<void>;
  /**
   * Writes the search index items of `entry` and deletes those of `previous`
   * that no longer apply. Idempotent; index items are derived data, so a
   * re-run (a repeated registration or edit) repairs an interrupted one.
   */
  indexEntry(entry: CatalogueEntry, previous?: CatalogueEntry): Promise<void>;
  /** Newest time point first; served by key queries with bounded work per call. */
  search(filter: CatalogueFilter, page: { limit: number; cursor?: string }): Promise<Page<CatalogueEntry>>;
}
