import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { ClockStore } from '#shared/ports/supervision.ts';
import type { Organisation, Principal } from '#shared/schemas/identity.ts';
import { clockView } from './clock-list.ts';
import { rectificationDue, selfInspectionDue } from './clock-types.ts';
import { withSupervision, type ClockStart, type ClockView } from './clocks.ts';
import { parsePeriod, periodOf, type Period } from './periods.ts';
import { invalid, orgTree, requireSupervisionScope } from './scope.ts';

/**
 * Self-inspections (自查, R20.1; issue 14 §3). Custodians and requesting
 * departments file one per period (default quarterly, SELF_INSPECTION_CADENCE):
 * a checklist (storage, access, media, staff training) and findings, with
 * rectification items, each a statutory clock of type R20.1 (owner, due date)
 * (R20.1.rect) started in the filing's own audited transaction and met when
 * the item is closed. The filing itself is a clock too (type R20.1, due on the
 * period's last day): the schedule SelfInspectionReminders opens it for every
 * unit at the start of a period, so the daily deadline watch reminds the unit
 * before and on the due date and tells its supervisor when it is late, with no
 * mail code here; the filing meets it. The organiser's reviewers and the
 * supervisors above list who filed, who is late and the open rectifications.
 * Counted in the bulletin's security section (R20.1 clocks, `R20.1.selfInspections`,
 * `R20.1.rectifications`).
 */

export type Cadence = 'quarterly' | 'monthly';
export const cadenceKind = (c: Cadence): Period['kind'] => (c === 'monthly' ? 'month' : 'quarter');

/** The organisation types that must file (custodians and requesting departments). */
export const filingOrgTypes: ReadonlyArray<Organisation['type']> = ['custodian', 'requester'];
export const filingRoles = ['custodian', 'requester'] as const;

import { checklistAreas, unitStatusLabels, type ChecklistArea, type UnitStatus } from './self-inspection-kinds.ts';

export { checklistAreas, checklistLabels, unitStatusLabels, unitStatuses, type ChecklistArea, type UnitStatus } from './self-inspection-kinds.ts';

export interface ChecklistItem {
  readonly ok: boolean;
  readonly note: string;
}

export interface Rectification {
  readonly index: number;
  readonly item: string;
  /** The person responsible (责任人), as the unit names them. */
  readonly owner: string;
  readonly due: string;
  readonly state: 'open' | 'closed';
  readonly closedAt?: string;
  readonly closedBy?: string;
  readonly closingNote?: string;
}

export interface SelfInspection {
  readonly inspectionId: string;
  readonly org: string;
  readonly orgName: string;
  readonly regionCode: string;
  readonly period: string;
  readonly periodLabel: string;
  /** The last day of the period: filed after it is late. */
  readonly due: string;
  readonly filedAt: string;
  readonly filedOn: string;
  readonly filedBy: string;
  readonly filedByName: string;
  readonly late: boolean;
  readonly checklist: Readonly<Record<ChecklistArea, ChecklistItem>>;
  readonly findings: string;
  readonly rectifications: readonly Rectification[];
  /** Bumped by every change: the condition of the next one. */
  readonly revision: number;
}

export interface SelfInspectionStore {
  get(org: string, period: string): Promise<SelfInspection | undefined>;
  /** Write-once with its audit entry (its clocks and counters in the same transaction); false when one exists. */
  create(inspection: SelfInspection, entry: AuditEntry): Promise<boolean>;
  /** Conditional on `revision` as read; ConflictError SELF_INSPECTION_CHANGED otherwise. */
  update(inspection: SelfInspection, revision: number, entry: AuditEntry): Promise<void>;
  /** Opens the period for a unit once (write-once marker, audited; the entry's clock start in the same transaction); false when opened already. */
  openPeriod(org: string, period: string, entry: AuditEntry): Promise<boolean>;
  /** A unit's own filings, newest period first, a page (one key query); `cursor` continues after that period. */
  listOwn(org: string, opts: { limit: number; cursor?: string }): Promise<{ inspections: SelfInspection[]; cursor?: string }>;
}

