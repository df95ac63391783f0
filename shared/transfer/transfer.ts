import { transferReceived } from '#shared/supervision/effects.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { copyFromUploads, finishCopy, type CopyPorts, type CopyResult } from '#shared/custody/copy.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { requireClearance } from '#shared/security/access.ts';
import { submissionNotFound, submissionRecord } from '#shared/submission/access.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { CustodyCopyRecord } from '#shared/ports/custody.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { PackageObjectStore, SubmissionStore } from '#shared/ports/submission.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { Submission, TimelineEvent, TimelineEventType } from '#shared/schemas/submission.ts';
import { chinaDay } from '#shared/submission/deadlines.ts';
import { submissionEntry, timelineEvent } from '#shared/submission/events.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { recordTimelineEvents } from '#shared/submission/outcomes.ts';
import { consoleUrl, deliver, orgLabel, systemSignature } from '#shared/tasks/mail.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { custodyReceiptKindId, forestryCopyAckKindId } from './task-kinds.ts';

/** The human tasks a Transfer execution waits on. */
const transferTaskKinds = [custodyReceiptKindId, forestryCopyAckKindId] as const;

/**
 * R8.1 transfer to custody, as the steps of the Transfer state machine.
 *
 * The transfer's record is the submission's timeline (SUB#<id> / EV#…):
 * every step appends its event with its audit record in one transaction
 * (SubmissionStore.appendEvents → auditedWrite), and a retried step finds
 * its event and writes nothing again.
 *
 * "A failed transfer leaves no number used": numbers are never reused
 * (R9.1), and the catalogue entry with its number cannot be written in the
 * same transaction as the custody objects (S3 + DynamoDB). So Assign Number
 * first checks everything the copy needs — the version verified, every
 * manifest file present in the uploads bucket with its size — and numbering
 * is the last step that can fail for a reason of the submission before the
 * copy. A later failure (the copy itself: storage errors, retried) keeps the
 * number with its entry, which is what R9.1 requires of a number anyway.
 */

/** R9.1: the catalogue is reported upward within 30 WD of receipt. */
export const catalogueReportWorkingDays = 30;

export const transferStateMachine = 'Transfer';
/** The Transfer execution of a submission's attempt: `transfer-<id>` first, `transfer-<id>-<k>` for restart k (execution names are never reused). */
export const transferExecutionName = (submissionId: string, attempt = 1) => (attempt === 1 ? `transfer-${submissionId}` : `transfer-${submissionId}-${attempt}`);

/** The attempt an execution (name or ARN) of this submission's transfer runs, or undefined if it is not one. */
export function transferAttemptOf(execution: string, submissionId: string): number | undefined {
  const name = execution.slice(execution.lastIndexOf(':') + 1);
  if (name === `transfer-${submissionId}`) return 1;
  const m = /^-(\d+)$/.exec(name.slice(`transfer-${submissionId}`.length));
  return name.startsWith(`transfer-${submissionId}-`) && m ? Number(m[1]) : undefined;
}

export interface TransferPorts {
  readonly store: SubmissionStore;
  readonly objects: Pick<PackageObjectStore, 'listObjects'>;
  readonly catalogue: CatalogueStore;
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly appBaseUrl: string;
}

/** Record Receipt's ports: no package objects, no catalogue (its function has no uploads bucket); callers holding all of TransferPorts may pass them. */
export type ReceiptPorts = Omit<TransferPorts, 'objects' | 'catalogue'> & Partial<Pick<TransferPorts, 'objects' | 'catalogue'>>;

async function loadSubmission(store: Pick<SubmissionStore, 'getSubmission'>, submissionId: string): Promise<Submission> {
  const submission = await store.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  return submission;
}

function lastEvent(events: readonly TimelineEvent[], type: TimelineEventType): TimelineEvent | undefined {
  return [...events].reverse().find((e) => e.type === type);
}

/** Same unit (R8.1): the implementer is its own custodian — nothing changes hands. */
export function transferRequired(submission: Pick<Submission, 'implementerOrg' | 'custodianOrg'>): boolean {
  return submission.implementerOrg !== submission.custodianOrg;
}

