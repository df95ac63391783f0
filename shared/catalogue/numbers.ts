import type { ThemeId } from '#shared/reference/themes.ts';

/**
 * Unified result numbers (统一编号, R9.1).
 *
 * Scheme: `<custodian org code>-<year>-<theme code>-<6-digit sequence>`,
 * e.g. `440000-CUS-2026-GT-000001`. The org code begins with the custodian's
 * GB/T 2260 region code; its unit suffix is part of the number because two
 * custodians may share a region (a provincial centre and an implementer that
 * keeps its own results) and each numbers its own results from 1 every year.
 * The sequence is per custodian and registration year (China time), shared
 * by all themes, gapless: the counter `NUMSEQ#<custodianOrg>#<year>` moves in
 * the same transaction that creates the entry, conditional on its value, so
 * a failed registration uses no number and concurrent ones get consecutive
 * numbers. Numbers are never reused: a destroyed entry keeps its item and
 * number (status 'destroyed').
 */
export const themeCodes: Record<ThemeId, string> = {
  landSurvey: 'GT', // 国土
  forest: 'SL', // 森林
  grassland: 'CY', // 草原
  wetland: 'SD', // 湿地
  water: 'SZ', // 水资源
  landCover: 'DB', // 地表覆盖
  satelliteImagery: 'WX', // 卫星影像
  aerialPhotography: 'HS', // 航摄
  dom: 'ZS', // 正射影像
  dem: 'GC', // 高程模型
  dsm: 'BM', // 表面模型
  importantGeographicInformation: 'ZD', // 重要地理信息
  geological: 'DZ', // 地质
  marine: 'HY', // 海洋
};

/** 999,999 results per custodian and year is the scheme's capacity. */
export const maxSequence = 999_999;

export const resultNumberPattern = /^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}$/;

export function formatResultNumber(custodianOrg: string, year: number, theme: ThemeId, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > maxSequence) throw new RangeError(`sequence ${sequence} outside 1..${maxSequence}`);
  return `${custodianOrg}-${year}-${themeCodes[theme]}-${String(sequence).padStart(6, '0')}`;
}

export function parseResultNumber(n: string): { custodianOrg: string; year: number; themeCode: string; sequence: number } | undefined {
  if (!resultNumberPattern.test(n)) return undefined;
  const [region, unit, year, theme, seq] = n.split('-') as [string, string, string, string, string];
  return { custodianOrg: `${region}-${unit}`, year: Number(year), themeCode: theme, sequence: Number(seq) };
}
