import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { DirectoryAdministration, IdentityRepository, PersonLookup, SignInAccounts } from '#shared/ports/identity.ts';
import { classificationLabels, classifications, type Classification } from '#shared/reference/classifications.ts';
import { themeIds, themeProfiles, type ThemeId } from '#shared/reference/themes.ts';
import { orgLevels, type Organisation, type Principal, type User } from '#shared/schemas/identity.ts';
import { isSameOrAbove } from '#shared/security/access.ts';
import type { Role } from './roles.ts';
import { nationalRegion, regionCovers } from './scope.ts';

/**
 * Administration of organisations and people (issue 12; R3.1, R4.1, R7.1).
 *
 * Scope: an administrator acts on its own organisation and the ones below it (by parentCode); the administrator of a
 * national natural-resources department (自然资源部) acts everywhere. Never delete: organisations and people are
 * deactivated and stay in the records. Every change is one conditional write with its audit record; bad input is a
 * 400 naming the field, and nothing is written.
 */

/** Who acts: a signed-in administrator, or the system itself (the local seed) with `everywhere`. */
export type AdminActor = Pick<Principal, 'userId' | 'orgCode' | 'roles' | 'clearance'> & { readonly everywhere?: true };

export interface AdminPorts {
  readonly identity: IdentityRepository & PersonLookup;
  readonly directory: DirectoryAdministration;
  readonly accounts: SignInAccounts;
  readonly now: () => Date;
}

export type OrgLevel = Organisation['level'];
export type OrgType = Organisation['type'];

export const orgTypeLabels: Record<OrgType, string> = {
  naturalResources: '自然资源主管部门',
  forestryGrassland: '林业和草原主管部门',
  custodian: '成果保管单位',
  implementer: '实施单位',
  technicalUnit: '技术单位',
  requester: '需求部门',
};
export const orgLevelLabels: Record<OrgLevel, string> = { national: '国家级', provincial: '省级', municipal: '市级', county: '县级' };

/** The level a GB/T 2260 code stands for: 100000 national, xx0000 provincial, xxxx00 municipal, else county. */
export function levelOfRegion(regionCode: string): OrgLevel {
  if (regionCode === nationalRegion) return 'national';
  if (regionCode.endsWith('0000')) return 'provincial';
  if (regionCode.endsWith('00')) return 'municipal';
  return 'county';
}

const levelRank = (l: OrgLevel) => orgLevels.indexOf(l);
const classRank = (c: Classification) => classifications.indexOf(c);

function fail(issues: FieldIssue[]): void {
  const first = issues[0];
  if (first) throw new ValidationError(`请求参数有误：${first.field} ${first.message}`, issues);
}

export function isAdministrator(actor: Pick<Principal, 'roles'>): boolean {
  return actor.roles.includes('administrator');
}

/** True when the actor administers everywhere: the system, or an administrator of a national natural-resources department. */
export async function administersEverywhere(identity: Pick<IdentityRepository, 'getOrganisation'>, actor: AdminActor): Promise<boolean> {
  if (actor.everywhere) return true;
  if (!isAdministrator(actor)) return false;
  const own = await identity.getOrganisation(actor.orgCode);
  return own?.level === 'national' && own.type === 'naturalResources' && own.deactivatedAt === undefined;
}

/** Whether `actor` may administer the organisation `orgCode` (its own, one below it, or everywhere). */
export async function administers(identity: Pick<IdentityRepository, 'getOrganisation'>, actor: AdminActor, orgCode: string): Promise<boolean> {
  if (!isAdministrator(actor) && !actor.everywhere) return false;
  if (await administersEverywhere(identity, actor)) return true;
  return isSameOrAbove(identity, actor.orgCode, orgCode);
}

async function requireAdministers(identity: Pick<IdentityRepository, 'getOrganisation'>, actor: AdminActor, orgCode: string, what: string): Promise<void> {
  if (!isAdministrator(actor) && !actor.everywhere) throw new ForbiddenError(`无权${what}：需要系统管理员角色`);
  if (!(await administers(identity, actor, orgCode))) {
    throw new ForbiddenError(`无权${what}：组织 ${orgCode} 不在您的管理范围内（您可管理本单位 ${actor.orgCode} 及其下级组织）`);
  }
}

function entry(actor: AdminActor, action: string, target: string, requestId: string, detail: Record<string, unknown>): AuditEntry {
  return { actor: actor.userId, orgCode: actor.orgCode, action, target, outcome: 'success', requestId, detail };
}

