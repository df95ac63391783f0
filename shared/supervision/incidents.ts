import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { classificationLabels, type Classification } from '#shared/reference/classifications.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { superiorsOf, visibleTo } from '#shared/security/access.ts';
import { consoleUrl } from '#shared/tasks/mail.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { withSupervision } from './clocks.ts';
import { invalid, orgTree, requireSupervisionScope } from './scope.ts';

/**
 * Security incidents (泄密、丢失、损毁; R20.1, issue 14 §3). Any signed-in user
 * reports one at once; the organiser of the results and the supervisors
 * above it are emailed; the organiser's reviewers or a supervisor move it
 * along its timeline (reported → verified → measures → closed with
 * conclusions), each step conditional on the state it was read in, idempotent
 * and audited; the incident counts in the bulletin's R20.1 section
 * (`R20.1.incidents`, in the report's own transaction).
 */
import { incidentKindLabels, incidentStateLabels, type IncidentKind, type IncidentState } from './incident-kinds.ts';

export { incidentKindLabels, incidentKinds, incidentStateLabels, incidentStates, type IncidentKind, type IncidentState } from './incident-kinds.ts';

export interface IncidentResult {
  readonly resultNumber: string;
  readonly name: string;
  readonly classification: Classification;
  readonly organiserOrg: string;
}

export interface IncidentStep {
  readonly state: IncidentState;
  readonly at: string;
  readonly by: string;
  readonly byName: string;
  readonly note: string;
}

export interface Incident {
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly description: string;
  readonly foundOn: string;
  readonly measures: string;
  readonly reportedBy: string;
  readonly reporterOrg: string;
  readonly reportedAt: string;
  /** The organiser of the (first) result: owns the incident, counts it. */
  readonly ownerOrg: string;
  readonly results: readonly IncidentResult[];
  readonly state: IncidentState;
  readonly timeline: readonly IncidentStep[];
  readonly conclusions?: string;
}

export interface IncidentStore {
  get(incidentId: string): Promise<Incident | undefined>;
  /** An organisation's incidents (it owns), newest first: one key query. */
  listOf(org: string): Promise<Incident[]>;
  /** Write-once with its audit entry (the entry's supervision effects go in the same transaction). */
  create(incident: Incident, entry: AuditEntry): Promise<void>;
  /** Conditional on the state it was read in; ConflictError INCIDENT_CHANGED otherwise. */
  update(incident: Incident, from: IncidentState, entry: AuditEntry): Promise<void>;
}

/** The few fields of a catalogue entry an incident records (one key read; the full catalogue store is not needed). */
export interface IncidentResultLookup {
  getEntry(resultNumber: string): Promise<Omit<IncidentResult, 'resultNumber'> | undefined>;
}

export interface IncidentPorts {
  readonly identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations' | 'listUsers'>;
  readonly incidents: IncidentStore;
  readonly catalogue: IncidentResultLookup;
  readonly mailer: Mailer;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly appBaseUrl: string;
}

/**
 * POST /supervision/incidents.
 *
 * Primary course:
 *  1. every result number is in the catalogue (400 naming body.resultNumbers[i]); found on a day not in the future (400 body.foundOn);
 *  2. the incident is stored with its first timeline step, audited, counted (R20.1.incidents, owner × month) in one transaction;
 *  3. the reviewers of every organiser of the results and the supervisors of those organisers and above are emailed at once.
 */
export async function reportIncident(
  ports: IncidentPorts,
  cmd: { actor: Principal; kind: IncidentKind; description: string; resultNumbers: readonly string[]; foundOn: string; measures: string; requestId: string },
): Promise<{ incident: Incident; notified: string[] }> {
  const now = ports.now();
  const today = chinaDate(now);
  if (cmd.foundOn > today) throw invalid('body.foundOn', `发现日期 ${cmd.foundOn} 晚于今天（${today}）`, 'FUTURE_DATE');
  const numbers = [...new Set(cmd.resultNumbers)];
  const results: IncidentResult[] = [];
  for (const [i, n] of numbers.entries()) {
    const entry = await ports.catalogue.getEntry(n);
    if (!entry) throw invalid(`body.resultNumbers[${i}]`, `成果 ${n} 不在成果目录中`, 'UNKNOWN_RESULT');
    results.push({ resultNumber: n, name: entry.name, classification: entry.classification, organiserOrg: entry.organiserOrg });
  }
  const at = now.toISOString();
  const incidentId = `INC-${today.replaceAll('-', '')}-${ports.newId()}`;
  const incident: Incident = {
    incidentId,
    kind: cmd.kind,
    description: cmd.description,
    foundOn: cmd.foundOn,
    measures: cmd.measures,
    reportedBy: cmd.actor.userId,
    reporterOrg: cmd.actor.orgCode,
    reportedAt: at,
    ownerOrg: results[0]!.organiserOrg,
    results,
    state: 'reported',
    timeline: [{ state: 'reported', at, by: cmd.actor.userId, byName: cmd.actor.name, note: cmd.measures }],
  };
  await ports.incidents.create(
    incident,
    withSupervision(
      {
        actor: cmd.actor.userId,
        orgCode: incident.ownerOrg,
        action: 'supervision.incident.report',
        target: `INCIDENT#${incidentId}`,
        outcome: 'success',
        requestId: cmd.requestId,
        detail: { kind: cmd.kind, resultNumbers: numbers, foundOn: cmd.foundOn, requirement: 'R20.1' },
      },
      { count: [{ org: incident.ownerOrg, metric: 'R20.1.incidents' }] },
      at,
    ),
  );
  const notified = await recipients(ports.identity, incident);
  if (notified.length > 0) await ports.mailer.send({ to: notified, ...incidentMail(incident, ports.appBaseUrl) });
  return { incident, notified };
}

