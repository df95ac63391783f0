import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '#shared/errors.ts';
import { chinaYear } from '#shared/catalogue/catalogue.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { markVerified } from '#shared/submission/outcomes.ts';
import { openSubmission, roundDeadlines, submissionView } from '#shared/submission/submissions.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { recordCompletion, registerSurveyTask } from '#shared/submission/tasks.ts';
import { forestryCopyTarget, sendForestryCopy } from '#shared/transfer/forestry.ts';
import {
  assignNumber,
  copyIntoCustody,
  recordReceipt,
  recordTransferFailure,
  startTransfer,
  transferExecutionName,
} from '#shared/transfer/transfer.ts';
import { verifiedSubmission } from './catalogue-fakes.ts';
import { catalogue, standardFiles } from './submission-fakes.ts';
import { stageUploads, transferWorld, type TransferWorld } from './transfer-fakes.ts';

const types = async (t: TransferWorld, id: string) => (await t.world.store.listEvents(id)).map((e) => e.type);

async function submissionWithCustodian(t: TransferWorld, custodianOrg: string): Promise<string> {
  const { world } = t;
  const task = await registerSurveyTask(
    {
      actor: await world.user('chen.jing'),
      input: { name: '2026 年度广东省国土变更调查', theme: 'landSurvey', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg },
      requestId: 'task',
    },
    world.ports,
  );
  await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports);
  const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'open' }, world.ports);
  const id = opened.submission.submissionId;
  for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
  await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'seal' }, world.ports);
  await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'chen.jing' });
  return id;
}

