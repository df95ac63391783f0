import { createHash, timingSafeEqual } from 'node:crypto';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { publicApplicationDue } from '#shared/supervision/clock-types.ts';
import { named } from '#shared/tasks/mail.ts';
import {
  answerWorkingDays,
  extensionWorkingDays,
  maxApplicationsPerEmailPerDay,
  maxVerificationAttempts,
  publicAnswerOutcomeLabels,
  publicApplicationKindLabels,
  publicApplicationStatusLabels,
  verificationCodeMinutes,
  type PublicAnswerOutcome,
  type PublicApplication,
  type PublicApplicationKind,
  type PublicApplicationStore,
  type PublicTimelineEvent,
} from './public-model.ts';

export * from './public-model.ts';

const invalid = (field: string, code: string, message: string): ValidationError => new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code, message }]);
const event = (at: string, type: string, by: string, note: string): PublicTimelineEvent => ({ at, type, by, note });
const audit = (actor: string, orgCode: string, action: string, applicationId: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor,
  orgCode,
  action,
  target: `PUBAPP#${applicationId}`,
  outcome: 'success',
  requestId,
  detail,
});

/** The code as stored: SHA-256 of `<applicationId>:<code>` (never the code itself). */
export const codeHash = (applicationId: string, code: string): string => createHash('sha256').update(`${applicationId}:${code}`, 'utf8').digest('hex');
/** The per-day counter's key: the email, hashed and lower-cased (no address in a key). */
export const emailKey = (email: string): string => createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex');
/** An address as an audit record or a staff list shows it to whoever does not answer: l***@example.cn. */
export const maskEmail = (email: string): string => email.replace(/^(.)[^@]*(@.*)$/, '$1***$2');

export interface PublicApplicationInput {
  readonly kind: PublicApplicationKind;
  readonly name: string;
  readonly organisation?: string | undefined;
  readonly phone: string;
  readonly address?: string | undefined;
  readonly email: string;
  readonly resultNumber?: string | undefined;
  /** The organisation asked (a disclosure application about no particular result). */
  readonly answeringOrg?: string | undefined;
  readonly subject: string;
  readonly purpose: string;
}

export interface SubmitPorts {
  readonly publicApplications: Pick<PublicApplicationStore, 'create'>;
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly newCode: () => string;
}

/**
 * POST /public/applications (R14.2, R16.3), no account.
 *  1. reuse names a published result (catalogued, 公开, not destroyed) — else 400 body.resultNumber, the same
 *     message whether the number is unknown or not public (nothing about a classified result is said);
 *     disclosure names a result or the organisation asked (body.answeringOrg, an organisation that exists);
 *  2. stored unverified with the one-time code hashed, expiring in 30 minutes, counted against the email's day
 *     (at most 5 a day: 409 TOO_MANY_APPLICATIONS, nothing stored), with its audit record;
 *  3. the code is emailed; nothing is received (no clock, no list) until it is verified.
 */
