import { ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { noteTouched } from './context.ts';

/**
 * THE access rule (R3.1, R5.1, R20.1) every read and write of a protected
 * record goes through: submissions, their versions, uploads, reports and
 * timelines, survey tasks' submission lists, human tasks, transfers,
 * destruction, catalogue entries and catalogue reports.
 *
 *  1. clearance × classification: a record above the caller's clearance does
 *     not exist for them — 404 with the same message as a missing record
 *     (the catalogue's rule since issue 4), so its existence is not disclosed;
 *  2. organisation scope: `involved` records (a submission and what hangs off
 *     it) are for the organisations involved — organiser, implementer,
 *     custodian — and the departments above them (R3.1), else 403;
 *     `catalogue` records are the sharing directory (R9.2): any organisation
 *     may find them, within clearance; a survey task's technical units take
 *     part in verifying its submissions (R7.1) and read the submission, its
 *     report and its review task — those reads name them as `participants`;
 *  3. role: the manifest route names the roles (runtime/http.ts);
 *     the domain function then checks the role *in the record's organisation*
 *     (e.g. the implementer's submitter) — after this rule, so a refused
 *     record above clearance is still a 404.
 *
 * Every decision is noted for the request's security record.
 */
export interface ProtectedRecord {
  /** e.g. `SUB#<id>`, `CAT#<number>` */
  readonly target: string;
  readonly classification: Classification;
  readonly organiserOrg: string;
  readonly implementerOrg?: string;
  readonly custodianOrg: string;
}

export type Scope = 'involved' | 'catalogue';

/** A NotFoundError that the client cannot tell from a missing record; the security record can. */
export class HiddenByClearanceError extends NotFoundError {}

/** An organisation chain is at most national → provincial → municipal → county, plus units under a department. */
const maxDepth = 8;

/** The organisations above `orgCode` by parentCode, nearest first. */
export async function superiorsOf(identity: Pick<IdentityRepository, 'getOrganisation'>, orgCode: string): Promise<string[]> {
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
export async function isSameOrAbove(identity: Pick<IdentityRepository, 'getOrganisation'>, ancestor: string, orgCode: string): Promise<boolean> {
  return ancestor === orgCode || (await superiorsOf(identity, orgCode)).includes(ancestor);
}

export function involvedOrgs(record: Omit<ProtectedRecord, 'target' | 'classification'>): string[] {
  // An archived record (a catalogue report's line as sent) may predate a field: only the organisations it names.
  return [...new Set([record.organiserOrg, record.implementerOrg, record.custodianOrg].filter((o): o is string => typeof o === 'string' && o !== ''))];
}

/** Scope only (R3.1): the caller's organisation is involved in the record, or above one that is. */
export async function inScope(identity: Pick<IdentityRepository, 'getOrganisation'>, principal: Principal, record: Omit<ProtectedRecord, 'target' | 'classification'>): Promise<boolean> {
  const orgs = involvedOrgs(record);
  if (orgs.includes(principal.orgCode)) return true;
  for (const org of orgs) if ((await superiorsOf(identity, org)).includes(principal.orgCode)) return true;
  return false;
}

/** Clearance only, for lists: an item the caller may not see is left out (and not noted). */
export function visibleTo(principal: Pick<Principal, 'clearance'>, classification: Classification): boolean {
  return clearanceAllows(principal.clearance, classification);
}

/**
 * Applies the rule to one record. `notFound` is the message the caller gets
 * for a missing record of this kind (the same text for a hidden one);
 * `what` names the record in a 403.
 */
export async function requireAccess(
  identity: Pick<IdentityRepository, 'getOrganisation'>,
  principal: Principal,
  record: ProtectedRecord,
  opts: {
    scope: Scope;
    notFound: string;
    what: string;
    /**
     * R7.1: organisations taking part in the record's verification (a survey task's technical units), admitted
     * by the reads that opt in — the submission, its verification report, its review task — as themselves only
     * (not the departments above them), still within clearance. Read only when the scope refuses.
     */
    participants?: () => Promise<readonly string[]>;
  },
): Promise<void> {
  requireClearance(principal, record, opts.notFound);
  if (opts.scope === 'involved' && !(await inScope(identity, principal, record)) && !(opts.participants && (await opts.participants()).includes(principal.orgCode))) {
    note(record, 'refused');
    throw new ForbiddenError(`无权查看${opts.what}：您所在单位（${principal.orgCode}）不是该任务的组织单位、实施单位、保管单位或其上级部门`);
  }
  note(record, 'read');
}

/**
 * Step 1 of the rule alone, for write paths whose own check (the record's
 * organisation and role) is stricter than the scope: a record above the
 * caller's clearance is absent (404), before any 403 could confirm it exists.
 */
export function requireClearance(principal: Principal, record: ProtectedRecord, notFound: string): void {
  if (!clearanceAllows(principal.clearance, record.classification)) {
    note(record, 'hidden');
    throw new HiddenByClearanceError(notFound);
  }
}

/** The rule for a `catalogue` record (no organisation scope, R9.2): clearance, then the read is noted. */
export function requireVisible(principal: Principal, record: ProtectedRecord, notFound: string): void {
  requireClearance(principal, record, notFound);
  note(record, 'read');
}

function note(record: ProtectedRecord, access: 'read' | 'hidden' | 'refused'): void {
  noteTouched({ target: record.target, classification: record.classification, orgs: involvedOrgs(record), access });
}

/** Notes a record shown in a list (already filtered by clearance) for the security record. */
export function noteListed(record: ProtectedRecord): void {
  noteTouched({ target: record.target, classification: record.classification, orgs: involvedOrgs(record), access: 'read' });
}
