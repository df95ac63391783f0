import { brotliDecompressSync } from 'node:zlib';
import { dates, goneNames, partial, source } from './gbt2260-history.ts';
import { gbt2260Name, isGbt2260Code } from './regions.ts';

/**
 * Regions in time (issue 12, R3.1): a GB/T 2260 code is valid at a time point — a result's time point may predate a
 * code change (330183 富阳市 became 330111 富阳区 at the end of 2014). The tables are generated from npm packages by
 * scripts/build-gbt2260-history.ts: the 19 revisions 2002-12 … 2016-07 of `gb2260` and today's table
 * (gbt2260.json, in force on the last of `dates`).
 *
 * The rule for a time point t, with the tables in force on d0 < d1 < … < dn:
 *  - t on or after dn: today's table;
 *  - t before d0 (2002-12-31): the earliest table (nothing older is in the data);
 *  - di ≤ t < di+1: a code of either table — the day of a change between two tables is not in the data, so
 *    both the old and the new code are accepted in between. Between 2016-07 and today's table this window is
 *    wide (the packages hold no revision in between): a code abolished or created then is accepted for any
 *    time point in it.
 * Codes of 台湾, 香港, 澳门 (71, 81, 82) are not in the mainland revisions and are judged by today's table only.
 */
export const regionHistorySource: string = source;
export const regionHistoryDates: readonly string[] = dates;

const unpack = (packed: string): string => brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');

let masks: ReadonlyMap<string, number> | undefined;
let gone: ReadonlyMap<string, string> | undefined;
function load(): { masks: ReadonlyMap<string, number>; gone: ReadonlyMap<string, string> } {
  if (!masks || !gone) {
    const entries = unpack(partial).split(' ').map((e) => [e.slice(0, 6), parseInt(e.slice(6), 36)] as const);
    masks = new Map(entries);
    const names = unpack(goneNames).split('|');
    const last = 1 << (dates.length - 1);
    gone = new Map(entries.filter(([, mask]) => (mask & last) === 0).map(([code], i) => [code, names[i]!]));
  }
  return { masks, gone };
}

/** The tables (bit i: dates[i]) that have the code; 0 for a code in none. */
function tablesOf(code: string): number {
  const all = (1 << dates.length) - 1;
  if (/^(71|81|82)/.test(code)) return isGbt2260Code(code) ? all : 0;
  const mask = load().masks.get(code);
  if (mask !== undefined) return mask;
  return isGbt2260Code(code) ? all : 0;
}

/** The name of a code in today's table, else its last name before it was abolished; undefined if never a code. */
export function historicName(code: string): string | undefined {
  return gbt2260Name(code) ?? load().gone.get(code);
}

export type RegionAtTime =
  | { readonly valid: true }
  | { readonly valid: false; readonly code: 'UNKNOWN_REGION' | 'REGION_NOT_YET_VALID' | 'REGION_NO_LONGER_VALID'; readonly message: string };

/** The last table on or before `at` that has the code. */
const lastBefore = (mask: number, at: string) => dates.filter((d, i) => mask & (1 << i) && d <= at).at(-1);
const first = (mask: number) => dates.find((_, i) => mask & (1 << i));

/** Whether `code` (6 digits; 100000 the country) was a GB/T 2260 code at the time point `at` (YYYY-MM-DD), and why not. */
export function regionValidAt(code: string, at: string): RegionAtTime {
  if (code === '100000') return { valid: true };
  const mask = tablesOf(code);
  if (mask === 0) {
    return { valid: false, code: 'UNKNOWN_REGION', message: `行政区划代码 ${code} 不在任何一版 GB/T 2260 代码表中（县级及以上，${dates[0]} 起；全国为 100000）` };
  }
  const n = dates.length;
  const i = dates.findLastIndex((d) => d <= at);
  const allowed = i === n - 1 ? 1 << i : i < 0 ? 1 : (1 << i) | (1 << (i + 1));
  if (mask & allowed) return { valid: true };
  const name = historicName(code) ?? code;
  if (at < first(mask)!) {
    return {
      valid: false,
      code: 'REGION_NOT_YET_VALID',
      message: `行政区划代码 ${code}（${name}）在成果时点 ${at} 尚未启用：GB/T 2260 自 ${first(mask)} 的代码表起才有该代码，请使用成果时点当时的行政区划代码`,
    };
  }
  return {
    valid: false,
    code: 'REGION_NO_LONGER_VALID',
    message: `行政区划代码 ${code}（${name}）在成果时点 ${at} 已不再使用：GB/T 2260 代码表最后见于 ${lastBefore(mask, at)} 的一版，请使用成果时点当时的行政区划代码`,
  };
}
