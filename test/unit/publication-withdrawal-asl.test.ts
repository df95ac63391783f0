import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { manifestMachines } from '#infra/local/sfn-endpoint.ts';
import { LocalStepFunctions } from '#infra/local/sfn-engine.ts';

/**
 * statemachines/withdrawal.asl.json on the local engine (the interpreter the local cloud runs) with fake functions:
 * one approver or two in parallel (R12.2), a refusal ending the Parallel state, a timeout escalating, a failure recorded.
 */
type Call = { fn: string; payload: Record<string, unknown> };
type State = Record<string, unknown> & { Type: string; Branches?: Array<{ States: Record<string, State> }> };

const engines: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function machine(shortWaits: Record<string, number> = {}) {
  const spec = manifestMachines(projectRoot).find((m) => m.name === 'Withdrawal');
  if (!spec) throw new Error('no Withdrawal machine in the manifest');
  const def = JSON.parse(spec.definition) as { States: Record<string, State> };
  const walk = (states: Record<string, State>) => {
    for (const [name, s] of Object.entries(states)) {
      if (shortWaits[name] !== undefined) s['TimeoutSeconds'] = shortWaits[name];
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(def.States);
  return { name: 'Withdrawal', definition: JSON.stringify(def) };
}

/** CreateHumanTask announces each wait by its approver; RecordWithdrawalDecision answers as the domain does. */
function fakes(opts: { joint: boolean }) {
  const calls: Call[] = [];
  const tokens = new Map<string, string>();
  const waiters = new Map<string, (t: string) => void>();
  const agreed = new Set<number>();
  const invoke = async (fn: string, payload: unknown) => {
    const p = payload as Record<string, unknown>;
    calls.push({ fn, payload: p });
    if (fn === 'CreateHumanTask') {
      const key = `approver${String((p['subject'] as Record<string, unknown>)['approver'])}`;
      tokens.set(key, String(p['taskToken']));
      waiters.get(key)?.(String(p['taskToken']));
      return { taskId: `t-${key}` };
    }
    if (fn === 'EscalateReview') return { level: 1, previousTaskId: 't-prev', orgs: [] };
    if (fn === 'RecordWithdrawalDecision') {
      if ((p['decision'] as { decision: string }).decision !== 'approve') {
        if (opts.joint) throw Object.assign(new Error('不予撤回'), { name: 'WithdrawalRefused' });
        return { next: 'refused' };
      }
      agreed.add(Number(p['approver']));
      return { next: agreed.size === (opts.joint ? 2 : 1) ? 'withdrawn' : 'waiting' };
    }
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
  const { executionArn } = engine.startExecution({ stateMachineArn: engine.stateMachineArn('Withdrawal'), name: 'w-1', input: JSON.stringify(input) });
  return { engine, executionArn };
}

const decide = (engine: LocalStepFunctions, token: string, decision: 'approve' | 'return', by: string, reasons = '') =>
  engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ taskId: `t-${by}`, decision, reasons, decidedBy: by, decidedAt: '2026-10-09T02:00:00.000Z' }) });

