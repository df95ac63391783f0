import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { ForbiddenError } from '#shared/errors.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { regionCovers } from '#shared/identity/scope.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { ClockStore } from '#shared/ports/supervision.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { clockType, clockTypes } from './clock-types.ts';
import type { Clock, ClockView } from './clocks.ts';
import { invalid, orgTree, requireSupervisionScope } from './scope.ts';

export const clockListStates = ['open', 'running', 'overdue', 'met', 'cancelled'] as const;
export type ClockListState = (typeof clockListStates)[number];

export function clockView(clock: Clock, today: string, calendar: WorkingDayCalendar): ClockView {
  const overdue = clock.state === 'running' ? today > clock.due : clock.state === 'met' && clock.late === true;
  return {
    ...clock,
    typeLabel: clockType(clock.type)?.label ?? clock.type,
    overdue,
    ...(clock.state === 'running' ? { workingDaysLeft: calendar.workingDaysLeft(clock.due, today) } : {}),
  };
}

/**
 * A custodian who neither supervises nor reviews nor administers sees the clocks its own organisation owns (R9.1 and
 * what later contexts give it), never another organisation's nor those below it (issue 13: 保管单位的期限).
 */
export function ownClocksOnly(actor: Pick<Principal, 'roles'>): boolean {
  return actor.roles.includes('custodian') && !actor.roles.some((r) => r === 'supervisor' || r === 'reviewer' || r === 'administrator');
}

/**
 * GET /supervision/clocks (issue 14 §1): running and overdue (or met) clocks
 * of an organisation and, by default, every organisation below it; filtered by
 * clock type and region. One key query per organisation, never a scan.
 */
export async function listClocks(
  ports: { clocks: Pick<ClockStore, 'ownedBy'>; identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations'>; calendar: () => Promise<WorkingDayCalendar>; now: () => Date },
  cmd: { actor: Principal; org?: string; type?: string; region?: string; state: ClockListState; subordinates: boolean },
): Promise<{ org: string; orgs: string[]; today: string; items: ClockView[] }> {
  const org = cmd.org ?? cmd.actor.orgCode;
  if (cmd.type !== undefined && !clockType(cmd.type)) {
    throw invalid('query.type', `未知的期限类型 ${cmd.type}，可选：${clockTypes().map((t) => t.id).join('、')}`, 'UNKNOWN_CLOCK_TYPE');
  }
  const ownOnly = ownClocksOnly(cmd.actor);
  if (ownOnly && org !== cmd.actor.orgCode) throw new ForbiddenError(`保管单位只能查看本单位（${cmd.actor.orgCode}）的期限，不能查看 ${org}`);
  if (!ownOnly) await requireSupervisionScope(ports.identity, cmd.actor, org, 'query.org');
  const orgs = cmd.subordinates && !ownOnly ? await orgTree(ports.identity, org) : [org];
  const stored: Clock['state'] = cmd.state === 'met' || cmd.state === 'cancelled' ? cmd.state : 'running';
  const today = chinaDate(ports.now());
  const calendar = await ports.calendar();
  const lists = await Promise.all(orgs.map((o) => ports.clocks.ownedBy(o, stored)));
  const items = lists
    .flat()
    .filter((c) => (cmd.type ? c.type === cmd.type : true))
    .filter((c) => (cmd.region ? regionCovers(cmd.region, c.regionCode) : true))
    .filter((c) => (cmd.state === 'overdue' ? c.due < today : cmd.state === 'running' ? c.due >= today : true))
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.clockId < b.clockId ? -1 : 1))
    .map((c) => clockView(c, today, calendar));
  return { org, orgs, today, items };
}
