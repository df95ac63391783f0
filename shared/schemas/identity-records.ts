import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { roleSchema } from '#shared/identity/roles.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';

/**
 * The identity records as the registry stores them (issue 10): every HTTP function reads the caller and its
 * organisation through these, so they must not carry the GB/T 2260 code table (≈ 26 KB minified). A stored
 * organisation's region code was checked against the table when it was written (`organisationSchema` in
 * shared/schemas/identity.ts, the administration's schema); read back it is checked for its six digits only.
 */
/**
 * A result's region (R9.2 spatial scope): six digits here; whether it was a GB/T 2260 code at the result's
 * time point is checked with the time point (shared/reference/region-history.ts, issue 12: a 2014 result may
 * name 330183 富阳市, which became 330111 富阳区), by the domain that has both.
 */
export const regionCodeAtTimePointSchema = z.string().check(z.regex(/^\d{6}$/, { error: '应为 6 位行政区划代码（GB/T 2260）', abort: true }));

export const orgLevels = ['national', 'provincial', 'municipal', 'county'] as const;
export const orgTypes = [
  'naturalResources', // 自然资源主管部门
  'forestryGrassland', // 林业和草原主管部门
  'custodian', // 成果保管单位
  'implementer', // 实施单位（调查监测单位）
  'technicalUnit', // 技术单位
  'requester', // 需求部门（单位）
] as const;

export const organisationRecordSchema = z.object({
  /** Unique organisation code, e.g. `440000-NR` (region + kind). */
  code: z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}$/, '组织代码格式应为“行政区划代码-类别”，如 440000-NR')),
  name: z.string().check(z.minLength(2)).check(z.maxLength(100)),
  regionCode: regionCodeAtTimePointSchema,
  level: z.enum(orgLevels),
  type: z.enum(orgTypes),
  parentCode: z.optional(z.string()),
  /** Deactivated, never deleted (issue 12): records keep pointing at the organisation. */
  deactivatedAt: described(z.optional(z.string()), '停用时间；停用的组织不删除，已有记录仍指向它'),
  /** R4.1: the organiser's standing custodian per theme (theme id → organisation code). */
  custodians: described(z.optional(z.record(z.string(), z.string())), '常设保管单位：成果专题 → 保管单位组织代码（R4.1）'),
  /** R7.1: the organiser's technical units for verification. */
  technicalUnits: described(z.optional(z.array(z.string())), '承担技术核验的技术单位组织代码（R7.1）'),
  /** Revision, +1 on every change: a change is written only if nobody changed the record since it was read. */
  rev: described(z.optional(z.number().check(z.int()).check(z.nonnegative())), '修订号，每次修改加 1'),
});
export type Organisation = z.infer<typeof organisationRecordSchema>;

export const userSchema = z.object({
  userId: z.string().check(z.regex(/^[a-z][a-z0-9.-]{2,63}$/, '用户名应为小写字母开头的 3–64 位字母、数字、点或连字符')),
  name: z.string().check(z.minLength(1)).check(z.maxLength(50)),
  email: z.email(),
  orgCode: z.string(),
  roles: z.array(roleSchema).check(z.minLength(1)),
  clearance: classificationSchema,
  /** The external issuer's subject (`sub`) on aws-cn; matched before the email (issue 12). */
  subject: described(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(255))), '外部身份提供方的用户标识（sub），aws-cn 部署按此或邮箱匹配'),
  /** Deactivated, never deleted: sign-in refused, the person stays in the records. */
  deactivatedAt: described(z.optional(z.string()), '停用时间；停用后不能登录，历史记录保留'),
  rev: described(z.optional(z.number().check(z.int()).check(z.nonnegative())), '修订号，每次修改加 1'),
});
export type User = z.infer<typeof userSchema>;

/** Who is calling: the verified token's user, as the registry knows them. */
export type Principal = User;
