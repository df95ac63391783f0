/**
 * The audit chain is sharded (issue 10): one chain per province, named by
 * the first two digits of the acting organisation's region code (GB/T 2260),
 * and one national chain for national organisations and system actors. A
 * write contends only with writers of its own province, so audited writes
 * grow with the number of provinces writing instead of queueing on one head
 * item. Each shard is a complete chain of its own (links, head, signed
 * anchors); `npm run audit:verify` and the hourly anchor walk every shard.
 * Pure: no I/O.
 */

/** The national chain: its keys are the original single chain's (AUDIT / HEAD, AUDIT / SEQ#…). */
export const nationalShard = 'CN';

/** Province-level codes of GB/T 2260 (31 provinces, Taiwan, Hong Kong, Macao). */
export const provinceShards = [
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42',
  '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82',
] as const;

/** Every shard, national first. */
export const allShards: readonly string[] = [nationalShard, ...provinceShards];

const provinces = new Set<string>(provinceShards);

/** The chain an organisation's writes go to: its province, else (national bodies, `SYSTEM`) the national chain. */
export function shardOf(orgCode: string): string {
  if (!/^\d{6}/.test(orgCode)) return nationalShard;
  const province = orgCode.slice(0, 2);
  return provinces.has(province) ? province : nationalShard;
}

export function isShard(value: string): boolean {
  return value === nationalShard || provinces.has(value);
}

/** How a shard is named to people (Chinese first). */
export function shardLabel(shard: string): string {
  return shard === nationalShard ? '全国链 (national chain)' : `省级链 ${shard} (province chain ${shard})`;
}
