import * as z from 'zod/mini';
import { addCalendarDays, chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { isValidIsoDate } from '#shared/calendar/dates.ts';
import { classificationLabels, classifications, type Classification } from '#shared/reference/classifications.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named, userLabel } from '#shared/tasks/mail.ts';
import { maxSharingDays, processingKindLabels, sharingChannelLabels, type ProcessingRequest, type SharingApplication, type SharingStore } from './model.ts';

/**
 * The organiser's review of a sharing application (共享审核, R15.1) as a
 * human-task kind: one task per organiser of the application's results; its
 * reviewers decide 同意共享 / 不予共享 (with reasons, R16.2), seeing the
 * application, the requester organisation and its earlier grants.
 */
export const sharingReviewKindId = 'sharingReview';

/** How many of the organiser's latest applications the review reads for other organisations' grants on the results asked for. */
export const grantsLookback = 200;

export const sharingSubjectSchema = z.object({ applicationId: z.string().check(z.minLength(1)), organiserOrg: z.string().check(z.minLength(1)) });

const kindsLabel = (p: ProcessingRequest) => p.kinds.map((k) => processingKindLabels[k]).join('、');

const highest = (cs: readonly Classification[]): Classification => cs.reduce<Classification>((a, c) => (classifications.indexOf(c) > classifications.indexOf(a) ? c : a), 'public');

export function sharingReviewKind(ports: {
  catalogue: Pick<CatalogueStore, 'getEntry'>;
  sharing: Pick<SharingStore, 'getApplication' | 'listApplications'>;
  identity: Pick<IdentityRepository, 'getOrganisation' | 'getUser'>;
}): HumanTaskKind<typeof sharingReviewKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { applicationId, organiserOrg } = sharingSubjectSchema.parse(subject);
    const app = await ports.sharing.getApplication(applicationId);
    if (!app) throw new NotFoundError(`共享申请 ${applicationId} 不存在`);
    const review = app.reviews.find((r) => r.organiserOrg === organiserOrg);
    if (!review) throw new NotFoundError(`共享申请 ${applicationId} 没有组织单位 ${organiserOrg} 的审核`);
    return { app, review, items: app.items.filter((i) => review.resultNumbers.includes(i.resultNumber)) };
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  /** The requester organisation's earlier applications to this organiser: grants and refusals (history). */
  const history = async (app: SharingApplication, organiserOrg: string) => {
    const earlier = (await ports.sharing.listApplications('by', app.requesterOrg, 100)).filter((a) => a.applicationId !== app.applicationId);
    const reviews = earlier.flatMap((a) => a.reviews.filter((r) => r.organiserOrg === organiserOrg).map((r) => ({ applicationId: a.applicationId, requestedAt: a.requestedAt, status: r.status, grantId: r.grantId })));
    return { approved: reviews.filter((r) => r.status === 'approved'), rejected: reviews.filter((r) => r.status === 'rejected') };
  };

  /**
   * R18.1: a grant is not passed on — another department applies itself, and the organiser sees who already holds a
   * grant on each result asked for (its latest `grantsLookback` applications; other organisations only).
   */
  const otherHolders = async (app: SharingApplication, organiserOrg: string, resultNumbers: readonly string[]) => {
    const addressed = await ports.sharing.listApplications('to', organiserOrg, grantsLookback);
    const out: Array<{ resultNumber: string; holders: Array<{ org: string; name: string; grantId: string }> }> = [];
    for (const n of resultNumbers) {
      const holders = new Map<string, { org: string; name: string; grantId: string }>();
      for (const a of addressed) {
        if (a.requesterOrg === app.requesterOrg || !a.items.some((i) => i.resultNumber === n)) continue;
        const granted = a.reviews.find((r) => r.organiserOrg === organiserOrg && r.status === 'approved' && r.grantId && r.resultNumbers.includes(n));
        if (granted?.grantId && !holders.has(a.requesterOrg)) holders.set(a.requesterOrg, { org: a.requesterOrg, name: await orgName(a.requesterOrg), grantId: granted.grantId });
      }
      if (holders.size > 0) out.push({ resultNumber: n, holders: [...holders.values()] });
    }
    return out;
  };

  return {
    kind: sharingReviewKindId,
    label: '成果共享审核',
    role: 'reviewer',

    acceptsConditions: true,

    /** Conditions may only narrow the application: an earlier end (not before the start), files among those asked for, a scope. */
    async checkDecision(task, decision) {
      const c = decision.conditions;
      // R13.1: processing asked for needs the organiser's explicit answer with an approval; none asked, none answered
      // (conditions come with an approval only: the facility refuses them otherwise).
      if (decision.decision === 'approve') {
        const asked = (await load(task.subject)).app.processing !== undefined;
        if (asked !== (c?.processing !== undefined)) {
          const message = asked ? '请选择是否同意加工' : '未申请加工';
          throw new ValidationError(`请求参数有误：body.conditions.processing ${message}`, [{ field: 'body.conditions.processing', code: asked ? 'REQUIRED' : 'NOT_ASKED', message }]);
        }
      }
      if (!c) return;
      const { app, items } = await load(task.subject);
      const issues: FieldIssue[] = [];
      if (c.to !== undefined && (!isValidIsoDate(c.to) || c.to < app.period.from || c.to > app.period.to)) {
        issues.push({ field: 'body.conditions.to', code: 'OUT_OF_PERIOD', message: `截止日期应在申请的期限内（${app.period.from} 至 ${app.period.to}）` });
      }
      const end = c.to ?? app.period.to;
      if (c.useReportDue !== undefined && (!isValidIsoDate(c.useReportDue) || c.useReportDue < app.period.from || c.useReportDue > addCalendarDays(end, 365))) {
        issues.push({ field: 'body.conditions.useReportDue', code: 'OUT_OF_RANGE', message: `利用情况报告应交日期应在 ${app.period.from} 至 ${addCalendarDays(end, 365)} 之间` });
      }
      const asked = items.flatMap((i) => i.files ?? []);
      const whole = items.some((i) => !i.files);
      for (const [j, f] of (c.files ?? []).entries()) {
        if (!whole && !asked.includes(f)) issues.push({ field: `body.conditions.files[${j}]`, code: 'NOT_ASKED', message: `申请中没有文件 ${f}` });
      }
      if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues.map((i) => `${i.field} ${i.message}`).join('；')}`, issues);
    },

    async protects(subject) {
      const { app, review, items } = await load(subject);
      return { target: `SHAREAPP#${app.applicationId}`, classification: highest(items.map((i) => i.classification)), organiserOrg: review.organiserOrg, custodianOrg: items[0]?.custodianOrg ?? review.organiserOrg };
    },

    async describe(subject) {
      const { app, review, items } = await load(subject);
      const h = await history(app, review.organiserOrg);
      const others = await otherHolders(app, review.organiserOrg, items.map((i) => i.resultNumber));
      return {
        title: `成果共享审核：${named(await orgName(app.requesterOrg), app.requesterOrg)} 申请 ${items.length} 项成果`,
        assigneeOrg: review.organiserOrg,
        details: [
          `申请编号：${app.applicationId}`,
          `申请单位：${named(await orgName(app.requesterOrg), app.requesterOrg)}`,
          `申请人：${await userLabel(ports.identity, app.requestedBy)}（联系人 ${app.contact.name}，${app.contact.phone}）`,
          `成果：${items.map((i) => `${i.resultNumber}（${classificationLabels[i.classification]}${i.files ? `，部分文件 ${i.files.length} 个` : '，整个成果'}）`).join('；')}`,
          `用途：${app.purpose}`,
          `使用范围：${app.scope}`,
          `使用期限：${app.period.from} 至 ${app.period.to}（最长 ${maxSharingDays} 天）`,
          `共享方式：${sharingChannelLabels[app.channel]}`,
          `该单位此前获准共享 ${h.approved.length} 次、未获同意 ${h.rejected.length} 次`,
          ...others.map((o) => `成果 ${o.resultNumber} 已有其他单位获准共享：${o.holders.map((x) => `${named(x.name, x.org)}（授权 ${x.grantId}）`).join('、')}；授权不得转让，本申请单位须自行申请（R18.1）`),
          ...(app.overdueUseReports?.length ? [`注意：该单位申请时有 ${app.overdueUseReports.length} 份利用情况报告逾期未交（R19.1）：${app.overdueUseReports.map((o) => `授权 ${o.grantId} 应于 ${o.due} 提交`).join('；')}`] : []),
          ...(app.offlineReason ? [`离线原因：${app.offlineReason}`] : []),
          ...(app.processing ? [`申请加工：${kindsLabel(app.processing)}；${app.processing.spec}`] : []),
          `同意后${app.channel === 'offline' ? '出具审批函或任务单，保管单位离线交接' : '申请人须签署共享使用协议方可下载'}；不予共享须填写理由，将邮件告知申请人。`,
        ],
      };
    },

    async summary(task) {
      const { app, review, items } = await load(task.subject);
      const h = await history(app, review.organiserOrg);
      const others = await otherHolders(app, review.organiserOrg, items.map((i) => i.resultNumber));
      const lines = [];
      for (const i of items) {
        const entry = await ports.catalogue.getEntry(i.resultNumber);
        lines.push({ resultNumber: i.resultNumber, name: entry?.name ?? i.resultNumber, classificationLabel: classificationLabels[i.classification], content: i.files ? `部分文件：${i.files.join('、')}` : '整个成果' });
      }
      return {
        kind: sharingReviewKindId,
        application: {
          applicationId: app.applicationId,
          requesterOrg: app.requesterOrg,
          requesterName: await orgName(app.requesterOrg),
          requestedBy: app.requestedBy,
          requestedAtLabel: chinaDateTime(app.requestedAt),
          purpose: app.purpose,
          scope: app.scope,
          from: app.period.from,
          to: app.period.to,
          contact: `${app.contact.name}（${app.contact.phone}）`,
          channelLabel: sharingChannelLabels[app.channel],
          items: lines,
          ...(app.processing ? { processing: { kindLabels: kindsLabel(app.processing), spec: app.processing.spec } } : {}),
        },
        history: { approved: h.approved.length, rejected: h.rejected.length, grants: h.approved.flatMap((r) => (r.grantId ? [r.grantId] : [])) },
        otherGrants: others,
      };
    },
  };
}
