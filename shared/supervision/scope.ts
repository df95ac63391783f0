import { ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Organisation, Principal } from '#shared/schemas/identity.ts';
import { isSameOrAbove } from '#shared/security/access.ts';

/** Enough for a national tree of ~3,000 county units and their siblings. */
const maxOrgs = 20_000;

/** An organisation and every organisation below it, breadth first (one key query per organisation). */
export async function orgTree(identity: Pick<IdentityRepository, 'listOrganisations'>, org: string): Promise<string[]> {
  const out = [org];
  const seen = new Set(out);
  for (let i = 0; i < out.length && out.length < maxOrgs; i += 1) {
    for (const child of await identity.listOrganisations(out[i])) {
      if (!seen.has(child.code)) {
        seen.add(child.code);
        out.push(child.code);
      }
    }
  }
  return out;
}

export function invalid(field: string, message: string, code = 'INVALID'): ValidationError {
  return new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code, message }]);
}

const organiserTypes: ReadonlyArray<Organisation['type']> = ['naturalResources', 'forestryGrassland'];

/**
 * Who may watch an organisation's clocks and bulletins (R3.1, R21.1): an
 * administrator; a supervisor of that organisation or one above it; an
 * organiser's reviewer for its own units. `hide`: answer 404 (a bulletin of
 * another province does not exist for the caller), else 403.
 */
export async function requireSupervisionScope(
  identity: Pick<IdentityRepository, 'getOrganisation'>,
  actor: Principal,
  org: string,
  field: string,
  hide = false,
): Promise<Organisation> {
  const target = await identity.getOrganisation(org);
  if (!target) {
    if (hide) throw new NotFoundError(`组织 ${org} 不存在或不在您的监督范围内`);
    throw invalid(field, `组织 ${org} 不存在`, 'UNKNOWN_ORG');
  }
  if (actor.roles.includes('administrator')) return target;
  const own = await identity.getOrganisation(actor.orgCode);
  const supervises = actor.roles.includes('supervisor') || (actor.roles.includes('reviewer') && own !== undefined && organiserTypes.includes(own.type));
  if (supervises && (await isSameOrAbove(identity, actor.orgCode, org))) return target;
  if (hide) throw new NotFoundError(`组织 ${org} 不存在或不在您的监督范围内`);
  throw new ForbiddenError(`无权查看 ${target.name}（${org}）的监督信息：只能查看本单位及下级单位`);
}