export const inspectionIdOf = (org: string, period: string) => `${org}.${period}`;
export function parseInspectionId(id: string): { org: string; period: string } | undefined {
  const m = /^(.+)\.(\d{4}-(?:\d{2}|Q[1-4]))$/.exec(id);
  return m ? { org: m[1]!, period: m[2]! } : undefined;
}
export const rectificationSubject = (inspectionId: string, index: number) => `${inspectionId}#${index}`;

/** The last calendar day of a period. */
export function periodEnd(p: Period): string {
  const last = p.months[p.months.length - 1]!;
  const [y, m] = last.split('-').map(Number) as [number, number];
  const end = new Date(Date.UTC(y, m, 0));
  return end.toISOString().slice(0, 10);
}

/** The first calendar day of a period. */
export const periodStart = (p: Period): string => `${p.months[0]!}-01`;

/** The filing clock of a unit × period (type R20.1): opened by the schedule, met by the filing. */
function filingClock(org: Pick<Organisation, 'code' | 'name' | 'regionCode'>, period: Period): ClockStart {
  return {
    type: selfInspectionDue.id,
    subject: inspectionIdOf(org.code, period.id),
    ownerOrg: org.code,
    regionCode: org.regionCode,
    title: `${org.name}${period.label}保密自查报告`,
    start: periodStart(period),
    due: periodEnd(period),
    provisional: false,
    basis: `保密自查每${period.kind === 'month' ? '月' : '季度'}一次（SELF_INSPECTION_CADENCE），期间最后一天前填报`,
  };
}

export interface SelfInspectionPorts {
  readonly identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations' | 'listUsers'>;
  readonly inspections: SelfInspectionStore;
  readonly now: () => Date;
  readonly cadence: Cadence;
}

function checkPeriod(id: string | undefined, today: string, cadence: Cadence, field: string): Period {
  const current = periodOf(today, cadenceKind(cadence));
  if (id === undefined) return current;
  const p = parsePeriod(id);
  if (!p || p.kind !== current.kind) {
    throw invalid(field, `自查期间应为${cadence === 'monthly' ? '月度 YYYY-MM（如 2026-11）' : '季度 YYYY-Qn（如 2026-Q4）'}，收到 ${id}`, 'INVALID_PERIOD');
  }
  if (p.months[0]! > current.months[0]!) throw invalid(field, `${p.label}尚未开始`, 'FUTURE_PERIOD');
  return p;
}

/**
 * POST /supervision/self-inspections.
 *
 * Primary course:
 *  1. the caller's organisation is a custodian or requesting department (else 403);
 *  2. the period is this one (default) or an earlier one (a late filing); a future period is 400 naming body.period;
 *  3. each rectification is due on a day after the filing day (400 naming body.rectifications[i].due);
 *  4. stored write-once per organisation × period with its audit record, the R20.1 clock of each
 *     rectification and the counters, in one transaction;
 *  5. filing again for the same period changes nothing (200, created=false).
 */
