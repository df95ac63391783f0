import { ForbiddenError, ValidationError } from '#shared/errors.ts';
import { classifications, type Classification } from '#shared/reference/classifications.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { isSameOrAbove } from './access.ts';
import type { TouchedRecord } from './context.ts';

/**
 * Security records (R20.1 全过程安全记录): every refused request (401, 403,
 * 404 because of clearance, 409 on a protected record) and every read of a
 * record classified 内部 or above. Kept in the logs table beside the audit
 * chain, one write-once item per organisation concerned — the caller's and
 * those the record belongs to — so an organisation's supervisor reads them
 * with one key query per organisation and time range, never a scan.
 */
export interface SecurityRecord {
  /** ISO 8601 UTC */
  readonly time: string;
  readonly requestId: string;
  readonly kind: 'read' | 'refused';
  /** userId; `anonymous` when no valid token was presented (401). */
  readonly actor: string;
  readonly actorOrg?: string;
  /** e.g. `GET /submissions/{submissionId}` (the manifest route) */
  readonly route: string;
  readonly status: number;
  /** The error code of a refusal. */
  readonly code?: string;
  /** The protected records involved; a refusal by role or token may name none. */
  readonly records: ReadonlyArray<{ readonly target: string; readonly classification: Classification; readonly access: TouchedRecord['access'] }>;
}

/** The organisation key of records with no known caller (401). */
export const anonymousOrg = 'anonymous';

export interface SecurityRecordStore {
  /** One item per organisation; write-once (a retried request does not duplicate it). */
  put(orgs: readonly string[], record: SecurityRecord): Promise<void>;
  /** One organisation's records with from ≤ time < before, newest first, at most `limit`. */
  list(org: string, range: { from: string; before: string }, limit: number): Promise<SecurityRecord[]>;
}

const readIsRecorded = (c: Classification) => classifications.indexOf(c) >= classifications.indexOf('internal');

/**
 * What one finished request leaves as a security record, or nothing.
 * `refusal` is the error status and code when the request was refused.
 */
export function securityRecordOf(input: {
  time: Date;
  requestId: string;
  route: string;
  principal: Principal | undefined;
  status: number;
  code?: string;
  hiddenByClearance: boolean;
  touched: readonly TouchedRecord[];
}): { orgs: string[]; record: SecurityRecord } | undefined {
  const { status, touched } = input;
  const refused = status === 401 || status === 403 || (status === 404 && input.hiddenByClearance) || (status === 409 && touched.length > 0);
  const reads = status < 400 ? touched.filter((t) => t.access === 'read' && readIsRecorded(t.classification)) : [];
  if (!refused && reads.length === 0) return undefined;
  const involved = refused ? touched : reads;
  const seen = new Set<string>();
  const records = involved.filter((t) => (seen.has(t.target) ? false : (seen.add(t.target), true)));
  const orgs = [...new Set([input.principal?.orgCode ?? anonymousOrg, ...records.flatMap((r) => r.orgs)])];
  return {
    orgs,
    record: {
      time: input.time.toISOString(),
      requestId: input.requestId,
      kind: refused ? 'refused' : 'read',
      actor: input.principal?.userId ?? 'anonymous',
      ...(input.principal ? { actorOrg: input.principal.orgCode } : {}),
      route: input.route,
      status,
      ...(refused && input.code ? { code: input.code } : {}),
      records: records.map((r) => ({ target: r.target, classification: r.classification, access: r.access })),
    },
  };
}

/** An organisation tree is small (a province has tens of bureaus); this bounds a malformed one. */
const maxOrgs = 500;

async function orgAndBelow(identity: Pick<IdentityRepository, 'listOrganisations'>, org: string): Promise<string[]> {
  const out = [org];
  for (let i = 0; i < out.length && out.length < maxOrgs; i += 1) {
    for (const child of await identity.listOrganisations(out[i])) if (!out.includes(child.code)) out.push(child.code);
  }
  return out;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code: 'INVALID', message }]);
}

/**
 * GET /security-records: a supervisor reads the records of their own
 * organisation and the organisations below it (R3.1, R20.1); an
 * administrator any organisation's, and the `anonymous` ones (401).
 * One key query per organisation (pk = org, sort key = time range).
 */
export async function listSecurityRecords(
  ports: { records: SecurityRecordStore; identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations'>; now: () => Date },
  cmd: { actor: Principal; org: string; from?: string; to?: string; subordinates: boolean; limit: number; before?: string },
): Promise<{ org: string; orgs: string[]; items: Array<SecurityRecord & { org: string }>; cursor?: string }> {
  const { actor } = cmd;
  const admin = actor.roles.includes('administrator');
  if (cmd.org === anonymousOrg) {
    if (!admin) throw new ForbiddenError('无权查看未登录请求的安全记录：仅系统管理员可查看');
  } else {
    if (!(await ports.identity.getOrganisation(cmd.org))) throw invalid('query.org', `组织 ${cmd.org} 不存在`);
    if (!admin && !(actor.roles.includes('supervisor') && (await isSameOrAbove(ports.identity, actor.orgCode, cmd.org)))) {
      throw new ForbiddenError(`无权查看 ${cmd.org} 的安全记录：监督人员只能查看本单位及下级单位的记录`);
    }
  }
  const from = cmd.from ?? new Date(ports.now().getTime() - 30 * 86_400_000).toISOString();
  // `to` is a day (inclusive) or an instant; the cursor is the time of the last record returned (exclusive).
  const to = cmd.to ? (cmd.to.length === 10 ? `${cmd.to}T23:59:59.999Z~` : cmd.to) : '9999';
  const before = cmd.before && cmd.before < to ? cmd.before : to;
  if (from >= before) throw invalid('query.from', '起始时间应早于结束时间');
  const orgs = cmd.subordinates && cmd.org !== anonymousOrg ? await orgAndBelow(ports.identity, cmd.org) : [cmd.org];
  const lists = await Promise.all(orgs.map(async (org) => (await ports.records.list(org, { from, before }, cmd.limit)).map((r) => ({ ...r, org }))));
  // One request may be recorded under several organisations of the tree: shown once.
  const seen = new Set<string>();
  const merged = lists
    .flat()
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : a.requestId < b.requestId ? 1 : -1))
    .filter((r) => (seen.has(r.requestId) ? false : (seen.add(r.requestId), true)));
  const items = merged.slice(0, cmd.limit);
  const last = items[items.length - 1];
  return { org: cmd.org, orgs, items, ...(merged.length > cmd.limit && last ? { cursor: last.time } : {}) };
}

/** In memory, for unit tests and for handlers built with test dependencies. */
export class InMemorySecurityRecords implements SecurityRecordStore {
  readonly items = new Map<string, SecurityRecord>();
  async put(orgs: readonly string[], record: SecurityRecord): Promise<void> {
    for (const org of orgs) {
      const key = `${org}|${record.time}#${record.requestId}`;
      if (!this.items.has(key)) this.items.set(key, record);
    }
  }
  async list(org: string, range: { from: string; before: string }, limit: number): Promise<SecurityRecord[]> {
    return [...this.items.entries()]
      .filter(([k, r]) => k.startsWith(`${org}|`) && r.time >= range.from && r.time < range.before)
      .map(([, r]) => r)
      .sort((a, b) => (a.time < b.time ? 1 : -1))
      .slice(0, limit);
  }
  /** Every record of one organisation (tests). */
  of(org: string): SecurityRecord[] {
    return [...this.items.entries()].filter(([k]) => k.startsWith(`${org}|`)).map(([, r]) => r);
  }
}
