import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { buildPublicCatalogue, isPublishable, itemKey, type PublicFile } from './build.ts';

/** The published bucket's public-catalogue/ prefix. Adapter: adapters/s3-public-catalogue.ts. */
export interface PublicCatalogueFiles {
  /** The keys now published (relative to the prefix). */
  /** The files now published, with when each was last written (the store's clock, to the second). */
  list(): Promise<Array<{ key: string; lastModified?: Date }>>;
  put(key: string, file: PublicFile): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface PublishPorts {
  readonly catalogue: Pick<CatalogueStore, 'search'>;
  /** An organisation's name, for the page and the STAC providers; undefined = show the code. */
  readonly orgName: (code: string) => Promise<string | undefined>;
  readonly files: PublicCatalogueFiles;
  readonly now: () => Date;
  /** APP_BASE_URL: the form and download links the static site cannot answer point at the API (build.ts). */
  readonly apiBaseUrl?: string | undefined;
}

/** Entries read per search call; the store bounds its own work per call. */
export const publishPageSize = 100;
/** PutObject calls in flight at once while writing items and collections. */
export const writeConcurrency = 64;

/**
 * The public entries, read through the catalogue's search (key queries on
 * its index partitions, never a scan) with the classification fixed to
 * 'public' — so a 内部 or classified entry is not even read here; the
 * build applies the full rule again.
 */
export async function publicEntries(store: Pick<CatalogueStore, 'search'>): Promise<CatalogueEntry[]> {
  const out: CatalogueEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search({ classifications: ['public'] }, { limit: publishPageSize, ...(cursor ? { cursor } : {}) });
    out.push(...page.items.filter(isPublishable));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * The entries read, with the changes a stream batch reported laid over them:
 * a changed entry replaces the one read under its number (unless the read
 * is of a newer version) and is dropped when it may no longer be published.
 * Why: the read goes through the catalogue's search, whose index items are
 * written after the entry and whose entry reads are eventually consistent
 * on AWS, so a run triggered by a change could otherwise miss that very
 * change (an entry added late, or one taken down still shown).
 */
export function withChanges(read: readonly CatalogueEntry[], changed: readonly CatalogueEntry[]): CatalogueEntry[] {
  const byNumber = new Map(read.map((e) => [e.resultNumber, e]));
  for (const c of changed) {
    const r = byNumber.get(c.resultNumber);
    if (r && r.version > c.version) continue;
    byNumber.delete(c.resultNumber);
    if (isPublishable(c)) byNumber.set(c.resultNumber, c);
  }
  return [...byNumber.values()];
}

export interface PublishOptions {
  /** The newest images of entries just changed (the change stream's batch); they override what the read returned. */
  readonly changed?: readonly CatalogueEntry[];
}

export interface PublishResult {
  readonly entries: number;
  readonly written: number;
  readonly deleted: number;
  readonly generatedAt: string;
}

/**
 * R9.3: rebuilds the public catalogue and publishes it.
 *
 * Primary course:
 *  1. read the public entries (above), lay over them the entries a change
 *     stream batch reported (withChanges), and read the names of their
 *     custodians and providers;
 *  2. build every file (buildPublicCatalogue drops whatever may not be published);
 *  3. write items and collections first, then catalog.json, the search index
 *     and the page, so a reader following links from the root never meets a
 *     missing file;
 *  4. delete the files no longer in the catalogue (an entry reclassified,
 *     destroyed, or a theme left empty) — last, for the same reason.
 * A re-run with the same entries writes the same bytes (idempotent). Runs may
 * overlap (schedule, refresh route, change stream): step 4 deletes only files
 * written before this run began, so an older run never removes what a newer
 * one published; whatever an overlap leaves stale, the next run removes.
 */
export async function publishPublicCatalogue(ports: PublishPorts, options: PublishOptions = {}): Promise<PublishResult> {
  const startedAt = ports.now();
  const read = await publicEntries(ports.catalogue);
  const entries = options.changed && options.changed.length > 0 ? withChanges(read, options.changed) : read;
  const codes = [...new Set(entries.flatMap((e) => [e.custodian, e.provider]))];
  const names = new Map<string, string>();
  for (const code of codes) {
    const name = await ports.orgName(code);
    if (name) names.set(code, name);
  }
  const now = ports.now();
  const files = buildPublicCatalogue(entries, { generatedAt: now, orgNames: names, apiBaseUrl: ports.apiBaseUrl });
  const last = new Set(['catalog.json', 'search-index.json', 'index.html']);
  const first = [...files.keys()].filter((k) => !last.has(k));
  const tail = [...last].filter((k) => files.has(k));
  for (let i = 0; i < first.length; i += writeConcurrency) {
    await Promise.all(first.slice(i, i + writeConcurrency).map((key) => ports.files.put(key, files.get(key)!)));
  }
  for (const key of tail) await ports.files.put(key, files.get(key)!);
  // Only files written before this run began can be stale for it: a file written since came from a run
  // that read the entries later (the schedule, a refresh and the change stream may overlap), so deleting
  // it here would undo a newer state. S3 keeps LastModified to the second, so a newer run's file written
  // in the same second as this run began can still go; the next run restores it (docs/public-catalogue.md).
  // An entry this run was told is no longer public (the change stream's batch) goes whenever its file
  // was written: an overlapping older run may have written it after this run began.
  const withdrawn = new Set((options.changed ?? []).filter((e) => !isPublishable(e)).map((e) => itemKey(e.theme, e.resultNumber)));
  const stale = (await ports.files.list())
    .filter((f) => !files.has(f.key) && (withdrawn.has(f.key) || !f.lastModified || f.lastModified < startedAt))
    .map((f) => f.key);
  if (stale.length > 0) await ports.files.delete(stale);
  return { entries: entries.length, written: first.length + tail.length, deleted: stale.length, generatedAt: now.toISOString() };
}