export async function submitPublicApplication(ports: SubmitPorts, cmd: { input: PublicApplicationInput; requestId: string }): Promise<{ app: PublicApplication; expiresAt: string }> {
  const { input } = cmd;
  const issues: FieldIssue[] = [];
  let answeringOrg: string | undefined;
  let regionCode: string | undefined;
  if (input.resultNumber) {
    const entry = await ports.catalogue.getEntry(input.resultNumber);
    if (!entry || entry.status === 'destroyed' || entry.classification !== 'public') {
      issues.push({ field: 'body.resultNumber', code: 'UNKNOWN_RESULT', message: `公开目录中没有统一编号 ${input.resultNumber} 的已发布成果` });
    } else {
      answeringOrg = entry.organiserOrg;
      regionCode = entry.spatialScope.regionCode;
    }
  } else if (input.kind === 'reuse') {
    issues.push({ field: 'body.resultNumber', code: 'REQUIRED', message: '申请利用已发布成果须填写成果统一编号' });
  } else if (!input.answeringOrg) {
    issues.push({ field: 'body.answeringOrg', code: 'REQUIRED', message: '请填写成果统一编号，或填写申请公开信息的机关（组织单位代码）' });
  } else {
    const org = await ports.identity.getOrganisation(input.answeringOrg);
    if (!org || org.deactivatedAt) issues.push({ field: 'body.answeringOrg', code: 'UNKNOWN_ORGANISATION', message: `没有代码为 ${input.answeringOrg} 的机关` });
    else {
      answeringOrg = org.code;
      regionCode = org.regionCode;
    }
  }
  if (issues.length > 0 || !answeringOrg) throw new ValidationError(`请求参数有误：${issues.map((x) => `${x.field} ${x.message}`).join('；')}`, issues);

  const now = ports.now();
  const at = now.toISOString();
  const applicationId = ports.newId();
  const code = ports.newCode();
  if (!/^\d{6}$/.test(code)) throw new Error('one-time code generator must give 6 digits');
  const expiresAt = new Date(now.getTime() + verificationCodeMinutes * 60_000).toISOString();
  const app: PublicApplication = {
    applicationId,
    kind: input.kind,
    applicant: {
      name: input.name.trim(),
      ...(input.organisation?.trim() ? { organisation: input.organisation.trim() } : {}),
      phone: input.phone.trim(),
      ...(input.address?.trim() ? { address: input.address.trim() } : {}),
    },
    email: input.email.trim(),
    ...(input.resultNumber ? { resultNumber: input.resultNumber } : {}),
    answeringOrg,
    regionCode: regionCode ?? answeringOrg.slice(0, 6),
    subject: input.subject.trim(),
    purpose: input.purpose.trim(),
    submittedAt: at,
    status: 'unverified',
    verification: { codeHash: codeHash(applicationId, code), expiresAt, attempts: 0 },
    timeline: [event(at, 'submitted', 'public', `提交${publicApplicationKindLabels[input.kind]}，已向 ${maskEmail(input.email)} 发送验证码`)],
    version: 1,
  };
  await ports.publicApplications.create(
    app,
    { emailKey: emailKey(app.email), day: chinaDate(now), max: maxApplicationsPerEmailPerDay },
    audit(`public:${applicationId}`, answeringOrg, 'sharing.public.submit', applicationId, cmd.requestId, { kind: app.kind, answeringOrg, email: maskEmail(app.email), ...(app.resultNumber ? { resultNumber: app.resultNumber } : {}) }),
  );
  await ports.mailer.send({
    to: [app.email],
    subject: `【验证码】${publicApplicationKindLabels[app.kind]}（${applicationId.slice(0, 8)}）`,
    text: [
      `${app.applicant.name}：`,
      `您提交的${publicApplicationKindLabels[app.kind]}（申请编号 ${applicationId}）需要验证邮箱。`,
      `验证码：${code}`,
      `验证码 ${verificationCodeMinutes} 分钟内有效（至 ${chinaDateTime(expiresAt)}），最多可输入 ${maxVerificationAttempts} 次。验证通过后申请方为收到，答复期限自收到之日起计算。`,
      '如非本人操作，请忽略本邮件。',
    ].join('\n'),
  });
  return { app, expiresAt };
}

