import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import {
  assignNumber,
  copyIntoCustody,
  recordReceipt,
  recordTransferFailure,
  startTransfer,
  transferAttemptOf,
  transferExecutionName,
} from '#shared/transfer/transfer.ts';
import { verifiedSubmission } from './catalogue-fakes.ts';
import { stageUploads, transferWorld, type TransferWorld } from './transfer-fakes.ts';

const startPorts = (t: TransferWorld) => ({ store: t.world.store, workflow: t.world.workflow, now: () => t.world.now });
const eventsOf = async (t: TransferWorld, id: string, type: string) => (await t.world.store.listEvents(id)).filter((e) => e.type === type);
const auditActions = (t: TransferWorld, action: string) => t.world.identity.auditRecords().filter((r) => r['action'] === action);
const transferNames = (t: TransferWorld) => new Set(t.world.workflow.starts.filter((s) => s.stateMachine === 'Transfer').map((s) => s.name));

describe('R8.1 one request, one effect: POST /submissions/{id}/transfer is one conditional write (issue 8 §5)', () => {
  it('20 concurrent starts: exactly one started:true, 19 started:false, one transferRequested event and one audit record, one execution', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const actor = await t.world.user('chen.jing');

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => startTransfer(startPorts(t), { actor, submissionId: id, requestId: `r${i}` })));

    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(results.filter((r) => !r.started)).toHaveLength(19);
    expect(new Set(results.map((r) => r.executionArn))).toEqual(new Set([results.find((r) => r.started)?.executionArn]));
    expect(await eventsOf(t, id, 'transferRequested')).toHaveLength(1);
    expect(auditActions(t, 'submission.transfer.request')).toHaveLength(1);
    expect(transferNames(t)).toEqual(new Set([transferExecutionName(id)]));
    expect(await t.world.store.getSubmission(id)).toMatchObject({ transferState: 'requested', transferAttempt: 1 });
  });

  it('a result numbered and received through the real steps cannot be transferred again: started:false, nothing written, nothing started', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    stageUploads(t, id);
    const actor = await t.world.user('chen.jing');
    await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 'start' });
    const assigned = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c' });
    await recordReceipt(t.ports, { ...assigned, receipt: { decidedBy: 'zhang.wei', decidedAt: t.world.now.toISOString() }, requestId: 'r' });
    const startsBefore = t.world.workflow.starts.length;
    const before = t.world.snapshot();

    const again = await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 'again' });

    expect(again).toMatchObject({ started: false });
    expect(t.world.workflow.starts.length).toBe(startsBefore);
    expect(t.world.snapshot()).toEqual(before);
    expect(await t.world.store.getSubmission(id)).toMatchObject({ transferState: 'received' });
  });

  it('the guard is the state, not an event: a received submission without any transferRequested event is still refused', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    stageUploads(t, id);
    // The steps run without the start route (as the old demo did): no transferRequested event anywhere.
    const assigned = await assignNumber(t.ports, { submissionId: id, requestId: 'a' });
    await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c' });
    await recordReceipt(t.ports, { ...assigned, receipt: { decidedBy: 'zhang.wei', decidedAt: t.world.now.toISOString() }, requestId: 'r' });

    const again = await startTransfer(startPorts(t), { actor: await t.world.user('chen.jing'), submissionId: id, requestId: 'again' });

    expect(again.started).toBe(false);
    expect(await eventsOf(t, id, 'transferRequested')).toHaveLength(0);
    expect(transferNames(t)).toEqual(new Set());
  });
});