/**
 * POST /submissions/{submissionId}/transfer: the organiser's reviewer starts
 * the transfer of a verified result — or starts it again after it failed.
 *
 * One request, one effect: the start is a single conditional write on the
 * submission's own state (transferState absent, or failed at the previous
 * attempt → requested) with the transferRequested event and its audit record
 * in the same transaction; of concurrent requests exactly one passes (202
 * started:true), the others answer 200 started:false. Only then is the
 * execution started, named after the attempt. A request that finds the
 * transfer already requested starts the same execution again (idempotent by
 * name and input), which also heals a crash between the write and the start;
 * if that execution has already ended without recording its end, the attempt
 * is recorded failed and the next one claimed.
 */
export async function startTransfer(
  ports: { store: SubmissionStore; workflow: Workflow; now: () => Date },
  cmd: { actor: Principal; submissionId: string; requestId: string },
): Promise<{ submissionId: string; executionName: string; executionArn?: string; started: boolean; transferRequired: boolean; attempt: number }> {
  let submission = await loadSubmission(ports.store, cmd.submissionId);
  requireClearance(cmd.actor, submissionRecord(submission), submissionNotFound(submission.submissionId));
  if (cmd.actor.orgCode !== submission.organiserOrg || !cmd.actor.roles.includes('reviewer')) {
    throw new ForbiddenError(`无权移交该成果：只有组织单位（${submission.organiserOrg}）的审核人员可以启动移交`);
  }
  if (submission.status !== 'verified') {
    throw new ConflictError('NOT_VERIFIED', `汇交 ${submission.submissionId} 尚未通过核验（当前状态：${submission.status}），不能移交`);
  }
  const required = transferRequired(submission);
  const input = { submissionId: submission.submissionId };
  for (let round = 0; round < 3; round += 1) {
    const running = submission.transferState === 'requested' || submission.transferState === 'received' || (submission.transferredAt !== undefined && submission.transferState !== 'failed');
    // A corrected version (R19.3) is transferred on its own: its first attempt follows the earlier version's last (execution names are never reused).
    const attempt = running ? (submission.transferAttempt ?? 1) : (submission.transferAttempt ?? 0) + 1;
    const executionName = transferExecutionName(submission.submissionId, attempt);
    if (!running) {
      try {
        await ports.store.claimTransfer(
          {
            submissionId: submission.submissionId,
            n: submission.currentVersion,
            attempt,
            at: ports.now().toISOString(),
            events: [timelineEvent(submission.submissionId, 'transferRequested', ports.now().toISOString(), cmd.actor.userId, { executionName, attempt, transferRequired: required, ...(submission.transferState === 'failed' ? { restartOf: transferExecutionName(submission.submissionId, attempt - 1) } : {}) }, submission.currentVersion)],
          },
          submissionEntry(cmd.actor, submission, submission.transferState === 'failed' ? 'submission.transfer.restart' : 'submission.transfer.request', cmd.requestId, { executionName, attempt, requirement: 'R8.1' }, submission.currentVersion),
        );
      } catch (error) {
        if (!(error instanceof ConflictError && error.code === 'TRANSFER_ALREADY_STARTED')) throw error;
        // Another request won the write (or the transfer moved on): answer from the state it left.
        submission = await loadSubmission(ports.store, cmd.submissionId);
        continue;
      }
      const executionArn = await ports.workflow.start(transferStateMachine, executionName, input);
      return { submissionId: submission.submissionId, executionName, executionArn, started: true, transferRequired: required, attempt };
    }
    if (submission.transferState !== 'requested') {
      // Received (R8.1 met): nothing to start again.
      return { submissionId: submission.submissionId, executionName, started: false, transferRequired: required, attempt };
    }
    try {
      const executionArn = await ports.workflow.start(transferStateMachine, executionName, input);
      return { submissionId: submission.submissionId, executionName, executionArn, started: false, transferRequired: required, attempt };
    } catch (error) {
      if ((error as { name?: string } | null)?.name !== 'ExecutionAlreadyExists') throw error;
      // The execution ended without recording its end (stopped, or lost in a crash): that attempt failed.
      await markTransferAttemptFailed(ports, submission, attempt, { error: 'ExecutionEnded', cause: `执行 ${executionName} 已结束但未记录结果（例如被停止）` }, cmd.requestId);
      submission = await loadSubmission(ports.store, cmd.submissionId);
    }
  }
  throw new ConflictError('TRANSFER_BUSY', `汇交 ${submission.submissionId} 的移交状态正在变化，请稍后重试`);
}