async function getOrg(identity: IdentityRepository, code: string): Promise<Organisation> {
  const org = await identity.getOrganisation(code);
  if (!org) throw new NotFoundError(`组织 ${code} 不存在，请核对组织代码（如 440000-NR）`);
  return org;
}

/**
 * Where an organisation may sit: its code begins with its region code; its level is its region's; its parent exists,
 * is active, is not below it (level) and its region contains the child's. Issues name the input's fields.
 */
async function placementIssues(
  identity: IdentityRepository,
  org: Pick<Organisation, 'code' | 'regionCode' | 'level' | 'parentCode'>,
  fields: { code: string; regionCode: string; level: string; parentCode: string },
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  if (!org.code.startsWith(`${org.regionCode}-`)) {
    issues.push({ field: fields.code, code: 'CODE_REGION', message: `组织代码 ${org.code} 应以其行政区划代码 ${org.regionCode} 开头（如 ${org.regionCode}-NR）` });
  }
  const level = levelOfRegion(org.regionCode);
  if (org.level !== level) {
    issues.push({ field: fields.level, code: 'LEVEL_MISMATCH', message: `行政区划 ${org.regionCode} 为${orgLevelLabels[level]}，与层级 ${orgLevelLabels[org.level]} 不符` });
  }
  if (org.parentCode === undefined) return issues;
  if (org.parentCode === org.code) {
    issues.push({ field: fields.parentCode, code: 'PARENT_SELF', message: '上级组织不能是其本身' });
    return issues;
  }
  const parent = await identity.getOrganisation(org.parentCode);
  if (!parent) issues.push({ field: fields.parentCode, code: 'UNKNOWN_ORG', message: `上级组织 ${org.parentCode} 未在系统中登记` });
  else if (parent.deactivatedAt) issues.push({ field: fields.parentCode, code: 'ORG_INACTIVE', message: `上级组织 ${parent.name}（${parent.code}）已停用` });
  else if (levelRank(parent.level) > levelRank(org.level)) {
    issues.push({
      field: fields.parentCode,
      code: 'PARENT_LEVEL',
      message: `上级组织 ${parent.name}（${orgLevelLabels[parent.level]}）层级低于本组织（${orgLevelLabels[org.level]}），不能作为其上级`,
    });
  } else if (!regionCovers(parent.regionCode, org.regionCode)) {
    issues.push({ field: fields.parentCode, code: 'PARENT_REGION', message: `上级组织 ${parent.name}（${parent.regionCode}）的辖区不包含 ${org.regionCode}` });
  }
  return issues;
}

export interface CreateOrganisationInput {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
  readonly level?: OrgLevel;
  readonly type: OrgType;
  readonly parentCode?: string;
}

export interface OrganisationResult {
  readonly organisation: Organisation;
  /** false: the same organisation already existed, nothing written (idempotent). */
  readonly changed: boolean;
  readonly auditSeq?: number;
}

/** Creates an organisation under a parent the actor administers; a top-level one only by the national administrator. */
export async function createOrganisation(
  cmd: { actor: AdminActor; input: CreateOrganisationInput; requestId: string; fields?: Partial<Record<keyof CreateOrganisationInput, string>> },
  ports: Pick<AdminPorts, 'identity' | 'directory'>,
): Promise<OrganisationResult> {
  const { actor, input } = cmd;
  const field = (k: keyof CreateOrganisationInput) => cmd.fields?.[k] ?? `body.${k}`;
  if (input.parentCode === undefined) {
    if (!(await administersEverywhere(ports.identity, actor))) throw new ForbiddenError('无权创建顶级组织：仅国家级系统管理员可创建无上级的组织');
  } else {
    if (!(await ports.identity.getOrganisation(input.parentCode))) {
      fail([{ field: field('parentCode'), code: 'UNKNOWN_ORG', message: `上级组织 ${input.parentCode} 未在系统中登记` }]);
    }
    await requireAdministers(ports.identity, actor, input.parentCode, `在 ${input.parentCode} 下创建组织`);
  }
  const org: Organisation = {
    code: input.code,
    name: input.name.trim(),
    regionCode: input.regionCode,
    level: input.level ?? levelOfRegion(input.regionCode),
    type: input.type,
    ...(input.parentCode !== undefined ? { parentCode: input.parentCode } : {}),
  };
  const existing = await ports.identity.getOrganisation(org.code);
  if (existing) {
    if (existing.name === org.name && existing.regionCode === org.regionCode && existing.level === org.level && existing.type === org.type && existing.parentCode === org.parentCode) {
      return { organisation: existing, changed: false };
    }
    throw new ConflictError('ORG_EXISTS', `组织代码 ${org.code} 已被 ${existing.name} 使用`, [{ field: field('code'), code: 'ORG_EXISTS', message: `组织代码 ${org.code} 已被 ${existing.name} 使用` }]);
  }
  fail(await placementIssues(ports.identity, org, { code: field('code'), regionCode: field('regionCode'), level: field('level'), parentCode: field('parentCode') }));
  const { seq, organisation } = await ports.directory.createOrganisation(
    org,
    entry(actor, 'identity.org.create', `ORG#${org.code}`, cmd.requestId, { name: org.name, regionCode: org.regionCode, level: org.level, type: org.type, parentCode: org.parentCode ?? null }),
  );
  return { organisation, changed: true, auditSeq: seq };
}