export async function fileSelfInspection(
  ports: SelfInspectionPorts,
  cmd: {
    actor: Principal;
    period?: string;
    checklist: Record<ChecklistArea, ChecklistItem>;
    findings: string;
    rectifications: ReadonlyArray<{ item: string; owner: string; due: string }>;
    requestId: string;
  },
): Promise<{ inspection: SelfInspection; created: boolean }> {
  const org = await ports.identity.getOrganisation(cmd.actor.orgCode);
  if (!org || !filingOrgTypes.includes(org.type)) throw new ForbiddenError('只有成果保管单位和需求部门填报保密自查报告');
  const now = ports.now();
  const today = chinaDate(now);
  const period = checkPeriod(cmd.period, today, ports.cadence, 'body.period');
  const existing = await ports.inspections.get(org.code, period.id);
  if (existing) return { inspection: existing, created: false };
  for (const [i, r] of cmd.rectifications.entries()) {
    if (r.due <= today) throw invalid(`body.rectifications[${i}].due`, `整改期限 ${r.due} 应晚于今天（${today}）`, 'PAST_DATE');
  }
  for (const area of checklistAreas) {
    if (!cmd.checklist[area].ok && cmd.checklist[area].note.trim().length < 2) throw invalid(`body.checklist.${area}.note`, '不合格的检查项须说明情况', 'REQUIRED');
  }
  const due = periodEnd(period);
  const at = now.toISOString();
  const inspectionId = inspectionIdOf(org.code, period.id);
  const inspection: SelfInspection = {
    inspectionId,
    org: org.code,
    orgName: org.name,
    regionCode: org.regionCode,
    period: period.id,
    periodLabel: period.label,
    due,
    filedAt: at,
    filedOn: today,
    filedBy: cmd.actor.userId,
    filedByName: cmd.actor.name,
    late: today > due,
    checklist: cmd.checklist,
    findings: cmd.findings,
    rectifications: cmd.rectifications.map((r, index) => ({ index, item: r.item, owner: r.owner, due: r.due, state: 'open' })),
    revision: 1,
  };
  const entry = withSupervision(
    {
      actor: cmd.actor.userId,
      orgCode: org.code,
      action: 'supervision.selfInspection.file',
      target: `SELFINSPECTION#${inspectionId}`,
      outcome: 'success',
      requestId: cmd.requestId,
      detail: { period: period.id, late: inspection.late, failed: checklistAreas.filter((a) => !cmd.checklist[a].ok), rectifications: inspection.rectifications.length, requirement: 'R20.1' },
    },
    {
      // The filing clock is started (if the schedule has not opened it) and met in the same effects: on time or late.
      meet: [{ type: selfInspectionDue.id, subject: inspectionId }],
      start: [
        filingClock(org, period),
        ...inspection.rectifications.map((r) => ({
        type: rectificationDue.id,
        subject: rectificationSubject(inspectionId, r.index),
        ownerOrg: org.code,
        regionCode: org.regionCode,
        title: `${period.label}保密自查整改：${r.item}（责任人：${r.owner}）`,
        start: today,
        due: r.due,
        provisional: false,
        basis: `${org.name}${period.label}保密自查报告确定的整改期限`,
      })),
      ],
      count: [
        { org: org.code, metric: 'R20.1.selfInspections' },
        ...(inspection.rectifications.length > 0 ? [{ org: org.code, metric: 'R20.1.rectifications', by: inspection.rectifications.length }] : []),
      ],
    },
    at,
  );
  const created = await ports.inspections.create(inspection, entry);
  if (!created) return { inspection: (await ports.inspections.get(org.code, period.id)) ?? inspection, created: false };
  return { inspection, created: true };
}