async function markTransferAttemptFailed(
  ports: { store: SubmissionStore; now: () => Date },
  submission: Submission,
  attempt: number,
  failure: { error: string; cause: string; resultNumber?: string | null },
  requestId: string,
): Promise<boolean> {
  const at = ports.now().toISOString();
  const detail = { error: failure.error, cause: failure.cause.slice(0, 2000), attempt, resultNumber: failure.resultNumber ?? null, numberAssigned: (failure.resultNumber ?? null) !== null };
  const events = [timelineEvent(submission.submissionId, 'transferFailed', at, 'system:Transfer', detail, submission.currentVersion)];
  try {
    await ports.store.recordTransferFailed(
      { submissionId: submission.submissionId, attempt, events },
      submissionEntry('system:Transfer', submission, 'submission.transfer.fail', requestId, { attempt, error: failure.error }, submission.currentVersion),
    );
    return true;
  } catch (error) {
    if (error instanceof ConflictError && error.code === 'TRANSFER_NOT_RUNNING') return false;
    throw error;
  }
}

/**
 * Everything the copy needs, checked before a number is taken: the
 * submission and its current version verified, every manifest file present
 * in the uploads bucket with the manifest's size.
 */
export async function checkTransferPreconditions(
  ports: Pick<TransferPorts, 'store' | 'objects'>,
  submissionId: string,
): Promise<{ submission: Submission; n: number; files: number }> {
  const submission = await loadSubmission(ports.store, submissionId);
  const n = submission.currentVersion;
  const version = await ports.store.getVersion(submissionId, n);
  if (submission.status !== 'verified' || version?.status !== 'verified') {
    throw new ConflictError('NOT_VERIFIED', `汇交 ${submissionId} 第 ${n} 版尚未通过核验，不能移交`);
  }
  const stored = new Map((await ports.objects.listObjects(objectKey(submissionId, n, ''))).map((o) => [o.key, o.size]));
  const missing: string[] = [];
  let files = 0;
  let after: string | undefined;
  for (;;) {
    const page = await ports.store.listFiles(submissionId, n, version.manifestId, { ...(after ? { after } : {}), limit: 1000 });
    for (const f of page) {
      files += 1;
      if (stored.get(objectKey(submissionId, n, f.path)) !== f.size) missing.push(f.path);
    }
    if (page.length < 1000) break;
    after = page[page.length - 1]?.path;
  }
  if (missing.length > 0) {
    throw new ConflictError('PACKAGE_INCOMPLETE', `汇交 ${submissionId} 第 ${n} 版有 ${missing.length} 个文件在上传存储中缺失或大小不符（如 ${missing.slice(0, 5).join('、')}），未赋统一编号`);
  }
  return { submission, n, files };
}

/**
 * "Assign Number": preconditions, then the unified number and the catalogue
 * entry (registerCatalogueEntry as the system for the custodian — idempotent
 * per submission). The same-unit case is recorded here, with its reason.
 */
