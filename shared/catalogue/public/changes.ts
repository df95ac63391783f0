import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { affectsPublicCatalogue } from './build.ts';

/**
 * A change to one catalogue entry, as the registry's change stream reports
 * it (R9.3 "updated when entries change"): the entry after the change
 * (absent when the item was deleted) and before it (absent when created).
 * Decoded from DynamoDB stream records by adapters/dynamo-stream.ts.
 */
export interface EntryChange {
  readonly resultNumber: string;
  readonly entry?: CatalogueEntry;
  readonly previous?: CatalogueEntry;
  /**
   * An image that does not parse as an entry (written by hand, or by a
   * newer schema). Not dropped and not thrown on: a batch that always fails
   * would hold up the stream; a full rebuild from the index is always safe.
   */
  readonly unreadable?: boolean;
}

/** Whether the change puts an entry into the public catalogue, changes it there, or takes it out. */
export function changeAffectsPublic(change: EntryChange): boolean {
  if (change.unreadable) return true;
  if (change.entry) return affectsPublicCatalogue(change.entry, change.previous);
  // A deleted entry item (never done by the system, R9.1 keeps numbers): taken down if it was public.
  return change.previous !== undefined && affectsPublicCatalogue(change.previous);
}

/**
 * The newest image of each entry in a batch. A batch may hold several
 * changes of one entry (a burst of edits within the batching window); the
 * highest version wins, whatever the order records arrived in.
 */
export function newestEntries(changes: readonly EntryChange[]): CatalogueEntry[] {
  const newest = new Map<string, CatalogueEntry>();
  for (const c of changes) {
    if (!c.entry) continue;
    const seen = newest.get(c.resultNumber);
    if (!seen || c.entry.version >= seen.version) newest.set(c.resultNumber, c.entry);
  }
  return [...newest.values()];
}