describe('R11.1 R12.1 R12.2 the Withdrawal machine on the local engine (同意撤回 / 不予撤回)', () => {
  it('R12.1 one approver: a human task of kind publicationWithdrawal, then the decision recorded (同意撤回 withdraws in that step)', async () => {
    const f = fakes({ joint: false });
    const { engine, executionArn } = run(machine(), f.invoke, { releaseNumber: 'CG-1-R1', k: 1, joint: false });

    decide(engine, await f.token('approver0'), 'approve', 'liu.yang');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns()).toEqual(['CreateHumanTask', 'RecordWithdrawalDecision']);
    expect(f.calls[0]?.payload).toMatchObject({ kind: 'publicationWithdrawal', subject: { releaseNumber: 'CG-1-R1', k: 1, approver: 0 }, escalationLevel: 0 });
    expect(f.calls[1]?.payload).toMatchObject({ releaseNumber: 'CG-1-R1', k: 1, approver: 0, decision: { decision: 'approve', decidedBy: 'liu.yang' } });
  });

  it('R12.1 不予撤回 ends it: recorded, nothing else runs, no failure', async () => {
    const f = fakes({ joint: false });
    const { engine, executionArn } = run(machine(), f.invoke, { releaseNumber: 'CG-1-R1', k: 1, joint: false });

    decide(engine, await f.token('approver0'), 'return', 'liu.yang', '不影响使用，无需撤回');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns()).toEqual(['CreateHumanTask', 'RecordWithdrawalDecision']);
  });

  it('R12.2 joint: both departments wait in parallel; the second agreement withdraws; a refusal by one ends the Parallel state without a failure', async () => {
    const both = fakes({ joint: true });
    const a = run(machine(), both.invoke, { releaseNumber: 'CG-2-R1', k: 1, joint: true });
    const [mnr, nfga] = await Promise.all([both.token('approver0'), both.token('approver1')]);
    decide(a.engine, mnr, 'approve', 'zhao.min');
    await new Promise((r) => setTimeout(r, 100));
    const halfway = a.engine.describeExecution({ executionArn: a.executionArn });
    decide(a.engine, nfga, 'approve', 'wu.jing');
    const doneBoth = await a.engine.settled(a.executionArn);

    const one = fakes({ joint: true });
    const b = run(machine(), one.invoke, { releaseNumber: 'CG-3-R1', k: 1, joint: true });
    await one.token('approver0');
    decide(b.engine, await one.token('approver1'), 'return', 'wu.jing', '林草部门认为无需撤回');
    const doneOne = await b.engine.settled(b.executionArn);

    expect(halfway.status).toBe('RUNNING');
    expect(doneBoth?.status).toBe('SUCCEEDED');
    expect(both.calls.filter((c) => c.fn === 'RecordWithdrawalDecision').map((c) => c.payload['approver']).sort()).toEqual([0, 1]);
    expect(doneOne?.status).toBe('SUCCEEDED');
    expect(one.fns()).not.toContain('RecordWorkflowFailure');
    expect(one.calls.filter((c) => c.fn === 'RecordWithdrawalDecision')).toHaveLength(1);
  });

  it('an unanswered wait escalates one level up (EscalateReview, a new task replacing the old), then decides', async () => {
    const f = fakes({ joint: false });
    const { engine, executionArn } = run(machine({ 'Decide Withdrawal': 1 }), f.invoke, { releaseNumber: 'CG-1-R1', k: 1, joint: false });

    const escalated = await new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const c = f.calls.filter((x) => x.fn === 'CreateHumanTask');
        if (c.length === 2) {
          clearInterval(poll);
          resolve(String(c[1]!.payload['taskToken']));
        }
      }, 50);
    });
    decide(engine, escalated, 'approve', 'zhao.min');
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.fns()).toEqual(['CreateHumanTask', 'EscalateReview', 'CreateHumanTask', 'RecordWithdrawalDecision']);
    expect(f.calls[1]?.payload).toMatchObject({ kind: 'publicationWithdrawal', subject: { releaseNumber: 'CG-1-R1', k: 1, approver: 0 } });
    expect(f.calls[2]?.payload).toMatchObject({ escalationLevel: 1, replaces: 't-prev' });
  });

  it('a failed step is recorded (RecordWorkflowFailure) before the execution fails', async () => {
    const f = fakes({ joint: false });
    const invoke = async (fn: string, payload: unknown) => {
      if (fn === 'RecordWithdrawalDecision') throw Object.assign(new Error('broke'), { name: 'NotFoundError' });
      return f.invoke(fn, payload);
    };
    const { engine, executionArn } = run(machine(), invoke, { releaseNumber: 'CG-1-R1', k: 1, joint: false });

    decide(engine, await f.token('approver0'), 'approve', 'liu.yang');
    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'WithdrawalFailed' });
    expect(f.calls.at(-1)).toMatchObject({ fn: 'RecordWorkflowFailure', payload: { stateMachine: 'Withdrawal', subject: { releaseNumber: 'CG-1-R1', k: 1 } } });
  });
});