describe('R8.1 transfer: start route (issue 4)', () => {
  it('starts one Transfer execution named transfer-<submissionId> for the organiser reviewer, and a repeated call starts none', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const actor = await t.world.user('chen.jing');

    const first = await startTransfer({ store: t.world.store, workflow: t.world.workflow, now: () => t.world.now }, { actor, submissionId: id, requestId: 'r1' });
    const again = await startTransfer({ store: t.world.store, workflow: t.world.workflow, now: () => t.world.now }, { actor, submissionId: id, requestId: 'r2' });

    expect(first).toMatchObject({ started: true, executionName: transferExecutionName(id), transferRequired: true });
    expect(again).toMatchObject({ started: false, executionArn: first.executionArn });
    // The repeat may call StartExecution again (idempotent by name and input: it heals a crash between the write and the start), never with another name.
    expect(new Set(t.world.workflow.starts.filter((x) => x.stateMachine === 'Transfer').map((x) => x.name))).toEqual(new Set([`transfer-${id}`]));
    expect((await types(t, id)).filter((x) => x === 'transferRequested')).toHaveLength(1);
  });

  it('refuses a user outside the organiser and a submission not yet verified', async () => {
    const t = await transferWorld();
    const verified = await verifiedSubmission(t.world);
    const sealed = await verifiedSubmission(t.world, {}, { verify: false });
    const ports = { store: t.world.store, workflow: t.world.workflow, now: () => t.world.now };

    await expect(startTransfer(ports, { actor: await t.world.user('zhang.wei'), submissionId: verified, requestId: 'r' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(startTransfer(ports, { actor: await t.world.user('chen.jing'), submissionId: sealed, requestId: 'r' })).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
    expect(t.world.workflow.starts.filter((x) => x.stateMachine === 'Transfer')).toEqual([]);
  });
});

describe('R8.1/R9.1 transfer steps (issue 4)', () => {
  it('numbers and catalogues the result, copies it into custody under the number, and records each step once however often retried', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    stageUploads(t, id);

    const assigned = await assignNumber(t.ports, { submissionId: id, requestId: 'a1' });
    const again = await assignNumber(t.ports, { submissionId: id, requestId: 'a2' });
    const copied = await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c1' });
    await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c2' });

    expect(assigned).toMatchObject({ n: 1, transferRequired: true, custodianOrg: '440000-CUS' });
    expect(again.resultNumber).toBe(assigned.resultNumber);
    expect(await t.cat.store.getEntryForSubmission(id)).toMatchObject({ resultNumber: assigned.resultNumber, custodian: '440000-CUS' });
    expect(copied).toMatchObject({ files: standardFiles.length, manifestKey: custodyManifestKey(assigned.resultNumber, 1) });
    expect(t.custody.objects.has(custodyManifestKey(assigned.resultNumber, 1))).toBe(true);
    const events = await types(t, id);
    expect(events.filter((x) => x === 'numberAssigned')).toHaveLength(1);
    expect(events.filter((x) => x === 'custodyCopied')).toHaveLength(1);
    expect(events).not.toContain('transferNotRequired');
  });

  it('refuses before numbering when a package file is missing from the uploads bucket: the number counter is unchanged', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const missing = standardFiles[1]!;
    t.world.objects.objects.delete(objectKey(id, 1, missing.path));
    const year = chinaYear(t.world.now);
    const before = await t.cat.store.readSequence('440000-CUS', year);

    const failure = await assignNumber(t.ports, { submissionId: id, requestId: 'a' }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ConflictError);
    expect(failure).toMatchObject({ code: 'PACKAGE_INCOMPLETE' });
    expect((failure as Error).message).toContain(missing.path);
    expect(await t.cat.store.readSequence('440000-CUS', year)).toBe(before);
    expect(await t.cat.store.getEntryForSubmission(id)).toBeUndefined();
  });

  it('records a failure with whether a number had been assigned', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const numbered = await verifiedSubmission(t.world);
    const { resultNumber } = await assignNumber(t.ports, { submissionId: numbered, requestId: 'a' });

    const before = await recordTransferFailure(t.ports, { submissionId: id, error: 'PackageIncomplete', cause: 'missing', requestId: 'f1' });
    const after = await recordTransferFailure(t.ports, { submissionId: numbered, error: 'ReceiptRefused', cause: '数据不全', requestId: 'f2' });

    expect(before).toMatchObject({ recorded: true, resultNumber: null });
    expect(after).toMatchObject({ recorded: true, resultNumber });
    const last = (await t.world.store.listEvents(numbered)).find((e) => e.type === 'transferFailed');
    expect(last).toMatchObject({ type: 'transferFailed', detail: { error: 'ReceiptRefused', numberAssigned: true, resultNumber } });
  });

  it('starts the 30 WD catalogue-report clock at the custodian\'s receipt and emails the organiser reviewers', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const { resultNumber } = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });

    const receipt = await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-09-22T02:00:00.000Z' }, requestId: 'r1' });
    const repeat = await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-09-22T02:00:00.000Z' }, requestId: 'r2' });

    // 2026-09-22 + 30 WD across the National Day week (no holiday table loaded: weekends only).
    const calendar = await t.ports.calendar();
    expect(receipt).toMatchObject({ receivedAt: '2026-09-22T02:00:00.000Z', implicit: false, catalogueReportDue: calendar.deadline('2026-09-22', 30).due });
    expect(receipt.emailed).toEqual(['chen.jing']);
    expect(repeat).toMatchObject({ catalogueReportDue: receipt.catalogueReportDue, emailed: [] });
    const received = (await t.world.store.listEvents(id)).filter((e) => e.type === 'custodyReceived');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ actor: 'zhang.wei', detail: { catalogueReportDue: receipt.catalogueReportDue, requirement: 'R9.1', resultNumber } });
    expect(t.mailer.sent[0]?.text).toContain(receipt.catalogueReportDue);
    expect(t.mailer.sent[0]?.text.startsWith('陈静，您好：')).toBe(true);
    expect(t.mailer.sent[0]?.text).toContain('已由保管单位广东省自然资源技术中心（440000-CUS）确认接收');
    expect(t.mailer.sent[0]?.html).toContain('陈静，您好：');
    // The timeline is on the console's 成果详情 page, linked; no API recipe (GET /submissions/…/timeline) in the email.
    expect(t.mailer.sent[0]?.text).toContain(`成果详情与完整汇交时间线（登录工作台查看）：https://chengguo.example.gov.cn/console/catalogue/${resultNumber}`);
    expect(t.mailer.sent[0]?.text).not.toMatch(/GET \/|POST \/|系统接口/);
  });
});

