import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { manifestMachines } from '#infra/local/sfn-endpoint.ts';
import { LocalStepFunctions } from '#infra/local/sfn-engine.ts';

/**
 * statemachines/publication.asl.json on the local engine (aws-local-stepfunctions, the interpreter the local cloud
 * runs) with fake functions: the order of the steps, the joint approval's Parallel state, a refusal ending it, a
 * timeout escalating one branch, and the hold's Wait loop.
 */
type Call = { fn: string; payload: Record<string, unknown> };
type State = Record<string, unknown> & { Type: string; Resource?: string; Branches?: Array<{ States: Record<string, State> }> };

const engines: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** The manifest's Publication machine; `shortWaits`: the human waits' TimeoutSeconds cut (by state name) to seconds. */
function machine(shortWaits: Record<string, number> = {}) {
  const spec = manifestMachines(projectRoot).find((m) => m.name === 'Publication');
  if (!spec) throw new Error('no Publication machine in the manifest');
  const def = JSON.parse(spec.definition) as { States: Record<string, State> };
  const walk = (states: Record<string, State>) => {
    for (const [name, s] of Object.entries(states)) {
      if (shortWaits[name] !== undefined) s['TimeoutSeconds'] = shortWaits[name];
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(def.States);
  return { name: 'Publication', definition: JSON.stringify(def) };
}

/**
 * Fake functions. CreateHumanTask announces each wait by its subject (`review`, `approver0`, `approver1`);
 * RecordPublicationDecision answers as the domain does (a refusal in a joint approval throws PublicationRefused);
 * CheckPublicationHold answers `holds` in turn.
 */
function fakes(opts: { joint: boolean; holds?: Array<{ held: boolean; waitSeconds: number }> }) {
  const calls: Call[] = [];
  const tokens = new Map<string, string>();
  const waiters = new Map<string, (t: string) => void>();
  const approvals: Record<number, string> = {};
  const holds = [...(opts.holds ?? [{ held: false, waitSeconds: 1 }])];
  const invoke = async (fn: string, payload: unknown) => {
    const p = payload as Record<string, unknown>;
    calls.push({ fn, payload: p });
    if (fn === 'CreateHumanTask') {
      const subject = p['subject'] as Record<string, unknown>;
      const key = subject['approver'] === undefined ? 'review' : `approver${String(subject['approver'])}`;
      tokens.set(key, String(p['taskToken']));
      waiters.get(key)?.(String(p['taskToken']));
      return { taskId: `t-${key}` };
    }
    if (fn === 'EscalateReview') return { level: 1, previousTaskId: 't-prev', orgs: [] };
    if (fn === 'RecordPublicationDecision') {
      const d = (p['decision'] as { decision: string }).decision;
      if (p['stage'] === 'review') return { next: d === 'approve' ? 'approval' : 'returned' };
      approvals[Number(p['approver'])] = d;
      if (d !== 'approve') {
        if (opts.joint) throw Object.assign(new Error('不予发布'), { name: 'PublicationRefused' });
        return { next: 'refused' };
      }
      return { next: Object.keys(approvals).length === (opts.joint ? 2 : 1) ? 'hold' : 'waiting' };
    }
    if (fn === 'CheckPublicationHold') return { ...(holds.length > 1 ? holds.shift()! : holds[0]!), waitingFor: [] };
    if (fn === 'ApprovePublication') return { releaseNumber: 'CG-1-R1', state: 'approved' };
    if (fn === 'PublishRelease') return { releaseNumber: p['releaseNumber'], state: 'released' };
    return { ok: fn };
  };
  const token = (key: string) =>
    new Promise<string>((resolve) => {
      const t = tokens.get(key);
      if (t) return resolve(t);
      waiters.set(key, resolve);
    });
  return { calls, invoke, token, fns: () => calls.map((c) => c.fn) };
}

function run(def: ReturnType<typeof machine>, invoke: (fn: string, payload: unknown) => Promise<unknown>, input: Record<string, unknown>) {
  const engine = new LocalStepFunctions({ machines: [def], invoke });
  engines.push(engine);
  const { executionArn } = engine.startExecution({ stateMachineArn: engine.stateMachineArn('Publication'), name: 'pub-1', input: JSON.stringify(input) });
  return { engine, executionArn };
}

const decide = (engine: LocalStepFunctions, token: string, decision: 'approve' | 'return', by: string, reasons = '') =>
  engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ taskId: `t-${by}`, decision, reasons, decidedBy: by, decidedAt: '2026-09-22T02:00:00.000Z' }) });

