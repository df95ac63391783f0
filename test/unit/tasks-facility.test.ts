import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as createHandler } from '#functions/tasks/create-human-task.ts';
import { handler as decideHandler } from '#functions/tasks/decide-human-task.ts';
import { handler as getHandler } from '#functions/tasks/get-human-task.ts';
import { handler as pageHandler } from '#functions/tasks/human-task-page.ts';
import { keys } from '#adapters/dynamo.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { HumanTaskDecisionValue } from '#shared/ports/tasks.ts';
import { HumanTaskAlreadyDecidedError, HumanTaskExpiredError } from '#shared/tasks/errors.ts';
import { createHumanTask, decideHumanTask, escalateTimedOutTask, getHumanTask } from '#shared/tasks/human-tasks.ts';
import { isTaskId } from '#shared/tasks/ids.ts';
import { runHumanTaskReminders } from '#shared/tasks/reminders.ts';
import { call, depsFor, type SubmissionWorld } from './submission-fakes.ts';
import { appBaseUrl, captureOutput, fakeTaskToken, lambdaContext, taskWorld, type TaskWorld } from './tasks-fakes.ts';

const subject = { name: '样例成果', org: '440000-NR' };

async function openTask(world: TaskWorld, over: { escalationLevel?: number; timeoutSeconds?: number; subject?: Record<string, string | number> } = {}) {
  const token = fakeTaskToken();
  const { task, emailed } = await createHumanTask(world.ports, {
    taskToken: token,
    kind: 'testApproval',
    subject: over.subject ?? subject,
    timeoutSeconds: over.timeoutSeconds ?? 1_814_400,
    escalationLevel: over.escalationLevel ?? 0,
    execution: 'arn:aws:states:cn-north-1:000000000000:execution:Verification:x',
    requestId: 'req-create',
    fn: 'CreateHumanTask',
  });
  return { token, task, emailed };
}

function decide(world: TaskWorld, userId: string, id: string, decision: HumanTaskDecisionValue = 'approve', reasons = '') {
  return world.user(userId).then((actor) => decideHumanTask(world.ports, { actor, id, decision, reasons, requestId: `req-${userId}` }));
}

/** HTTP ports over the task world: the submission fakes' JWT verifier (their `call` signs with its key), the world's identity and ports. */
function httpDeps(world: TaskWorld) {
  return { ...world.ports, humanTasks: world.ports.tasks, verifier: depsFor({} as SubmissionWorld).verifier(), identity: world.identity };
}

type Handler = (e: APIGatewayProxyEventV2, c: typeof lambdaContext) => Promise<unknown>;
function httpCall(handler: Handler, opts: { user?: string; id: string; path: string; method: string; body?: unknown }) {
  return call(handler as never, opts.method, opts.path, { ...(opts.user ? { user: opts.user } : {}), pathParameters: { id: opts.id }, ...(opts.body !== undefined ? { body: opts.body } : {}) });
}