describe('R8.1 a failed transfer can be started again (issue 8 §4)', () => {
  it('Transfer Failed puts the submission back to failed; POST …/transfer starts attempt 2 under a new execution name, audited as a restart, once', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const actor = await t.world.user('chen.jing');
    const first = await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 's1' });
    const failed = await recordTransferFailure(t.ports, { submissionId: id, error: 'ReceiptRefused', cause: '数据不全', requestId: 'f', execution: first.executionArn ?? '' });

    const restarts = await Promise.all(Array.from({ length: 5 }, (_, i) => startTransfer(startPorts(t), { actor, submissionId: id, requestId: `s2-${i}` })));

    expect(failed).toMatchObject({ recorded: true, restartable: true });
    expect(restarts.filter((r) => r.started)).toHaveLength(1);
    expect(restarts.find((r) => r.started)).toMatchObject({ attempt: 2, executionName: `transfer-${id}-2` });
    expect(transferNames(t)).toEqual(new Set([`transfer-${id}`, `transfer-${id}-2`]));
    expect(auditActions(t, 'submission.transfer.restart')).toHaveLength(1);
    expect(auditActions(t, 'submission.transfer.fail')).toHaveLength(1);
    expect(await t.world.store.getSubmission(id)).toMatchObject({ transferState: 'requested', transferAttempt: 2 });
    expect((await eventsOf(t, id, 'transferRequested')).map((e) => e.detail['attempt']).sort()).toEqual([1, 2]);
  });

  it('a late failure record of an old attempt does not reopen the running one', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const actor = await t.world.user('chen.jing');
    await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 's1' });
    await recordTransferFailure(t.ports, { submissionId: id, error: 'X', cause: 'x', requestId: 'f1', execution: `arn:aws:states:cn-north-1:0:execution:Transfer:${transferExecutionName(id)}` });
    await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 's2' });

    const late = await recordTransferFailure(t.ports, { submissionId: id, error: 'X', cause: 'again', requestId: 'f2', execution: `arn:aws:states:cn-north-1:0:execution:Transfer:${transferExecutionName(id)}` });

    expect(late).toMatchObject({ recorded: true, restartable: false });
    expect(await t.world.store.getSubmission(id)).toMatchObject({ transferState: 'requested', transferAttempt: 2 });
  });

  it('an execution that ended without recording its end (stopped, lost) is recorded failed and the next attempt starts', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const actor = await t.world.user('chen.jing');
    await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 's1' });
    // The engine now answers ExecutionAlreadyExists for that name: the execution is over.
    const start = t.world.workflow.start.bind(t.world.workflow);
    t.world.workflow.start = async (sm, name, input) => {
      if (name === transferExecutionName(id)) throw Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
      return start(sm, name, input);
    };

    const again = await startTransfer(startPorts(t), { actor, submissionId: id, requestId: 's2' });

    expect(again).toMatchObject({ started: true, attempt: 2 });
    expect((await eventsOf(t, id, 'transferFailed'))[0]).toMatchObject({ detail: { error: 'ExecutionEnded', attempt: 1 } });
  });

  it('closes the failed execution\'s open receipt task with the reason, and leaves other executions\' tasks alone', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const first = await startTransfer(startPorts(t), { actor: await t.world.user('chen.jing'), submissionId: id, requestId: 's1' });
    const execution = first.executionArn ?? '';
    const task = (taskId: string, exec: string): HumanTask => ({
      id: taskId,
      kind: 'custodyReceipt',
      subject: { submissionId: id },
      title: 't',
      assigneeOrg: '440000-CUS',
      assignees: ['zhang.wei'],
      status: 'open',
      createdAt: t.world.now.toISOString(),
      due: '2026-09-28',
      expiresAt: '2026-10-12T00:00:00.000Z',
      escalationLevel: 0,
      execution: exec,
    });
    const expired: Array<{ id: string; entry: AuditEntry }> = [];
    const tasks = {
      listBySubject: async (kind: string) => (kind === 'custodyReceipt' ? [task('mine', execution), task('other', `${execution}-x`)] : []),
      expire: async (taskId: string, _at: string, entry: AuditEntry) => void expired.push({ id: taskId, entry }),
    };

    const out = await recordTransferFailure({ ...t.ports, tasks }, { submissionId: id, error: 'States.Runtime', cause: 'x', requestId: 'f', execution });

    expect(out.closedTasks).toEqual(['mine']);
    expect(expired).toMatchObject([{ id: 'mine', entry: { action: 'tasks.humanTask.expire', detail: { reason: 'workflowFailed' } } }]);
  });

  it('names the attempt of an execution ARN or name, and nothing for another submission', () => {
    expect(transferAttemptOf('arn:aws:states:cn-north-1:0:execution:Transfer:transfer-abc', 'abc')).toBe(1);
    expect(transferAttemptOf('transfer-abc-3', 'abc')).toBe(3);
    expect(transferAttemptOf('transfer-abcd', 'abc')).toBeUndefined();
  });
});
