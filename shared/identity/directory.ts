import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { isSameOrAbove } from '#shared/security/access.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Organisation, Principal, User } from '#shared/schemas/identity.ts';

/**
 * Read side of identity (R3.1, R4.1): the hierarchy and who belongs where.
 * Any signed-in user may read the organisations — departments need to know
 * whom they submit to and who keeps what; an organisation's staff only on a
 * need-to-know basis; clearance changes are admin-only.
 */
const byCode = (a: Organisation, b: Organisation) => a.code.localeCompare(b.code);
const byUserId = (a: User, b: User) => a.userId.localeCompare(b.userId);

function orgNotFound(code: string): NotFoundError {
  return new NotFoundError(`组织 ${code} 不存在，请核对组织代码（如 440000-NR）`);
}

export async function getMe(principal: Principal, identity: IdentityRepository): Promise<{ user: User; organisation?: Organisation }> {
  const organisation = await identity.getOrganisation(principal.orgCode);
  return { user: principal, ...(organisation ? { organisation } : {}) };
}

/** Top-level organisations when no parent is named (the national departments). */
export async function listOrganisations(identity: IdentityRepository, parentCode?: string): Promise<Organisation[]> {
  if (parentCode !== undefined && !(await identity.getOrganisation(parentCode))) throw orgNotFound(parentCode);
  return (await identity.listOrganisations(parentCode)).sort(byCode);
}

export async function getOrganisationDetail(
  identity: IdentityRepository,
  code: string,
): Promise<{ organisation: Organisation; parent?: Organisation; children: Organisation[] }> {
  const organisation = await identity.getOrganisation(code);
  if (!organisation) throw orgNotFound(code);
  const [parent, children] = await Promise.all([
    organisation.parentCode ? identity.getOrganisation(organisation.parentCode) : Promise.resolve(undefined),
    identity.listOrganisations(code),
  ]);
  return { organisation, ...(parent ? { parent } : {}), children: children.sort(byCode) };
}

/**
 * Need-to-know (R20.1): an organisation's staff — names, emails, roles,
 * clearances — are shown to that organisation, the departments above it
 * (R3.1) and administrators; anyone else is refused (403; the organisation
 * itself is public through GET /orgs).
 */
export async function listOrganisationUsers(identity: IdentityRepository, principal: Principal, code: string): Promise<User[]> {
  if (!(await identity.getOrganisation(code))) throw orgNotFound(code);
  if (!principal.roles.includes('administrator') && !(await isSameOrAbove(identity, principal.orgCode, code))) {
    throw new ForbiddenError(`无权查看组织 ${code} 的人员：仅该组织、其上级部门和系统管理员可查看（您所在单位为 ${principal.orgCode}）`);
  }
  return (await identity.listUsers(code)).sort(byUserId);
}
