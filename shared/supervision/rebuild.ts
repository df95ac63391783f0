import type { AuditChainReader, AuditRecord } from '#shared/ports/audit.ts';
import { applyEffects, effectsOf, type Clock, type CounterDelta } from './clocks.ts';

/** Counters as a map: `<org>\u0000<month>` → metric → value. */
export type CounterTable = Map<string, Map<string, number>>;
export const counterKey = (org: string, month: string) => `${org}\u0000${month}`;

/**
 * The bulletin's counters rebuilt from the audit trail alone (issue 14 §2):
 * every record's `detail.supervision` replayed in chain order through the same
 * `applyEffects` the events' transactions use, with the clocks kept in memory.
 * Equal to the incremental counters by construction (test/unit/supervision-rebuild.test.ts
 * proves it on a whole workflow).
 */
export function replay(records: Iterable<Pick<AuditRecord, 'detail'>>): { counters: CounterTable; clocks: Map<string, Clock> } {
  const clocks = new Map<string, Clock>();
  const counters: CounterTable = new Map();
  const add = (d: CounterDelta) => {
    const k = counterKey(d.org, d.month);
    const row = counters.get(k) ?? new Map<string, number>();
    row.set(d.metric, (row.get(d.metric) ?? 0) + d.delta);
    counters.set(k, row);
  };
  for (const record of records) {
    const effects = effectsOf(record);
    if (!effects) continue;
    const out = applyEffects(effects, (id) => clocks.get(id));
    for (const c of out.clocks) clocks.set(c.after.clockId, c.after);
    out.counters.forEach(add);
  }
  return { counters, clocks };
}

/** Every record of the chain, page by page, in seq order. */
export async function* chainRecords(chain: AuditChainReader): AsyncGenerator<AuditRecord> {
  let after: number | undefined;
  for (;;) {
    const page = await chain.readRecords(after);
    yield* page.records;
    if (page.lastSeq === undefined) return;
    after = page.lastSeq;
  }
}

/** Replay of the whole chain (async pages). */
export async function rebuildFromChain(chain: AuditChainReader): Promise<{ counters: CounterTable; clocks: Map<string, Clock>; records: number }> {
  const all: Array<Pick<AuditRecord, 'detail'>> = [];
  for await (const r of chainRecords(chain)) all.push({ detail: r.detail });
  return { ...replay(all), records: all.length };
}

/**
 * Metrics counted outside the audit trail, which a replay cannot rebuild: public download requests (R17.2,
 * adapters/dynamo-downloads.ts — anonymous traffic writes no audit record; its log items are its record).
 * The comparison skips them and a repair keeps their stored values.
 */
export const unauditedMetricPrefixes: readonly string[] = ['R17.2.'];
export const isUnaudited = (metric: string) => unauditedMetricPrefixes.some((p) => metric.startsWith(p));

/** The differences between two counter tables (org, month, metric, rebuilt vs stored); empty = equal. */
export function counterDifferences(rebuilt: CounterTable, stored: CounterTable): Array<{ org: string; month: string; metric: string; rebuilt: number; stored: number }> {
  const out: Array<{ org: string; month: string; metric: string; rebuilt: number; stored: number }> = [];
  for (const k of new Set([...rebuilt.keys(), ...stored.keys()])) {
    const [org, month] = k.split('\u0000') as [string, string];
    const a = rebuilt.get(k) ?? new Map<string, number>();
    const b = stored.get(k) ?? new Map<string, number>();
    for (const metric of new Set([...a.keys(), ...b.keys()])) {
      if (isUnaudited(metric)) continue;
      if ((a.get(metric) ?? 0) !== (b.get(metric) ?? 0)) out.push({ org, month, metric, rebuilt: a.get(metric) ?? 0, stored: b.get(metric) ?? 0 });
    }
  }
  return out;
}