describe('R11.1 R12.1 R12.2 the Publication machine on the local engine', () => {
  it('R12.1 single approver: review → approval → hold checked → release approved → PublishRelease', async () => {
    const f = fakes({ joint: false });
    const { engine, executionArn } = run(machine(), f.invoke, { requestId: 'P1', round: 1, joint: false });

    decide(engine, await f.token('review'), 'approve', 'liu.yang');
    decide(engine, await f.token('approver0'), 'approve', 'liu.yang');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns()).toEqual(['CreateHumanTask', 'RecordPublicationDecision', 'CreateHumanTask', 'RecordPublicationDecision', 'CheckPublicationHold', 'ApprovePublication', 'PublishRelease']);
    expect(f.calls.at(-1)?.payload).toMatchObject({ releaseNumber: 'CG-1-R1' });
    expect(f.calls[0]?.payload).toMatchObject({ kind: 'publicationReview', subject: { requestId: 'P1', round: 1 } });
    expect(f.calls[2]?.payload).toMatchObject({ kind: 'publicationApproval', subject: { requestId: 'P1', round: 1, approver: 0 } });
  });

  it('R11.1 退回修改 ends the round (the resubmission starts the next one); nothing is approved', async () => {
    const f = fakes({ joint: false });
    const { engine, executionArn } = run(machine(), f.invoke, { requestId: 'P1', round: 1, joint: false });

    decide(engine, await f.token('review'), 'return', 'liu.yang', '坐标偏移未覆盖注记图层');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns()).toEqual(['CreateHumanTask', 'RecordPublicationDecision']);
  });

  it('R12.2 joint: both departments wait in parallel; published only after both approve', async () => {
    const f = fakes({ joint: true });
    const { engine, executionArn } = run(machine(), f.invoke, { requestId: 'P2', round: 1, joint: true });

    decide(engine, await f.token('review'), 'approve', 'zhao.min');
    const [mnr, nfga] = await Promise.all([f.token('approver0'), f.token('approver1')]);
    decide(engine, mnr, 'approve', 'zhao.min');
    await new Promise((r) => setTimeout(r, 100));
    const halfway = engine.describeExecution({ executionArn });
    const before = f.fns();
    decide(engine, nfga, 'approve', 'wu.jing');
    const done = await engine.settled(executionArn);

    expect(halfway.status).toBe('RUNNING');
    expect(before).not.toContain('CheckPublicationHold');
    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns().slice(-3)).toEqual(['CheckPublicationHold', 'ApprovePublication', 'PublishRelease']);
    expect(f.calls.filter((c) => c.fn === 'RecordPublicationDecision' && c.payload['stage'] === 'approval').map((c) => c.payload['approver']).sort()).toEqual([0, 1]);
  });

  it('R12.2 joint: 国家林业和草原局 refuses → the Parallel state ends (自然资源部 has not decided), nothing approved, no failure recorded', async () => {
    const f = fakes({ joint: true });
    const { engine, executionArn } = run(machine(), f.invoke, { requestId: 'P3', round: 1, joint: true });

    decide(engine, await f.token('review'), 'approve', 'zhao.min');
    await f.token('approver0');
    decide(engine, await f.token('approver1'), 'return', 'wu.jing', '湿地边界未对接');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns()).not.toContain('ApprovePublication');
    expect(f.fns()).not.toContain('PublishRelease');
    expect(f.fns()).not.toContain('CheckPublicationHold');
    expect(f.fns()).not.toContain('RecordWorkflowFailure');
  });

  it('R12.2 joint: 国家林业和草原局 does not answer → its branch escalates one level up (EscalateReview, a new task), then approves', async () => {
    const f = fakes({ joint: true });
    const { engine, executionArn } = run(machine({ 'Approve (NFGA)': 1 }), f.invoke, { requestId: 'P4', round: 1, joint: true });

    decide(engine, await f.token('review'), 'approve', 'zhao.min');
    decide(engine, await f.token('approver0'), 'approve', 'zhao.min');
    const first = await f.token('approver1');
    // The escalated round mints a new token for the same subject.
    const escalated = await new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const c = f.calls.filter((x) => x.fn === 'CreateHumanTask' && (x.payload['subject'] as Record<string, unknown>)['approver'] === 1);
        if (c.length === 2) {
          clearInterval(poll);
          resolve(String(c[1]!.payload['taskToken']));
        }
      }, 50);
    });
    decide(engine, escalated, 'approve', 'wu.jing');
    const done = await engine.settled(executionArn);

    expect(first).not.toBe(escalated);
    expect(done?.status).toBe('SUCCEEDED');
    const esc = f.calls.find((c) => c.fn === 'EscalateReview');
    expect(esc?.payload).toMatchObject({ kind: 'publicationApproval', subject: { requestId: 'P4', round: 1, approver: 1 } });
    expect(f.calls.filter((c) => c.fn === 'CreateHumanTask').at(-1)?.payload).toMatchObject({ escalationLevel: 1, replaces: 't-prev' });
    expect(f.fns().at(-1)).toBe('PublishRelease');
  });

  it('R11.1 a held release waits (Wait state) and checks again before it is approved', async () => {
    const f = fakes({ joint: false, holds: [{ held: true, waitSeconds: 1 }, { held: false, waitSeconds: 1 }] });
    const { engine, executionArn } = run(machine(), f.invoke, { requestId: 'P5', round: 1, joint: false });

    decide(engine, await f.token('review'), 'approve', 'liu.yang');
    decide(engine, await f.token('approver0'), 'approve', 'liu.yang');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns().slice(-4)).toEqual(['CheckPublicationHold', 'CheckPublicationHold', 'ApprovePublication', 'PublishRelease']);
  });

  it('a failed step is recorded (RecordWorkflowFailure) before the execution fails', async () => {
    const f = fakes({ joint: false });
    const invoke = async (fn: string, payload: unknown) => {
      if (fn === 'ApprovePublication') throw Object.assign(new Error('broke'), { name: 'NotFoundError' });
      return f.invoke(fn, payload);
    };
    const { engine, executionArn } = run(machine(), invoke, { requestId: 'P6', round: 1, joint: false });

    decide(engine, await f.token('review'), 'approve', 'liu.yang');
    decide(engine, await f.token('approver0'), 'approve', 'liu.yang');
    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'PublicationFailed' });
    expect(f.calls.at(-1)).toMatchObject({ fn: 'RecordWorkflowFailure', payload: { stateMachine: 'Publication', subject: { requestId: 'P6' } } });
  });
});
