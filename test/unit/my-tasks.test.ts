import { describe, expect, it } from 'vitest';
import { handler as listHandler } from '#functions/tasks/list-my-human-tasks.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import { InMemorySecurityRecords } from '#shared/security/records.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { createHumanTask, decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { call, depsFor, type SubmissionWorld } from './submission-fakes.ts';
import { fakeTaskToken, taskWorld, testKind, type TaskWorld } from './tasks-fakes.ts';

/** The test kind, about a record of the subject's classification owned by 广东省自然资源厅 and its units. */
function classifiedKind(): HumanTaskKind {
  return {
    ...testKind(),
    async protects(subject) {
      return { target: `TEST#${String(subject['name'])}`, classification: subject['classification'] as Classification, organiserOrg: '440000-NR', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' };
    },
  };
}

async function openTask(world: TaskWorld, opts: { name: string; org?: string; classification?: Classification; timeoutSeconds?: number }) {
  const { task } = await createHumanTask(world.ports, {
    taskToken: fakeTaskToken(),
    kind: 'testApproval',
    subject: { name: opts.name, org: opts.org ?? '440000-NR', classification: opts.classification ?? 'internal' },
    timeoutSeconds: opts.timeoutSeconds ?? 1_814_400,
    escalationLevel: 0,
    execution: 'arn:aws:states:cn-north-1:000000000000:execution:Verification:x',
    requestId: `req-${opts.name}`,
    fn: 'CreateHumanTask',
  });
  return task;
}

function deps(world: TaskWorld, records = new InMemorySecurityRecords()) {
  return { ...world.ports, humanTasks: world.ports.tasks, verifier: depsFor({} as SubmissionWorld).verifier(), identity: world.identity, securityRecords: records };
}

describe('R7.1 R5.1 待办 (GET /human-tasks): the caller’s open tasks, within the clearance', () => {
  it('lists the open tasks chen.jing is an assignee of, earliest due first, with due date and working days left; not another organisation’s, not a decided one', async () => {
    const world = await taskWorld({ kinds: [classifiedKind()] });
    const first = await openTask(world, { name: '甲' });
    world.now = new Date('2026-09-23T02:00:00.000Z');
    const later = await openTask(world, { name: '乙' });
    const decided = await openTask(world, { name: '丙' });
    const elsewhere = await openTask(world, { name: '丁', org: '100000-NR' });
    await decideHumanTask(world.ports, { actor: await world.user('chen.jing'), id: decided.id, decision: 'approve', reasons: '', requestId: 'd' });

    const mine = await call(listHandler.with(deps(world)), 'GET', '/human-tasks', { user: 'chen.jing' });
    const theirs = await call(listHandler.with(deps(world)), 'GET', '/human-tasks', { user: 'zhao.min' });
    const nobody = await call(listHandler.with(deps(world)), 'GET', '/human-tasks', { user: 'li.na' });

    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t: { id: string }) => t.id)).toEqual([first.id, later.id]);
    expect(mine.body.items[0]).toMatchObject({ kind: 'testApproval', kindLabel: '测试审批', title: '测试审批：甲', due: first.due, overdue: false, assigneeOrg: '440000-NR', pagePath: `/human-tasks/${first.id}/page` });
    expect(mine.body.items[0].workingDaysLeft).toBe(3);
    expect(mine.body.more).toBe(false);
    expect(theirs.body.items.map((t: { id: string }) => t.id)).toEqual([elsewhere.id]);
    expect(nobody.body).toEqual({ items: [], more: false });
  });

  it('leaves out a task about a record above the caller’s clearance and notes each classified record it lists', async () => {
    const world = await taskWorld({ kinds: [classifiedKind()] });
    const records = new InMemorySecurityRecords();
    const secret = await openTask(world, { name: '秘密成果', classification: 'secret' });
    await openTask(world, { name: '机密成果', classification: 'confidential' });

    const res = await call(listHandler.with(deps(world, records)), 'GET', '/human-tasks', { user: 'chen.jing', requestId: 'list-1' });

    expect(res.body.items.map((t: { id: string }) => t.id)).toEqual([secret.id]);
    expect(JSON.stringify(res.body)).not.toContain('机密成果');
    expect(records.of('440000-NR').find((r) => r.requestId === 'list-1')).toMatchObject({ kind: 'read', records: [{ classification: 'secret', access: 'read' }] });
  });

  it('does not list a task whose wait has run out, honours limit with `more`, and refuses a bad limit naming the field', async () => {
    const world = await taskWorld({ kinds: [classifiedKind()] });
    await openTask(world, { name: '短', timeoutSeconds: 60 });
    const a = await openTask(world, { name: '甲' });
    world.now = new Date('2026-09-23T02:00:00.000Z');
    await openTask(world, { name: '乙' });

    const one = await call(listHandler.with(deps(world)), 'GET', '/human-tasks', { user: 'chen.jing', query: { limit: '1' } });
    const bad = await call(listHandler.with(deps(world)), 'GET', '/human-tasks', { user: 'chen.jing', query: { limit: '0' } });

    expect(one.body.items.map((t: { id: string }) => t.id)).toEqual([a.id]);
    expect(one.body.more).toBe(true);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('query.limit') });
  });
});
