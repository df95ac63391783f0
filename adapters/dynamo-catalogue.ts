import { applyReviewItem } from './dynamo-confidentiality-reviews.ts';
import { BatchGetCommand, BatchWriteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import type { AuditChainStore } from '#adapters/dynamo-audit.ts';
import { supervisionItems } from './dynamo-supervision.ts';
import { AlreadyCataloguedError, EntryChangedError, SequenceMovedError } from '#shared/catalogue/errors.ts';
import { entryTerms, queryTerms, textContains } from '#shared/catalogue/keywords.ts';
import { regionBboxFor, regionKey, regionKeys } from '#shared/reference/regions.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { ValidationError } from '#shared/errors.ts';
import { nationalRegion, regionCovers } from '#shared/identity/scope.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueEntryReader, CatalogueFilter, CatalogueStore } from '#shared/ports/catalogue.ts';
import type { Page } from '#shared/ports/submission.ts';
import { catalogueEntrySchema, type CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { documentClient, keys } from './dynamo.ts';

type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

export interface FilterExpression {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

/**
 * The table operations the catalogue needs; ONE call = ONE DynamoDB request
 * (callers chunk to DynamoDB's per-request limits), so a fake that counts
 * calls counts requests (test/unit/catalogue-search-cost.test.ts).
 */
export interface CatalogueTableAccess {
  readonly table: string;
  get(key: Key): Promise<Item | undefined>;
  /** BatchGetItem of at most 100 keys; items in no particular order. */
  batchGet(keys: readonly Key[]): Promise<Item[]>;
  /**
   * Query the base table: pk = :pk [AND sk <= :skMax] [AND begins_with(sk, :prefix)],
   * Limit items evaluated (before the filter, as DynamoDB does), ExclusiveStartKey, FilterExpression.
   */
  query(q: { pk: string; skMax?: string; skPrefix?: string; forward: boolean; limit: number; startKey?: Key; filter?: FilterExpression }): Promise<{ items: Item[]; lastKey?: Key }>;
  /** BatchWriteItem of at most 25 puts and deletes together. */
  batchWrite(puts: readonly Item[], deletes: readonly Key[]): Promise<void>;
  /** auditedWrite: the items and the audit record in one TransactWriteItems call. */
  write(items: AuditedItem[], entry: AuditEntry): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DynamoCatalogueTableAccess implements CatalogueTableAccess {
  constructor(
    readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
    private readonly auditStore?: AuditChainStore,
  ) {}

  async get(key: Key): Promise<Item | undefined> {
    return (await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  async batchGet(keyList: readonly Key[]): Promise<Item[]> {
    const out: Item[] = [];
    let pending: Key[] = [...keyList];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`BatchGetItem: ${pending.length} keys still unprocessed after retries`);
      if (attempt > 0) await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
      const res = await this.client.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending } } }));
      out.push(...((res.Responses?.[this.table] ?? []) as Item[]));
      pending = (res.UnprocessedKeys?.[this.table]?.Keys ?? []) as Key[];
    }
    return out;
  }

  async query(q: Parameters<CatalogueTableAccess['query']>[0]): Promise<{ items: Item[]; lastKey?: Key }> {
    const names: Record<string, string> = { '#pk': 'pk', ...(q.filter?.names ?? {}) };
    const values: Record<string, unknown> = { ':pk': q.pk, ...(q.filter?.values ?? {}) };
    let condition = '#pk = :pk';
    if (q.skMax !== undefined) {
      condition += ' AND #sk <= :skMax';
      names['#sk'] = 'sk';
      values[':skMax'] = q.skMax;
    } else if (q.skPrefix !== undefined) {
      condition += ' AND begins_with(#sk, :skPrefix)';
      names['#sk'] = 'sk';
      values[':skPrefix'] = q.skPrefix;
    }
    const res = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: condition,
        ...(q.filter ? { FilterExpression: q.filter.expression } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: q.forward,
        Limit: q.limit,
        ...(q.startKey ? { ExclusiveStartKey: q.startKey } : {}),
      }),
    );
    return { items: res.Items ?? [], ...(res.LastEvaluatedKey ? { lastKey: res.LastEvaluatedKey as Key } : {}) };
  }

  async batchWrite(puts: readonly Item[], deletes: readonly Key[]): Promise<void> {
    let pending: Item[] = [...puts.map((Item) => ({ PutRequest: { Item } })), ...deletes.map((Key) => ({ DeleteRequest: { Key } }))];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`BatchWriteItem: ${pending.length} items still unprocessed after retries`);
      if (attempt > 0) await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
      const res = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }));
      pending = (res.UnprocessedItems?.[this.table] ?? []) as Item[];
    }
  }

  /** The items, the supervision items the entry's effects add (counters of a release's approval and publication, shared/publication/publish.ts) and the audit record, in one transaction. */
  async write(items: AuditedItem[], entry: AuditEntry): Promise<void> {
    const supervision = await supervisionItems(this.table, entry, (k) => this.get(k));
    await auditedWrite({ items: [...items, ...supervision], entry, ...(this.auditStore ? { store: this.auditStore } : {}) });
  }
}

