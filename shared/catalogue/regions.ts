import { nationalRegion } from '#shared/identity/scope.ts';

/**
 * GB/T 2260 codes nest by digits: 44 广东省 ⊃ 4401 广州市 ⊃ 440117 从化区.
 * An entry is indexed under every level of its code — province prefix,
 * city prefix, county code — so a search by a province is one Query of the
 * province's partition and finds its cities and counties too. 100000
 * (national) has its own key 'CN'; a national search is a search of all.
 */
export function regionKey(code: string): string {
  if (code === nationalRegion) return 'CN';
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** The keys an entry with this region is indexed under, outermost first. */
export function regionKeys(code: string): string[] {
  if (code === nationalRegion) return ['CN'];
  const out = [code.slice(0, 2)];
  if (!code.endsWith('0000')) out.push(code.slice(0, 4));
  if (!code.endsWith('00')) out.push(code);
  return out;
}

/** The codes strictly above `code` (city, province, national), nearest first. */
export function ancestorCodes(code: string): string[] {
  if (code === nationalRegion) return [];
  const out: string[] = [];
  if (!code.endsWith('00')) out.push(`${code.slice(0, 4)}00`);
  if (!code.endsWith('0000')) out.push(`${code.slice(0, 2)}0000`);
  out.push(nationalRegion);
  return out;
}
