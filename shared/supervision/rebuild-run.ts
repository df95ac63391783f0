import type { AuditChainReader, AuditEntry } from '#shared/ports/audit.ts';
import { counterDifferences, counterKey, isUnaudited, rebuildFromChain, type CounterTable } from './rebuild.ts';

/** The stored counters of given org × month keys, and a writer that sets them (audited). */
export interface CounterRepair {
  read(org: string, month: string): Promise<Map<string, number> | undefined>;
  set(org: string, month: string, values: Map<string, number>, entry: AuditEntry): Promise<void>;
}

/**
 * `npm run supervision:rebuild-counters`: replays the audit trail, compares
 * with the stored counters and, with `write`, sets every differing
 * organisation × month to the rebuilt values (one audited write each).
 */
export async function rebuildCounters(ports: { chain: AuditChainReader; counters: CounterRepair }, opts: { write: boolean; requestId: string }): Promise<{ records: number; items: number; differences: ReturnType<typeof counterDifferences>; repaired: number }> {
  const { counters: rebuilt, records } = await rebuildFromChain(ports.chain);
  const stored: CounterTable = new Map();
  for (const k of rebuilt.keys()) {
    const [org, month] = k.split('\u0000') as [string, string];
    const values = await ports.counters.read(org, month);
    if (values) stored.set(k, values);
  }
  const differences = counterDifferences(rebuilt, stored);
  let repaired = 0;
  if (opts.write) {
    const keys = new Set(differences.map((d) => counterKey(d.org, d.month)));
    for (const k of keys) {
      const [org, month] = k.split('\u0000') as [string, string];
      // Download counters (R17.2) are not in the audit trail: their stored values are kept.
      const values = new Map(rebuilt.get(k) ?? new Map<string, number>());
      for (const [metric, v] of stored.get(k) ?? new Map<string, number>()) if (isUnaudited(metric)) values.set(metric, v);
      await ports.counters.set(org, month, values, {
        actor: 'system:rebuild-counters',
        orgCode: org,
        action: 'supervision.counters.rebuild',
        target: `SUPCOUNT#${org}/${month}`,
        outcome: 'success',
        requestId: opts.requestId,
        detail: { differences: differences.filter((d) => d.org === org && d.month === month) },
      });
      repaired += 1;
    }
  }
  return { records, items: rebuilt.size, differences, repaired };
}
