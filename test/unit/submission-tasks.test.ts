import { describe, expect, it } from 'vitest';
import { handler as getSurveyTask } from '#functions/submission/get-survey-task.ts';
import { handler as listSurveyTasks } from '#functions/submission/list-survey-tasks.ts';
import { handler as recordTaskCompletion } from '#functions/submission/record-task-completion.ts';
import { handler as registerSurveyTask } from '#functions/submission/register-survey-task.ts';
import { registrationPorts } from './catalogue-fakes.ts';
import { call, portsFor, registeredTask, submissionWorld } from './submission-fakes.ts';

const taskBody = {
  name: '2026 年度广东省国土变更调查',
  theme: 'landSurvey',
  regionCode: '440000',
  implementerOrg: '440000-IMP',
  custodianOrg: '440000-CUS',
};

describe('R6.1 survey tasks: registration by the organiser', () => {
  it('registers a task for a reviewer of a natural-resources department, audited, with no deadline yet', async () => {
    const world = await submissionWorld();
    const before = world.snapshot();

    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: taskBody });

    expect(r.status).toBe(201);
    expect(r.body.task).toMatchObject({ organiserOrg: '440000-NR', implementerOrg: '440000-IMP', theme: 'landSurvey', themeLabel: '国土调查', followsOwnRules: false, deadline: null });
    expect(world.snapshot()).toEqual({ registry: before.registry + 1, audit: before.audit + 1 });
    expect(world.identity.auditRecords().at(-1)).toMatchObject({ action: 'submission.task.register', actor: 'chen.jing', target: `TASK#${r.body.task.taskId}` });
  });

  it('marks an R22.1 category as following its own rules', async () => {
    const world = await submissionWorld();

    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: { ...taskBody, theme: 'dom' } });

    expect(r.status).toBe(201);
    expect(r.body.task.followsOwnRules).toBe(true);
    expect(r.body.task.ownRulesNote).toContain('R22.1');
  });

  it('refuses a reviewer whose unit is not a natural-resources or forestry department, storing nothing', async () => {
    const world = await submissionWorld();
    const before = world.snapshot();

    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'guo.tao', body: taskBody });

    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('自然资源或林业和草原主管部门');
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses a submitter by role before anything else', async () => {
    const world = await submissionWorld();

    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'li.na', body: taskBody });

    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });

  it.each([
    [{ regionCode: '990000' }, 'body.regionCode', '不在 GB/T 2260 代码表中'],
    [{ regionCode: '350000' }, 'body.regionCode', '不在组织单位'],
    [{ regionCode: '44' }, 'body.regionCode', '6 位行政区划代码'],
    [{ implementerOrg: '440000-XYZ' }, 'body.implementerOrg', '未在系统中登记'],
    [{ custodianOrg: '440000-WR' }, 'body.custodianOrg', '需求部门'],
    [{ theme: 'weather' }, 'body.theme', '成果专题不在支持范围内'],
  ])('refuses %o with a 400 naming %s, storing nothing', async (change, field, message) => {
    const world = await submissionWorld();
    const before = world.snapshot();

    const r = await call(registerSurveyTask.with(registrationPorts(world)), 'POST', '/survey-tasks', { user: 'chen.jing', body: { ...taskBody, ...change } });

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe(field);
    expect(r.body.error.message).toContain(message);
    expect(world.snapshot()).toEqual(before);
  });
});

