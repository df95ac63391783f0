import type { CounterRepair } from '#shared/supervision/rebuild-run.ts';
import { auditItemsPerWrite, maxTransactItems, type AuditedItem } from '#adapters/audited-write.ts';
import type { TransactItem } from '#adapters/dynamo-audit.ts';
import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { BulletinIndex, BulletinRecord, ClockStore, CounterStore, MonthCounters } from '#shared/ports/supervision.ts';
import { applyEffects, clockIdOf, clockSchema, effectsOf, type Clock, type CounterDelta, type Month } from '#shared/supervision/clocks.ts';

type Item = Record<string, unknown>;

/**
 * Key design (registry table), see also adapters/dynamo.ts:
 *   CLOCK#<type>#<subject>  META        one statutory clock (shared/supervision/clocks.ts)
 *       gsi1: CLOCKS#open / <due>#<clockId>           only while running: the watch's due-date index
 *       gsi2: CLOCKSOF#<ownerOrg> / <state>#<due>#<clockId>  an organisation's clocks by state
 *   CLOCK#<type>#<subject>  NOTICE#<day>  the watch's notice of that day (write-once: one per clock × day)
 *   SUPCOUNT#<org>          <YYYY-MM>   the bulletin's counters of one organisation × month, one attribute per metric
 *   BULLETIN#<org>.<period> META        one bulletin (write-once; its files in the documents bucket)
 *   BULLETINS#<org>         <period>    the organisation's list copy, written in the same transaction
 */
export const supervisionKeys = {
  clock: (clockId: string) => ({ pk: `CLOCK#${clockId}`, sk: 'META' }),
  notice: (clockId: string, day: string) => ({ pk: `CLOCK#${clockId}`, sk: `NOTICE#${day}` }),
  counters: (org: string, month: Month) => ({ pk: `SUPCOUNT#${org}`, sk: month }),
  bulletin: (bulletinId: string) => ({ pk: `BULLETIN#${bulletinId}`, sk: 'META' }),
  bulletinOfOrg: (org: string, period: string) => ({ pk: `BULLETINS#${org}`, sk: period }),
} as const;
export const openClocksPartition = 'CLOCKS#open';

export function clockItem(clock: Clock): Item {
  return {
    ...supervisionKeys.clock(clock.clockId),
    ...(clock.state === 'running' ? { gsi1pk: openClocksPartition, gsi1sk: `${clock.due}#${clock.clockId}` } : {}),
    gsi2pk: `CLOCKSOF#${clock.ownerOrg}`,
    gsi2sk: `${clock.state}#${clock.due}#${clock.clockId}`,
    ...clock,
  };
}

function parseClock(item: Item): Clock {
  const { pk: _a, sk: _b, gsi1pk: _c, gsi1sk: _d, gsi2pk: _e, gsi2sk: _f, ...rest } = item;
  return clockSchema.parse(rest);
}

const metricName = (i: number) => `#m${i}`;