describe('R8.1 transfer deadline met at the receipt (issue 4)', () => {
  it('records transferredAt with the receipt in one audited write, and the R8.1 deadline view shows it met on the receipt day', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const { resultNumber } = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    const auditsBefore = t.world.identity.auditRecords().length;

    await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-09-22T02:00:00.000Z' }, requestId: 'r1' });

    const submission = await t.world.store.getSubmission(id);
    expect(submission?.transferredAt).toBe('2026-09-22T02:00:00.000Z');
    const audits = t.world.identity.auditRecords().slice(auditsBefore);
    expect(audits.map((a) => a.action)).toContain('submission.transfer.receive');
    const calendar = await t.ports.calendar();
    const transfer = roundDeadlines(calendar, submission!, [], '2026-11-30').find((d) => d.kind === 'transfer');
    expect(transfer).toMatchObject({ requirement: 'R8.1', met: true, metOn: '2026-09-22', overdue: false });
  });

  it('refuses a second receipt write with 409 TRANSFER_ALREADY_RECORDED, leaving the first receipt date', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const { resultNumber } = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    await recordReceipt(t.ports, { submissionId: id, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: '2026-09-22T02:00:00.000Z' }, requestId: 'r1' });
    const submission = (await t.world.store.getSubmission(id))!;

    const again = await t.world.store
      .recordTransferred({ submissionId: id, n: 1, at: '2026-09-25T02:00:00.000Z', events: [] }, { actor: 'zhang.wei', orgCode: '440000-CUS', action: 'submission.transfer.receive', target: `SUB#${id}`, outcome: 'success', requestId: 'r2', detail: {} })
      .catch((e: unknown) => e);

    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).code).toBe('TRANSFER_ALREADY_RECORDED');
    expect((await t.world.store.getSubmission(id))?.transferredAt).toBe(submission.transferredAt);
  });

  it('shows the R8.1 deadline open (not met) before the receipt', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);

    const submission = (await t.world.store.getSubmission(id))!;

    const calendar = await t.ports.calendar();
    const transfer = roundDeadlines(calendar, submission, [], '2026-09-21').find((d) => d.kind === 'transfer');
    expect(transfer).toMatchObject({ requirement: 'R8.1', met: false });
  });
});

describe('R8.1 same unit: no transfer step (issue 4)', () => {
  it('records transferNotRequired with the reason, still numbers and copies, and takes receipt as implicit', async () => {
    const t = await transferWorld();
    const id = await submissionWithCustodian(t, '440000-IMP');
    stageUploads(t, id);

    const assigned = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c' });
    const receipt = await recordReceipt(t.ports, { submissionId: id, n: assigned.n, resultNumber: assigned.resultNumber, requestId: 'r' });

    expect(assigned.transferRequired).toBe(false);
    const events = await t.world.store.listEvents(id);
    const skip = events.find((e) => e.type === 'transferNotRequired');
    expect(skip?.detail).toMatchObject({ requirement: 'R8.1', custodianOrg: '440000-IMP' });
    expect(String(skip?.detail['reason'])).toContain('无需移交');
    expect(receipt).toMatchObject({ implicit: true, receivedAt: t.world.now.toISOString() });
    expect((await t.world.store.getSubmission(id))?.transferredAt).toBe(receipt.receivedAt);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['numberAssigned', 'custodyCopied', 'custodyReceived']));
  });
});

describe('R8.1 transfer deadline met on receipt', () => {
  it('counts a submission received before transferredAt existed as met on its custodyReceived date', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const submission = (await t.world.store.getSubmission(id))!;
    const legacy = { ...submission, transferRequired: true, transferredAt: undefined };
    const events = [{ submissionId: id, type: 'custodyReceived' as const, at: '2026-09-25T02:00:00.000Z', actor: 'zhang.wei', detail: { receivedAt: '2026-09-25T02:00:00.000Z' } }];

    const withEvent = roundDeadlines(await t.ports.calendar(), legacy, [], '2026-12-31', events).find((d) => d.kind === 'transfer');
    const without = roundDeadlines(await t.ports.calendar(), legacy, [], '2026-12-31', []).find((d) => d.kind === 'transfer');

    expect(withEvent).toMatchObject({ met: true, metOn: '2026-09-25', overdue: false });
    expect(without).toMatchObject({ met: false, overdue: true });
  });
});

