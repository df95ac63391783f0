import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler as getEntry } from '#functions/catalogue/get-catalogue-entry.ts';
import { handler as registerEntry } from '#functions/catalogue/register-catalogue-entry.ts';
import { handler as searchCatalogue } from '#functions/catalogue/search-catalogue.ts';
import { handler as destroyObjects } from '#functions/destruction/destroy-objects.ts';
import { handler as getDestruction } from '#functions/destruction/get-destruction.ts';
import { handler as markDestroyedStep } from '#functions/destruction/mark-destroyed.ts';
import { handler as refuseStep } from '#functions/destruction/refuse-destruction.ts';
import { handler as requestDestruction } from '#functions/destruction/request-destruction.ts';
import { destructionApprovalKind } from '#shared/destruction/approval-task.ts';
import { regionName } from '#shared/reference/regions.ts';
import type { DestructionApproval, DestructionPorts } from '#shared/destruction/destruction.ts';
import { manifest } from '#infra/manifest.ts';
import { catalogueDeps, cataloguePorts, catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeMailer } from './custody-fakes.ts';
import { FakeDestroyer, FakeDestructionStore } from './destruction-fakes.ts';
import { call, submissionWorld } from './submission-fakes.ts';

const lambdaContext = { awsRequestId: 'req-sfn', functionName: 'test' } as never;
const reasons = '该成果已被新一轮调查成果替代，保存期满，经研究决定销毁';

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const catDeps = catalogueDeps(world, cat);
  const catPorts = cataloguePorts(world, cat);
  const id = await verifiedSubmission(world);
  const registered = await call(registerEntry.with(catPorts), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });
  const resultNumber = registered.body.entry.resultNumber as string;
  const destructions = new FakeDestructionStore();
  const mailer = new FakeMailer();
  let n = 0;
  const ports: DestructionPorts = {
    catalogue: cat.store,
    destructions,
    identity: world.identity,
    mailer,
    workflow: world.workflow,
    now: () => world.now,
    newId: () => `r${++n}`,
  };
  const deps = { ...ports, verifier: catDeps.verifier(), identity: catDeps.identity() };
  const custody = new Map<string, unknown>([
    [`results/${resultNumber}/v1/data/a.gpkg`, 1],
    [`results/${resultNumber}/v1/doc/report.pdf`, 1],
    [`manifests/${resultNumber}/v1.json`, 1],
    ['results/440000-CUS-2026-GT-000099/v1/data/b.gpkg', 1],
    ['manifests/440000-CUS-2026-GT-000099/v1.json', 1],
  ]);
  const backup = new Map(custody);
  const destroyers = [new FakeDestroyer(custody), new FakeDestroyer(backup)];
  const path = `/catalogue/${resultNumber}/destruction`;
  const pathParameters = { resultNumber };
  return { world, cat, catDeps, catPorts, resultNumber, destructions, mailer, ports, deps, custody, backup, destroyers, path, pathParameters };
}

type World = Awaited<ReturnType<typeof setup>>;

async function requested(w: World) {
  const r = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'zhang.wei', pathParameters: w.pathParameters, body: { reasons } });
  return r.body.destruction as { destructionId: string };
}

const approval = (decision: 'approve' | 'return'): DestructionApproval => ({
  taskId: 'T'.repeat(22),
  decision,
  reasons: decision === 'approve' ? '同意销毁' : '该成果仍在使用，不同意销毁',
  decidedBy: 'chen.jing',
  decidedAt: '2026-09-22T03:00:00.000Z',
});

describe('R10.1 destruction (销毁): request through POST /catalogue/{resultNumber}/destruction', () => {
  it('records the request with its reasons (202), audits it and starts Destruction once', async () => {
    const w = await setup();

    const r = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'zhang.wei', pathParameters: w.pathParameters, body: { reasons } });

    expect(r.status).toBe(202);
    expect(r.body.destruction).toMatchObject({ resultNumber: w.resultNumber, status: 'pending', statusLabel: '待审批', reasons, requestedBy: 'zhang.wei', custodianOrg: '440000-CUS', organiserOrg: '440000-NR' });
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'Destruction')).toEqual([
      { stateMachine: 'Destruction', name: `${w.resultNumber}-r1`, input: { resultNumber: w.resultNumber, destructionId: `${w.resultNumber}-r1` } },
    ]);
    expect(w.destructions.audits.map((a) => [a.action, a.actor, a.target])).toEqual([['destruction.request', 'zhang.wei', `CAT#${w.resultNumber}`]]);
  });

  it('refuses a second request while one is pending (409) and starts nothing more', async () => {
    const w = await setup();
    await requested(w);

    const again = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'zhang.wei', pathParameters: w.pathParameters, body: { reasons } });

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DESTRUCTION_PENDING');
    expect(w.world.workflow.starts.filter((s) => s.stateMachine === 'Destruction')).toHaveLength(1);
  });

  it('refuses reasons shorter than 10 characters (400) with the field named', async () => {
    const w = await setup();

    const r = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'zhang.wei', pathParameters: w.pathParameters, body: { reasons: '不再需要' } });

    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('reasons');
    expect(w.destructions.records.size).toBe(0);
  });

  it('refuses anyone but a custodian of the entry’s custodian organisation (403)', async () => {
    const w = await setup();

    const reviewer = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'chen.jing', pathParameters: w.pathParameters, body: { reasons } });

    expect(reviewer.status).toBe(403);
    expect(w.destructions.records.size).toBe(0);
  });
});