export interface UpdateOrganisationInput {
  readonly name?: string;
  readonly parentCode?: string;
  /** false deactivates, true reactivates. */
  readonly active?: boolean;
  readonly reason?: string;
}

/**
 * Rename, move under another parent, deactivate or reactivate. A move needs the actor to administer both the
 * organisation and its new parent, and may not put it below itself. Deactivation is refused while active people or
 * active organisations are under it (they would be orphaned); never a delete.
 */
export async function updateOrganisation(
  cmd: { actor: AdminActor; code: string; input: UpdateOrganisationInput; requestId: string },
  ports: Pick<AdminPorts, 'identity' | 'directory' | 'now'>,
): Promise<OrganisationResult> {
  const { actor, input } = cmd;
  const before = await getOrg(ports.identity, cmd.code);
  await requireAdministers(ports.identity, actor, before.code, `修改组织 ${before.code}`);
  const after: Organisation = { ...before };
  const changes: Record<string, unknown> = {};
  if (input.name !== undefined && input.name.trim() !== before.name) {
    after.name = input.name.trim();
    changes['name'] = { from: before.name, to: after.name };
  }
  if (input.parentCode !== undefined && input.parentCode !== before.parentCode) {
    if (!before.parentCode) throw new ForbiddenError(`组织 ${before.code} 是顶级组织，不能移动`);
    await requireAdministers(ports.identity, actor, input.parentCode, `将组织移到 ${input.parentCode} 下`);
    if (await isSameOrAbove(ports.identity, before.code, input.parentCode)) {
      fail([{ field: 'body.parentCode', code: 'PARENT_CYCLE', message: `${input.parentCode} 是 ${before.code} 本身或其下级，不能作为其上级` }]);
    }
    after.parentCode = input.parentCode;
    fail(await placementIssues(ports.identity, after, { code: 'path.code', regionCode: 'path.code', level: 'path.code', parentCode: 'body.parentCode' }));
    changes['parentCode'] = { from: before.parentCode, to: input.parentCode };
  }
  if (input.active === false && !before.deactivatedAt) {
    const [users, children] = await Promise.all([ports.identity.listUsers(before.code), ports.identity.listOrganisations(before.code)]);
    const activeUsers = users.filter((u) => !u.deactivatedAt).map((u) => u.userId);
    const activeChildren = children.filter((o) => !o.deactivatedAt).map((o) => o.code);
    if (activeUsers.length > 0 || activeChildren.length > 0) {
      const what = [activeUsers.length ? `在用人员 ${activeUsers.join('、')}` : '', activeChildren.length ? `在用下级组织 ${activeChildren.join('、')}` : ''].filter(Boolean).join('；');
      throw new ConflictError('ORG_IN_USE', `组织 ${before.code} 仍有${what}：请先停用或移走，再停用该组织`, [{ field: 'body.active', code: 'ORG_IN_USE', message: what }]);
    }
    after.deactivatedAt = ports.now().toISOString();
    changes['deactivated'] = true;
  } else if (input.active === true && before.deactivatedAt) {
    delete after.deactivatedAt;
    changes['reactivated'] = true;
  }
  if (Object.keys(changes).length === 0) return { organisation: before, changed: false };
  const { seq, organisation } = await ports.directory.replaceOrganisation(
    before,
    after,
    entry(actor, 'identity.org.update', `ORG#${before.code}`, cmd.requestId, { ...changes, ...(input.reason ? { reason: input.reason } : {}) }),
  );
  return { organisation, changed: true, auditSeq: seq };
}

