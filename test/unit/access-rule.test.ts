import { describe, expect, it } from 'vitest';
import { handler as decideHandler } from '#functions/tasks/decide-human-task.ts';
import { handler as getHandler } from '#functions/tasks/get-human-task.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { createHumanTask } from '#shared/tasks/human-tasks.ts';
import { InMemorySecurityRecords } from '#shared/security/records.ts';
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

async function openTask(world: TaskWorld, classification: Classification) {
  const { task } = await createHumanTask(world.ports, {
    taskToken: fakeTaskToken(),
    kind: 'testApproval',
    subject: { name: `成果-${classification}`, org: '440000-NR', classification },
    timeoutSeconds: 1_814_400,
    escalationLevel: 0,
    execution: 'arn:aws:states:cn-north-1:000000000000:execution:Verification:x',
    requestId: 'req-create',
    fn: 'CreateHumanTask',
  });
  return task;
}

describe('R5.1 R20.1 the access rule on human tasks (GET /human-tasks/{id}, POST …/decision)', () => {
  it('hides a task about a record above the assignee’s clearance exactly as a missing task, and records the refusal', async () => {
    const world = await taskWorld({ kinds: [classifiedKind()] });
    const records = new InMemorySecurityRecords();
    const deps = { ...world.ports, humanTasks: world.ports.tasks, verifier: depsFor({} as SubmissionWorld).verifier(), identity: world.identity, securityRecords: records };
    // chen.jing (秘密) is the reviewer of 广东省自然资源厅: she may see 秘密 and below, not 机密.
    const secret = await openTask(world, 'secret');
    const confidential = await openTask(world, 'confidential');
    const before = world.snapshot();

    const seen = await call(getHandler.with(deps), 'GET', `/human-tasks/${secret.id}`, { user: 'chen.jing', pathParameters: { id: secret.id }, requestId: 'h1' });
    const hidden = await call(getHandler.with(deps), 'GET', `/human-tasks/${confidential.id}`, { user: 'chen.jing', pathParameters: { id: confidential.id }, requestId: 'h2' });
    const missing = await call(getHandler.with(deps), 'GET', '/human-tasks/AAAAAAAAAAAAAAAAAAAAAA', { user: 'chen.jing', pathParameters: { id: 'AAAAAAAAAAAAAAAAAAAAAA' }, requestId: 'h3' });
    const decided = await call(decideHandler.with(deps), 'POST', `/human-tasks/${confidential.id}/decision`, { user: 'chen.jing', pathParameters: { id: confidential.id }, body: { decision: 'approve' }, requestId: 'h4' });

    expect(confidential.assignees).toEqual(['chen.jing']);
    expect(seen.status).toBe(200);
    expect([hidden.status, decided.status]).toEqual([404, 404]);
    expect(hidden.body.error.message).toBe(missing.body.error.message);
    expect(world.snapshot()).toEqual(before);
    const mine = records.of('440000-NR');
    expect(mine.find((r) => r.requestId === 'h1')).toMatchObject({ kind: 'read', records: [{ classification: 'secret', access: 'read' }] });
    expect(mine.find((r) => r.requestId === 'h2')).toMatchObject({ kind: 'refused', status: 404, records: [{ classification: 'confidential', access: 'hidden' }] });
    expect(mine.find((r) => r.requestId === 'h4')).toMatchObject({ kind: 'refused', status: 404 });
  });
});
