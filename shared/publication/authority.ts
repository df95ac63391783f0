import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { roleSchema } from '#shared/identity/roles.ts';
import { themeIdSchema, type ThemeId } from '#shared/reference/themes.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import { visibleEntry } from '#shared/catalogue/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import { orgLevels, orgTypes, type Organisation, type Principal } from '#shared/schemas/identity.ts';

/**
 * The authority table (发布审批权限表, R12.1, R12.3): who approves the
 * publication of a result is data, not code. One row per
 * level × theme × organising department (× province, for a province's own
 * rules) → the approving organisations and the role that decides there.
 * Administrators maintain it (PUT, a new version each time, audited); the
 * rules the system ships with are version 0, in force until the first PUT.
 * Resolution picks the most specific matching row and says which one.
 */

/** An approving organisation: a fixed one (national), or the department of the result's own province. */
export const approverOrgSchema = z.union([
  z.object({ kind: z.literal('fixed'), orgCode: z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}$/, '组织代码格式应为“行政区划代码-类别”，如 100000-NR')) }),
  z.object({
    kind: z.literal('province'),
    suffix: described(z.string().check(z.regex(/^[A-Z]{2,8}$/, '组织类别应为 2–8 位大写字母，如 NR（自然资源）、FG（林业和草原）')), '成果所在省的主管部门组织代码后缀：NR 自然资源、FG 林业和草原'),
  }),
  z.object({ kind: z.literal('organiser') }),
]);
export type ApproverOrg = z.infer<typeof approverOrgSchema>;

export const authorityRuleSchema = z.object({
  ruleId: described(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, '规则编号应为 2–64 位字母、数字、点、下划线或连字符')), '规则编号（表内唯一）'),
  level: described(z.enum(orgLevels, { error: '级别应为 national、provincial、municipal 或 county' }), '成果级别（组织单位的级别）'),
  theme: described(z.union([themeIdSchema, z.literal('*')]), '成果专题；* 为任意专题'),
  organiserType: described(z.union([z.enum(orgTypes, { error: '组织部门类型不在支持范围内' }), z.literal('*')]), '组织部门类型；* 为任意'),
  province: described(z.union([z.string().check(z.regex(/^\d{2}0000$/, '省级行政区划代码应为 6 位且以 0000 结尾，如 440000')), z.literal('*')]), '仅适用于该省（省级代码）；* 为全国通用'),
  approvers: described(z
    .array(z.object({ org: approverOrgSchema, role: roleSchema })).check(z.minLength(1, '至少一个审批单位')).check(z.maxLength(2, '最多两个审批单位（联合审批）')), '审批单位及审批角色；两个即联合审批（R12.2）'),
  basis: described(z.string().check(z.trim()).check(z.minLength(2, '请写明依据（至少 2 个字）')).check(z.maxLength(300, '依据不超过 300 字')), '依据（法规、文件）'),
});
export type AuthorityRule = z.infer<typeof authorityRuleSchema>;

export const authorityTableSchema = z.object({
  version: described(z.number().check(z.int()).check(z.gte(0)), '版本号；0 为系统内置规则'),
  rules: z.array(authorityRuleSchema),
  updatedAt: z.optional(z.string()),
  updatedBy: z.optional(z.string()),
  reason: z.optional(z.string()),
});
export type AuthorityTable = z.infer<typeof authorityTableSchema>;

export const putAuthorityTableBodySchema = z.object({
  rules: z.array(authorityRuleSchema).check(z.minLength(1, '权限表至少一条规则')).check(z.maxLength(500, '权限表不超过 500 条规则')),
  expectedVersion: described(z.number().check(z.int()).check(z.gte(0)), '修改所依据的当前版本号；不一致时返回 409'),
  reason: z.string().check(z.trim()).check(z.minLength(2, '请说明修改原因（至少 2 个字）')).check(z.maxLength(500, '修改原因不超过 500 字')),
});
export type PutAuthorityTableBody = z.infer<typeof putAuthorityTableBodySchema>;

const nationalJointThemes: readonly ThemeId[] = ['forest', 'grassland', 'wetland'];

