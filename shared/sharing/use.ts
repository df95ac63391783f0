import { chinaDate } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import { clearanceAllows } from '#shared/reference/classifications.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { noteTouched } from '#shared/security/context.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { evaluationCounts } from '#shared/supervision/evaluation-counts.ts';
import { useReportDue } from '#shared/supervision/clock-types.ts';
import { grantStatusLabels, type SharingGrant, type SharingStore, type UseReport, type UseReportSlot } from './model.ts';
import { useReportSubject } from './purpose.ts';
import { useReportSlotView } from './sharing.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';

/**
 * What a requester does with a grant after it is signed (issue 17):
 * adjusts its own named users within the grant (R18.1: the grant stays the
 * organisation's, never passed on) and files the use reports due (R19.1).
 */

const entry = (actor: Principal, action: string, grantId: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor: actor.userId,
  orgCode: actor.orgCode,
  action,
  target: `SHAREGRANT#${grantId}`,
  outcome: 'success',
  requestId,
  detail,
});

/** The grant, for its requester organisation only (within clearance); anyone else: 404, nothing disclosed. */
async function ownGrant(sharing: Pick<SharingStore, 'getGrant'>, actor: Principal, grantId: string): Promise<SharingGrant> {
  const g = await sharing.getGrant(grantId);
  if (!g || g.requesterOrg !== actor.orgCode || !clearanceAllows(actor.clearance, g.classification)) throw new NotFoundError(`共享授权 ${grantId} 不存在`);
  noteTouched({ target: `SHAREGRANT#${grantId}`, classification: g.classification, orgs: [g.requesterOrg, g.organiserOrg], access: 'read' });
  return g;
}

async function applicationOf(sharing: Pick<SharingStore, 'getApplication'>, g: SharingGrant) {
  const app = await sharing.getApplication(g.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${g.applicationId} 不存在`);
  return app;
}

/**
 * POST /sharing/grants/{grantId}/users (R18.1): a named user of the grant adds
 * or removes named users of its OWN organisation (active users; never another
 * organisation's — they apply themselves). The grant keeps at least one user;
 * a revoked or expired grant is not changed (409). No change → the grant as it
 * is, nothing written. Audited, on the application's timeline.
 */
export async function changeGrantUsers(
  ports: { sharing: SharingStore; identity: Pick<IdentityRepository, 'getUser'>; now: () => Date },
  cmd: { actor: Principal; grantId: string; add: readonly string[]; remove: readonly string[]; requestId: string },
): Promise<SharingGrant> {
  const g = await ownGrant(ports.sharing, cmd.actor, cmd.grantId);
  if (!g.users.includes(cmd.actor.userId)) throw new ForbiddenError('只有该共享授权的授权使用人可以调整授权使用人');
  if (g.status === 'revoked') throw new ConflictError('GRANT_REVOKED', `共享授权 ${g.grantId} ${grantStatusLabels[g.status]}，不能再调整授权使用人`);
  const today = chinaDate(ports.now());
  if (today > g.to) throw new ConflictError('GRANT_EXPIRED', `共享授权已于 ${g.to} 到期，不能再调整授权使用人`);
  const issues: FieldIssue[] = [];
  for (const [i, userId] of cmd.add.entries()) {
    const u = await ports.identity.getUser(userId);
    if (!u || u.orgCode !== g.requesterOrg || u.deactivatedAt) issues.push({ field: `body.add[${i}]`, code: 'UNKNOWN_USER', message: `${userId} 不是本单位的在用用户（授权不得转给其他单位使用，其他单位须自行申请）` });
  }
  for (const [i, userId] of cmd.remove.entries()) {
    if (!g.users.includes(userId)) issues.push({ field: `body.remove[${i}]`, code: 'NOT_A_USER', message: `${userId} 不是该授权的授权使用人` });
    if (cmd.add.includes(userId)) issues.push({ field: `body.remove[${i}]`, code: 'BOTH', message: `${userId} 不能同时增加和移除` });
  }
  if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues.map((x) => `${x.field} ${x.message}`).join('；')}`, issues);
  const added = [...new Set(cmd.add)].filter((u) => !g.users.includes(u));
  const removed = [...new Set(cmd.remove)];
  const users = [...g.users.filter((u) => !removed.includes(u)), ...added];
  if (users.length === 0) throw new ValidationError('请求参数有误：body.remove 授权至少保留 1 名授权使用人', [{ field: 'body.remove', code: 'LAST_USER', message: '授权至少保留 1 名授权使用人' }]);
  if (added.length === 0 && removed.length === 0) return g;
  const at = ports.now().toISOString();
  const app = await applicationOf(ports.sharing, g);
  const next: SharingGrant = { ...g, users, userChanges: [...(g.userChanges ?? []), { by: cmd.actor.userId, at, added, removed }], version: g.version + 1 };
  const note = [added.length ? `增加 ${added.join('、')}` : '', removed.length ? `移除 ${removed.join('、')}` : ''].filter(Boolean).join('，');
  await ports.sharing.updateGrant(
    next,
    g.version,
    { ...app, timeline: [...app.timeline, { at, type: 'grantUsersChanged', by: cmd.actor.userId, note: `调整共享授权 ${g.grantId} 的授权使用人：${note}` }], version: app.version + 1 },
    app.version,
    entry(cmd.actor, 'sharing.grant.users', g.grantId, cmd.requestId, { added, removed, users }),
  );
  return next;
}

export interface UseReportInput {
  readonly application: string;
  readonly projects: readonly string[];
  readonly outcomes: string;
  readonly problems: string;
}