describe('R8.1 a received result reads as in custody', () => {
  it('labels a verified submission received by its custodian 已由保管单位接收入库, and one not yet received 核验通过', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const submission = (await t.world.store.getSubmission(id))!;
    const calendar = await t.ports.calendar();

    const before = submissionView(submission, [], calendar, '2026-10-01');
    const after = submissionView({ ...submission, transferredAt: '2026-09-25T02:00:00.000Z' }, [], calendar, '2026-10-01');

    expect(before.statusLabel).toBe('核验通过');
    expect(after.statusLabel).toBe('核验通过，已由保管单位接收入库');
  });
});

describe('R8.2 forestry copy (issue 4)', () => {
  it('finds the natural-resources department of the forestry organiser\'s level', async () => {
    const t = await transferWorld();

    const target = await forestryCopyTarget(t.world.identity, '440000-FG');

    expect(target).toMatchObject({ code: '440000-NR', type: 'naturalResources', regionCode: '440000' });
  });

  it('records the copy with its 30 WD due date once for a forestry organiser, and nothing for a natural-resources one', async () => {
    const t = await transferWorld();
    const { world } = t;
    const task = await registerSurveyTask(
      {
        actor: await world.user('lin.feng'),
        input: { name: '2026 年度广东省森林资源调查', theme: 'forest', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' },
        requestId: 'task',
      },
      world.ports,
    );
    await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports);
    const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'open' }, world.ports);
    const forestry = opened.submission.submissionId;
    const other = await verifiedSubmission(world);

    const first = await sendForestryCopy(t.ports, { submissionId: forestry, requestId: 'f1' });
    const again = await sendForestryCopy(t.ports, { submissionId: forestry, requestId: 'f2' });
    const none = await sendForestryCopy(t.ports, { submissionId: other, requestId: 'f3' });

    const calendar = await t.ports.calendar();
    expect(first).toEqual({ required: true, targetOrg: '440000-NR', due: calendar.deadline('2026-09-21', 30).due });
    expect(again).toEqual(first);
    expect(none).toEqual({ required: false });
    expect((await types(t, forestry)).filter((x) => x === 'forestryCopySent')).toHaveLength(1);
    expect(await types(t, other)).not.toContain('forestryCopySent');
  });
  it('counts the copy\'s 30 WD from verification, shows the R8.2 deadline overdue until the natural-resources department acknowledges, then met on that day', async () => {
    const t = await transferWorld();
    const { world } = t;
    const task = await registerSurveyTask(
      { actor: await world.user('lin.feng'), input: { name: '2026 年度广东省森林资源调查', theme: 'forest', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' }, requestId: 'task' },
      world.ports,
    );
    await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports);
    const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'open' }, world.ports);
    const id = opened.submission.submissionId;
    for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
    await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'seal' }, world.ports);
    await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'lin.feng' });
    const verifiedOn = '2026-09-21';
    const calendar = await t.ports.calendar();
    const due = calendar.deadline(verifiedOn, 30).due;

    world.setNow('2026-10-20T02:00:00.000Z'); // the transfer, and so the copy, a month after verification
    const sent = await sendForestryCopy(t.ports, { submissionId: id, requestId: 'f1' });
    const after = calendar.addWorkingDays(due, 1);
    const late = roundDeadlines(calendar, (await world.store.getSubmission(id))!, await world.store.listVersions(id), after, await world.store.listEvents(id));
    await world.store.appendEvents(
      id,
      [{ submissionId: id, type: 'forestryCopyAcknowledged', at: '2026-10-21T02:00:00.000Z', actor: 'chen.jing', detail: { decision: 'approve', decidedBy: 'chen.jing' } }],
      { actor: 'chen.jing', orgCode: '440000-NR', action: 'test.ack', target: id, outcome: 'success', requestId: 'ack', detail: {} },
    );
    const met = roundDeadlines(calendar, (await world.store.getSubmission(id))!, await world.store.listVersions(id), '2026-12-31', await world.store.listEvents(id));

    expect(sent.due).toBe(due);
    expect(late.find((d) => d.kind === 'forestryCopy')).toMatchObject({ requirement: 'R8.2', start: verifiedOn, due, met: false, overdue: true, workingDaysLeft: -1 });
    expect(met.find((d) => d.kind === 'forestryCopy')).toMatchObject({ due, met: true, metOn: '2026-10-21', overdue: false });
  });
});