describe('R7.1 human tasks: a task is stored with its token sealed and the assignees get a link, never the token', () => {
  it('assigns the organiser organisation’s reviewers, emails each a link to the task page and keeps the token only encrypted', async () => {
    const world = await taskWorld();

    const { token, task, emailed } = await openTask(world);

    expect(isTaskId(task.id)).toBe(true);
    expect(task.assignees).toEqual(['chen.jing']);
    expect(emailed).toEqual(['chen.jing']);
    expect(task.due).toBe('2026-09-29');
    const [mail] = world.mailer.sent;
    expect(mail?.to).toEqual(['chen.jing@example.gov.cn']);
    expect(mail?.text).toContain(`${appBaseUrl}/human-tasks/${task.id}/page`);
    expect(mail?.text).toMatch(/待处理/);
    const item = world.tables.get('registry', keys.humanTask(task.id));
    expect(item?.['status']).toBe('open');
    expect(typeof item?.['tokenCiphertext']).toBe('string');
    expect(JSON.stringify(item)).not.toContain(token);
    expect(await world.vault.open(String(item?.['tokenCiphertext']), task.id)).toBe(token);
    await expect(world.vault.open(String(item?.['tokenCiphertext']), 'AAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow();
  });

  it('never puts the token in an email (subject, text, HTML, link), an audit record or a log line', async () => {
    const world = await taskWorld();
    const token = fakeTaskToken();
    const handler = createHandler.with({ ...world.ports, humanTasks: world.ports.tasks });

    const run = await captureOutput(() =>
      handler({ taskToken: token, kind: 'testApproval', subject, timeoutSeconds: 3600, escalationLevel: 0, execution: 'arn:exec' }, lambdaContext),
    );
    const refused = await captureOutput(() =>
      handler({ taskToken: token, kind: 'testApproval', subject: { name: '无人审核', org: '440000-IMP' }, timeoutSeconds: 3600 }, lambdaContext),
    );

    expect(run.error).toBeUndefined();
    expect((refused.error as ConflictError).code).toBe('NO_ASSIGNEES');
    expect(run.output).toContain('CreateHumanTask');
    expect(refused.output).toContain('NO_ASSIGNEES');
    for (const text of [run.output, refused.output, JSON.stringify(world.mailer.sent), JSON.stringify(world.identity.auditRecords())]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(4, 40));
    }
  });

  it('adds the superior organisation’s reviewers to an escalated round', async () => {
    const world = await taskWorld();

    const { task } = await openTask(world, { escalationLevel: 1 });

    expect(task.assignees).toEqual(['chen.jing', 'zhao.min']);
    expect(task.escalatedTo).toEqual(['100000-NR']);
    expect(world.mailer.sent.map((m) => m.subject)).toEqual([expect.stringContaining('逾期上报'), expect.stringContaining('逾期上报')]);
  });

  it('expires the task of an earlier attempt of the same waiting state when a retry creates the next one', async () => {
    const world = await taskWorld();
    const first = await openTask(world);

    const second = await openTask(world);

    expect(world.tables.get('registry', keys.humanTask(first.task.id))).toMatchObject({ status: 'expired' });
    expect(world.tables.get('registry', keys.humanTask(first.task.id))?.['tokenCiphertext']).toBeUndefined();
    expect(world.tables.get('registry', keys.humanTask(second.task.id))).toMatchObject({ status: 'open' });
    await expect(decide(world, 'chen.jing', first.task.id)).rejects.toBeInstanceOf(HumanTaskExpiredError);
  });

  it('fails with MailDeliveryError when the mail transport refuses, the name the workflow retries on', async () => {
    const world = await taskWorld();
    world.mailer.failWith = new Error('421 Server shutting down');

    const attempt = openTask(world);

    await expect(attempt).rejects.toMatchObject({ name: 'MailDeliveryError', message: expect.stringContaining('邮件发送失败') });
  });

  it('refuses to wait on a task nobody can decide (no reviewer in the organisation or above)', async () => {
    const world = await taskWorld();
    const before = world.snapshot();

    await expect(openTask(world, { subject: { name: '无人审核', org: '440000-IMP' } })).rejects.toMatchObject({ code: 'NO_ASSIGNEES' });

    expect(world.snapshot()).toBe(before);
    expect(world.mailer.sent).toEqual([]);
  });
});

describe('R7.1 human tasks: only an assignee sees a task, and looking changes nothing', () => {
  it('shows the assignee the task with its due date and working days left', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const before = world.snapshot();

    const view = await getHumanTask(world.ports, { actor: await world.user('chen.jing'), id: task.id });

    expect(view).toMatchObject({ id: task.id, status: 'open', canDecide: true, due: '2026-09-29', workingDaysLeft: 5, overdue: false, summary: { name: '样例成果' } });
    expect(JSON.stringify(view)).not.toMatch(/tokenCiphertext|AQCE/);
    expect(world.snapshot()).toBe(before);
  });

  it('answers another user 403 and a forged or malformed id 404, changing nothing', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const before = world.snapshot();

    await expect(getHumanTask(world.ports, { actor: await world.user('guo.tao'), id: task.id })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getHumanTask(world.ports, { actor: await world.user('chen.jing'), id: 'AAAAAAAAAAAAAAAAAAAAAA' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getHumanTask(world.ports, { actor: await world.user('chen.jing'), id: '../../etc/passwd' })).rejects.toBeInstanceOf(NotFoundError);

    expect(world.snapshot()).toBe(before);
  });

  it('serves the public page for a link without reading or writing anything, and without the task’s content', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const before = world.snapshot();
    const readsBefore = world.reader.reads.length;
    const handler = pageHandler.with({ signInUrl: '/local-auth/' });
    const event = { version: '2.0', rawPath: `/human-tasks/${task.id}/page`, headers: {}, pathParameters: { id: task.id }, requestContext: { requestId: 'r1', http: { method: 'GET' } }, isBase64Encoded: false };

    const res = (await handler(event as unknown as APIGatewayProxyEventV2, lambdaContext)) as APIGatewayProxyStructuredResultV2;

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/text\/html/);
    expect(String(res.headers?.['content-security-policy'])).toMatch(/script-src 'nonce-/);
    expect(res.body).toContain(task.id);
    expect(res.body).toContain('chengguo.idToken');
    expect(res.body).not.toContain('样例成果');
    expect(world.snapshot()).toBe(before);
    expect(world.reader.reads.length).toBe(readsBefore);
  });
});

