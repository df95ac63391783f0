import { DynamoCatalogueStore, type CatalogueTableAccess, type FilterExpression, type Key } from '#adapters/dynamo-catalogue.ts';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import { evaluate } from '#adapters/update-expression.ts';
import type { InMemoryTables } from '#test/fakes/audit-store.ts';
import type { CataloguePorts } from '#shared/catalogue/catalogue.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { HttpDeps } from '#runtime/http.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { markVerified } from '#shared/submission/outcomes.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import type { CatalogueInput } from '#shared/schemas/submission.ts';
import { recordCompletion, registerSurveyTask } from '#shared/submission/tasks.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { DynamoConfidentialityReviewStore } from '#adapters/dynamo-confidentiality-reviews.ts';
import { DynamoProblemStore } from '#adapters/dynamo-feedback.ts';
import { InMemoryRegistryAccess, catalogue, depsFor, portsFor, registeredTask, standardFiles, type SubmissionWorld } from './submission-fakes.ts';

type Item = Record<string, unknown>;

export type CallKind = 'get' | 'batchGet' | 'query' | 'batchWrite' | 'write';

/**
 * The registry table as the catalogue adapter uses it, with DynamoDB's Query
 * semantics kept honest: items of a partition in sort-key order; the key
 * condition (sk <= x, begins_with) selects a range; ExclusiveStartKey resumes
 * after a key; Limit counts items EVALUATED, before the FilterExpression;
 * LastEvaluatedKey is returned whenever Limit stopped the read. BatchGetItem
 * refuses more than 100 keys, BatchWriteItem more than 25 requests. Every
 * call is counted: one call is one DynamoDB request.
 *
 * Transactions go through the real auditedWrite on the InMemoryTables (their
 * conditions are evaluated there); committed registry items are mirrored
 * into the partition index that reads use. `load` arranges large tables
 * directly (no transactions) for the cost test.
 */
export class CountingCatalogueTable implements CatalogueTableAccess {
  readonly calls: Record<CallKind, number> = { get: 0, batchGet: 0, query: 0, batchWrite: 0, write: 0 };
  private readonly partitions = new Map<string, { items: Item[]; sorted: boolean }>();
  /** Set to make the next transaction fail as if the entry's Put were refused (the injected failure). */
  failNextWrite: ((items: AuditedItem[]) => Error | undefined) | undefined;

  constructor(
    readonly tables: InMemoryTables,
    readonly table = 'registry',
  ) {}

  total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    for (const k of Object.keys(this.calls) as CallKind[]) this.calls[k] = 0;
  }

  size(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.items.length;
    return n;
  }

  /** Arrange-only bulk load of distinct items: appended, sorted on first read. */
  load(items: Iterable<Item>): void {
    for (const item of items) {
      const pk = String(item['pk']);
      let p = this.partitions.get(pk);
      if (!p) this.partitions.set(pk, (p = { items: [], sorted: false }));
      p.items.push(item);
      p.sorted = false;
    }
  }

  private partition(pk: string): Item[] {
    const p = this.partitions.get(pk);
    if (!p) return [];
    if (!p.sorted) {
      p.items.sort((a, b) => (String(a['sk']) < String(b['sk']) ? -1 : String(a['sk']) > String(b['sk']) ? 1 : 0));
      p.sorted = true;
    }
    return p.items;
  }

  /** First index whose sk is >= sk (binary search over a sorted partition). */
  private static lowerBound(items: Item[], sk: string): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (String(items[mid]!['sk']) < sk) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private find(key: Key): Item | undefined {
    const items = this.partition(key.pk);
    const i = CountingCatalogueTable.lowerBound(items, key.sk);
    return items[i] && items[i]['sk'] === key.sk ? items[i] : undefined;
  }

  private set(item: Item): void {
    const pk = String(item['pk']);
    let p = this.partitions.get(pk);
    if (!p) this.partitions.set(pk, (p = { items: [], sorted: true }));
    const items = this.partition(pk);
    const i = CountingCatalogueTable.lowerBound(items, String(item['sk']));
    if (items[i] && items[i]['sk'] === item['sk']) items[i] = item;
    else items.splice(i, 0, item);
  }

  private remove(key: Key): void {
    const items = this.partition(key.pk);
    const i = CountingCatalogueTable.lowerBound(items, key.sk);
    if (items[i] && items[i]['sk'] === key.sk) items.splice(i, 1);
  }

  async get(key: Key): Promise<Item | undefined> {
    this.calls.get += 1;
    const item = this.find(key);
    return item ? structuredClone(item) : undefined;
  }

  async batchGet(keys: readonly Key[]): Promise<Item[]> {
    this.calls.batchGet += 1;
    if (keys.length > 100) throw Object.assign(new Error('Too many items requested for the BatchGetItem call'), { name: 'ValidationException' });
    return keys.flatMap((k) => {
      const item = this.find(k);
      return item ? [structuredClone(item)] : [];
    });
  }

  async query(q: { pk: string; skMax?: string; skPrefix?: string; forward: boolean; limit: number; startKey?: Key; filter?: FilterExpression }): Promise<{ items: Item[]; lastKey?: Key }> {
    this.calls.query += 1;
    const items = this.partition(q.pk);
    // The key condition's range [lo, hi) in ascending order.
    let lo = 0;
    let hi = items.length;
    if (q.skMax !== undefined) {
      hi = CountingCatalogueTable.lowerBound(items, q.skMax);
      if (items[hi]?.['sk'] === q.skMax) hi += 1;
    }
    if (q.skPrefix !== undefined) {
      lo = CountingCatalogueTable.lowerBound(items, q.skPrefix);
      hi = lo;
      while (hi < items.length && String(items[hi]!['sk']).startsWith(q.skPrefix)) hi += 1;
    }
    const evaluated: Item[] = [];
    if (q.forward) {
      let i = q.startKey ? CountingCatalogueTable.lowerBound(items, q.startKey.sk) : lo;
      if (q.startKey && items[i]?.['sk'] === q.startKey.sk) i += 1;
      for (i = Math.max(i, lo); i < hi && evaluated.length < q.limit; i += 1) evaluated.push(items[i]!);
    } else {
      let i = hi - 1;
      if (q.startKey) i = Math.min(i, CountingCatalogueTable.lowerBound(items, q.startKey.sk) - 1);
      for (; i >= lo && evaluated.length < q.limit; i -= 1) evaluated.push(items[i]!);
    }
    const last = evaluated[evaluated.length - 1];
    const passed = q.filter ? evaluated.filter((i) => evaluate(q.filter!.expression, i, q.filter!.names, q.filter!.values)) : evaluated;
    return {
      items: passed.map((i) => structuredClone(i)),
      ...(evaluated.length === q.limit && last ? { lastKey: { pk: String(last['pk']), sk: String(last['sk']) } } : {}),
    };
  }

  async batchWrite(puts: readonly Item[], deletes: readonly Key[]): Promise<void> {
    this.calls.batchWrite += 1;
    if (puts.length + deletes.length > 25) throw Object.assign(new Error('Too many items in the BatchWriteItem call'), { name: 'ValidationException' });
    for (const p of puts) {
      this.tables.put(this.table, p);
      this.set(structuredClone(p));
    }
    for (const d of deletes) {
      this.tables.delete(this.table, d);
      this.remove(d);
    }
  }

  async write(items: AuditedItem[], entry: AuditEntry): Promise<void> {
    this.calls.write += 1;
    const injected = this.failNextWrite?.(items);
    if (injected) {
      this.failNextWrite = undefined;
      throw injected;
    }
    await auditedWrite({ items, entry, store: this.tables });
    for (const { item } of items) {
      const op = item.Put ?? item.Update ?? item.Delete;
      if (!op || op.TableName !== this.table) continue;
      const key = (item.Put ? { pk: item.Put.Item?.['pk'], sk: item.Put.Item?.['sk'] } : (op as unknown as { Key: Key }).Key) as Key;
      const now = this.tables.get(this.table, key);
      if (now) this.set(now);
      else this.remove(key);
    }
  }
}