/** Version 0: the national and provincial rules the system ships with. */
export const seedAuthorityRules: readonly AuthorityRule[] = [
  ...nationalJointThemes.map(
    (theme): AuthorityRule => ({
      ruleId: `national-${theme}-joint`,
      level: 'national',
      theme,
      organiserType: '*',
      province: '*',
      approvers: [
        { org: { kind: 'fixed', orgCode: '100000-NR' }, role: 'publisher' },
        { org: { kind: 'fixed', orgCode: '100000-FG' }, role: 'publisher' },
      ],
      basis: '全国森林、草原、湿地调查监测成果由自然资源部会同国家林业和草原局审核发布（R12.2）',
    }),
  ),
  {
    ruleId: 'national-default',
    level: 'national',
    theme: '*',
    organiserType: '*',
    province: '*',
    approvers: [{ org: { kind: 'fixed', orgCode: '100000-NR' }, role: 'publisher' }],
    basis: '全国性自然资源调查监测成果由自然资源部审核发布（R12.1）',
  },
  ...nationalJointThemes.map(
    (theme): AuthorityRule => ({
      ruleId: `provincial-${theme}-forestry`,
      level: 'provincial',
      theme,
      organiserType: 'forestryGrassland',
      province: '*',
      approvers: [{ org: { kind: 'province', suffix: 'FG' }, role: 'publisher' }],
      basis: '省级林业和草原主管部门组织的森林、草原、湿地调查成果由该部门审核发布（R12.3）',
    }),
  ),
  ...(['provincial', 'municipal', 'county'] as const).map(
    (level): AuthorityRule => ({
      ruleId: `${level}-default`,
      level,
      theme: '*',
      organiserType: '*',
      province: '*',
      approvers: [{ org: { kind: 'province', suffix: 'NR' }, role: 'publisher' }],
      basis: '地方调查监测成果由省级自然资源主管部门审核发布（R12.3）',
    }),
  ),
];

export const seedAuthorityTable: AuthorityTable = { version: 0, rules: [...seedAuthorityRules], reason: '系统内置规则（全国与省级）' };

/** What a publication is: the result's level, theme, organising department and place. */
export interface PublicationSubject {
  readonly theme: ThemeId;
  readonly organiser: Pick<Organisation, 'code' | 'level' | 'type' | 'regionCode'>;
  /** The result's own region (GB/T 2260); its province picks provincial rules and approvers. */
  readonly regionCode: string;
}

export interface ResolvedApprover {
  readonly orgCode: string;
  readonly role: z.infer<typeof roleSchema>;
}

export interface AuthorityResolution {
  readonly tableVersion: number;
  readonly rule: AuthorityRule;
  readonly approvers: readonly ResolvedApprover[];
  /** Two approvers: both must approve (R12.2). */
  readonly joint: boolean;
  /** Chinese: which rule applied and why. */
  readonly explanation: string;
}

export const provinceOf = (regionCode: string): string => (regionCode === '100000' ? '100000' : `${regionCode.slice(0, 2)}0000`);

const matches = (r: AuthorityRule, s: PublicationSubject, province: string) =>
  r.level === s.organiser.level &&
  (r.theme === '*' || r.theme === s.theme) &&
  (r.organiserType === '*' || r.organiserType === s.organiser.type) &&
  (r.province === '*' || r.province === province);

/** Specificity: a province's own rule over a general one, then theme, then organising department. */
const specificity = (r: AuthorityRule) => (r.province === '*' ? 0 : 4) + (r.theme === '*' ? 0 : 2) + (r.organiserType === '*' ? 0 : 1);

export const levelLabels: Record<(typeof orgLevels)[number], string> = { national: '国家级', provincial: '省级', municipal: '市级', county: '县级' };

export class NoAuthorityRuleError extends ConflictError {
  constructor(what: string) {
    super('NO_AUTHORITY_RULE', `发布审批权限表中没有适用于${what}的规则，请管理员补充后再申请发布`);
  }
}

/**
 * The approving authority of a publication: the most specific matching row
 * (rows are unique per key, so there is never a tie), its approvers made
 * concrete for the result's province or organiser.
 */