async function mayRead(identity: SelfInspectionPorts['identity'], actor: Principal, org: string): Promise<boolean> {
  if (actor.orgCode === org) return true;
  try {
    await requireSupervisionScope(identity, actor, org, 'path.inspectionId', true);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/**
 * POST /supervision/self-inspections/{id}/rectifications/{index}/close:
 * the unit itself or a supervisor in scope closes a rectification; its R20.1
 * clock is met in the same transaction (on time or late). Closing a closed
 * one changes nothing; others 404.
 */
export async function closeRectification(
  ports: Pick<SelfInspectionPorts, 'identity' | 'inspections' | 'now'>,
  cmd: { actor: Principal; inspectionId: string; index: number; note: string; requestId: string },
): Promise<{ inspection: SelfInspection; changed: boolean }> {
  const notFound = () => new NotFoundError(`自查报告 ${cmd.inspectionId} 不存在或不在您的范围内`);
  const id = parseInspectionId(cmd.inspectionId);
  if (!id) throw notFound();
  const inspection = await ports.inspections.get(id.org, id.period);
  if (!inspection || !(await mayRead(ports.identity, cmd.actor, inspection.org))) throw notFound();
  const item = inspection.rectifications[cmd.index];
  if (!item) throw new NotFoundError(`自查报告 ${cmd.inspectionId} 没有第 ${cmd.index} 项整改`);
  if (item.state === 'closed') return { inspection, changed: false };
  const at = ports.now().toISOString();
  const closed: Rectification = { ...item, state: 'closed', closedAt: at, closedBy: cmd.actor.userId, closingNote: cmd.note };
  const next: SelfInspection = { ...inspection, rectifications: inspection.rectifications.map((r) => (r.index === cmd.index ? closed : r)), revision: inspection.revision + 1 };
  await ports.inspections.update(
    next,
    inspection.revision,
    withSupervision(
      {
        actor: cmd.actor.userId,
        orgCode: inspection.org,
        action: 'supervision.selfInspection.rectified',
        target: `SELFINSPECTION#${inspection.inspectionId}`,
        outcome: 'success',
        requestId: cmd.requestId,
        detail: { index: cmd.index, item: item.item, due: item.due, note: cmd.note, requirement: 'R20.1' },
      },
      { meet: [{ type: rectificationDue.id, subject: rectificationSubject(inspection.inspectionId, cmd.index) }] },
      at,
    ),
  );
  return { inspection: next, changed: true };
}


export interface UnitFiling {
  readonly org: string;
  readonly name: string;
  readonly type: Organisation['type'];
  readonly status: UnitStatus;
  readonly statusLabel: string;
  readonly inspection?: SelfInspection;
}

/**
 * GET /supervision/self-inspections?org=&period=: for the organiser's
 * reviewers, supervisors and administrators (scope as the clock list): every
 * custodian and requesting department of the organisation's tree with its
 * filing for the period (one key read per unit), who is late, and the open
 * rectification clocks (one key query per organisation).
 */
export async function listSelfInspections(
  ports: Pick<SelfInspectionPorts, 'identity' | 'now' | 'cadence'> & { inspections: Pick<SelfInspectionStore, 'get'>; clocks: Pick<ClockStore, 'ownedBy'>; calendar: () => Promise<WorkingDayCalendar> },
  cmd: { actor: Principal; org?: string; period?: string },
): Promise<{ org: string; period: string; periodLabel: string; due: string; today: string; units: UnitFiling[]; openRectifications: ClockView[] }> {
  const org = cmd.org ?? cmd.actor.orgCode;
  const today = chinaDate(ports.now());
  const period = checkPeriod(cmd.period, today, ports.cadence, 'query.period');
  await requireSupervisionScope(ports.identity, cmd.actor, org, 'query.org');
  const due = periodEnd(period);
  const codes = await orgTree(ports.identity, org);
  const units: UnitFiling[] = [];
  for (const code of codes) {
    const o = await ports.identity.getOrganisation(code);
    if (!o || !filingOrgTypes.includes(o.type)) continue;
    const inspection = await ports.inspections.get(code, period.id);
    const status: UnitStatus = inspection ? (inspection.late ? 'filedLate' : 'filed') : today > due ? 'late' : 'pending';
    units.push({ org: code, name: o.name, type: o.type, status, statusLabel: unitStatusLabels[status], ...(inspection ? { inspection } : {}) });
  }
  const calendar = await ports.calendar();
  const open = (await Promise.all(codes.map((c) => ports.clocks.ownedBy(c, 'running'))))
    .flat()
    .filter((c) => c.type === rectificationDue.id)
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0))
    .map((c) => clockView(c, today, calendar));
  const order: Record<UnitStatus, number> = { late: 0, filedLate: 1, pending: 2, filed: 3 };
  units.sort((a, b) => order[a.status] - order[b.status] || a.org.localeCompare(b.org));
  return { org, period: period.id, periodLabel: period.label, due, today, units, openRectifications: open };
}

/** A filing with the working days left (or overdue) of each open rectification, as its R20.1 clock shows them. */
export type OwnSelfInspection = SelfInspection & {
  readonly rectifications: ReadonlyArray<Rectification & { readonly workingDaysLeft?: number; readonly overdue: boolean }>;
};

/**
 * GET /supervision/self-inspections/own (issue 13): a custodian's or requesting department's own filings, newest
 * period first, a page at a time (one key query on its partition), each rectification with its R20.1 clock's due
 * date, working days left and whether it is overdue; and where this period stands (filed, pending, late). Only the
 * unit's own organisation (the watchers' list is GET /supervision/self-inspections); a unit that files none → 403.
 */