export async function assignNumber(
  ports: Pick<TransferPorts, 'store' | 'objects' | 'catalogue' | 'now'>,
  input: { submissionId: string; requestId: string },
): Promise<{ submissionId: string; n: number; resultNumber: string; transferRequired: boolean; custodianOrg: string }> {
  const { submission, n } = await checkTransferPreconditions(ports, input.submissionId);
  const required = transferRequired(submission);
  const { entry, created } = await registerCatalogueEntry(
    { catalogue: ports.catalogue, submissions: ports.store, now: ports.now },
    { submissionId: submission.submissionId, actor: { system: 'Transfer', orgCode: submission.custodianOrg }, requestId: input.requestId },
  );
  const events = await ports.store.listEvents(submission.submissionId);
  const append: Array<{ type: TimelineEventType; n: number; detail: Record<string, unknown> }> = [];
  if (!required && !lastEvent(events, 'transferNotRequired')) {
    append.push({
      type: 'transferNotRequired',
      n,
      detail: { requirement: 'R8.1', reason: `汇交单位与保管单位同为 ${submission.custodianOrg}，成果无需移交；接收于复制入库时确认`, custodianOrg: submission.custodianOrg },
    });
  }
  if (created || !lastEvent(events, 'numberAssigned')) {
    append.push({ type: 'numberAssigned', n, detail: { resultNumber: entry.resultNumber, custodianOrg: submission.custodianOrg } });
  }
  if (append.length > 0) await recordTimelineEvents(ports, { submissionId: submission.submissionId, actor: 'system:Transfer', events: append, requestId: input.requestId });
  return { submissionId: submission.submissionId, n, resultNumber: entry.resultNumber, transferRequired: required, custodianOrg: submission.custodianOrg };
}

/** "Copy Into Custody": the package under results/<number>/v<n>/…, then its audited record. */
export async function copyIntoCustody(
  ports: { copy: CopyPorts; store: SubmissionStore; now: () => Date },
  input: { submissionId: string; n: number; resultNumber: string; requestId: string },
): Promise<CopyResult & { copiedAt: string }> {
  return recordCustodyCopy(ports, input, await copyFromUploads(ports.copy, input));
}

/**
 * Transfer › Copy Into Custody, after the Distributed Map copied every batch
 * (Plan Custody Copy, Copy Files): the manifest written last (finishCopy:
 * refuses while a file is missing), then the audited record as above.
 */
export async function finishCustodyCopy(
  ports: { copy: CopyPorts; store: SubmissionStore; now: () => Date },
  input: { submissionId: string; n: number; resultNumber: string; requestId: string },
): Promise<CopyResult & { copiedAt: string }> {
  return recordCustodyCopy(ports, input, await finishCopy(ports.copy, input));
}

async function recordCustodyCopy(
  ports: { store: SubmissionStore; now: () => Date },
  input: { submissionId: string; n: number; resultNumber: string; requestId: string },
  result: CopyResult,
): Promise<CopyResult & { copiedAt: string }> {
  // Per version: a corrected version (R19.3) is copied under its own v<n> prefix and recorded once.
  const existing = (await ports.store.listEvents(input.submissionId)).find((e) => e.type === 'custodyCopied' && e.detail['resultNumber'] === input.resultNumber && (e.n ?? 1) === input.n);
  if (existing) return { ...result, copiedAt: existing.at };
  const submission = await loadSubmission(ports.store, input.submissionId);
  const record: CustodyCopyRecord = {
    resultNumber: input.resultNumber,
    n: input.n,
    submissionId: input.submissionId,
    custodianOrg: submission.custodianOrg,
    organiserOrg: submission.organiserOrg,
    manifestKey: result.manifestKey,
    manifestSha256: result.manifestSha256,
    rootHash: result.rootHash,
    files: result.files,
    bytes: result.bytes,
  };
  const at = ports.now().toISOString();
  // The record the integrity audit trusts (R10.1): the manifest's SHA-256 and the root hash, in the event and in its audit record.
  await ports.store.recordCustodyCopy(
    timelineEvent(input.submissionId, 'custodyCopied', at, 'system:Transfer', { ...record }, input.n),
    submissionEntry('system:Transfer', submission, 'custody.copy.record', input.requestId, { ...record, requirements: ['R8.1', 'R10.1'] }, input.n),
  );
  return { ...result, copiedAt: at };
}

export interface ReceiptInput {
  readonly submissionId: string;
  readonly n: number;
  readonly resultNumber: string;
  /** The custodian's decision on the receipt task; absent in the same-unit case (receipt implicit at the copy). */
  readonly receipt?: { readonly decidedBy: string; readonly decidedAt: string; readonly taskId?: string };
  readonly requestId: string;
}

