import { addCalendarDays, chinaDate, toEpochDay } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { consoleUrl } from '#shared/tasks/mail.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { EntryChange } from '#shared/catalogue/public/changes.ts';
import { maxSharingDays, type SharingApplication, type SharingGrant, type SharingStore } from './model.ts';
import { applyForSharing, readableGrant, type ApplyPorts } from './sharing.ts';

/**
 * Active push (主动推送, issue 16): a grant may subscribe to new versions of its
 * results; when a result's catalogue entry gets a new version, the grant's
 * requester is emailed once per grant × result × version with a one-step
 * re-application (POST /sharing/applications/{id}/reapplication), which copies
 * the application for the new version and sends it to review like any other.
 */
export interface SubscriptionStore {
  /** The grant (conditional on `previousVersion`) with its subscription, and the index SHARESUB#<number> → grant, in one audited transaction. */
  subscribe(grant: SharingGrant, previousVersion: number, audit: AuditEntry): Promise<void>;
  /** The grants subscribed to a result's new versions. */
  subscribers(resultNumber: string): Promise<string[]>;
  /** Records one push (grant × result × version) once; false when it was recorded already (a retried batch). */
  recordPush(push: { grantId: string; resultNumber: string; version: number; at: string }, audit: AuditEntry): Promise<boolean>;
}

const audit = (actor: string, orgCode: string, action: string, target: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor,
  orgCode,
  action,
  target,
  outcome: 'success',
  requestId,
  detail,
});

/**
 * POST /sharing/grants/{grantId}/subscription: a named user of a grant that is not revoked nor expired subscribes it
 * to new versions of its results. Subscribing again changes nothing (200, same grant).
 */