describe('R7.1 human tasks: the decision is taken once, by an assignee, before the task expires', () => {
  it('issue-8: a wait re-entered after a restart (resumed) seals the fresh token into the same open task: same link, no new email, the decision resumes with the new token', async () => {
    const world = await taskWorld();
    const first = await openTask(world);
    const mailsBefore = world.mailer.sent.length;
    const freshToken = fakeTaskToken();

    const again = await createHumanTask(world.ports, {
      taskToken: freshToken,
      kind: 'testApproval',
      subject,
      timeoutSeconds: 1_814_400,
      escalationLevel: 0,
      execution: 'arn:aws:states:cn-north-1:000000000000:execution:Verification:x',
      resumed: true,
      requestId: 'req-resume',
      fn: 'CreateHumanTask',
    });
    await decide(world, 'chen.jing', first.task.id);

    expect(again.task.id).toBe(first.task.id);
    expect(again.emailed).toEqual([]);
    expect(world.mailer.sent.length).toBe(mailsBefore);
    expect(world.identity.auditRecords().map((r) => r['action'])).toContain('tasks.humanTask.reseal');
    expect(world.workflow.successes.map((x) => x.token)).toEqual([freshToken]);
  });

  it('records the decision with its audit record, removes the token and resumes the workflow with {decision, reasons, decidedBy}', async () => {
    const world = await taskWorld();
    const { token, task } = await openTask(world);

    const view = await decide(world, 'chen.jing', task.id, 'return', '坐标系不是 CGCS2000，请转换后重新提交');

    expect(view).toMatchObject({ decisionWords: { approve: '通过', ret: '退回' }, needsTaskPage: false });
    expect(view).toMatchObject({ status: 'decided', canDecide: false, decision: { decision: 'return', decidedBy: 'chen.jing', decisionLabel: '退回', decidedAtLabel: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）$/) } });
    expect(world.workflow.successes).toEqual([
      { token, output: expect.objectContaining({ taskId: task.id, decision: 'return', reasons: '坐标系不是 CGCS2000，请转换后重新提交', decidedBy: 'chen.jing' }) },
    ]);
    const item = world.tables.get('registry', keys.humanTask(task.id));
    expect(item?.['tokenCiphertext']).toBeUndefined();
    expect(item?.['gsi1pk']).toBeUndefined();
    const audit = world.identity.auditRecords().at(-1);
    expect(audit).toMatchObject({ action: 'tasks.humanTask.decide', actor: 'chen.jing', target: `HTASK#${task.id}` });
  });

  it('lets exactly one of two concurrent decisions through: one SendTaskSuccess, the other 409 TASK_ALREADY_DECIDED', async () => {
    const world = await taskWorld({});
    const { task } = await openTask(world, { escalationLevel: 1 });

    const results = await Promise.allSettled([decide(world, 'chen.jing', task.id, 'approve'), decide(world, 'zhao.min', task.id, 'return', '请补充元数据文件')]);

    expect(world.workflow.successes).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(HumanTaskAlreadyDecidedError);
    expect((refused.reason as ConflictError).code).toBe('TASK_ALREADY_DECIDED');
  });

  it('refuses a second decision with a Chinese message and changes nothing', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    await decide(world, 'chen.jing', task.id, 'approve');
    const before = world.snapshot();

    const second = decide(world, 'chen.jing', task.id, 'return', '改变主意了，退回');

    await expect(second).rejects.toMatchObject({ code: 'TASK_ALREADY_DECIDED', message: expect.stringMatching(/只能决定一次/) });
    expect(world.workflow.successes).toHaveLength(1);
    expect(world.snapshot()).toBe(before);
  });

  it('refuses a user who is not an assignee with 403 and changes nothing', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const before = world.snapshot();

    await expect(decide(world, 'guo.tao', task.id)).rejects.toBeInstanceOf(ForbiddenError);

    expect(world.workflow.successes).toEqual([]);
    expect(world.snapshot()).toBe(before);
  });

  it('refuses a decision after the wait ran out (TASK_EXPIRED) and changes nothing', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world, { timeoutSeconds: 3600 });
    world.now = new Date(Date.parse(task.expiresAt) + 1000);
    const before = world.snapshot();

    await expect(decide(world, 'chen.jing', task.id)).rejects.toBeInstanceOf(HumanTaskExpiredError);
    const view = await getHumanTask(world.ports, { actor: await world.user('chen.jing'), id: task.id });

    expect(view).toMatchObject({ status: 'expired', canDecide: false });
    expect(world.workflow.successes).toEqual([]);
    expect(world.snapshot()).toBe(before);
  });

  it('requires reasons for a return, and changes nothing without them', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const before = world.snapshot();

    await expect(decide(world, 'chen.jing', task.id, 'return', ' 不行 ')).rejects.toBeInstanceOf(ValidationError);

    expect(world.snapshot()).toBe(before);
    expect(world.workflow.successes).toEqual([]);
  });

  it('records the task expired and tells the user when Step Functions answers TaskTimedOut', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    world.workflow.fail = 'timedOut';
    const mails = world.mailer.sent.length;

    const refused = await decide(world, 'chen.jing', task.id).catch((error: unknown) => error as Error & { code?: string });

    // issue 8: the message says only what is known — nothing was escalated or re-emailed here.
    expect(refused).toMatchObject({ code: 'TASK_EXPIRED' });
    expect((refused as Error).message).not.toMatch(/上报|邮件|提醒/);
    expect(world.mailer.sent.length).toBe(mails);

    const item = world.tables.get('registry', keys.humanTask(task.id));
    expect(item?.['status']).toBe('expired');
    expect(item?.['tokenCiphertext']).toBeUndefined();
  });

  it('reopens the task with its token when the decision could not be delivered, so the user can retry', async () => {
    const world = await taskWorld();
    const { token, task } = await openTask(world);
    world.workflow.fail = 'network';

    await expect(decide(world, 'chen.jing', task.id)).rejects.toThrow('socket hang up');
    const reopened = world.tables.get('registry', keys.humanTask(task.id));
    world.workflow.fail = undefined;
    await decide(world, 'chen.jing', task.id);

    expect(reopened?.['status']).toBe('open');
    expect(await world.vault.open(String(reopened?.['tokenCiphertext']), task.id)).toBe(token);
    expect(world.workflow.successes.map((s) => s.token)).toEqual([token]);
  });
});