describe('R10.1 destruction (销毁): the approved branch removes custody and marks the entry destroyed', () => {
  it('destroys only this result’s objects and manifests in custody and backup, manifests after objects', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);

    const out = await destroyObjects.with({ destructions: w.destructions, destroyers: w.destroyers })(
      { resultNumber: w.resultNumber, destructionId, approval: approval('approve') },
      lambdaContext,
    );

    expect(out).toEqual({ removed: 6 });
    expect([...w.custody.keys()]).toEqual(['results/440000-CUS-2026-GT-000099/v1/data/b.gpkg', 'manifests/440000-CUS-2026-GT-000099/v1.json']);
    expect([...w.backup.keys()]).toEqual([...w.custody.keys()]);
    expect(w.destroyers[0]?.calls).toEqual([`results/${w.resultNumber}/`, `manifests/${w.resultNumber}/`]);
  });

  it('refuses to destroy without an approving decision, leaving every object', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);

    const act = destroyObjects.with({ destructions: w.destructions, destroyers: w.destroyers })(
      { resultNumber: w.resultNumber, destructionId, approval: approval('return') },
      lambdaContext,
    );

    await expect(act).rejects.toMatchObject({ name: 'ForbiddenError' });
    expect(w.custody.size).toBe(5);
  });

  it('refuses to destroy for a round that was never requested', async () => {
    const w = await setup();

    const act = destroyObjects.with({ destructions: w.destructions, destroyers: w.destroyers })(
      { resultNumber: w.resultNumber, destructionId: `${w.resultNumber}-forged`, approval: approval('approve') },
      lambdaContext,
    );

    await expect(act).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(w.custody.size).toBe(5);
  });

  it('marks the entry destroyed with the approval record: search hides it, GET shows it destroyed, the number stays', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);

    await markDestroyedStep.with(w.ports)({ resultNumber: w.resultNumber, destructionId, approval: approval('approve'), removed: 6 }, lambdaContext);
    const entry = await call(getEntry.with(w.catPorts), 'GET', `/catalogue/${w.resultNumber}`, { user: 'zhang.wei', pathParameters: w.pathParameters });
    const search = await call(searchCatalogue.with(w.catPorts), 'GET', '/catalogue', { user: 'zhang.wei', query: { custodian: '440000-CUS' } });
    const round = await call(getDestruction.with(w.deps), 'GET', w.path, { user: 'chen.jing', pathParameters: w.pathParameters });

    expect(entry.body.entry).toMatchObject({ resultNumber: w.resultNumber, status: 'destroyed', version: 2, updatedBy: 'chen.jing' });
    expect(search.body.items.map((e: { resultNumber: string }) => e.resultNumber)).not.toContain(w.resultNumber);
    expect(round.body.destruction).toMatchObject({ status: 'destroyed', statusLabel: '已销毁', approval: approval('approve'), removedObjects: 6 });
    expect(w.destructions.audits.map((a) => a.action)).toEqual(['destruction.request', 'destruction.destroyed']);
  });

  it('is idempotent: a retried Mark Destroyed leaves one destroyed version and succeeds', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);
    const step = markDestroyedStep.with(w.ports);
    const input = { resultNumber: w.resultNumber, destructionId, approval: approval('approve'), removed: 6 };

    await step(input, lambdaContext);
    const again = await step(input, lambdaContext);

    expect(again).toEqual({ resultNumber: w.resultNumber, status: 'destroyed', version: 2 });
  });

  it('refuses a new request once the result is destroyed (409)', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);
    await markDestroyedStep.with(w.ports)({ resultNumber: w.resultNumber, destructionId, approval: approval('approve'), removed: 6 }, lambdaContext);

    const r = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'zhang.wei', pathParameters: w.pathParameters, body: { reasons } });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('ENTRY_DESTROYED');
  });
});

describe('R10.1 destruction (销毁): a refusal changes nothing but the round', () => {
  it('closes the round as refused with the decision, emails the requester, and accepts a new request afterwards', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);

    await refuseStep.with(w.ports)({ resultNumber: w.resultNumber, destructionId, approval: approval('return') }, lambdaContext);
    const entry = await call(getEntry.with(w.catPorts), 'GET', `/catalogue/${w.resultNumber}`, { user: 'zhang.wei', pathParameters: w.pathParameters });
    const again = await call(requestDestruction.with(w.deps), 'POST', w.path, { user: 'zhang.wei', pathParameters: w.pathParameters, body: { reasons } });

    expect(w.destructions.audits.map((a) => a.action)).toEqual(['destruction.request', 'destruction.refused', 'destruction.request']);
    expect(entry.body.entry).toMatchObject({ status: 'active', version: 1 });
    expect(w.custody.size).toBe(5);
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.mailer.sent[0]?.subject).toContain(w.resultNumber);
    expect(w.mailer.sent[0]?.text).toContain('该成果仍在使用，不同意销毁');
    expect(again.status).toBe(202);
  });
});

