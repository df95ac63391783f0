import type { AuditEntry } from '#shared/ports/audit.ts';
import { auditedWrite } from './audited-write.ts';
import type { AuditChainStore } from './store.ts';

/**
 * For records that change nothing else: refusals worth keeping (R20.1
 * full-process security records), runs of a scheduled job. Still one
 * chained record, written through the same primitive.
 */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<{ seq: number; hash: string }>;
}

export function auditTrail(store?: AuditChainStore, now?: () => Date): AuditTrail {
  return {
    append: (entry) => auditedWrite({ items: [], entry, ...(store ? { store } : {}), ...(now ? { now } : {}) }),
  };
}
