import { describe, expect, it } from 'vitest';
import { assigneesFor } from '#shared/tasks/human-tasks.ts';
import { transfer } from '#functions/transfer/context.ts';
import type { HumanTaskKindPorts } from '#shared/tasks/kinds.ts';
import { custodyReceiptKind, forestryCopyAckKind } from '#shared/transfer/task-kinds.ts';
import { registerSurveyTask, recordCompletion } from '#shared/submission/tasks.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import { humanTaskViewSchema } from '#shared/schemas/tasks.ts';
import { verifiedSubmission } from './catalogue-fakes.ts';
import { catalogue, standardFiles } from './submission-fakes.ts';
import { transferWorld, type TransferWorld } from './transfer-fakes.ts';

function kindPorts(t: TransferWorld) {
  return { store: t.world.store, catalogue: t.cat.store, identity: t.world.identity, now: () => t.world.now };
}

function taskOf(kind: string, submissionId: string, assigneeOrg: string): HumanTask {
  return {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    kind,
    subject: { submissionId },
    title: 't',
    assigneeOrg,
    assignees: [],
    status: 'open',
    createdAt: '2026-09-21T02:00:00.000Z',
    due: '2026-09-28',
    expiresAt: '2026-10-12T02:00:00.000Z',
    escalationLevel: 0,
  };
}

describe('R8.1/R8.2 transfer task kinds (issue 4)', () => {
  it('assigns the receipt to the custodian organisation\'s custodians and records the request on the timeline', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const kind = custodyReceiptKind(kindPorts(t));

    const described = await kind.describe({ submissionId: id });
    const { assignees } = await assigneesFor(t.world.identity, described.assigneeOrg, kind.role, 0);
    await kind.opened?.(taskOf(kind.kind, id, described.assigneeOrg), 'req');

    expect(described.assigneeOrg).toBe('440000-CUS');
    expect(described.title).toContain('成果移交接收确认');
    expect(assignees).toEqual(['zhang.wei']);
    expect((await t.world.store.listEvents(id)).some((e) => e.type === 'receiptRequested')).toBe(true);
  });

  it('assigns the forestry copy to the same-level natural-resources reviewers and records their acknowledgement', async () => {
    const t = await transferWorld();
    const { world } = t;
    const task = await registerSurveyTask(
      { actor: await world.user('lin.feng'), input: { name: '2026 年度广东省森林资源调查', theme: 'forest', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' }, requestId: 'task' },
      world.ports,
    );
    await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports);
    const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'open' }, world.ports);
    const id = opened.submission.submissionId;
    const kind = forestryCopyAckKind(kindPorts(t));

    const described = await kind.describe({ submissionId: id });
    const { assignees } = await assigneesFor(world.identity, described.assigneeOrg, kind.role, 0);
    await kind.record?.(taskOf(kind.kind, id, described.assigneeOrg), [{ type: 'decided', detail: { decision: 'approve', decidedBy: 'chen.jing' } }], 'req');

    expect(described.assigneeOrg).toBe('440000-NR');
    expect(assignees).toEqual(['chen.jing']);
    const ack = (await world.store.listEvents(id)).find((e) => e.type === 'forestryCopyAcknowledged');
    expect(ack?.detail).toMatchObject({ decision: 'approve', decidedBy: 'chen.jing' });
  });

  it('shows the receipt in Chinese: theme label and organisation names beside their codes, valid against the task view schema', async () => {
    const t = await transferWorld();
    const id = await verifiedSubmission(t.world);
    const kind = custodyReceiptKind(kindPorts(t));

    const described = await kind.describe({ submissionId: id });
    const summary = (await kind.summary(taskOf(kind.kind, id, '440000-CUS'))) as { submission: Record<string, unknown> };

    expect(summary.submission).toMatchObject({
      theme: 'landSurvey',
      themeLabel: '国土调查',
      organiserOrg: '440000-NR',
      organiserName: '广东省自然资源厅',
      implementerOrg: '440000-IMP',
      implementerName: '广东省地质测绘院',
      custodianOrg: '440000-CUS',
      custodianName: '广东省自然资源技术中心',
    });
    expect(humanTaskViewSchema.shape.summary.safeParse(summary).success).toBe(true);
    const details = described.details.join('\n');
    expect(details).toContain('成果专题：国土调查');
    expect(details).toContain('组织单位：广东省自然资源厅（440000-NR）');
    expect(details).toContain('保管单位：广东省自然资源技术中心（440000-CUS）');
    expect(details).not.toContain('landSurvey');
  });

  it('registers both kinds under their ids (declared in the transfer context module)', async () => {
    // The transfer kinds read only the store, the catalogue, the directory and the clock of the facility's ports.
    const ports = kindPorts(await transferWorld()) as unknown as HumanTaskKindPorts;
    const ids = Object.entries(transfer.humanTaskKinds).map(([id, build]) => [id, build(ports).kind]);

    expect(ids).toEqual([
      ['custodyReceipt', 'custodyReceipt'],
      ['forestryCopyAck', 'forestryCopyAck'],
    ]);
  });
});