describe('R10.1 destruction (销毁): the approval task kind', () => {
  it('assigns the organiser organisation’s reviewers and shows the reasons', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);
    const kind = destructionApprovalKind({ catalogue: w.cat.store, destructions: w.destructions, identity: w.world.identity });

    const d = await kind.describe({ resultNumber: w.resultNumber, destructionId });

    expect(kind.kind).toBe('destructionApproval');
    expect(kind.role).toBe('reviewer');
    expect(d.assigneeOrg).toBe('440000-NR');
    expect(d.details.join('\n')).toContain(reasons);
  });

  it('names the applicant and the custodian first, their id and code after them, and the request time in Beijing time', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);
    const kind = destructionApprovalKind({ catalogue: w.cat.store, destructions: w.destructions, identity: w.world.identity });

    const details = (await kind.describe({ resultNumber: w.resultNumber, destructionId })).details.join('\n');

    expect(details).toContain('申请人：张伟（zhang.wei）');
    expect(details).toContain('保管单位：广东省自然资源技术中心（440000-CUS）');
    expect(details).toContain('成果专题：国土调查');
    expect(details).toMatch(/申请时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/);
  });

  it('issue 10: the page names the region from the request (looked up when it was made), so the task functions carry no GB/T 2260 table', async () => {
    const w = await setup();
    const { destructionId } = await requested(w);
    const kind = destructionApprovalKind({ catalogue: w.cat.store, destructions: w.destructions, identity: w.world.identity });

    const stored = await w.destructions.get(w.resultNumber);
    const summary = (await kind.summary({ subject: { resultNumber: w.resultNumber, destructionId } } as never)) as { entry: { regionCode: string; regionName: string } };

    expect(stored?.regionName).toBe(regionName(summary.entry.regionCode));
    expect(summary.entry.regionName).toBe(stored?.regionName);
    expect(summary.entry.regionName).not.toBe(summary.entry.regionCode);
  });
});

type State = { Type: string; Resource?: string; Next?: string; Default?: string; TimeoutSeconds?: number; Choices?: Array<{ Variable: string; StringEquals: string; Next: string }>; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; Retry?: Array<{ ErrorEquals: string[] }> };
const asl = JSON.parse(readFileSync(new URL('../../statemachines/destruction.asl.json', import.meta.url), 'utf8')) as { StartAt: string; States: Record<string, State> };

describe('R10.1 destruction (销毁): the Destruction state machine', () => {
  it('reaches Destroy Objects only from an approving decision; everything else ends refused', () => {
    const predecessors = Object.entries(asl.States).filter(
      ([, s]) => s.Next === 'Destroy Objects' || s.Default === 'Destroy Objects' || s.Choices?.some((c) => c.Next === 'Destroy Objects') || s.Catch?.some((c) => c.Next === 'Destroy Objects'),
    );

    expect(asl.StartAt).toBe('Approve Destruction');
    expect(asl.States['Approve Destruction']?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(asl.States['Approve Destruction']?.TimeoutSeconds).toBeGreaterThan(0);
    expect(predecessors.map(([name]) => name)).toEqual(['Approved?']);
    expect(asl.States['Approved?']?.Choices).toEqual([{ Variable: '$.approval.decision', StringEquals: 'approve', Next: 'Destroy Objects' }]);
    expect(asl.States['Approved?']?.Default).toBe('Refuse');
    expect(asl.States['Approve Destruction']?.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'Escalate Approval' });
    expect(asl.States['Approve Destruction']?.Catch?.[1]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Refuse Unanswered' });
    expect(asl.States['Destroy Objects']?.Next).toBe('Mark Destroyed');
  });

  it('retries every Lambda task on the Lambda service errors', () => {
    const lambdaErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

    for (const [name, state] of Object.entries(asl.States).filter(([, s]) => s.Type === 'Task')) {
      expect(state.Retry?.[0]?.ErrorEquals, name).toEqual(expect.arrayContaining(lambdaErrors));
    }
  });

  it('gives the custody-destroying grant to exactly one function, which only the Destruction machine runs', () => {
    const holders = manifest.functions.filter((f) => f.destroysCustodyObjects).map((f) => f.name);
    const users = manifest.stateMachines.filter((sm) => Object.values(sm.functions).includes('DestroyCustodyObjects')).map((sm) => sm.name);
    const routes = manifest.routes.filter((r) => r.function === 'DestroyCustodyObjects');

    expect(holders).toEqual(['DestroyCustodyObjects']);
    expect(users).toEqual(['Destruction']);
    expect(routes).toEqual([]);
  });
});
