import { nationalRegion } from '#shared/identity/scope.ts';
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
 * GB/T 2260 names below the province for the regions the system serves
 * (广东省's prefecture-level cities and 广州市's districts). Provinces come
 * from the province table (#shared/verification/regions.ts). A code not
 * listed here falls back to its province with the code, so an unknown county
 * is never named as if it were the whole province.
 */
const cityAndCountyNames: Readonly<Record<string, string>> = {
  '440100': '广州市',
  '440103': '荔湾区',
  '440104': '越秀区',
  '440105': '海珠区',
  '440106': '天河区',
  '440111': '白云区',
  '440112': '黄埔区',
  '440113': '番禺区',
  '440114': '花都区',
  '440115': '南沙区',
  '440117': '从化区',
  '440118': '增城区',
  '440200': '韶关市',
  '440300': '深圳市',
  '440400': '珠海市',
  '440500': '汕头市',
  '440600': '佛山市',
  '440700': '江门市',
  '440800': '湛江市',
  '440900': '茂名市',
  '441200': '肇庆市',
  '441300': '惠州市',
  '441400': '梅州市',
  '441500': '汕尾市',
  '441600': '河源市',
  '441700': '阳江市',
  '441800': '清远市',
  '441900': '东莞市',
  '442000': '中山市',
  '445100': '潮州市',
  '445200': '揭阳市',
  '445300': '云浮市',
};

/**
 * A region as a reader names it: 全国, 广东省, 广州市, 广州市从化区 (a
 * county under its city); an unlisted county is its city or province with
 * its code (广州市（440199）, 福建省（350102）); an unknown code itself.
 */
export function regionName(code: string): string {
  if (code === nationalRegion) return nationalBox.name;
  const province = regionBoxFor(code);
  if (!province) return code;
  if (code === province.code) return province.name;
  const own = cityAndCountyNames[code];
  if (own && code.endsWith('00')) return own;
  const city = cityAndCountyNames[`${code.slice(0, 4)}00`];
  if (own && city) return `${city}${own}`;
  return `${city ?? province.name}（${code}）`;
}