describe('R7.1 human tasks over HTTP: refusals carry a code and a Chinese message', () => {
  it('answers GET for an assignee, 403 for another user, 404 for a forged id, 401 without a token', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const deps = httpDeps(world);
    const handler = getHandler.with(deps);

    const mine = await httpCall(handler, { method: 'GET', path: `/human-tasks/${task.id}`, id: task.id, user: 'chen.jing' });
    const foreign = await httpCall(handler, { method: 'GET', path: `/human-tasks/${task.id}`, id: task.id, user: 'guo.tao' });
    const forged = await httpCall(handler, { method: 'GET', path: '/human-tasks/x', id: 'BBBBBBBBBBBBBBBBBBBBBB', user: 'chen.jing' });
    const anonymous = await httpCall(handler, { method: 'GET', path: `/human-tasks/${task.id}`, id: task.id });

    expect([mine.status, foreign.status, forged.status, anonymous.status]).toEqual([200, 403, 404, 401]);
    expect(mine.body.title).toBe('测试审批：样例成果');
    for (const res of [foreign, forged, anonymous]) expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers POST once with 200 and then 409 TASK_ALREADY_DECIDED; a return without reasons is 400 naming the field', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    const deps = httpDeps(world);
    const handler = decideHandler.with(deps);
    const post = (body: unknown) => httpCall(handler, { method: 'POST', path: `/human-tasks/${task.id}/decision`, id: task.id, user: 'chen.jing', body });

    const noReasons = await post({ decision: 'return' });
    const first = await post({ decision: 'approve' });
    const second = await post({ decision: 'approve' });

    expect(noReasons.status).toBe(400);
    expect(noReasons.body.error.details[0].field).toBe('body.reasons');
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('TASK_ALREADY_DECIDED');
    expect(world.workflow.successes).toHaveLength(1);
  });
});