/** The organisation types that organise surveys and so designate custodians and technical units. */
export const organiserTypes: readonly OrgType[] = ['naturalResources', 'forestryGrassland'];

export interface DesignationsInput {
  /** R4.1: theme → custodian organisation. */
  readonly custodians: Partial<Record<string, string>>;
  /** R7.1: technical units that take part in verification. */
  readonly technicalUnits: readonly string[];
}

/**
 * R4.1, R7.1: an organiser's standing designations — its custodian per theme and its technical units. Each must be
 * registered, active, of the right type (custodian unit, technical unit) and able to act in the organiser's whole
 * region. The whole set is replaced; the same set again changes nothing.
 */
export async function setDesignations(
  cmd: { actor: AdminActor; code: string; input: DesignationsInput; requestId: string },
  ports: Pick<AdminPorts, 'identity' | 'directory'>,
): Promise<OrganisationResult> {
  const organiser = await getOrg(ports.identity, cmd.code);
  await requireAdministers(ports.identity, cmd.actor, organiser.code, `设定 ${organiser.code} 的常设保管单位与技术单位`);
  if (!organiserTypes.includes(organiser.type)) {
    throw new ForbiddenError(`${organiser.name}（${orgTypeLabels[organiser.type]}）不是组织部门，不能指定保管单位或技术单位`);
  }
  const issues: FieldIssue[] = [];
  const check = async (field: string, code: string, type: OrgType, label: string) => {
    const org = await ports.identity.getOrganisation(code);
    if (!org) issues.push({ field, code: 'UNKNOWN_ORG', message: `${label} ${code} 未在系统中登记` });
    else if (org.deactivatedAt) issues.push({ field, code: 'ORG_INACTIVE', message: `${org.name}（${code}）已停用` });
    else if (org.type !== type) issues.push({ field, code: 'ORG_TYPE', message: `${org.name}（${code}）是${orgTypeLabels[org.type]}，不是${label}` });
    else if (!regionCovers(org.regionCode, organiser.regionCode)) {
      issues.push({ field, code: 'OUTSIDE_REGION', message: `${org.name}（${org.regionCode}）的所在行政区不包含组织部门 ${organiser.name} 的辖区 ${organiser.regionCode}` });
    }
  };
  const custodians: Record<string, string> = {};
  for (const [theme, code] of Object.entries(cmd.input.custodians).sort(([a], [b]) => a.localeCompare(b))) {
    if (code === undefined) continue;
    if (!(themeIds as readonly string[]).includes(theme)) {
      issues.push({ field: `body.custodians.${theme}`, code: 'UNKNOWN_THEME', message: `成果专题 ${theme} 不在支持范围内（${themeIds.join('、')}）` });
      continue;
    }
    await check(`body.custodians.${theme}`, code, 'custodian', `${themeProfiles[theme as ThemeId].label}的保管单位`);
    custodians[theme] = code;
  }
  const technicalUnits = [...new Set(cmd.input.technicalUnits)].sort();
  for (const [i, code] of technicalUnits.entries()) await check(`body.technicalUnits.${i}`, code, 'technicalUnit', '技术单位');
  fail(issues);
  // Key order as stored is not meaningful (DynamoDB maps have none): compare sorted.
  const sortedEntries = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));
  const same = sortedEntries(organiser.custodians ?? {}) === sortedEntries(custodians) && JSON.stringify([...(organiser.technicalUnits ?? [])].sort()) === JSON.stringify(technicalUnits);
  if (same) return { organisation: organiser, changed: false };
  const after: Organisation = { ...organiser, custodians, technicalUnits };
  const { seq, organisation } = await ports.directory.replaceOrganisation(
    organiser,
    after,
    entry(cmd.actor, 'identity.org.designations', `ORG#${organiser.code}`, cmd.requestId, {
      requirement: ['R4.1', 'R7.1'],
      custodians: { from: organiser.custodians ?? {}, to: custodians },
      technicalUnits: { from: organiser.technicalUnits ?? [], to: technicalUnits },
    }),
  );
  return { organisation, changed: true, auditSeq: seq };
}

export interface CreatePersonInput {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly orgCode: string;
  readonly roles: readonly Role[];
  readonly clearance: Classification;
  readonly subject?: string;
}