describe('R6.1 completion date and the 30 WD submission deadline', () => {
  it('computes completion 2026-09-18 + 30 WD = 2026-11-05 across the National Day holiday, with 28 working days left on 2026-09-21', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world, { completed: false });

    const r = await call(recordTaskCompletion.with(portsFor(world)), 'PUT', `/survey-tasks/${task.taskId}/completion`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { completionDate: '2026-09-18' },
    });

    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(true);
    expect(r.body.task.submissionDue).toBe('2026-11-05');
    expect(r.body.task.deadline).toMatchObject({
      requirement: 'R6.1',
      start: '2026-09-18',
      days: 30,
      due: '2026-11-05',
      today: '2026-09-21',
      workingDaysLeft: 28,
      overdue: false,
      provisional: false,
      met: false,
    });
  });

  it('shows the deadline overdue the day after it passes, computed at read time', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world);
    world.setNow('2026-11-06T02:00:00.000Z');

    const r = await call(getSurveyTask.with(portsFor(world)), 'GET', `/survey-tasks/${task.taskId}`, { user: 'chen.jing', pathParameters: { taskId: task.taskId } });

    expect(r.status).toBe(200);
    expect(r.body.task.deadline).toMatchObject({ due: '2026-11-05', today: '2026-11-06', overdue: true, workingDaysLeft: -1 });
  });

  it('marks a deadline provisional when it runs into a year with no State Council notice', async () => {
    const world = await submissionWorld();
    world.setNow('2027-12-20T02:00:00.000Z');
    const task = await registeredTask(world, { completed: false });

    const r = await call(recordTaskCompletion.with(portsFor(world)), 'PUT', `/survey-tasks/${task.taskId}/completion`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { completionDate: '2027-12-01' },
    });

    expect(r.status).toBe(200);
    expect(r.body.task.deadline.provisional).toBe(true);
    expect(r.body.task.deadline.provisionalYears).toContain(2027);
  });

  it('treats the same date again as no change and writes no second audit record', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world);
    const before = world.snapshot();

    const r = await call(recordTaskCompletion.with(portsFor(world)), 'PUT', `/survey-tasks/${task.taskId}/completion`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { completionDate: '2026-09-18' },
    });

    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(false);
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses a completion date in the future', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world, { completed: false });
    const before = world.snapshot();

    const r = await call(recordTaskCompletion.with(portsFor(world)), 'PUT', `/survey-tasks/${task.taskId}/completion`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { completionDate: '2026-09-22' },
    });

    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('body.completionDate');
    expect(r.body.error.message).toContain('晚于今天');
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses a submitter of another unit: only the implementer records completion', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world, { completed: false });
    const before = world.snapshot();

    const r = await call(recordTaskCompletion.with(portsFor(world)), 'PUT', `/survey-tasks/${task.taskId}/completion`, {
      user: 'deng.hui',
      pathParameters: { taskId: task.taskId },
      body: { completionDate: '2026-09-18' },
    });

    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('440000-IMP');
    expect(world.snapshot()).toEqual(before);
  });

  it('answers 404 for an unknown task', async () => {
    const world = await submissionWorld();
    const taskId = '11111111-1111-4111-8111-111111111111';

    const r = await call(recordTaskCompletion.with(portsFor(world)), 'PUT', `/survey-tasks/${taskId}/completion`, {
      user: 'li.na',
      pathParameters: { taskId },
      body: { completionDate: '2026-09-18' },
    });

    expect(r.status).toBe(404);
  });
});

describe('R3.1 R6.1 who may read survey tasks', () => {
  it('lets the organiser, implementer, custodian and the departments above them read the task', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world);

    const statuses = await Promise.all(
      ['chen.jing', 'li.na', 'zhang.wei', 'zhao.min'].map(async (user) =>
        (await call(getSurveyTask.with(portsFor(world)), 'GET', `/survey-tasks/${task.taskId}`, { user, pathParameters: { taskId: task.taskId } })).status,
      ),
    );

    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  it('refuses an organisation not involved in the task', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world);

    const r = await call(getSurveyTask.with(portsFor(world)), 'GET', `/survey-tasks/${task.taskId}`, { user: 'luo.xin', pathParameters: { taskId: task.taskId } });

    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('无权查看');
  });

  it('lists the organiser’s tasks newest first, and the implementer’s own', async () => {
    const world = await submissionWorld();
    const first = await registeredTask(world);
    world.setNow('2026-09-22T02:00:00.000Z');
    const second = await registeredTask(world);

    const organiser = await call(listSurveyTasks.with(portsFor(world)), 'GET', '/survey-tasks', { user: 'chen.jing' });
    const implementer = await call(listSurveyTasks.with(portsFor(world)), 'GET', '/survey-tasks', { user: 'li.na' });

    expect(organiser.status).toBe(200);
    expect(organiser.body).toMatchObject({ org: '440000-NR', as: 'organiser' });
    expect(organiser.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([second.taskId, first.taskId]);
    expect(organiser.body.items[0].deadline.due).toBe('2026-11-05');
    expect(implementer.body).toMatchObject({ org: '440000-IMP', as: 'implementer' });
    expect(implementer.body.items).toHaveLength(2);
  });

  it('pages through the list with a cursor, and refuses a forged one', async () => {
    const world = await submissionWorld();
    const a = await registeredTask(world, { completed: false });
    world.setNow('2026-09-22T02:00:00.000Z');
    const b = await registeredTask(world, { completed: false });
    const h = listSurveyTasks.with(portsFor(world));

    const page1 = await call(h, 'GET', '/survey-tasks', { user: 'chen.jing', query: { limit: '1' } });
    const page2 = await call(h, 'GET', '/survey-tasks', { user: 'chen.jing', query: { limit: '1', cursor: page1.body.cursor } });
    const forged = Buffer.from(JSON.stringify({ pk: 'TASK#x', sk: 'META', gsi1pk: 'ORGTASKS#100000-NR', gsi1sk: 'x' })).toString('base64url');
    const bad = await call(h, 'GET', '/survey-tasks', { user: 'chen.jing', query: { cursor: forged } });

    expect(page1.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([b.taskId]);
    expect(page2.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([a.taskId]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('query.cursor');
  });

  it('lets a superior department list a subordinate’s tasks, and refuses the reverse', async () => {
    const world = await submissionWorld();
    await registeredTask(world);

    const down = await call(listSurveyTasks.with(portsFor(world)), 'GET', '/survey-tasks', { user: 'zhao.min', query: { org: '440000-NR' } });
    const up = await call(listSurveyTasks.with(portsFor(world)), 'GET', '/survey-tasks', { user: 'huang.wei', query: { org: '440000-NR' } });

    expect(down.status).toBe(200);
    expect(down.body.items).toHaveLength(1);
    expect(up.status).toBe(403);
  });
});
