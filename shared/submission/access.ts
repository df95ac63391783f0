import { ForbiddenError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';

/** The organisations a task or submission involves. */
export interface Involved {
  readonly organiserOrg: string;
  readonly implementerOrg: string;
  readonly custodianOrg: string;
}

/** An organisation chain is at most national → provincial → municipal → county, plus units under a department. */
const maxDepth = 8;

/** The organisations above `orgCode` by parentCode, nearest first. */
export async function superiorsOf(identity: IdentityRepository, orgCode: string): Promise<string[]> {
  const out: string[] = [];
  let code: string | undefined = orgCode;
  for (let i = 0; i < maxDepth && code; i += 1) {
    const org = await identity.getOrganisation(code);
    code = org?.parentCode;
    if (code) out.push(code);
  }
  return out;
}

/** True when `ancestor` is `orgCode` itself or above it. */
export async function isSameOrAbove(identity: IdentityRepository, ancestor: string, orgCode: string): Promise<boolean> {
  return ancestor === orgCode || (await superiorsOf(identity, orgCode)).includes(ancestor);
}

/**
 * Reads are limited to the organisations a task involves — organiser,
 * implementer, custodian — and the departments above them (R3.1: a
 * department supervises its region's work).
 */
export async function canRead(identity: IdentityRepository, principal: Principal, involved: Involved): Promise<boolean> {
  const orgs = [involved.organiserOrg, involved.implementerOrg, involved.custodianOrg];
  if (orgs.includes(principal.orgCode)) return true;
  for (const org of orgs) if ((await superiorsOf(identity, org)).includes(principal.orgCode)) return true;
  return false;
}

export async function requireRead(identity: IdentityRepository, principal: Principal, involved: Involved, what: string): Promise<void> {
  if (!(await canRead(identity, principal, involved))) {
    throw new ForbiddenError(
      `无权查看${what}：您所在单位（${principal.orgCode}）不是该任务的组织单位、实施单位、保管单位或其上级部门`,
    );
  }
}

/** R6.1 “whoever implements, submits”: only a submitter of the implementing unit acts on its submissions. */
export function requireImplementerSubmitter(principal: Principal, involved: Involved, action: string): void {
  if (!principal.roles.includes('submitter')) {
    throw new ForbiddenError(`无权${action}：需要“成果汇交人”角色`);
  }
  if (principal.orgCode !== involved.implementerOrg) {
    throw new ForbiddenError(
      `无权${action}：只有实施单位（${involved.implementerOrg}）的汇交人可以办理，您所在单位为 ${principal.orgCode}`,
    );
  }
}