export interface PersonResult {
  readonly user: User;
  readonly changed: boolean;
  readonly auditSeq?: number;
  /** On `aws`: whether a Cognito account was created and the invitation sent now. */
  readonly invited?: boolean;
}

function clearanceIssue(actor: AdminActor, clearance: Classification, field: string): FieldIssue[] {
  return classRank(clearance) > classRank(actor.clearance)
    ? [{ field, code: 'ABOVE_OWN_CLEARANCE', message: `不能授予高于本人密级权限（${classificationLabels[actor.clearance]}）的密级“${classificationLabels[clearance]}”` }]
    : [];
}

async function orgForPeople(identity: IdentityRepository, code: string, field: string): Promise<FieldIssue[]> {
  const org = await identity.getOrganisation(code);
  if (!org) return [{ field, code: 'UNKNOWN_ORG', message: `组织 ${code} 未在系统中登记` }];
  if (org.deactivatedAt) return [{ field, code: 'ORG_INACTIVE', message: `组织 ${org.name}（${code}）已停用，不能登记人员` }];
  return [];
}

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Registers a person in an organisation the actor administers, with a clearance not above the actor's own; one
 * person, one organisation: an email (or external subject) already held by someone else is refused. Then the sign-in
 * account (Cognito on `aws`: the invitation email). The same person again changes nothing (and re-sends nothing).
 */
export async function createPerson(
  cmd: { actor: AdminActor; input: CreatePersonInput; requestId: string; fields?: Partial<Record<keyof CreatePersonInput, string>> },
  ports: Pick<AdminPorts, 'identity' | 'directory' | 'accounts'>,
): Promise<PersonResult> {
  const { actor, input } = cmd;
  const field = (k: keyof CreatePersonInput) => cmd.fields?.[k] ?? `body.${k}`;
  if (!(await ports.identity.getOrganisation(input.orgCode))) fail([{ field: field('orgCode'), code: 'UNKNOWN_ORG', message: `组织 ${input.orgCode} 未在系统中登记` }]);
  await requireAdministers(ports.identity, actor, input.orgCode, `在组织 ${input.orgCode} 登记人员`);
  const user: User = {
    userId: input.userId,
    name: input.name.trim(),
    email: input.email.trim(),
    orgCode: input.orgCode,
    roles: [...new Set(input.roles)],
    clearance: input.clearance,
    ...(input.subject ? { subject: input.subject } : {}),
  };
  const existing = await ports.identity.getUser(user.userId);
  if (existing) {
    const same =
      existing.name === user.name && sameEmail(existing.email, user.email) && existing.orgCode === user.orgCode && existing.clearance === user.clearance &&
      [...existing.roles].sort().join() === [...user.roles].sort().join() && existing.subject === user.subject && !existing.deactivatedAt;
    if (same) return { user: existing, changed: false };
    const message = existing.orgCode !== user.orgCode ? `用户名 ${user.userId} 已在组织 ${existing.orgCode} 登记：同一人不能在两个单位登记，调动请修改其所属组织` : `用户名 ${user.userId} 已存在且信息不同：请用修改接口调整`;
    throw new ConflictError('USER_EXISTS', message, [{ field: field('userId'), code: 'USER_EXISTS', message }]);
  }
  const issues = [...(await orgForPeople(ports.identity, user.orgCode, field('orgCode'))), ...clearanceIssue(actor, user.clearance, field('clearance'))];
  const holder = await ports.identity.findUserByEmail(user.email);
  if (holder) issues.push({ field: field('email'), code: 'EMAIL_TAKEN', message: `邮箱 ${user.email} 已属于 ${holder.name}（${holder.userId}，${holder.orgCode}）：同一人不能在两个单位登记` });
  if (user.subject && (await ports.identity.findUserBySubject(user.subject))) {
    issues.push({ field: field('subject'), code: 'SUBJECT_TAKEN', message: `外部身份标识 ${user.subject} 已属于另一位登记人员` });
  }
  fail(issues);
  const { seq, user: created } = await ports.directory.createUser(
    user,
    entry(actor, 'identity.user.create', `USER#${user.userId}`, cmd.requestId, { orgCode: user.orgCode, roles: user.roles, clearance: user.clearance, ...(user.subject ? { subject: user.subject } : {}) }),
  );
  const { invited } = await ports.accounts.invite(created);
  return { user: created, changed: true, auditSeq: seq, invited };
}

