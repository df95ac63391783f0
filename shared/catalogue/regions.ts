import { nationalRegion } from '#shared/identity/scope.ts';
import { gbt2260Name } from '#shared/identity/gbt2260.ts';
import { nationalBox, regionBoxFor } from '#shared/verification/regions.ts';

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

/**
 * A region as a reader names it: 全国, 广东省, 广州市, 广州市从化区 (a
 * county under its city), 北京市东城区 and 河南省济源市 (a county directly
 * under a municipality or its province); names from the complete GB/T 2260 table (#shared/identity/gbt2260.ts).
 * A code not in the table is its city or province with its code
 * (广州市（440199）), so an unknown county is never named as if it were the
 * whole province; an unknown province's code is the code itself.
 */
export function regionName(code: string): string {
  if (code === nationalRegion) return nationalBox.name;
  const own = gbt2260Name(code);
  const province = gbt2260Name(`${code.slice(0, 2)}0000`) ?? regionBoxFor(code)?.name;
  if (!province) return code;
  if (code.endsWith('0000')) return own ?? code;
  const city = gbt2260Name(`${code.slice(0, 4)}00`);
  if (own && code.endsWith('00')) return own;
  // A county under a city is named with it (广州市从化区); one directly under its province or a
  // municipality with the province (北京市东城区, 河南省济源市): 朝阳区 alone could be in 北京 or 长春.
  if (own) return `${city ?? province}${own}`;
  return `${city ?? province}（${code}）`;
}