export function resolveAuthority(table: AuthorityTable, subject: PublicationSubject): AuthorityResolution {
  const province = provinceOf(subject.regionCode);
  const candidates = table.rules.filter((r) => matches(r, subject, province)).sort((a, b) => specificity(b) - specificity(a));
  const rule = candidates[0];
  const what = `${levelLabels[subject.organiser.level]}、专题 ${subject.theme}、组织部门 ${subject.organiser.code}`;
  if (!rule) throw new NoAuthorityRuleError(what);
  const approvers = rule.approvers.map((a): ResolvedApprover => {
    switch (a.org.kind) {
      case 'fixed':
        return { orgCode: a.org.orgCode, role: a.role };
      case 'organiser':
        return { orgCode: subject.organiser.code, role: a.role };
      case 'province':
        if (province === '100000') throw new NoAuthorityRuleError(`${what}（全国范围的成果没有“所在省”审批单位）`);
        return { orgCode: `${province}-${a.org.suffix}`, role: a.role };
    }
  });
  return {
    tableVersion: table.version,
    rule,
    approvers,
    joint: approvers.length > 1,
    explanation: `适用权限表第 ${table.version} 版规则 ${rule.ruleId}（${rule.basis}）：由 ${approvers.map((a) => a.orgCode).join(' 与 ')} 的发布审批人${approvers.length > 1 ? '联合' : ''}审批`,
  };
}

/** Is this person one of the resolved approvers? (An approver outside the table → 403.) */
export function isApprover(resolution: Pick<AuthorityResolution, 'approvers'>, person: Pick<Principal, 'orgCode' | 'roles'>): ResolvedApprover | undefined {
  return resolution.approvers.find((a) => a.orgCode === person.orgCode && person.roles.includes(a.role));
}

const ruleKey = (r: AuthorityRule) => `${r.level}|${r.theme}|${r.organiserType}|${r.province}`;