/**
 * POST /sharing/grants/{grantId}/use-reports (R19.1): the requester
 * organisation reports how the results were applied, in which projects, the
 * outcomes and problems. It answers the earliest open report of the grant;
 * its R19.1 clock is met (on time or late) and the report is
 * counted for the organiser (`R19.reports`, `R19.1.late`), in the same audited transaction. Another
 * organisation's grant: 404. Every report already in: 409. A grant never
 * signed (nothing was handed out): 409.
 */
export async function fileUseReport(
  ports: { sharing: SharingStore; now: () => Date },
  cmd: { actor: Principal; grantId: string; input: UseReportInput; requestId: string },
): Promise<{ grant: SharingGrant; slot: UseReportSlot }> {
  const g = await ownGrant(ports.sharing, cmd.actor, cmd.grantId);
  if (!g.signature) throw new ConflictError('GRANT_NOT_SIGNED', `共享授权 ${g.grantId} 尚未签署使用协议，未提供任何成果，无需报送利用情况`);
  const slots = g.useReports ?? [];
  const index = slots.findIndex((s) => !s.report);
  if (index < 0) throw new ConflictError('USE_REPORTS_IN', `共享授权 ${g.grantId} 应报送的利用情况报告均已提交`);
  const at = ports.now().toISOString();
  const today = chinaDate(ports.now());
  const open = slots[index]!;
  const report: UseReport = {
    by: cmd.actor.userId,
    byName: cmd.actor.name,
    at,
    application: cmd.input.application.trim(),
    projects: cmd.input.projects.map((p) => p.trim()).filter(Boolean),
    outcomes: cmd.input.outcomes.trim(),
    problems: cmd.input.problems.trim(),
    late: today > open.due,
  };
  const slot: UseReportSlot = { ...open, report };
  const next: SharingGrant = { ...g, useReports: slots.map((s, i) => (i === index ? slot : s)), version: g.version + 1 };
  const app = await applicationOf(ports.sharing, g);
  await ports.sharing.updateGrant(
    next,
    g.version,
    { ...app, timeline: [...app.timeline, { at, type: 'useReportFiled', by: cmd.actor.userId, note: `报送共享授权 ${g.grantId} 的利用情况报告（应交日期 ${open.due}${report.late ? '，逾期提交' : ''}）` }], version: app.version + 1 },
    app.version,
    withSupervision(
      entry(cmd.actor, 'sharing.useReport.file', g.grantId, cmd.requestId, { due: open.due, late: report.late, projects: report.projects.length }),
      {
        meet: [{ type: useReportDue.id, subject: useReportSubject(g.grantId, open.due) }],
        count: [
          { org: g.organiserOrg, metric: 'R19.reports' },
          ...(report.late ? [{ org: g.organiserOrg, metric: 'R19.1.late' }] : []),
          // R19.2: the per-custodian dimension (the custodian's quarterly evaluation).
          ...evaluationCounts(g.custodianOrgs.map((c) => ({ custodianOrg: c, organiserOrg: g.organiserOrg })), 'R19.reports'),
          ...(report.late ? evaluationCounts(g.custodianOrgs.map((c) => ({ custodianOrg: c, organiserOrg: g.organiserOrg })), 'R19.1.late') : []),
        ],
      },
      at,
    ),
  );
  return { grant: next, slot };
}

/**
 * GET /sharing/use-reports (R19.1): every use report due on the grants of the caller's organisation (`mine`),
 * or of the grants it approved as organiser (`addressed`: the reports in and those still owed), one row per due
 * report with its due date, working days left (negative: overdue) and, once filed, the report. A grant above
 * the caller's clearance is left out (as GET /sharing/grants/{id} answers 404). Newest application first;
 * `cursor` continues after a page of `limit` applications.
 */
export async function listUseReports(
  ports: { sharing: Pick<SharingStore, 'listApplications' | 'getGrant'>; calendar: () => Promise<WorkingDayCalendar>; now: () => Date },
  cmd: { actor: Principal; side: 'mine' | 'addressed'; limit: number; cursor?: string | undefined },
) {
  const { actor } = cmd;
  const apps = await ports.sharing.listApplications(cmd.side === 'mine' ? 'by' : 'to', actor.orgCode, cmd.limit, cmd.cursor);
  const calendar = await ports.calendar();
  const today = chinaDate(ports.now());
  const items = [];
  for (const app of apps) {
    for (const r of app.reviews) {
      if (!r.grantId || (cmd.side === 'addressed' && r.organiserOrg !== actor.orgCode)) continue;
      const g = await ports.sharing.getGrant(r.grantId);
      if (!g || !clearanceAllows(actor.clearance, g.classification)) continue;
      if (cmd.side === 'mine' ? g.requesterOrg !== actor.orgCode : g.organiserOrg !== actor.orgCode) continue;
      noteTouched({ target: `SHAREGRANT#${g.grantId}`, classification: g.classification, orgs: [g.requesterOrg, g.organiserOrg], access: 'read' });
      for (const slot of g.useReports ?? []) {
        const view = useReportSlotView(slot, today);
        items.push({
          grantId: g.grantId,
          applicationId: g.applicationId,
          requesterOrg: g.requesterOrg,
          organiserOrg: g.organiserOrg,
          resultNumbers: [...g.resultNumbers],
          purpose: g.purpose,
          from: g.from,
          to: g.to,
          grantStatus: g.status,
          grantStatusLabel: grantStatusLabels[g.status],
          signed: g.signature !== undefined,
          ...view,
          ...(slot.report ? {} : { workingDaysLeft: calendar.workingDaysLeft(slot.due, today) }),
        });
      }
    }
  }
  const last = apps.at(-1);
  return { items, ...(apps.length === cmd.limit && last ? { cursor: `${last.requestedAt}#${last.applicationId}` } : {}) };
}