export async function subscribeGrant(
  ports: { sharing: Pick<SharingStore, 'getGrant'>; subscriptions: Pick<SubscriptionStore, 'subscribe'>; now: () => Date },
  cmd: { actor: Principal; grantId: string; requestId: string },
): Promise<SharingGrant> {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  if (cmd.actor.orgCode !== g.requesterOrg || !g.users.includes(cmd.actor.userId)) throw new ForbiddenError('只有共享授权的授权使用人可以订阅新版本推送');
  if (g.status === 'revoked') throw new ConflictError('GRANT_REVOKED', `共享授权 ${g.grantId} 已撤销，不能订阅`);
  const today = chinaDate(ports.now());
  if (today > g.to) throw new ConflictError('GRANT_EXPIRED', `共享授权已于 ${g.to} 到期，不能订阅`);
  if (g.subscription) return g;
  const at = ports.now().toISOString();
  const next: SharingGrant = { ...g, subscription: { by: cmd.actor.userId, at }, version: g.version + 1 };
  await ports.subscriptions.subscribe(next, g.version, audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.grant.subscribe', `SHAREGRANT#${g.grantId}`, cmd.requestId, { resultNumbers: g.resultNumbers }));
  return next;
}

/** A catalogue change that is a new version of a live entry: the version went up. */
export function newVersionOf(c: EntryChange): { resultNumber: string; version: number; name: string } | undefined {
  if (!c.entry || !c.previous || c.entry.status === 'destroyed') return undefined;
  return c.entry.version > c.previous.version ? { resultNumber: c.resultNumber, version: c.entry.version, name: c.entry.name } : undefined;
}

export interface PushPorts {
  readonly subscriptions: Pick<SubscriptionStore, 'subscribers' | 'recordPush'>;
  readonly sharing: Pick<SharingStore, 'getGrant' | 'getApplication'>;
  readonly identity: Pick<IdentityRepository, 'getUser'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
  /** The site (APP_BASE_URL): the email links the console's pages, never an API route. */
  readonly appBaseUrl: string;
}

/**
 * Stream SharingPushOnNewVersion: for each new catalogue version in the batch, every subscribed grant that is
 * not revoked and not expired is pushed once (recorded, audited): its requester (and the signer, when another
 * person) is emailed in Chinese with the one-step re-application. A retried batch emails no one twice.
 */
export async function pushNewVersions(ports: PushPorts, cmd: { changes: readonly EntryChange[]; requestId: string }): Promise<{ pushed: number }> {
  const versions = new Map<string, { resultNumber: string; version: number; name: string }>();
  for (const c of cmd.changes) {
    const v = newVersionOf(c);
    if (v && (versions.get(v.resultNumber)?.version ?? 0) < v.version) versions.set(v.resultNumber, v);
  }
  let pushed = 0;
  const today = chinaDate(ports.now());
  for (const v of versions.values()) {
    for (const grantId of await ports.subscriptions.subscribers(v.resultNumber)) {
      const g = await ports.sharing.getGrant(grantId);
      if (!g?.subscription || g.status === 'revoked' || today > g.to) continue;
      const app = await ports.sharing.getApplication(g.applicationId);
      if (!app) continue;
      const at = ports.now().toISOString();
      const fresh = await ports.subscriptions.recordPush(
        { grantId, resultNumber: v.resultNumber, version: v.version, at },
        audit('system:SharingPushOnNewVersion', g.organiserOrg, 'sharing.grant.push', `SHAREGRANT#${grantId}`, cmd.requestId, { resultNumber: v.resultNumber, version: v.version }),
      );
      if (!fresh) continue;
      const people = [...new Set([app.requestedBy, g.subscription.by, ...(g.signature ? [g.signature.by] : [])])];
      const to: string[] = [];
      for (const userId of people) {
        const u = await ports.identity.getUser(userId);
        if (u && !u.deactivatedAt) to.push(u.email);
      }
      if (to.length === 0) continue;
      await ports.mailer.send({
        to,
        subject: `【成果新版本推送】${v.name}（${v.resultNumber} 第 ${v.version} 版）`,
        text: [
          `您单位订阅的成果 ${v.name}（${v.resultNumber}）已编目第 ${v.version} 版。`,
          `现有共享授权 ${g.grantId} 仍按原版本提供；如需新版本，请登录工作台重新申请共享（送组织单位审核）：${consoleUrl(ports.appBaseUrl, 'sharing', 'apply')}`,
          `原申请的成果、用途、范围、联系人和授权使用人可在原申请页面查看：${consoleUrl(ports.appBaseUrl, 'sharing', 'applications', app.applicationId)}`,
          '政府部门间共享不收取费用（R13.1）。',
        ].join('\n'),
      });
      pushed += 1;
    }
  }
  return { pushed };
}

/**
 * POST /sharing/applications/{applicationId}/reapplication: the requester organisation applies again in one step —
 * the application copied (results and files, purpose, scope, contact, users, channel and its reason), the period
 * as long as before (at most the maximum) from today, and submitted through the same rules (applyForSharing).
 * Another organisation: 404, as for reading.
 */
export async function reapplyForSharing(
  ports: ApplyPorts & { sharing: Pick<SharingStore, 'getApplication' | 'createApplication'> },
  cmd: { actor: Principal; applicationId: string; requestId: string },
): Promise<SharingApplication> {
  const app = await ports.sharing.getApplication(cmd.applicationId);
  if (!app || app.requesterOrg !== cmd.actor.orgCode) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  const today = chinaDate(ports.now());
  const days = Math.min(maxSharingDays, toEpochDay(app.period.to) - toEpochDay(app.period.from) + 1);
  return applyForSharing(ports, {
    actor: cmd.actor,
    requestId: cmd.requestId,
    basedOn: { applicationId: app.applicationId, note: `依据申请 ${app.applicationId} 一步重新申请（成果新版本推送）` },
    input: {
      results: app.items.map((i) => ({ resultNumber: i.resultNumber, ...(i.files ? { files: i.files } : {}) })),
      purpose: app.purpose,
      scope: app.scope,
      period: { from: today, to: addCalendarDays(today, days - 1) },
      contact: app.contact,
      ...(app.channel === 'offline' ? { channel: 'offline' as const, offlineReason: app.offlineReason } : {}),
      users: app.users.filter((u) => u !== cmd.actor.userId),
    },
  });
}