export function catalogueStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoCatalogueStore {
  return new DynamoCatalogueStore(new DynamoCatalogueTableAccess(requireEnv(envNames.registryTable, env)));
}

// ---- index items ------------------------------------------------------------------

/** The partitions an entry is indexed under (see the key design in dynamo.ts). */
export function indexPartitions(entry: CatalogueEntry): string[] {
  const regions = regionKeys(entry.spatialScope.regionCode);
  return [
    'ALL',
    ...regions.map((r) => `REG#${r}`),
    ...regions.map((r) => `RT#${r}#${entry.theme}`),
    `TH#${entry.theme}`,
    `CU#${entry.custodian}`,
    ...entryTerms(entry.name, entry.content).map((t) => `KW#${t}`),
  ];
}

/** The index items of an entry: each carries the fields a search filters on, so filtering needs no entry read. */
export function indexItems(entry: CatalogueEntry): Item[] {
  const projection: Item = {
    n: entry.resultNumber,
    rc: entry.spatialScope.regionCode,
    th: entry.theme,
    cl: entry.classification,
    sm: entry.sharingMode,
    cu: entry.custodian,
    tf: entry.timePoint.from,
    tt: entry.timePoint.to,
    st: entry.status,
    ...(entry.spatialScope.bbox ? { bb: entry.spatialScope.bbox } : {}),
  };
  return indexPartitions(entry).map((p) => ({ ...keys.catalogueIndex(p, entry.timePoint.from, entry.resultNumber), ...projection }));
}

// ---- search planning ----------------------------------------------------------------

/** Items a Query evaluates per call, and Query calls per search request: the work per request is bounded. */
export const queryPageItems = 100;
export const maxQueriesPerSearch = 8;

interface Plan {
  readonly partition: string;
  /** Terms not covered by the driving partition, checked by point reads on their KW# partitions. */
  readonly checkTerms: string[];
  readonly filter: FilterExpression;
}

function plan(f: CatalogueFilter): Plan {
  const region = f.regionCode && f.regionCode !== nationalRegion ? regionKey(f.regionCode) : undefined;
  const allTerms = [...new Set((f.keywords ?? []).flatMap(queryTerms))];
  let partition: string;
  let used: 'region' | 'regionTheme' | 'theme' | 'custodian' | 'keyword' | 'all';
  if (region && f.theme) [partition, used] = [`RT#${region}#${f.theme}`, 'regionTheme'];
  else if (allTerms.length > 0) [partition, used] = [`KW#${allTerms[0]}`, 'keyword'];
  else if (region) [partition, used] = [`REG#${region}`, 'region'];
  else if (f.custodian) [partition, used] = [`CU#${f.custodian}`, 'custodian'];
  else if (f.theme) [partition, used] = [`TH#${f.theme}`, 'theme'];
  else [partition, used] = ['ALL', 'all'];

  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const eq = (attr: string, value: unknown) => {
    names[`#${attr}`] = attr;
    values[`:${attr}`] = value;
    parts.push(`#${attr} = :${attr}`);
  };
  if (!f.includeDestroyed) eq('st', 'active');
  names['#cl'] = 'cl';
  parts.push(`#cl IN (${f.classifications.map((c, i) => ((values[`:cl${i}`] = c), `:cl${i}`)).join(', ')})`);
  if (f.theme && used !== 'regionTheme' && used !== 'theme') eq('th', f.theme);
  if (region && used !== 'region' && used !== 'regionTheme') {
    names['#rc'] = 'rc';
    values[':rp'] = region;
    parts.push('begins_with(#rc, :rp)');
  }
  if (f.exactRegion) {
    names['#rc'] = 'rc';
    values[':rx'] = f.exactRegion;
    parts.push('#rc = :rx');
  }
  if (f.sharingMode) eq('sm', f.sharingMode);
  if (f.custodian && used !== 'custodian') eq('cu', f.custodian);
  if (f.from) {
    names['#tt'] = 'tt';
    values[':from'] = f.from;
    parts.push('#tt >= :from');
  }
  return {
    partition,
    checkTerms: used === 'keyword' ? allTerms.slice(1) : allTerms,
    filter: { expression: parts.join(' AND '), names, values },
  };
}

