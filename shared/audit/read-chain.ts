import type { AuditChainReader, AuditRecord } from '#shared/ports/audit.ts';
import type { ChainHead } from './chain.ts';

/**
 * Every record in seq order, page by page (the sk is zero-padded, so sort
 * order is seq order). A verifier holds them all: at ~1 KB a record, a
 * million records is about a gigabyte — past that, verify in windows.
 */
export async function* readChain(store: Pick<AuditChainReader, 'readRecords'>): AsyncGenerator<AuditRecord> {
  let after: number | undefined;
  do {
    const page = await store.readRecords(after);
    for (const record of page.records) yield record;
    after = page.lastSeq;
  } while (after !== undefined);
}

export async function readWholeChain(
  store: AuditChainReader,
): Promise<{ head: ChainHead | undefined; records: AuditRecord[] }> {
  // Head first: records written after this read only lengthen the tail, which the verifier ignores past head.seq.
  const head = await store.readHead();
  const records: AuditRecord[] = [];
  for await (const r of readChain(store)) {
    if (head && r.seq > head.seq) break;
    records.push(r);
  }
  return { head, records };
}
