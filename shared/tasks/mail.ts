import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import type { User } from '#shared/schemas/identity.ts';
import { escapeHtml } from '#shared/web/html.ts';

/**
 * The emails of the human-task facility. They carry the task page link —
 * `${APP_BASE_URL}/human-tasks/<id>/page`, an opaque id — and never the Step
 * Functions token: the page asks the assignee to sign in, and only a POST
 * decides, so a mail scanner that follows the link changes nothing.
 */
export const systemSignature = '—— 自然资源调查监测成果管理系统（此邮件由系统自动发送，请勿回复）';

export function taskPageUrl(appBaseUrl: string, taskId: string): string {
  return `${appBaseUrl.replace(/\/+$/, '')}/human-tasks/${encodeURIComponent(taskId)}/page`;
}

/**
 * A console page for an emailed link: the console is served on the same site under /console/
 * (console/src/router.ts), so a reader who follows it signs in and lands on the page where they act —
 * never on an API route, which would answer raw JSON (401 TOKEN_MISSING) in a browser.
 * consoleUrl(base, 'sharing', 'grants', grantId) → `${base}/console/sharing/grants/<grantId>` (each segment encoded).
 */
export function consoleUrl(appBaseUrl: string, ...segments: string[]): string {
  return `${appBaseUrl.replace(/\/+$/, '')}/console/${segments.map(encodeURIComponent).join('/')}`;
}

/** Chinese first, the code after it: 陈静（chen.jing）, 广东省自然资源技术中心（440000-CUS）; the code alone when no name is known. */
export function named(name: string | undefined, code: string): string {
  return name && name !== code ? `${name}（${code}）` : code;
}

/** A person as a reader knows them; a system actor or unknown id shows as given. */
export async function userLabel(identity: Pick<IdentityRepository, 'getUser'>, userId: string): Promise<string> {
  return named((await identity.getUser(userId))?.name, userId);
}

/** An organisation by name with its code. */
export async function orgLabel(identity: Pick<IdentityRepository, 'getOrganisation'>, code: string): Promise<string> {
  return named((await identity.getOrganisation(code))?.name, code);
}

/**
 * What the assignee can choose on the task page, per kind — the same words
 * as the page's buttons — and what the page shows them.
 */
export const taskDecisionWords: Readonly<Record<string, { approve: string; ret: string; shows: string }>> = {
  technicalReview: { approve: '通过', ret: '退回', shows: '成果包概况和核验报告' },
  custodyReceipt: { approve: '确认接收', ret: '退回', shows: '移交成果的概况' },
  forestryCopyAck: { approve: '确认收到', ret: '退回', shows: '成果副本的概况' },
  catalogueReportAck: { approve: '确认接收', ret: '退回', shows: '上报的成果目录条目' },
  evaluationAck: { approve: '已阅', ret: '有异议', shows: '评价的各项数据和存档的评价文件' },
  destructionApproval: { approve: '批准销毁', ret: '驳回', shows: '拟销毁的成果和销毁申请' },
  sharingReview: { approve: '同意共享', ret: '不予共享', shows: '共享申请和申请单位此前的共享记录' },
  publicationReview: { approve: '审查通过', ret: '退回修改', shows: '脱密脱敏记录、核验报告和发布版本的文件清单' },
  publicationApproval: { approve: '同意发布', ret: '不予发布', shows: '发布版本、适用的审批规则和另一审批单位的决定' },
  publicationWithdrawal: { approve: '同意撤回', ret: '不予撤回', shows: '已发布的发布版本、撤回原因、申请人和另一审批单位的决定' },
  derivedProductReview: { approve: '同意发布', ret: '不予发布', shows: '衍生产品的说明、加工处理情况和来源成果' },
  problemVerification: { approve: '属实', ret: '不属实', shows: '质量问题的说明、位置、附件和保管单位的确认意见' },
};
const defaultDecisionWords = { approve: '通过', ret: '退回', shows: '任务详情' };

export function decisionWordsFor(kind: string): { approve: string; ret: string; shows: string } {
  return taskDecisionWords[kind] ?? defaultDecisionWords;
}

export type TaskMailKind = 'assigned' | 'reminder' | 'escalated';

export const taskMailSubjects: Record<TaskMailKind, (task: HumanTask) => string> = {
  assigned: (t) => `【待处理】${t.title}`,
  reminder: (t) => `【催办】${t.title}（已超过办理期限 ${t.due}）`,
  escalated: (t) => `【逾期上报】${t.title}`,
};

export function taskMail(opts: {
  kind: TaskMailKind;
  task: HumanTask;
  to: User;
  kindLabel: string;
  details: readonly string[];
  appBaseUrl: string;
  /** Extra lines, e.g. why it was escalated. */
  note?: string;
}): MailMessage {
  const { task, to } = opts;
  const link = taskPageUrl(opts.appBaseUrl, task.id);
  const words = decisionWordsFor(task.kind);
  const lead: Record<TaskMailKind, string> = {
    assigned: `您有一项${opts.kindLabel}任务待处理，请于 ${task.due}（${opts.kindLabel}期限，5 个工作日）前完成。`,
    reminder: `您的${opts.kindLabel}任务已超过办理期限（${task.due}）仍未处理，请尽快办理；逾期 2 个工作日以上的将上报上级单位。`,
    escalated: `以下${opts.kindLabel}任务逾期未办，已上报贵单位，请督办或直接处理（办理期限 ${task.due}）。`,
  };
  const text = [
    `${to.name}，您好：`,
    '',
    lead[opts.kind],
    ...(opts.note ? ['', opts.note] : []),
    '',
    `任务：${task.title}`,
    ...opts.details,
    '',
    `办理链接：${link}`,
    `打开链接后请使用本人账号登录，页面将显示${words.shows}，并可选择“${words.approve}”或“${words.ret}”。`,
    '链接本身不含任何授权信息，转发他人无法代为办理；每个任务只能决定一次。',
    '',
    systemSignature,
  ].join('\n');
  const html = [
    `<p>${escapeHtml(to.name)}，您好：</p>`,
    `<p>${escapeHtml(lead[opts.kind])}</p>`,
    ...(opts.note ? [`<p>${escapeHtml(opts.note)}</p>`] : []),
    `<p><strong>${escapeHtml(task.title)}</strong></p>`,
    `<ul>${opts.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`,
    `<p><a href="${escapeHtml(link)}">打开任务页面办理</a>（${escapeHtml(link)}）</p>`,
    `<p>${escapeHtml(`打开链接后请使用本人账号登录，页面将显示${words.shows}，并可选择“${words.approve}”或“${words.ret}”；链接本身不含任何授权信息，转发他人无法代为办理；每个任务只能决定一次。`)}</p>`,
    `<p style="color:#888">${escapeHtml(systemSignature)}</p>`,
  ].join('\n');
  return { to: [to.email], subject: taskMailSubjects[opts.kind](task), text, html };
}

/**
 * A message the mail transport did not accept (SMTP refused or unreachable,
 * SES throttled). Named, so that a workflow step retries on it
 * (`Retry: MailDeliveryError` in the ASL) instead of failing the round.
 */
export class MailDeliveryError extends Error {
  constructor(cause: unknown) {
    super(`邮件发送失败 (mail not accepted): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MailDeliveryError';
  }
}

export async function deliver(mailer: Mailer, message: MailMessage): Promise<void> {
  try {
    await mailer.send(message);
  } catch (error) {
    throw new MailDeliveryError(error);
  }
}