/** The authoritative check on the entry itself: an index item may be stale for a moment after an edit. */
function matches(e: CatalogueEntry, f: CatalogueFilter): boolean {
  if (!f.includeDestroyed && e.status !== 'active') return false;
  if (!f.classifications.includes(e.classification)) return false;
  if (f.regionCode && !regionCovers(f.regionCode, e.spatialScope.regionCode)) return false;
  if (f.exactRegion && e.spatialScope.regionCode !== f.exactRegion) return false;
  if (f.theme && e.theme !== f.theme) return false;
  if (f.from && e.timePoint.to < f.from) return false;
  if (f.to && e.timePoint.from > f.to) return false;
  if (f.sharingMode && e.sharingMode !== f.sharingMode) return false;
  if (f.custodian && e.custodian !== f.custodian) return false;
  const text = `${e.name}\n${e.content}`;
  if (f.keywords && !f.keywords.every((k) => textContains(text, k))) return false;
  return !f.bbox || boxIntersects(f.bbox, boxOf(e.spatialScope.regionCode, e.spatialScope.bbox));
}

/** An entry without its own box is placed by its province's box (regions.ts): coarse, never missed. */
function boxOf(regionCode: string, bbox: readonly number[] | undefined): readonly number[] | undefined {
  return bbox ?? regionBboxFor(regionCode);
}

function boxIntersects(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (!b) return false;
  return a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;
}

function strip(item: Item): Item {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}

/** A `CAT#<number>`/`META` (or `V#…`) item as a catalogue entry; also reads the registry stream's images (publish-public-catalogue-on-change). */
export function entryOfItem(item: Item): CatalogueEntry {
  return catalogueEntrySchema.parse(strip(item));
}

const badCursor = () =>
  new ValidationError('请求参数有误：query.cursor 分页游标无效或已失效，请从第一页重新查询', [{ field: 'query.cursor', code: 'INVALID_CURSOR', message: '分页游标无效' }]);

function encodeCursor(partition: string, sk: string): string {
  return Buffer.from(JSON.stringify({ p: partition, s: sk }), 'utf8').toString('base64url');
}