describe('R7.1 human tasks: overdue tasks remind, then escalate to the superior organisation', () => {
  it('reminds the assignees once a day after the due date', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    world.mailer.sent.length = 0;
    world.now = new Date('2026-09-30T01:00:00.000Z');

    const first = await runHumanTaskReminders(world.ports, { requestId: 'sched-1', fn: 'HumanTaskReminders' });
    const again = await runHumanTaskReminders(world.ports, { requestId: 'sched-2', fn: 'HumanTaskReminders' });

    expect(first).toMatchObject({ today: '2026-09-30', checked: 1, reminded: 1, escalated: 0 });
    expect(again).toMatchObject({ reminded: 0 });
    expect(world.mailer.sent.map((m) => [m.to[0], m.subject])).toEqual([['chen.jing@example.gov.cn', `【催办】${task.title}（已超过办理期限 2026-09-29）`]]);
    expect(world.recorded.at(-1)?.events[0]).toMatchObject({ type: 'reminderSent' });
  });

  it('adds the superior organisation’s reviewers after 2 working days overdue, once, and emails them the same link', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    world.mailer.sent.length = 0;
    // Due 2026-09-29; 30 Sep is 1 WD late, 1–7 Oct is the National Day break, 8 Oct is 2 WD late.
    world.now = new Date('2026-10-08T01:00:00.000Z');

    const run = await runHumanTaskReminders(world.ports, { requestId: 'sched-1', fn: 'HumanTaskReminders' });
    world.now = new Date('2026-10-08T06:00:00.000Z');
    const rerun = await runHumanTaskReminders(world.ports, { requestId: 'sched-2', fn: 'HumanTaskReminders' });

    expect(run).toMatchObject({ reminded: 1, escalated: 1 });
    expect(rerun).toMatchObject({ reminded: 0, escalated: 0 });
    const item = world.tables.get('registry', keys.humanTask(task.id));
    expect(item).toMatchObject({ assignees: ['chen.jing', 'zhao.min'], escalatedTo: ['100000-NR'], escalationLevel: 1 });
    const toZhao = world.mailer.to('zhao.min@example.gov.cn');
    expect(toZhao[0]?.subject).toContain('逾期上报');
    expect(toZhao[0]?.text).toContain(`${appBaseUrl}/human-tasks/${task.id}/page`);
    const view = await getHumanTask(world.ports, { actor: await world.user('zhao.min'), id: task.id });
    expect(view.overdue).toBe(true);
  });

  it('expires a timed-out task, tells its assignees, and sends the next round one level up', async () => {
    const world = await taskWorld();
    const { task } = await openTask(world);
    world.mailer.sent.length = 0;

    const next = await escalateTimedOutTask(world.ports, { kind: 'testApproval', subject, requestId: 'req-esc', fn: 'EscalateReview' });

    expect(next).toEqual({ level: 1, previousTaskId: task.id, orgs: ['100000-NR'] });
    expect(world.tables.get('registry', keys.humanTask(task.id))?.['status']).toBe('expired');
    expect(world.mailer.sent.map((m) => m.to[0])).toEqual(['chen.jing@example.gov.cn']);
    expect(world.mailer.sent[0]?.text).toContain('原链接已失效');
    await expect(decide(world, 'chen.jing', task.id)).rejects.toBeInstanceOf(HumanTaskExpiredError);
  });
});