export async function listOwnSelfInspections(
  ports: Pick<SelfInspectionPorts, 'identity' | 'now' | 'cadence'> & { inspections: Pick<SelfInspectionStore, 'get' | 'listOwn'>; calendar: () => Promise<WorkingDayCalendar> },
  cmd: { actor: Principal; limit: number; cursor?: string },
): Promise<{ org: string; orgName: string; today: string; current: { period: string; periodLabel: string; due: string; status: UnitStatus; statusLabel: string }; items: OwnSelfInspection[]; cursor?: string }> {
  const org = await ports.identity.getOrganisation(cmd.actor.orgCode);
  if (!org || !filingOrgTypes.includes(org.type)) throw new ForbiddenError('只有成果保管单位和需求部门填报保密自查报告，本单位没有自查记录');
  const today = chinaDate(ports.now());
  const period = periodOf(today, cadenceKind(ports.cadence));
  const due = periodEnd(period);
  const filed = await ports.inspections.get(org.code, period.id);
  const status: UnitStatus = filed ? (filed.late ? 'filedLate' : 'filed') : today > due ? 'late' : 'pending';
  const calendar = await ports.calendar();
  const page = await ports.inspections.listOwn(org.code, { limit: cmd.limit, ...(cmd.cursor ? { cursor: cmd.cursor } : {}) });
  const items = page.inspections.map((i) => ({
    ...i,
    rectifications: i.rectifications.map((r) => ({
      ...r,
      ...(r.state === 'open' ? { workingDaysLeft: calendar.workingDaysLeft(r.due, today) } : {}),
      overdue: r.state === 'open' ? today > r.due : r.closedAt !== undefined && chinaDate(new Date(r.closedAt)) > r.due,
    })),
  }));
  return {
    org: org.code,
    orgName: org.name,
    today,
    current: { period: period.id, periodLabel: period.label, due, status, statusLabel: unitStatusLabels[status] },
    items,
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/** Every custodian and requesting department of the registry (breadth first from the roots, one key query per organisation). */
async function filingUnits(identity: SelfInspectionPorts['identity']): Promise<Organisation[]> {
  const queue = await identity.listOrganisations(undefined);
  const out: Organisation[] = [];
  for (let i = 0; i < queue.length && i < 20_000; i += 1) {
    const o = queue[i]!;
    queue.push(...(await identity.listOrganisations(o.code)));
    if (filingOrgTypes.includes(o.type)) out.push(o);
  }
  return out;
}

/**
 * The schedule SelfInspectionReminders (monthly, the 1st): opens the current
 * period's filing clock (R20.1, due on its last day) for every custodian and
 * requesting department that has not filed it, once per unit × period
 * (write-once marker in the clock's transaction, audited). The reminders, the
 * due-day notice and the late notice to the supervisor are the deadline
 * watch's (shared/supervision/watch.ts), like every other clock's.
 */
export async function openSelfInspections(
  ports: Pick<SelfInspectionPorts, 'identity' | 'inspections' | 'cadence'>,
  run: { scheduledTime: Date; executionId: string },
): Promise<{ today: string; period: string; opened: string[]; alreadyOpen: number; filed: number }> {
  const today = chinaDate(run.scheduledTime);
  const period = periodOf(today, cadenceKind(ports.cadence));
  const opened: string[] = [];
  let alreadyOpen = 0;
  let filed = 0;
  for (const unit of await filingUnits(ports.identity)) {
    if (await ports.inspections.get(unit.code, period.id)) {
      filed += 1;
      continue;
    }
    const clock = filingClock(unit, period);
    const done = await ports.inspections.openPeriod(
      unit.code,
      period.id,
      withSupervision(
        {
          actor: 'system:OpenSelfInspections',
          orgCode: unit.code,
          action: 'supervision.selfInspection.open',
          target: `SELFINSPECTION#${clock.subject}`,
          outcome: 'success',
          requestId: run.executionId,
          detail: { period: period.id, due: clock.due, requirement: 'R20.1' },
        },
        { start: [clock] },
        run.scheduledTime.toISOString(),
      ),
    );
    if (done) opened.push(clock.subject);
    else alreadyOpen += 1;
  }
  return { today, period: period.id, opened, alreadyOpen, filed };
}

/** The conflict of a rectification closed by someone else meanwhile. */
export const selfInspectionChanged = () => new ConflictError('SELF_INSPECTION_CHANGED', '该自查报告刚被他人更新，本次操作未执行；请刷新后重试');