/**
 * "Record Receipt": the receipt date starts the R9.1 30 WD catalogue-report
 * clock (catalogueReportDue, on the `custodyReceived` event, which the
 * catalogue report reads), meets R8.1 (the submission's transferredAt, in the
 * same audited transaction, conditional on no receipt recorded yet), and the
 * organiser's reviewers are told. Idempotent.
 */
export async function recordReceipt(ports: ReceiptPorts, input: ReceiptInput): Promise<{ receivedAt: string; catalogueReportDue: string; implicit: boolean; emailed: string[] }> {
  const submission = await loadSubmission(ports.store, input.submissionId);
  // Per version: a corrected version (R19.3) is received on its own, after the earlier one.
  const existing = (await ports.store.listEvents(input.submissionId)).filter((e) => e.type === 'custodyReceived' && (e.n ?? 1) === input.n).pop();
  if (existing) {
    return {
      receivedAt: String(existing.detail['receivedAt']),
      catalogueReportDue: String(existing.detail['catalogueReportDue']),
      implicit: existing.detail['implicit'] === true,
      emailed: [],
    };
  }
  const receivedAt = input.receipt?.decidedAt ?? ports.now().toISOString();
  const calendar = await ports.calendar();
  const reportDeadline = calendar.deadline(chinaDay(receivedAt), catalogueReportWorkingDays);
  const catalogueReportDue = reportDeadline.due;
  const implicit = input.receipt === undefined;
  const actor = input.receipt?.decidedBy ?? 'system:Transfer';
  // R19.3: a corrected version's receipt moves no clock (R8.1 and R9.1 ran for the result's first version).
  const correction = input.n > 1 && ((await ports.store.getVersion(input.submissionId, input.n))?.correctionOf?.length ?? 0) > 0;
  const detail = {
    resultNumber: input.resultNumber,
    receivedAt,
    custodianOrg: submission.custodianOrg,
    implicit,
    ...(input.receipt?.taskId ? { receiptTaskId: input.receipt.taskId } : {}),
    catalogueReportDue,
    requirement: 'R9.1',
  };
  try {
    await ports.store.recordTransferred(
      { submissionId: input.submissionId, n: input.n, at: receivedAt, events: [timelineEvent(input.submissionId, 'custodyReceived', ports.now().toISOString(), actor, detail, input.n)] },
      correction
        ? submissionEntry(actor, submission, 'submission.transfer.receive', input.requestId, { resultNumber: input.resultNumber, receivedAt, implicit, correction: true, requirements: ['R8.1', 'R19.3'] }, input.n)
        : withSupervision(
            submissionEntry(actor, submission, 'submission.transfer.receive', input.requestId, { resultNumber: input.resultNumber, receivedAt, implicit, catalogueReportDue, requirements: ['R8.1', 'R9.1'] }, input.n),
            transferReceived(submission, input.resultNumber, chinaDay(receivedAt), reportDeadline),
            receivedAt,
          ),
    );
  } catch (error) {
    // A concurrent retry of this step recorded the receipt first: done, nothing sent twice.
    if (error instanceof ConflictError && error.code === 'TRANSFER_ALREADY_RECORDED') {
      const raced = (await ports.store.listEvents(input.submissionId)).filter((e) => e.type === 'custodyReceived' && (e.n ?? 1) === input.n).pop();
      if (raced) return { receivedAt: String(raced.detail['receivedAt']), catalogueReportDue: String(raced.detail['catalogueReportDue']), implicit: raced.detail['implicit'] === true, emailed: [] };
    }
    throw error;
  }
  const emailed = await mailOrganiser(ports, submission, input.resultNumber, receivedAt, catalogueReportDue, implicit);
  return { receivedAt, catalogueReportDue, implicit, emailed };
}

