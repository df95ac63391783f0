import { chinaDateTime } from '#shared/calendar/dates.ts';
import type { SubmissionApi, SubmissionResponse, TimelineResponse } from './api.ts';
import { CliError } from './errors.ts';
import { formatDuration, type ProgressOutput } from './progress.ts';

/**
 * Following a version through verification: poll GET /submissions/{id},
 * print each status change, stop at an outcome. Exit codes: 0 verified or
 * waiting for the human technical review (which may take days), 2 returned
 * with defects, 1 anything else (errors, or still verifying when `waitSeconds`
 * ran out).
 */
export interface FollowOptions {
  readonly out: ProgressOutput;
  readonly pollMs: number;
  /** Give up after this long (undefined: wait for an outcome however long). */
  readonly waitSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export const exitCodes = { ok: 0, error: 1, returned: 2 } as const;

type SubmissionViewT = SubmissionResponse['submission'];
type VersionViewT = SubmissionViewT['versions'][number];
type DeadlineViewT = SubmissionViewT['deadlines'][number];
type TimelineEntryT = TimelineResponse['entries'][number];

export async function followVerification(
  api: SubmissionApi,
  submissionId: string,
  n: number,
  options: Partial<FollowOptions> & { out: ProgressOutput },
): Promise<number> {
  const pollMs = options.pollMs ?? Number(process.env['CHENGGUO_POLL_MS'] ?? 2000);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const say = (line: string) => options.out.write(`${line}\n`);
  const started = now();
  let last: string | undefined;
  say(`跟踪第 ${n} 版的核验状态（每 ${Math.round(pollMs / 100) / 10} 秒查询一次，时间为北京时间）……`);
  for (;;) {
    const { submission } = await api.getSubmission(submissionId);
    const version = submission.versions.find((v) => v.n === n);
    if (!version) throw new CliError('VERSION_NOT_FOUND', `汇交 ${submissionId} 没有第 ${n} 版`);
    if (version.status !== last) {
      say(`${new Date(now()).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' })} 第 ${n} 版：${version.statusLabel}（${version.status}）`);
      last = version.status;
    }
    const outcome = outcomeOf(version);
    if (outcome !== undefined) {
      for (const line of outcomeLines(api, submission, version)) say(line);
      return outcome;
    }
    if (options.waitSeconds !== undefined && (now() - started) / 1000 >= options.waitSeconds) {
      say(`已等待 ${formatDuration(options.waitSeconds)}，第 ${n} 版仍在${version.statusLabel}；稍后可运行 chengguo status ${submissionId} 查看结论。`);
      return exitCodes.error;
    }
    await sleep(pollMs);
  }
}

export function outcomeOf(version: Pick<VersionViewT, 'status'>): number | undefined {
  switch (version.status) {
    case 'verified':
    case 'awaitingReview':
      return exitCodes.ok;
    case 'returned':
      return exitCodes.returned;
    default:
      return undefined;
  }
}

/** What a person needs at the end: the outcome, the defects, the report, the clock now running. */
export function outcomeLines(api: Pick<SubmissionApi, 'reportUrl'>, submission: SubmissionViewT, version: VersionViewT): string[] {
  const lines: string[] = [];
  const report = api.reportUrl(submission.submissionId, version.n, 'page');
  if (version.status === 'awaitingReview') {
    lines.push(`自动核验通过，已提交组织部门技术审核（审核人会收到邮件）。审核结论出来后可运行 chengguo status ${submission.submissionId} 查看。`);
  }
  if (version.status === 'verified') lines.push(`核验通过${version.decidedAt ? `（${chinaDateTime(version.decidedAt)}）` : ''}。`);
  if (version.status === 'returned') {
    const count = version.defectCount ?? version.defects?.length ?? 0;
    lines.push(`核验未通过，已退回${count > 0 ? `：${count} 个问题` : ''}。`);
    for (const d of version.defects ?? []) {
      lines.push(`  · [${d.severity === 'error' ? '错误' : '警告'}] ${d.file || '(成果包)'} — ${d.message}（${d.rule}）`);
    }
    if (count > (version.defects?.length ?? 0)) lines.push(`  ……其余 ${count - (version.defects?.length ?? 0)} 个问题见核验报告`);
    for (const r of version.reasons ?? []) lines.push(`  · 审核意见：${r}`);
    lines.push(`修改后在同一目录重新运行 chengguo upload，将提交第 ${version.n + 1} 版。`);
  }
  for (const d of submission.deadlines) {
    if (!d.met) lines.push(deadlineLine(d));
  }
  if (version.reportKey || version.status === 'returned' || version.status === 'awaitingReview' || version.status === 'verified') {
    lines.push(`核验报告：${report}`);
  }
  return lines;
}

/** A deadline and where it stands: days left, overdue, or done (and on which day). Dates are China dates. */
export function deadlineLine(d: DeadlineViewT): string {
  const state = d.met
    ? `已完成${d.metOn ? `，${d.metOn}` : ''}${d.overdue ? `，逾期 ${-d.workingDaysLeft} 个工作日` : ''}`
    : d.overdue
      ? `已逾期 ${-d.workingDaysLeft} 个工作日`
      : `剩余 ${d.workingDaysLeft} 个工作日`;
  return `${d.label}：${d.due}（${state}${d.provisional ? '，暂定' : ''}）`;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * After verification (R8.1/R8.2): the unified number, the copy into custody,
 * the custodian's receipt and the copy to the natural-resources department,
 * as the transfer recorded them on the timeline.
 */
export function custodyLines(submission: SubmissionViewT, entries: readonly TimelineEntryT[]): string[] {
  const last = (type: TimelineEntryT['type']) => entries.findLast((e) => e.type === type);
  const numbered = last('numberAssigned');
  const copied = last('custodyCopied');
  const received = last('custodyReceived');
  const failed = last('transferFailed');
  const lines: string[] = [];
  const resultNumber = text(numbered?.detail?.['resultNumber']) ?? text(copied?.detail?.['resultNumber']) ?? text(received?.detail?.['resultNumber']);
  if (resultNumber) lines.push(`统一编号：${resultNumber}`);
  if (last('transferNotRequired')) lines.push(`移交：汇交单位即保管单位（${submission.custodianOrg}），无需移交（R8.1）`);
  if (copied) lines.push(`已移交保管：${chinaDateTime(copied.at)}成果已复制入保管库（保管单位 ${submission.custodianOrg}）`);
  if (received) {
    const at = text(received.detail?.['receivedAt']) ?? received.at;
    const implicit = received.detail?.['implicit'] === true;
    lines.push(`已接收：保管单位 ${submission.custodianOrg}${implicit ? '（即汇交单位，复制入库即视为接收）' : ''} 于 ${chinaDateTime(at)}确认接收`);
  } else if (submission.transferredAt) {
    lines.push(`已接收：保管单位 ${submission.custodianOrg} 于 ${chinaDateTime(submission.transferredAt)}确认接收`);
  } else if (copied) {
    lines.push(`待保管单位 ${submission.custodianOrg} 确认接收`);
  }
  const done = received ?? copied;
  if (failed && (!done || failed.at > done.at)) {
    lines.push(`移交异常（${chinaDateTime(failed.at)}）：${text(failed.detail?.['error']) ?? '移交步骤失败'}；请联系组织单位处理`);
  }
  const forestry = last('forestryCopySent');
  if (forestry) {
    const target = text(forestry.detail?.['targetName']) ?? text(forestry.detail?.['targetOrg']) ?? '同级自然资源主管部门';
    lines.push(`成果副本：${chinaDateTime(forestry.at)}已送${target}（R8.2）`);
  }
  const acknowledged = last('forestryCopyAcknowledged');
  if (acknowledged) lines.push(`成果副本：${chinaDateTime(acknowledged.at)}自然资源主管部门已确认收到`);
  return lines;
}

/**
 * `chengguo status <submissionId>`: the submission, its versions, the
 * transfer to custody (from the timeline, when given) and every deadline
 * with where it stands.
 */
export function statusLines(api: Pick<SubmissionApi, 'reportUrl'>, response: SubmissionResponse, timeline?: TimelineResponse): string[] {
  const s = response.submission;
  const lines = [
    `汇交 ${s.submissionId}：${s.catalogue.name}`,
    `  状态：${s.statusLabel}（${s.status}）；密级：${s.classificationLabel}；当前第 ${s.currentVersion} 版`,
  ];
  if (response.task) {
    const t = response.task;
    lines.push(`  任务：${t.name}（${t.taskId}）`);
  }
  if (s.heldOffline) lines.push(`  离线保管：${s.heldOffline.reason}`);
  for (const v of s.versions) {
    lines.push(`  第 ${v.n} 版：${v.statusLabel}（${v.status}），${v.fileCount} 个文件${v.sealedAt ? `，封存于 ${chinaDateTime(v.sealedAt)}` : ''}${v.defectCount ? `，${v.defectCount} 个问题` : ''}`);
  }
  const current = s.versions.find((v) => v.n === s.currentVersion);
  if (current) lines.push(...outcomeLines(api, { ...s, deadlines: [] }, current).map((l) => `  ${l}`));
  if (timeline) lines.push(...custodyLines(s, timeline.entries).map((l) => `  ${l}`));
  const deadlines = [...(response.task?.deadline ? [response.task.deadline] : []), ...s.deadlines];
  if (deadlines.length > 0) {
    lines.push('  期限（工作日，北京时间）：');
    for (const d of deadlines) lines.push(`    ${deadlineLine(d)}`);
  }
  return lines;
}