/** A cursor is only ever a position in the same partition: anything else is refused, not passed to DynamoDB. */
function decodeCursor(cursor: string, partition: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const c = parsed as { p?: unknown; s?: unknown } | null;
  if (!c || typeof c !== 'object' || c.p !== partition || typeof c.s !== 'string' || c.s.length > 200) throw badCursor();
  return c.s;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The two point reads of an entry (what the human-task kinds read: runtime/ports/human-task-kinds.ts), without the
 * search, index and write code of DynamoCatalogueStore, so a bundle that only reads entries carries none of it
 * (issue 10). DynamoCatalogueStore reads through the same methods.
 */
export class DynamoCatalogueEntryReader implements CatalogueEntryReader {
  constructor(private readonly reads: Pick<CatalogueTableAccess, 'get'>) {}

  async getEntry(resultNumber: string): Promise<CatalogueEntry | undefined> {
    const item = await this.reads.get(keys.catalogueEntry(resultNumber));
    return item ? entryOfItem(item) : undefined;
  }

  async getEntryForSubmission(submissionId: string): Promise<CatalogueEntry | undefined> {
    const marker = await this.reads.get(keys.catalogueOfSubmission(submissionId));
    return marker ? this.getEntry(String(marker['resultNumber'])) : undefined;
  }
}

/** Entries read by number or by submission, consistent reads of the registry table (DynamoCatalogueEntryReader). */
export function catalogueEntryReaderFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoCatalogueEntryReader {
  const table = requireEnv(envNames.registryTable, env);
  const client = documentClient();
  return new DynamoCatalogueEntryReader({ get: async (key) => (await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item });
}

/**
 * The catalogue's registry items (key design: adapters/dynamo.ts).
 *
 * Search cost: one Query of the driving partition per `queryPageItems`
 * index items evaluated, at most `maxQueriesPerSearch` per request, plus
 * point reads (BatchGetItem, 100 keys each) for the keyword terms the
 * driving partition does not cover and for the entries of the page. So the
 * requests per page depend on the page size and on how selective the
 * filters are — never on how many entries the table holds. When filters are
 * so selective that the budget runs out, the page is short and carries a
 * cursor to go on. Limits: the time range's lower end and the bounding box
 * are filters (items newer than the range end are skipped by key); a
 * bounding-box-only search walks all entries newest first, a page per
 * budget — narrow it by region or theme.
 */
export class DynamoCatalogueStore extends DynamoCatalogueEntryReader implements CatalogueStore {
  constructor(private readonly db: CatalogueTableAccess) {
    super(db);
  }

  async listVersions(resultNumber: string): Promise<CatalogueEntry[]> {
    const out: CatalogueEntry[] = [];
    let startKey: Key | undefined;
    do {
      const page = await this.db.query({ pk: keys.catalogueEntry(resultNumber).pk, skPrefix: 'V#', forward: true, limit: 100, ...(startKey ? { startKey } : {}) });
      out.push(...page.items.map((i) => entryOfItem(i)));
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  async readSequence(custodianOrg: string, year: number): Promise<number> {
    const item = await this.db.get(keys.numberSequence(custodianOrg, year));
    return item ? Number(item['value']) : 0;
  }

  async createEntry(entry: CatalogueEntry, previousSequence: number, audit: AuditEntry): Promise<void> {
    const { table } = this.db;
    const items: AuditedItem[] = [
      {
        // The counter: conditional on the value read, so concurrent registrations serialise and a failed one uses no number.
        item: {
          Put: {
            TableName: table,
            Item: { ...keys.numberSequence(entry.custodian, entry.year), custodianOrg: entry.custodian, year: entry.year, value: entry.sequence, lastNumber: entry.resultNumber },
            ...(previousSequence === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: '#v = :prev', ExpressionAttributeNames: { '#v': 'value' }, ExpressionAttributeValues: { ':prev': previousSequence } }),
          },
        },
        onConditionFailed: () => new SequenceMovedError(),
      },
      {
        item: { Put: { TableName: table, Item: { ...keys.catalogueOfSubmission(entry.submissionId), resultNumber: entry.resultNumber }, ConditionExpression: 'attribute_not_exists(pk)' } },
        onConditionFailed: () => new AlreadyCataloguedError(entry.submissionId),
      },
      // Never overwritten: a number, once used, stays with its entry (R9.1).
      { item: { Put: { TableName: table, Item: { ...keys.catalogueEntry(entry.resultNumber), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new SequenceMovedError() },
      { item: { Put: { TableName: table, Item: { ...keys.catalogueVersion(entry.resultNumber, entry.version), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' } } },
    ];
    await this.db.write(items, audit);
  }

  async updateEntry(next: CatalogueEntry, previous: CatalogueEntry, audit: AuditEntry, review?: { reviewId: string }): Promise<void> {
    const { table } = this.db;
    await this.db.write(
      [
        {
          item: {
            Put: {
              TableName: table,
              Item: { ...keys.catalogueEntry(next.resultNumber), ...next },
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': previous.version },
            },
          },
          onConditionFailed: () => new EntryChangedError(next.resultNumber),
        },
        { item: { Put: { TableName: table, Item: { ...keys.catalogueVersion(next.resultNumber, next.version), ...next }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new EntryChangedError(next.resultNumber) },
        // A lowered classification applies its confidentiality review (R20.1) in the same transaction, once.
        ...(review ? [applyReviewItem(table, review.reviewId, next.updatedAt, next.version)] : []),
      ],
      audit,
    );
  }

  async indexEntry(entry: CatalogueEntry, previous?: CatalogueEntry): Promise<void> {
    // The registration-time item of the custodian (catalogue reports, R9.1): its key never changes with an edit.
    const puts = [...indexItems(entry), { ...keys.catalogueByCustodian(entry.custodian, entry.createdAt, entry.resultNumber), n: entry.resultNumber, cl: entry.classification }];
    const keep = new Set(puts.map((i) => `${String(i['pk'])}\u0000${String(i['sk'])}`));
    const deletes = previous
      ? indexItems(previous)
          .map((i) => ({ pk: String(i['pk']), sk: String(i['sk']) }))
          .filter((k) => !keep.has(`${k.pk}\u0000${k.sk}`))
      : [];
    const ops: Array<{ put?: Item; del?: Key }> = [...puts.map((put) => ({ put })), ...deletes.map((del) => ({ del }))];
    for (const batch of chunks(ops, 25)) {
      await this.db.batchWrite(
        batch.flatMap((o) => (o.put ? [o.put] : [])),
        batch.flatMap((o) => (o.del ? [o.del] : [])),
      );
    }
  }

  async search(filter: CatalogueFilter, page: { limit: number; cursor?: string }): Promise<Page<CatalogueEntry>> {
    if (filter.classifications.length === 0) return { items: [] };
    const p = plan(filter);
    const pk = `CATIDX#${p.partition}`;
    let startKey: Key | undefined = page.cursor ? { pk, sk: decodeCursor(page.cursor, p.partition) } : undefined;
    const accepted: Item[] = [];
    let cursorSk: string | undefined;
    let queries = 0;
    for (;;) {
      const res = await this.db.query({
        pk,
        ...(filter.to ? { skMax: `${filter.to}#\uffff` } : {}),
        forward: false,
        limit: queryPageItems,
        ...(startKey ? { startKey } : {}),
        filter: p.filter,
      });
      queries += 1;
      let candidates = res.items.filter((i) => !filter.bbox || boxIntersects(filter.bbox, boxOf(String(i['rc']), i['bb'] as number[] | undefined)));
      if (p.checkTerms.length > 0 && candidates.length > 0) candidates = await this.withTerms(candidates, p.checkTerms);
      let stopped = false;
      for (const c of candidates) {
        accepted.push(c);
        if (accepted.length === page.limit) {
          cursorSk = String(c['sk']);
          stopped = true;
          break;
        }
      }
      // A full page that ends exactly where the partition ends needs no cursor.
      if (stopped && !res.lastKey && candidates[candidates.length - 1] === accepted[accepted.length - 1]) cursorSk = undefined;
      if (stopped) break;
      if (!res.lastKey) break;
      startKey = res.lastKey;
      if (queries >= maxQueriesPerSearch) {
        cursorSk = res.lastKey.sk;
        break;
      }
    }
    const entries = await this.entries(accepted.map((i) => String(i['n'])));
    return { items: entries.filter((e) => matches(e, filter)), ...(cursorSk ? { cursor: encodeCursor(p.partition, cursorSk) } : {}) };
  }

  /** Keeps the candidates indexed under every term: point reads on the same sort key in each term's partition. */
  private async withTerms(candidates: Item[], terms: string[]): Promise<Item[]> {
    const wanted = candidates.flatMap((c) => terms.map((t) => ({ pk: `CATIDX#KW#${t}`, sk: String(c['sk']) })));
    const found = new Set<string>();
    for (const batch of chunks(wanted, 100)) for (const i of await this.db.batchGet(batch)) found.add(`${String(i['pk'])}\u0000${String(i['sk'])}`);
    return candidates.filter((c) => terms.every((t) => found.has(`CATIDX#KW#${t}\u0000${String(c['sk'])}`)));
  }

  /** The entries, in the given order. */
  private async entries(numbers: string[]): Promise<CatalogueEntry[]> {
    const byNumber = new Map<string, CatalogueEntry>();
    for (const batch of chunks(numbers, 100)) {
      for (const i of await this.db.batchGet(batch.map((n) => keys.catalogueEntry(n)))) {
        const e = entryOfItem(i);
        byNumber.set(e.resultNumber, e);
      }
    }
    return numbers.flatMap((n) => (byNumber.has(n) ? [byNumber.get(n)!] : []));
  }
}