/** The rows must be unique by id and by key (level × theme × organiser × province): otherwise resolution would be ambiguous. */
export function checkRules(rules: readonly AuthorityRule[]): void {
  const issues: { field: string; code: string; message: string }[] = [];
  const ids = new Map<string, number>();
  const keysSeen = new Map<string, number>();
  rules.forEach((r, i) => {
    const id = ids.get(r.ruleId);
    if (id !== undefined) issues.push({ field: `body.rules.${i}.ruleId`, code: 'DUPLICATE_RULE_ID', message: `规则编号 ${r.ruleId} 与第 ${id + 1} 条重复` });
    ids.set(r.ruleId, i);
    const k = keysSeen.get(ruleKey(r));
    if (k !== undefined) issues.push({ field: `body.rules.${i}`, code: 'DUPLICATE_RULE', message: `规则 ${r.ruleId} 与第 ${k + 1} 条适用范围相同（级别×专题×组织部门×省份），无法确定审批单位` });
    keysSeen.set(ruleKey(r), i);
    const joint = new Set(r.approvers.map((a) => JSON.stringify(a.org)));
    if (joint.size !== r.approvers.length) issues.push({ field: `body.rules.${i}.approvers`, code: 'DUPLICATE_APPROVER', message: `规则 ${r.ruleId} 的审批单位重复` });
  });
  if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues[0]!.field} ${issues[0]!.message}`, issues);
}

/** The authority table in the registry: AUTHORITY / V#<n> per version, AUTHORITY / CURRENT the one in force. */
export interface AuthorityTableStore {
  /** The table in force (undefined before the first PUT: the seed, version 0, applies). */
  current(): Promise<AuthorityTable | undefined>;
  /** One stored version. */
  version(n: number): Promise<AuthorityTable | undefined>;
  /** Stores version `table.version` and makes it current, conditional on the current one being `table.version - 1`; else ConflictError AUTHORITY_TABLE_CHANGED. Audited in the same transaction. */
  put(table: AuthorityTable, audit: AuditEntry): Promise<void>;
}
export type AuthorityTableReader = Pick<AuthorityTableStore, 'current' | 'version'>;

export class AuthorityTableChangedError extends ConflictError {
  constructor(expected: number) {
    super('AUTHORITY_TABLE_CHANGED', `发布审批权限表已不是第 ${expected} 版（刚被其他管理员修改），本次未保存；请刷新后核对再提交`);
  }
}

export async function currentAuthorityTable(store: Pick<AuthorityTableStore, 'current'>): Promise<AuthorityTable> {
  return (await store.current()) ?? seedAuthorityTable;
}

export async function getAuthorityTable(store: AuthorityTableReader, cmd: { version?: number }): Promise<AuthorityTable> {
  if (cmd.version === undefined) return currentAuthorityTable(store);
  if (cmd.version === 0) return seedAuthorityTable;
  const t = await store.version(cmd.version);
  if (!t) throw new NotFoundError(`发布审批权限表没有第 ${cmd.version} 版`);
  return t;
}

/**
 * PUT /publication/authorities: a new version of the whole table.
 * A national administrator may change any row; a provincial administrator
 * only rows of their own province (added, changed or removed) — else 403
 * naming the row. The same table again writes nothing (changed: false).
 */
export async function putAuthorityTable(
  ports: { authorities: AuthorityTableStore; now: () => Date },
  cmd: { actor: Principal; body: PutAuthorityTableBody; requestId: string },
): Promise<{ table: AuthorityTable; changed: boolean }> {
  const { actor, body } = cmd;
  if (!actor.roles.includes('administrator')) throw new ForbiddenError('只有系统管理员可以维护发布审批权限表');
  checkRules(body.rules);
  const current = await currentAuthorityTable(ports.authorities);
  if (current.version !== body.expectedVersion) throw new AuthorityTableChangedError(body.expectedVersion);
  const before = new Map(current.rules.map((r) => [r.ruleId, JSON.stringify(r)]));
  const after = new Map(body.rules.map((r) => [r.ruleId, JSON.stringify(r)]));
  const touched = [
    ...current.rules.filter((r) => after.get(r.ruleId) !== JSON.stringify(r)),
    ...body.rules.filter((r) => before.get(r.ruleId) !== JSON.stringify(r)),
  ];
  if (touched.length === 0) return { table: current, changed: false };
  const actorRegion = actor.orgCode.slice(0, 6);
  const actorProvince = provinceOf(actorRegion);
  if (actorRegion !== actorProvince) throw new ForbiddenError('发布审批权限表由部级或省级管理员维护；市、县级管理员不能修改');
  if (actorProvince !== '100000') {
    const outside = touched.find((r) => r.province !== actorProvince);
    if (outside) {
      throw new ForbiddenError(`省级管理员只能维护本省（${actorProvince}）的规则；规则 ${outside.ruleId} 适用于 ${outside.province === '*' ? '全国' : outside.province}，须由部级管理员修改`);
    }
  }
  const table: AuthorityTable = { version: current.version + 1, rules: body.rules, updatedAt: ports.now().toISOString(), updatedBy: actor.userId, reason: body.reason };
  await ports.authorities.put(table, {
    actor: actor.userId,
    orgCode: actor.orgCode,
    action: 'publication.authorities.put',
    target: 'AUTHORITY',
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { version: table.version, previousVersion: current.version, reason: body.reason, changedRules: [...new Set(touched.map((r) => r.ruleId))] },
  });
  return { table, changed: true };
}

/** The subject of a catalogue entry: its organiser's level and department, its theme and region. */
export async function subjectOfEntry(identity: Pick<IdentityRepository, 'getOrganisation'>, entry: Pick<CatalogueEntry, 'theme' | 'organiserOrg' | 'spatialScope'>): Promise<PublicationSubject> {
  const organiser = await identity.getOrganisation(entry.organiserOrg);
  if (!organiser) throw new NotFoundError(`组织单位 ${entry.organiserOrg} 不存在`);
  return { theme: entry.theme, organiser, regionCode: entry.spatialScope.regionCode };
}

/** GET /catalogue/{resultNumber}/publication-authority: the entry through the one access rule, then the table. */
export async function resolvePublicationAuthority(
  ports: { catalogue: Pick<CatalogueStore, 'getEntry'>; identity: Pick<IdentityRepository, 'getOrganisation'>; authorities: Pick<AuthorityTableStore, 'current'> },
  cmd: { actor: Principal; resultNumber: string },
): Promise<AuthorityResolution & { resultNumber: string }> {
  const entry = await visibleEntry(ports.catalogue, cmd.actor, cmd.resultNumber);
  const resolution = resolveAuthority(await currentAuthorityTable(ports.authorities), await subjectOfEntry(ports.identity, entry));
  return { resultNumber: entry.resultNumber, ...resolution };
}
