import * as z from 'zod/mini';
import { isGbt2260Code } from '#shared/reference/regions.ts';
import { organisationRecordSchema } from '#shared/schemas/identity-records.ts';

/**
 * GB/T 2260 six-digit administrative division code; 100000 = national. Checked against the complete
 * code table (shared/reference/regions.ts), not by digits alone: 449999 and 440199 are refused.
 */
export const regionCodeSchema = z
  .string().check(z.regex(/^\d{6}$/, { error: '应为 6 位行政区划代码（GB/T 2260）', abort: true })).check(z.refine((code) => code === '100000' || isGbt2260Code(code), { error: (issue) => `行政区划代码 ${String(issue.input)} 不在 GB/T 2260 代码表中（县级及以上；全国为 100000）`, abort: true }));


export { orgLevels, orgTypes, regionCodeAtTimePointSchema, userSchema, type Organisation, type Principal, type User } from '#shared/schemas/identity-records.ts';

/** An organisation as the administration writes it: its region code checked against the GB/T 2260 table. */
export const organisationSchema = z.extend(organisationRecordSchema, { regionCode: regionCodeSchema });