async function mailOrganiser(ports: ReceiptPorts, submission: Submission, resultNumber: string, receivedAt: string, due: string, implicit: boolean): Promise<string[]> {
  const users = (await ports.identity.listUsers(submission.organiserOrg)).filter((u) => u.roles.includes('reviewer') && u.email);
  // Pages a browser can open (they ask the reader to sign in): the report page and the console's 成果详情 with the timeline.
  const id = encodeURIComponent(submission.submissionId);
  const reportPage = `${ports.appBaseUrl.replace(/\/$/, '')}/submissions/${id}/versions/${submission.currentVersion}/report/page`;
  const custodian = await orgLabel(ports.identity, submission.custodianOrg);
  const lines = [
    `成果“${submission.catalogue.name}”（汇交编号 ${submission.submissionId}）已由保管单位${custodian}${implicit ? '自行保管（汇交单位即保管单位，无需移交）' : '确认接收'}。`,
    `统一编号：${resultNumber}`,
    `接收日期：${chinaDay(receivedAt)}`,
    `成果目录上报期限（R9.1，接收后 30 个工作日）：${due}`,
    `核验报告（登录后查看）：${reportPage}`,
    `成果详情与完整汇交时间线（登录工作台查看）：${consoleUrl(ports.appBaseUrl, 'catalogue', resultNumber)}`,
  ];
  const sent: string[] = [];
  for (const u of users) {
    await deliver(ports.mailer, {
      to: [u.email],
      subject: `【成果保管】${submission.catalogue.name} 已接收入库（${resultNumber}）`,
      text: [`${u.name}，您好：`, '', ...lines, '', systemSignature].join('\n'),
      html: `<p>${escapeHtml(u.name)}，您好：</p><p>${lines.map(escapeHtml).join('<br>')}</p><p>${escapeHtml(systemSignature)}</p>`,
    });
    sent.push(u.userId);
  }
  return sent;
}

/**
 * "Transfer Failed": the error on the timeline (audited), and whether a
 * number had been assigned before the failure (then it stays with its entry:
 * numbers are never reused). The submission's transferState goes back to
 * failed in the same write, so POST …/transfer can start it again; the open
 * human tasks of the failed execution are closed with the reason. A failure
 * after the receipt (the forestry copy) is recorded without changing the
 * state. The state machine then fails.
 */
export async function recordTransferFailure(
  ports: Pick<TransferPorts, 'store' | 'now'> & { tasks?: Pick<HumanTaskStore, 'listBySubject' | 'expire'> },
  input: { submissionId: string; error: string; cause: string; requestId: string; execution?: string },
): Promise<{ recorded: boolean; resultNumber: string | null; restartable: boolean; closedTasks: string[] }> {
  const submission = await ports.store.getSubmission(input.submissionId);
  if (!submission) return { recorded: false, resultNumber: null, restartable: false, closedTasks: [] };
  const numbered = lastEvent(await ports.store.listEvents(input.submissionId), 'numberAssigned');
  const resultNumber = typeof numbered?.detail['resultNumber'] === 'string' ? numbered.detail['resultNumber'] : null;
  const attempt = (input.execution ? transferAttemptOf(input.execution, input.submissionId) : undefined) ?? submission.transferAttempt ?? 1;
  const restartable = await markTransferAttemptFailed(ports, submission, attempt, { error: input.error, cause: input.cause, resultNumber }, input.requestId);
  if (!restartable) {
    // Not the running attempt (received already, or a legacy record): the failure is still on the timeline.
    await recordTimelineEvents(ports, {
      submissionId: input.submissionId,
      actor: 'system:Transfer',
      events: [{ type: 'transferFailed', n: submission.currentVersion, detail: { error: input.error, cause: input.cause.slice(0, 2000), attempt, resultNumber, numberAssigned: resultNumber !== null } }],
      requestId: input.requestId,
    });
  }
  const closedTasks: string[] = [];
  if (ports.tasks && input.execution) {
    for (const kind of transferTaskKinds) {
      for (const task of await ports.tasks.listBySubject(kind, { submissionId: input.submissionId })) {
        if (task.status !== 'open' || task.execution !== input.execution) continue;
        await ports.tasks.expire(task.id, ports.now().toISOString(), {
          actor: 'system:RecordTransferFailure',
          orgCode: task.assigneeOrg,
          action: 'tasks.humanTask.expire',
          target: `HTASK#${task.id}`,
          outcome: 'success',
          requestId: input.requestId,
          detail: { reason: 'workflowFailed', error: input.error },
        });
        closedTasks.push(task.id);
      }
    }
  }
  return { recorded: true, resultNumber, restartable, closedTasks };
}
