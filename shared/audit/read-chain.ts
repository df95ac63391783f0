import type { AuditChainReader, AuditRecord } from '#shared/ports/audit.ts';
import type { ChainHead } from './chain.ts';
import { allShards } from './shards.ts';

/**
 * Every record in seq order, page by page (the sk is zero-padded, so sort
 * order is seq order). A verifier holds them all: at ~1 KB a record, a
 * million records is about a gigabyte — past that, verify in windows.
 */
export async function* readChain(store: Pick<AuditChainReader, 'readRecords'>, shard?: string): AsyncGenerator<AuditRecord> {
  let after: number | undefined;
  do {
    const page = await store.readRecords(after, shard);
    for (const record of page.records) yield record;
    after = page.lastSeq;
  } while (after !== undefined);
}

/** One shard's chain (default: the national one, shared/audit/shards.ts). */
export async function readWholeChain(
  store: AuditChainReader,
  shard?: string,
): Promise<{ head: ChainHead | undefined; records: AuditRecord[] }> {
  // Head first: records written after this read only lengthen the tail, which the verifier ignores past head.seq.
  const head = await store.readHead(shard);
  const records: AuditRecord[] = [];
  for await (const r of readChain(store, shard)) {
    if (head && r.seq > head.seq) break;
    records.push(r);
  }
  return { head, records };
}

/** Every shard's chain that holds anything (a head or a record), national first. */
export async function readAllChains(
  store: AuditChainReader,
): Promise<Array<{ shard: string; head: ChainHead | undefined; records: AuditRecord[] }>> {
  const out: Array<{ shard: string; head: ChainHead | undefined; records: AuditRecord[] }> = [];
  for (const shard of allShards) {
    const chain = await readWholeChain(store, shard);
    if (chain.head || chain.records.length > 0) out.push({ shard, ...chain });
  }
  return out;
}

/** Every record of every shard (tests and tools that look for their own actions). */
export async function readAllRecords(store: AuditChainReader): Promise<AuditRecord[]> {
  return (await readAllChains(store)).flatMap((c) => c.records);
}