export interface CatalogueWorld {
  readonly table: CountingCatalogueTable;
  readonly store: DynamoCatalogueStore;
  readonly ports: CataloguePorts;
}

/** The catalogue over the submission world's tables: the same registry, identity and clock. */
export function catalogueWorld(world: SubmissionWorld): CatalogueWorld {
  const table = new CountingCatalogueTable(world.tables);
  const store = new DynamoCatalogueStore(table);
  return { table, store, ports: { catalogue: store, submissions: world.store, now: () => world.now } };
}

/** The HTTP stack's deps plus the catalogue ports, for the handlers of other contexts not yet on `handler.with(ports)`. */
export interface CatalogueDeps extends HttpDeps {
  readonly ports: () => CataloguePorts;
}

/** The catalogue handlers' ports (`handler.with`): the test verifier, the identity, the catalogue over the world's tables. */
export function cataloguePorts(world: SubmissionWorld, cat: CatalogueWorld) {
  const { verifier, identity } = portsFor(world);
  return {
    verifier,
    identity,
    catalogue: cat.store,
    submissions: world.store,
    reviews: new DynamoConfidentialityReviewStore(new InMemoryRegistryAccess(world.tables)),
    // The entry's quality status (R19.3) reads the result's problems on the same tables.
    problems: new DynamoProblemStore(new InMemoryRegistryAccess(world.tables)),
    now: cat.ports.now,
  };
}

/** What RegisterSurveyTask asks for: the submission ports and the catalogue its R13.2 overlap check reads. */
export function registrationPorts(world: SubmissionWorld, cat: CatalogueWorld = catalogueWorld(world)) {
  return { ...portsFor(world), catalogue: cat.store };
}

export function catalogueDeps(world: SubmissionWorld, cat: CatalogueWorld): CatalogueDeps & { catalogue: () => DynamoCatalogueStore } {
  const base = depsFor(world);
  return { verifier: base.verifier, identity: base.identity, ports: () => cat.ports, catalogue: () => cat.store };
}

/**
 * A submission driven through the real flow: task → open → upload → seal →
 * verified (or held offline when classified, R5.1).
 */
export async function verifiedSubmission(world: SubmissionWorld, over: Partial<CatalogueInput> = {}, opts: { verify?: boolean; theme?: ThemeId; taskId?: string } = {}): Promise<string> {
  const task = opts.taskId ? { taskId: opts.taskId } : opts.theme ? await themedTask(world, opts.theme) : await registeredTask(world);
  const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(over), files: standardFiles, requestId: 'open' }, world.ports);
  const id = opened.submission.submissionId;
  if (opened.outcome !== 'opened') return id;
  for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
  await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'seal' }, world.ports);
  if (opts.verify !== false) await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });
  return id;
}

async function themedTask(world: SubmissionWorld, theme: ThemeId) {
  const task = await registerSurveyTask(
    {
      actor: await world.user('chen.jing'),
      input: { name: '2026 年度广东省专项调查', theme, regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
      requestId: 'task',
    },
    world.ports,
  );
  return (await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports)).task;
}