export interface UpdatePersonInput {
  readonly name?: string;
  readonly email?: string;
  readonly orgCode?: string;
  readonly roles?: readonly Role[];
  readonly subject?: string;
  /** false deactivates (sign-in refused at once), true reactivates. */
  readonly active?: boolean;
  readonly reason?: string;
}

/**
 * Changes a person's name, email, organisation (a move: the actor administers both), roles, external subject, or
 * deactivates / reactivates them. Not oneself's roles, organisation or activity (no administrator locks themself out
 * or raises themself). Deactivation takes effect on the next request (every request reads the registry) and disables
 * the Cognito account on `aws`.
 */
export async function updatePerson(
  cmd: { actor: AdminActor; userId: string; input: UpdatePersonInput; requestId: string },
  ports: Pick<AdminPorts, 'identity' | 'directory' | 'accounts' | 'now'>,
): Promise<PersonResult> {
  const { actor, input } = cmd;
  const before = await ports.identity.getUser(cmd.userId);
  if (!before) throw new NotFoundError(`用户 ${cmd.userId} 不存在`);
  await requireAdministers(ports.identity, actor, before.orgCode, `修改用户 ${before.userId}`);
  const self = before.userId === actor.userId;
  const after: User = { ...before };
  const changes: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  if (input.name !== undefined && input.name.trim() !== before.name) {
    after.name = input.name.trim();
    changes['name'] = { from: before.name, to: after.name };
  }
  if (input.email !== undefined && !sameEmail(input.email, before.email)) {
    const holder = await ports.identity.findUserByEmail(input.email);
    if (holder && holder.userId !== before.userId) issues.push({ field: 'body.email', code: 'EMAIL_TAKEN', message: `邮箱 ${input.email} 已属于 ${holder.name}（${holder.userId}）` });
    after.email = input.email.trim();
    changes['email'] = { from: before.email, to: after.email };
  }
  if (input.subject !== undefined && input.subject !== before.subject) {
    const holder = await ports.identity.findUserBySubject(input.subject);
    if (holder && holder.userId !== before.userId) issues.push({ field: 'body.subject', code: 'SUBJECT_TAKEN', message: `外部身份标识 ${input.subject} 已属于 ${holder.userId}` });
    after.subject = input.subject;
    changes['subject'] = { from: before.subject ?? null, to: input.subject };
  }
  if (input.orgCode !== undefined && input.orgCode !== before.orgCode) {
    if (self) throw new ForbiddenError('不能调动本人的所属单位，请由其他管理员办理');
    if (!(await ports.identity.getOrganisation(input.orgCode))) fail([{ field: 'body.orgCode', code: 'UNKNOWN_ORG', message: `组织 ${input.orgCode} 未在系统中登记` }]);
    await requireAdministers(ports.identity, actor, input.orgCode, `将用户调入组织 ${input.orgCode}`);
    issues.push(...(await orgForPeople(ports.identity, input.orgCode, 'body.orgCode')));
    after.orgCode = input.orgCode;
    changes['orgCode'] = { from: before.orgCode, to: input.orgCode };
  }
  if (input.roles !== undefined) {
    const roles = [...new Set(input.roles)];
    if ([...roles].sort().join() !== [...before.roles].sort().join()) {
      if (self) throw new ForbiddenError('不能修改本人的角色，请由其他管理员办理');
      after.roles = roles;
      changes['roles'] = { from: before.roles, to: roles };
    }
  }
  fail(issues);
  let deactivating = false;
  if (input.active === false && !before.deactivatedAt) {
    if (self) throw new ForbiddenError('不能停用本人的账号，请由其他管理员办理');
    after.deactivatedAt = ports.now().toISOString();
    changes['deactivated'] = true;
    deactivating = true;
  } else if (input.active === true && before.deactivatedAt) {
    delete after.deactivatedAt;
    changes['reactivated'] = true;
  }
  if (Object.keys(changes).length === 0) {
    // Idempotent, and a retry after a failed account call completes it.
    if (before.deactivatedAt && input.active === false) await ports.accounts.disable(before.userId);
    return { user: before, changed: false };
  }
  const { seq, user } = await ports.directory.replaceUser(
    before,
    after,
    entry(actor, 'identity.user.update', `USER#${before.userId}`, cmd.requestId, { ...changes, ...(input.reason ? { reason: input.reason } : {}) }),
  );
  if (deactivating) await ports.accounts.disable(user.userId);
  else if (changes['reactivated']) await ports.accounts.enable(user.userId);
  return { user, changed: true, auditSeq: seq };
}