/** One Update per organisation × month: ADD each metric's delta (the counters' item). */
export function counterUpdates(table: string, deltas: readonly CounterDelta[]): TransactItem[] {
  const byItem = new Map<string, CounterDelta[]>();
  for (const d of deltas) {
    const k = `${d.org}\u0000${d.month}`;
    byItem.set(k, [...(byItem.get(k) ?? []), d]);
  }
  return [...byItem.values()].map((ds) => {
    const names: Record<string, string> = { '#org': 'org', '#month': 'month' };
    const values: Record<string, unknown> = { ':org': ds[0]!.org, ':month': ds[0]!.month };
    const adds = ds.map((d, i) => {
      names[metricName(i)] = `m:${d.metric}`;
      values[`:d${i}`] = d.delta;
      return `${metricName(i)} :d${i}`;
    });
    return {
      Update: {
        TableName: table,
        Key: supervisionKeys.counters(ds[0]!.org, ds[0]!.month),
        UpdateExpression: `SET #org = :org, #month = :month ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
}

/**
 * The clock and counter items an audited entry's supervision effects add to
 * ITS OWN transaction. Each clock is read first; its Put is conditional on the
 * clock being as read (absent, or running with the same due date), so two
 * events racing on one clock cannot both move it (the loser gets a 409 and
 * changes nothing).
 */
export async function supervisionItems(table: string, entry: AuditEntry, get: (key: { pk: string; sk: string }) => Promise<Item | undefined>): Promise<AuditedItem[]> {
  const effects = effectsOf(entry);
  if (!effects) return [];
  const ids = [...new Set([...(effects.start ?? []), ...(effects.meet ?? []), ...(effects.cancel ?? [])].map(clockIdOf))];
  const current = new Map<string, Clock>();
  for (const id of ids) {
    const item = await get(supervisionKeys.clock(id));
    if (item) current.set(id, parseClock(item));
  }
  const { clocks, counters } = applyEffects(effects, (id) => current.get(id));
  const moved = () => new ConflictError('CLOCK_CHANGED', '期限记录刚被另一操作更新，本次操作未执行；请重试');
  return [
    ...clocks.map(({ before, after }) => ({
      item: {
        Put: {
          TableName: table,
          Item: clockItem(after),
          ...(before
            ? {
                ConditionExpression: '#state = :state AND #due = :due',
                ExpressionAttributeNames: { '#state': 'state', '#due': 'due' },
                ExpressionAttributeValues: { ':state': before.state, ':due': before.due },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      } satisfies TransactItem,
      onConditionFailed: moved,
    })),
    ...counterUpdates(table, counters).map((item) => ({ item })),
  ];
}

/**
 * For a writer that calls auditedWrite itself: an entry whose effects only
 * count (no clocks, so nothing to read first) split into entries whose
 * counter Updates fit one transaction beside `otherItems` domain items each
 * (one Update per organisation × month). Almost always one part, the entry
 * unchanged; each part's audit record carries exactly the counts its
 * transaction adds, so a rebuild from the trail still equals the counters.
 */
export function countParts(table: string, entry: AuditEntry, otherItems: number): Array<{ entry: AuditEntry; items: AuditedItem[] }> {
  const effects = effectsOf(entry);
  if (!effects) return [{ entry, items: [] }];
  if (effects.start?.length || effects.meet?.length || effects.cancel?.length) throw new Error('countParts: an entry that starts, meets or cancels clocks needs supervisionItems (it reads the clocks first)');
  const room = maxTransactItems - auditItemsPerWrite - otherItems;
  const byOrg = new Map<string, NonNullable<typeof effects.count>>();
  for (const c of effects.count ?? []) byOrg.set(c.org, [...(byOrg.get(c.org) ?? []), c]);
  const groups = [...byOrg.values()];
  const parts: Array<NonNullable<typeof effects.count>> = [];
  for (let i = 0; i < groups.length; i += room) parts.push(groups.slice(i, i + room).flat());
  if (parts.length <= 1) return [{ entry, items: counterUpdates(table, applyEffects(effects, () => undefined).counters).map((item) => ({ item })) }];
  return parts.map((count, i) => {
    const part = { ...effects, count };
    const detail = { ...(entry.detail ?? {}), supervision: part, countPart: `${i + 1}/${parts.length}` };
    return { entry: { ...entry, detail }, items: counterUpdates(table, applyEffects(part, () => undefined).counters).map((item) => ({ item })) };
  });
}

/** A RegistryAccess whose every audited write carries its supervision items (clocks, counters). */
export function withSupervisionItems(db: RegistryAccess): RegistryAccess {
  return {
    table: db.table,
    get: (key) => db.get(key),
    query: (q) => db.query(q),
    batchPut: (items) => db.batchPut(items),
    write: async (items, entry) => db.write([...items, ...(await supervisionItems(db.table, entry, (k) => db.get(k)))], entry),
  };
}

/** The counters' values of one item: `m:<metric>` attributes. */
export function countersOf(item: Item): MonthCounters {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(item)) if (k.startsWith('m:') && typeof v === 'number') values[k.slice(2)] = v;
  return { org: String(item['org']), month: String(item['month'] ?? item['sk']), values };
}

/** Clocks and counters on the registry table (through RegistryAccess, so unit tests run it on the in-memory tables). */
export class DynamoSupervisionStore implements ClockStore, CounterStore, BulletinIndex {
  itemsRead = 0;
  constructor(private readonly db: RegistryAccess) {}

  private async all(q: Parameters<RegistryAccess['query']>[0]): Promise<Item[]> {
    const out: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({ ...q, ...(startKey ? { startKey } : {}) });
      this.itemsRead += page.items.length;
      out.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  async dueBy(day: string): Promise<Clock[]> {
    // gsi1sk = <due>#<clockId>: the key condition reads the clocks due by `day` and nothing after.
    const items = await this.all({ index: 'gsi1', pk: openClocksPartition, skAtMost: `${day}#\uffff` });
    return items.map(parseClock);
  }

  async ownedBy(org: string, state: Clock['state']): Promise<Clock[]> {
    return (await this.all({ index: 'gsi2', pk: `CLOCKSOF#${org}`, skPrefix: `${state}#` })).map(parseClock);
  }

  async claimNotice(clock: Clock, day: string, set: { overdueSince?: string; lastOverdueNotice?: string }, entry: AuditEntry): Promise<boolean> {
    const claimed = new ConflictError('NOTICE_SENT', 'notice already claimed');
    const updated: Clock = { ...clock, ...set };
    try {
      await this.db.write(
        [
          {
            item: { Put: { TableName: this.db.table, Item: { ...supervisionKeys.notice(clock.clockId, day), clockId: clock.clockId, day, at: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(pk)' } },
            onConditionFailed: () => claimed,
          },
          ...(set.overdueSince || set.lastOverdueNotice
            ? [
                {
                  item: {
                    Put: {
                      TableName: this.db.table,
                      Item: clockItem(updated),
                      ConditionExpression: '#state = :running AND #due = :due',
                      ExpressionAttributeNames: { '#state': 'state', '#due': 'due' },
                      ExpressionAttributeValues: { ':running': 'running', ':due': clock.due },
                    },
                  } satisfies TransactItem,
                  onConditionFailed: () => claimed,
                },
              ]
            : []),
        ],
        entry,
      );
      return true;
    } catch (error) {
      if (error === claimed) return false;
      throw error;
    }
  }

  async read(org: string, from: Month, to: Month): Promise<MonthCounters[]> {
    const years: string[] = [];
    for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y += 1) years.push(String(y));
    const out: MonthCounters[] = [];
    for (const year of years) {
      for (const item of await this.all({ pk: `SUPCOUNT#${org}`, skPrefix: `${year}-` })) {
        const c = countersOf(item);
        if (c.month >= from && c.month <= to) out.push(c);
      }
    }
    return out;
  }

  async get(bulletinId: string): Promise<BulletinRecord | undefined> {
    const item = await this.db.get(supervisionKeys.bulletin(bulletinId));
    if (!item) return undefined;
    const { pk: _p, sk: _s, ...rest } = item;
    return rest as unknown as BulletinRecord;
  }

  async list(org: string): Promise<BulletinRecord[]> {
    const items = await this.all({ pk: `BULLETINS#${org}`, forward: false });
    return items.map(({ pk: _p, sk: _s, ...rest }) => rest as unknown as BulletinRecord);
  }

  async record(bulletin: BulletinRecord, entry: AuditEntry): Promise<boolean> {
    const exists = new ConflictError('BULLETIN_EXISTS', `通报 ${bulletin.bulletinId} 已生成`);
    try {
      await this.db.write(
        [
          { item: { Put: { TableName: this.db.table, Item: { ...supervisionKeys.bulletin(bulletin.bulletinId), ...bulletin }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => exists },
          { item: { Put: { TableName: this.db.table, Item: { ...supervisionKeys.bulletinOfOrg(bulletin.org, bulletin.period), ...bulletin }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => exists },
        ],
        entry,
      );
      return true;
    } catch (error) {
      if (error === exists) return false;
      throw error;
    }
  }
}

/**
 * An entry whose effects would not fit in one transaction (a catalogue report
 * of hundreds of entries meets as many R9.1 clocks): the first `max` clock
 * operations stay on the entry, the rest go into follow-up entries
 * (`supervision.clocks.meet`), each its own audited write — every record
 * still says exactly which clocks it moved, so a replay matches.
 */
export function splitEffects(entry: AuditEntry, max = 60): AuditEntry[] {
  const effects = effectsOf(entry);
  if (!effects) return [entry];
  const starts = effects.start ?? [];
  const meets = effects.meet ?? [];
  if (starts.length + meets.length + (effects.cancel?.length ?? 0) <= max) return [entry];
  const room = Math.max(0, max - starts.length);
  const rest: AuditEntry[] = [];
  for (let i = room; i < meets.length; i += max) {
    rest.push({
      actor: entry.actor,
      orgCode: entry.orgCode,
      action: 'supervision.clocks.meet',
      target: entry.target,
      outcome: 'success',
      requestId: entry.requestId,
      detail: { supervision: { at: effects.at, meet: meets.slice(i, i + max) } },
    });
  }
  return [{ ...entry, detail: { ...entry.detail, supervision: { ...effects, meet: meets.slice(0, room) } } }, ...rest];
}

/** Stored counters read and set by key (the rebuild script); a set is an audited Put of the whole item. */
export function counterRepair(db: RegistryAccess): CounterRepair {
  return {
    read: async (org, month) => {
      const item = await db.get(supervisionKeys.counters(org, month));
      return item ? new Map(Object.entries(countersOf(item).values)) : undefined;
    },
    set: async (org, month, values, entry) => {
      const item: Item = { ...supervisionKeys.counters(org, month), org, month };
      for (const [metric, v] of values) item[`m:${metric}`] = v;
      await db.write([{ item: { Put: { TableName: db.table, Item: item } } }], entry);
    },
  };
}