/** The organisers' reviewers and the supervisors of the organisers and every organisation above them. */
async function recipients(identity: IncidentPorts['identity'], incident: Incident): Promise<string[]> {
  const organisers = [...new Set(incident.results.map((r) => r.organiserOrg))];
  const out = new Set<string>();
  for (const org of organisers) {
    for (const u of await identity.listUsers(org)) if (u.roles.includes('reviewer') || u.roles.includes('supervisor')) out.add(u.email);
    for (const above of await superiorsOf(identity, org)) for (const u of await identity.listUsers(above)) if (u.roles.includes('supervisor')) out.add(u.email);
  }
  return [...out].sort();
}

function incidentMail(i: Incident, appBaseUrl: string): { subject: string; text: string; html: string } {
  const e = escapeHtml;
  // The console's incident page (安全事件详情), where the reviewer or supervisor moves it on; not the API route.
  const link = consoleUrl(appBaseUrl, 'supervision', 'incidents', i.incidentId);
  const subject = `【安全保密事件】${incidentKindLabels[i.kind]}：${i.results.length} 项成果（${i.incidentId}）`;
  // The email names the results by number only: their names may be above a recipient's clearance.
  const text = [
    `有人报告了一起${incidentKindLabels[i.kind]}事件，请立即核实并处置。`,
    `事件编号：${i.incidentId}`,
    `涉及成果（统一编号）：${i.results.map((r) => r.resultNumber).join('、')}`,
    `发现日期：${i.foundOn}　报告时间：${chinaDateTime(i.reportedAt)}`,
    `已采取的措施：${i.measures}`,
    '',
    `查看与处理（登录工作台后按密级显示）：${link}`,
  ].join('\n');
  const html = `<p>有人报告了一起<strong>${e(incidentKindLabels[i.kind])}</strong>事件，请立即核实并处置。</p><p>事件编号：${e(i.incidentId)}<br>涉及成果：${e(i.results.map((r) => r.resultNumber).join('、'))}<br>发现日期：${e(i.foundOn)}<br>已采取的措施：${e(i.measures)}</p><p><a href="${e(link)}">查看与处理</a></p>`;
  return { subject, text, html };
}

const next: Record<IncidentState, IncidentState | undefined> = { reported: 'verified', verified: 'measures', measures: 'closed', closed: undefined };