export interface VerifyPorts {
  readonly publicApplications: Pick<PublicApplicationStore, 'get' | 'update'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

const sameHash = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/**
 * POST /public/applications/{id}/verification (R16.3): the emailed code.
 *  - unknown id → 404; already verified → 409 ALREADY_VERIFIED;
 *  - 5 wrong codes used up → 409 CODE_LOCKED; past 30 minutes → 409 CODE_EXPIRED (apply again, nothing changes);
 *  - a wrong code → the attempt is counted (audited) and 400 names body.code with the tries left;
 *  - the right code → received today: the code hash is removed, the answer is due 20 working days later
 *    (the R16.3 clock starts for the answering organisation, in the same transaction), it is listed for
 *    that organisation, and the applicant is emailed the receipt and the due date.
 */
export async function verifyPublicApplication(ports: VerifyPorts, cmd: { applicationId: string; code: string; requestId: string }): Promise<PublicApplication> {
  const app = await ports.publicApplications.get(cmd.applicationId);
  if (!app) throw new NotFoundError(`申请 ${cmd.applicationId} 不存在`);
  if (app.status !== 'unverified' || !app.verification) throw new ConflictError('ALREADY_VERIFIED', `申请 ${app.applicationId} 的邮箱已验证，申请已收到`);
  const v = app.verification;
  if (v.attempts >= maxVerificationAttempts) throw new ConflictError('CODE_LOCKED', `验证码已输错 ${maxVerificationAttempts} 次，此申请不能再验证，请重新提交申请`);
  const now = ports.now();
  const at = now.toISOString();
  if (at > v.expiresAt) throw new ConflictError('CODE_EXPIRED', `验证码已于 ${chinaDateTime(v.expiresAt)} 过期，请重新提交申请`);
  if (!sameHash(codeHash(app.applicationId, cmd.code), v.codeHash)) {
    const attempts = v.attempts + 1;
    const next: PublicApplication = { ...app, verification: { ...v, attempts }, timeline: [...app.timeline, event(at, 'codeRejected', 'public', `验证码错误（第 ${attempts} 次）`)], version: app.version + 1 };
    await ports.publicApplications.update(next, app.version, audit(`public:${app.applicationId}`, app.answeringOrg, 'sharing.public.codeRejected', app.applicationId, cmd.requestId, { attempts }));
    const left = maxVerificationAttempts - attempts;
    throw invalid('body.code', 'WRONG_CODE', left > 0 ? `验证码不正确，还可输入 ${left} 次` : `验证码不正确，已输错 ${maxVerificationAttempts} 次，请重新提交申请`);
  }
  const today = chinaDate(now);
  const due = (await ports.calendar()).deadline(today, answerWorkingDays);
  const { verification: _v, ...rest } = app;
  const received: PublicApplication = {
    ...rest,
    status: 'open',
    verifiedAt: at,
    receivedOn: today,
    due: due.due,
    dueBasis: due.basis,
    timeline: [...app.timeline, event(at, 'received', 'public', `邮箱已验证，申请于 ${today} 收到；答复期限 ${due.due}（${answerWorkingDays} 个工作日）`)],
    version: app.version + 1,
  };
  await ports.publicApplications.update(
    received,
    app.version,
    withSupervision(
      audit(`public:${app.applicationId}`, app.answeringOrg, 'sharing.public.receive', app.applicationId, cmd.requestId, { kind: app.kind, due: due.due }),
      {
        count: [{ org: app.answeringOrg, metric: 'R16.3.received' }],
        start: [
          {
            type: publicApplicationDue.id,
            subject: app.applicationId,
            ownerOrg: app.answeringOrg,
            regionCode: app.regionCode,
            title: `${publicApplicationKindLabels[app.kind]}：${app.subject.slice(0, 40)}`,
            start: today,
            due: due.due,
            provisional: due.provisional,
            basis: due.basis,
          },
        ],
      },
      at,
    ),
    { listed: true },
  );
  const org = await ports.identity.getOrganisation(app.answeringOrg);
  await ports.mailer.send({
    to: [app.email],
    subject: `【申请已收到】${publicApplicationKindLabels[app.kind]}（${app.applicationId.slice(0, 8)}）`,
    text: [
      `${app.applicant.name}：`,
      `您的${publicApplicationKindLabels[app.kind]}（申请编号 ${app.applicationId}）已于 ${today} 收到，由 ${named(org?.name, app.answeringOrg)} 办理。`,
      `依照政府信息公开的规定，将在收到申请之日起 ${answerWorkingDays} 个工作日内（${due.due} 前）答复；需要延长的，将告知延长理由，延长期限最长不超过 ${extensionWorkingDays} 个工作日。`,
      `申请内容：${app.subject}`,
    ].join('\n'),
  });
  return received;
}

// ---------------------------------------------------------------- the answering organisation

async function addressed(store: Pick<PublicApplicationStore, 'get'>, actor: Principal, applicationId: string): Promise<PublicApplication> {
  const app = await store.get(applicationId);
  // Unverified applications are not received: no one lists or reads them. Another organisation: 404 (not disclosed).
  if (!app || app.status === 'unverified' || app.answeringOrg !== actor.orgCode) throw new NotFoundError(`公众申请 ${applicationId} 不存在`);
  return app;
}

export function publicApplicationView(app: PublicApplication, today: string) {
  return {
    applicationId: app.applicationId,
    kind: app.kind,
    kindLabel: publicApplicationKindLabels[app.kind],
    applicant: { ...app.applicant },
    email: app.email,
    ...(app.resultNumber ? { resultNumber: app.resultNumber } : {}),
    answeringOrg: app.answeringOrg,
    subject: app.subject,
    purpose: app.purpose,
    submittedAt: app.submittedAt,
    status: app.status,
    statusLabel: publicApplicationStatusLabels[app.status],
    ...(app.receivedOn ? { receivedOn: app.receivedOn } : {}),
    ...(app.due ? { due: app.due, overdue: app.status === 'open' && today > app.due } : {}),
    ...(app.extension ? { extension: { ...app.extension } } : {}),
    ...(app.answer ? { answer: { ...app.answer, outcomeLabel: publicAnswerOutcomeLabels[app.answer.outcome] } } : {}),
    timeline: app.timeline.map((e) => ({ ...e, atLabel: chinaDateTime(e.at) })),
  };
}
export type PublicApplicationView = ReturnType<typeof publicApplicationView>;

export async function getPublicApplication(ports: { publicApplications: Pick<PublicApplicationStore, 'get'>; now: () => Date }, cmd: { actor: Principal; applicationId: string }): Promise<PublicApplicationView> {
  return publicApplicationView(await addressed(ports.publicApplications, cmd.actor, cmd.applicationId), chinaDate(ports.now()));
}

export async function listPublicApplications(ports: { publicApplications: Pick<PublicApplicationStore, 'listAddressed'>; now: () => Date }, cmd: { actor: Principal; limit: number }): Promise<PublicApplicationView[]> {
  const today = chinaDate(ports.now());
  return (await ports.publicApplications.listAddressed(cmd.actor.orgCode, cmd.limit)).map((a) => publicApplicationView(a, today));
}

/** The route admits reviewers only; the organisation rule is the read's (404 for another organisation). */
function notAnswered(app: PublicApplication): void {
  if (app.status === 'answered') throw new ConflictError('ALREADY_ANSWERED', `公众申请 ${app.applicationId} 已于 ${chinaDateTime(app.answer!.at)} 答复`);
}

export interface StaffPorts {
  readonly publicApplications: Pick<PublicApplicationStore, 'get' | 'update'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

/**
 * POST /sharing/public-applications/{id}/extension (R16.3): once, before the due date, with a reason (≥ 5 characters):
 * the due date moves 20 working days on (the R16.3 clock moves with it, same transaction); the applicant is emailed
 * the reason and the new date. A second extension → 409 ALREADY_EXTENDED; after the due date → 409 DEADLINE_PASSED.
 */
export async function extendPublicApplication(ports: StaffPorts, cmd: { actor: Principal; applicationId: string; reason: string; requestId: string }): Promise<PublicApplication> {
  const app = await addressed(ports.publicApplications, cmd.actor, cmd.applicationId);
  notAnswered(app);
  const reason = cmd.reason.trim();
  if (reason.length < 5) throw invalid('body.reason', 'TOO_SHORT', '延长理由至少 5 个字');
  if (app.extension) throw new ConflictError('ALREADY_EXTENDED', `答复期限已于 ${chinaDateTime(app.extension.at)} 延长过一次（至 ${app.extension.due}），不能再延长`);
  const now = ports.now();
  const today = chinaDate(now);
  if (today > app.due!) throw new ConflictError('DEADLINE_PASSED', `答复期限 ${app.due} 已过，不能再延长；请尽快答复`);
  const extended = (await ports.calendar()).deadline(app.due!, extensionWorkingDays);
  const at = now.toISOString();
  const next: PublicApplication = {
    ...app,
    due: extended.due,
    dueBasis: extended.basis,
    extension: { by: cmd.actor.userId, at, reason, previousDue: app.due!, due: extended.due },
    timeline: [...app.timeline, event(at, 'extended', cmd.actor.userId, `答复期限由 ${app.due} 延长至 ${extended.due}：${reason}`)],
    version: app.version + 1,
  };
  await ports.publicApplications.update(
    next,
    app.version,
    withSupervision(
      audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.public.extend', app.applicationId, cmd.requestId, { reason, previousDue: app.due, due: extended.due }),
      {
        start: [
          {
            type: publicApplicationDue.id,
            subject: app.applicationId,
            ownerOrg: app.answeringOrg,
            regionCode: app.regionCode,
            title: `${publicApplicationKindLabels[app.kind]}：${app.subject.slice(0, 40)}（已延长）`,
            start: app.receivedOn!,
            due: extended.due,
            provisional: extended.provisional,
            basis: `收到申请后 ${answerWorkingDays} 个工作日（${app.due}），经延长再加 ${extensionWorkingDays} 个工作日：${extended.basis}`,
          },
        ],
      },
      at,
    ),
  );
  const org = await ports.identity.getOrganisation(app.answeringOrg);
  await ports.mailer.send({
    to: [app.email],
    subject: `【答复期限延长】${publicApplicationKindLabels[app.kind]}（${app.applicationId.slice(0, 8)}）`,
    text: [
      `${app.applicant.name}：`,
      `${named(org?.name, app.answeringOrg)} 需要延长您的申请（申请编号 ${app.applicationId}）的答复期限，由 ${app.due} 延长至 ${extended.due}。`,
      `延长理由：${reason}`,
    ].join('\n'),
  });
  return next;
}

/**
 * POST /sharing/public-applications/{id}/answer (R16.3): granted, partly or refused — partly and refused name the
 * legal ground (400 body.legalGround otherwise); the answer text is what the applicant is told. Recorded once
 * (409 ALREADY_ANSWERED), the R16.3 clock met in the same transaction (late when after the due date), and the
 * answer emailed to the applicant in Chinese.
 */
export async function answerPublicApplication(
  ports: StaffPorts,
  cmd: { actor: Principal; applicationId: string; outcome: PublicAnswerOutcome; legalGround?: string | undefined; text: string; requestId: string },
): Promise<PublicApplication> {
  const app = await addressed(ports.publicApplications, cmd.actor, cmd.applicationId);
  notAnswered(app);
  const legalGround = cmd.legalGround?.trim() ?? '';
  const text = cmd.text.trim();
  const issues: FieldIssue[] = [];
  if (cmd.outcome !== 'granted' && legalGround.length < 5) issues.push({ field: 'body.legalGround', code: 'REQUIRED', message: '部分提供或不予提供须写明法律依据（至少 5 个字），如《中华人民共和国政府信息公开条例》第十四条' });
  if (text.length < 5) issues.push({ field: 'body.text', code: 'TOO_SHORT', message: '答复内容至少 5 个字' });
  if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues.map((x) => `${x.field} ${x.message}`).join('；')}`, issues);
  const at = ports.now().toISOString();
  const answer = { outcome: cmd.outcome, ...(legalGround ? { legalGround } : {}), text, by: cmd.actor.userId, at };
  const next: PublicApplication = {
    ...app,
    status: 'answered',
    answer,
    timeline: [...app.timeline, event(at, 'answered', cmd.actor.userId, `答复：${publicAnswerOutcomeLabels[cmd.outcome]}${legalGround ? `（依据：${legalGround}）` : ''}`), event(at, 'answerEmailed', 'system', '已将答复邮件告知申请人')],
    version: app.version + 1,
  };
  await ports.publicApplications.update(
    next,
    app.version,
    withSupervision(
      audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.public.answer', app.applicationId, cmd.requestId, { outcome: cmd.outcome, ...(legalGround ? { legalGround } : {}) }),
      { meet: [{ type: publicApplicationDue.id, subject: app.applicationId }], count: [{ org: app.answeringOrg, metric: `R16.3.${cmd.outcome}` }] },
      at,
    ),
  );
  const org = await ports.identity.getOrganisation(app.answeringOrg);
  await ports.mailer.send({
    to: [app.email],
    subject: `【申请答复】${publicApplicationKindLabels[app.kind]}：${publicAnswerOutcomeLabels[cmd.outcome]}（${app.applicationId.slice(0, 8)}）`,
    text: [
      `${app.applicant.name}：`,
      `${named(org?.name, app.answeringOrg)} 对您 ${app.receivedOn} 提交的${publicApplicationKindLabels[app.kind]}（申请编号 ${app.applicationId}）答复如下：`,
      `答复结果：${publicAnswerOutcomeLabels[cmd.outcome]}`,
      ...(legalGround ? [`法律依据：${legalGround}`] : []),
      `答复内容：${text}`,
      ...(cmd.outcome !== 'granted' ? ['如对本答复不服，可以依法申请行政复议或者提起行政诉讼。'] : []),
    ].join('\n'),
  });
  return next;
}