async function mayHandle(identity: IncidentPorts['identity'], actor: Principal, incident: Incident): Promise<boolean> {
  try {
    await requireSupervisionScope(identity, actor, incident.ownerOrg, 'path.incidentId', true);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

async function readable(identity: IncidentPorts['identity'], actor: Principal, incident: Incident | undefined, incidentId: string): Promise<Incident> {
  if (incident && (incident.reportedBy === actor.userId || (await mayHandle(identity, actor, incident)))) return incident;
  throw new NotFoundError(`安全保密事件 ${incidentId} 不存在或不在您的监督范围内`);
}

/**
 * POST /supervision/incidents/{id}/transitions: the next step of the timeline,
 * by the organiser's reviewers or a supervisor of the owner or above (others:
 * 404, or 403 for the reporter, who may read it). Asking for the state it is
 * in already changes nothing (idempotent); skipping a step is 409.
 */
export async function moveIncident(
  ports: Pick<IncidentPorts, 'identity' | 'incidents' | 'now'>,
  cmd: { actor: Principal; incidentId: string; to: Exclude<IncidentState, 'reported'>; note: string; conclusions?: string; requestId: string },
): Promise<{ incident: Incident; changed: boolean }> {
  const incident = await readable(ports.identity, cmd.actor, await ports.incidents.get(cmd.incidentId), cmd.incidentId);
  if (!(await mayHandle(ports.identity, cmd.actor, incident))) throw new ForbiddenError('只有成果组织单位的审核人员或监督人员可以处理安全保密事件');
  if (incident.state === cmd.to || incident.timeline.some((s) => s.state === cmd.to)) return { incident, changed: false };
  if (next[incident.state] !== cmd.to) {
    throw new ConflictError('INVALID_TRANSITION', `事件当前为“${incidentStateLabels[incident.state]}”，下一步应为“${next[incident.state] ? incidentStateLabels[next[incident.state]!] : '无（已结案）'}”`, [
      { field: 'body.to', code: 'INVALID_TRANSITION', message: `不能从 ${incident.state} 变为 ${cmd.to}` },
    ]);
  }
  if (cmd.to === 'closed' && !cmd.conclusions?.trim()) throw invalid('body.conclusions', '结案须填写结论', 'REQUIRED');
  const at = ports.now().toISOString();
  const moved: Incident = {
    ...incident,
    state: cmd.to,
    timeline: [...incident.timeline, { state: cmd.to, at, by: cmd.actor.userId, byName: cmd.actor.name, note: cmd.note }],
    ...(cmd.to === 'closed' ? { conclusions: cmd.conclusions!.trim() } : {}),
  };
  await ports.incidents.update(moved, incident.state, {
    actor: cmd.actor.userId,
    orgCode: incident.ownerOrg,
    action: `supervision.incident.${cmd.to}`,
    target: `INCIDENT#${incident.incidentId}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { from: incident.state, to: cmd.to, note: cmd.note, ...(cmd.to === 'closed' ? { conclusions: moved.conclusions } : {}), requirement: 'R20.1' },
  });
  return { incident: moved, changed: true };
}

/** GET /supervision/incidents/{id}: the reporter, the organiser's reviewers, supervisors of the owner or above; others 404. */
export async function getIncident(ports: Pick<IncidentPorts, 'identity'> & { incidents: Pick<IncidentStore, 'get'> }, cmd: { actor: Principal; incidentId: string }): Promise<Incident> {
  return readable(ports.identity, cmd.actor, await ports.incidents.get(cmd.incidentId), cmd.incidentId);
}

/** GET /supervision/incidents?org=&state=: the organisation's and those below it, newest first (one key query per organisation). */
export async function listIncidents(
  ports: Pick<IncidentPorts, 'identity'> & { incidents: Pick<IncidentStore, 'listOf'> },
  cmd: { actor: Principal; org?: string; state?: IncidentState | 'open' },
): Promise<{ org: string; items: Incident[] }> {
  const org = cmd.org ?? cmd.actor.orgCode;
  // Another province's incidents do not exist for the caller (404), as its bulletins do not.
  await requireSupervisionScope(ports.identity, cmd.actor, org, 'query.org', true);
  const items: Incident[] = [];
  for (const o of await orgTree(ports.identity, org)) items.push(...(await ports.incidents.listOf(o)));
  const wanted = items.filter((i) => !cmd.state || (cmd.state === 'open' ? i.state !== 'closed' : i.state === cmd.state));
  return { org, items: wanted.sort((a, b) => (a.reportedAt < b.reportedAt ? 1 : a.reportedAt > b.reportedAt ? -1 : 0)) };
}

/** An incident as a reader sees it: a result above the reader's clearance shows its number only. */
export function incidentView(i: Incident, reader: Pick<Principal, 'clearance'>) {
  return {
    incidentId: i.incidentId,
    kind: i.kind,
    kindLabel: incidentKindLabels[i.kind],
    description: i.description,
    foundOn: i.foundOn,
    measures: i.measures,
    reportedBy: i.reportedBy,
    reporterOrg: i.reporterOrg,
    reportedAt: i.reportedAt,
    ownerOrg: i.ownerOrg,
    state: i.state,
    stateLabel: incidentStateLabels[i.state],
    results: i.results.map((r) =>
      visibleTo(reader, r.classification)
        ? { resultNumber: r.resultNumber, hidden: false, name: r.name, classification: r.classification, classificationLabel: classificationLabels[r.classification] }
        : { resultNumber: r.resultNumber, hidden: true, name: '（涉密，需相应密级查看）' },
    ),
    timeline: i.timeline.map((s) => ({ ...s })),
    ...(i.conclusions ? { conclusions: i.conclusions } : {}),
  };
}
