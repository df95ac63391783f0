import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { manifestMachines } from '#infra/local/sfn-endpoint.ts';
import { LocalStepFunctions, type MachineSpec } from '#infra/local/sfn-engine.ts';

type Invocation = { fn: string; payload: Record<string, unknown> };

/** The real ping ASL, with its wait step's timing changed for a test. */
function pingMachine(wait: { TimeoutSeconds?: number; HeartbeatSeconds?: number } = {}): MachineSpec {
  const spec = manifestMachines(projectRoot).find((m) => m.name === 'Ping');
  if (!spec) throw new Error('no Ping machine in the manifest');
  const def = JSON.parse(spec.definition) as { States: Record<string, Record<string, unknown>> };
  Object.assign(def.States['Wait For Acknowledgement'] ?? {}, wait);
  return { name: 'Ping', definition: JSON.stringify(def) };
}

const engines: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function engineWith(machines: MachineSpec[], invoke: (fn: string, payload: unknown) => Promise<unknown>, stateFile?: string) {
  const engine = new LocalStepFunctions({ machines, invoke, ...(stateFile ? { stateFile } : {}) });
  engines.push(engine);
  return engine;
}

/** A fake PingWait/PingDone pair that records what it was given. */
function fakePingFunctions() {
  const calls: Invocation[] = [];
  let announce: (token: string) => void = () => undefined;
  const tokenSeen = new Promise<string>((resolve) => (announce = resolve));
  const invoke = async (fn: string, payload: unknown) => {
    const p = payload as Record<string, unknown>;
    calls.push({ fn, payload: p });
    if (fn === 'PingWait') announce(String(p['taskToken']));
    return { pingId: p['pingId'], recorded: fn };
  };
  return { calls, tokenSeen, invoke };
}

const pingArn = 'arn:aws:states:cn-north-1:000000000000:stateMachine:Ping';
const input = JSON.stringify({ pingId: 'p-1', requestedBy: 'li.na', orgCode: '440000-IMP' });

describe('issue-4 local Step Functions: waitForTaskToken and callbacks', () => {
  it('passes a task token to the waiting step and resumes on SendTaskSuccess with its output', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke);

    const { executionArn } = engine.startExecution({ stateMachineArn: pingArn, name: 'p-1', input });
    const token = await fns.tokenSeen;
    const running = engine.describeExecution({ executionArn });
    engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ ok: true }) });
    const done = await engine.settled(executionArn);

    expect(running.status).toBe('RUNNING');
    expect(done?.status).toBe('SUCCEEDED');
    expect(fns.calls.map((c) => c.fn)).toEqual(['PingWait', 'PingDone']);
    expect(fns.calls[0]?.payload).toMatchObject({ pingId: 'p-1', requestedBy: 'li.na', execution: executionArn });
    expect(fns.calls[1]?.payload).toMatchObject({ pingId: 'p-1', outcome: 'acknowledged', acknowledgement: { ok: true } });
    expect(JSON.parse(done?.output ?? 'null')).toEqual({ pingId: 'p-1', recorded: 'PingDone' });
  });

  it('answers a second callback on the same token with TaskTimedOut, an unknown one with TaskDoesNotExist, garbage with InvalidToken', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: pingArn, name: 'p-2', input });
    const token = await fns.tokenSeen;
    engine.sendTaskSuccess({ taskToken: token, output: '{}' });
    await engine.settled(executionArn);

    expect(() => engine.sendTaskSuccess({ taskToken: token, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
    expect(() => engine.sendTaskHeartbeat({ taskToken: token })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
    expect(() => engine.sendTaskSuccess({ taskToken: `AQCE${'z'.repeat(100)}`, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskDoesNotExist' }));
    expect(() => engine.sendTaskFailure({ taskToken: 'not-a-token' })).toThrow(expect.objectContaining({ type: 'InvalidToken' }));
  });

  it('refuses an output that is not JSON with InvalidOutput and keeps the task open', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: pingArn, name: 'p-3', input });
    const token = await fns.tokenSeen;

    expect(() => engine.sendTaskSuccess({ taskToken: token, output: '{not json' })).toThrow(expect.objectContaining({ type: 'InvalidOutput' }));
    engine.sendTaskSuccess({ taskToken: token, output: '"fine"' });
    expect((await engine.settled(executionArn))?.status).toBe('SUCCEEDED');
  });

  it('routes SendTaskFailure through the Catch to the named failure', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: pingArn, name: 'p-4', input });
    const token = await fns.tokenSeen;

    engine.sendTaskFailure({ taskToken: token, error: 'Ping.Refused', cause: '不同意' });
    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'Ping.AcknowledgementFailed' });
    expect(fns.calls[1]?.payload).toMatchObject({ outcome: 'failed', error: { Error: 'Ping.Refused', Cause: '不同意' } });
  });

  it('times the wait out with States.Timeout after TimeoutSeconds, records it, and refuses a late callback', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine({ TimeoutSeconds: 1 })], fns.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: pingArn, name: 'p-5', input });
    const token = await fns.tokenSeen;

    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'Ping.AcknowledgementTimedOut' });
    expect(fns.calls[1]?.payload).toMatchObject({ outcome: 'timedOut', error: { Error: 'States.Timeout' } });
    expect(() => engine.sendTaskSuccess({ taskToken: token, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
  });

  it('fails the wait with States.HeartbeatTimeout when no heartbeat comes, and keeps it alive while heartbeats do', async () => {
    const silent = fakePingFunctions();
    const beating = fakePingFunctions();
    const engine = engineWith([pingMachine({ HeartbeatSeconds: 1 })], (fn, p) =>
      ((p as { pingId: string }).pingId === 'p-6' ? silent : beating).invoke(fn, p),
    );
    const a = engine.startExecution({ stateMachineArn: pingArn, name: 'p-6', input: input.replace('p-1', 'p-6') });
    const b = engine.startExecution({ stateMachineArn: pingArn, name: 'p-7', input: input.replace('p-1', 'p-7') });
    const beatToken = await beating.tokenSeen;

    for (let i = 0; i < 3; i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      engine.sendTaskHeartbeat({ taskToken: beatToken });
    }
    engine.sendTaskSuccess({ taskToken: beatToken, output: '{}' });

    expect(await engine.settled(a.executionArn)).toMatchObject({ status: 'FAILED', error: 'Ping.AcknowledgementFailed' });
    expect(silent.calls[1]?.payload).toMatchObject({ outcome: 'failed', error: { Error: 'States.HeartbeatTimeout' } });
    expect((await engine.settled(b.executionArn))?.status).toBe('SUCCEEDED');
  });
});

describe('issue-4 local Step Functions: executions as AWS keeps them', () => {
  it('treats the same name and input as the same start, and a different input as ExecutionAlreadyExists', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke);

    const first = engine.startExecution({ stateMachineArn: pingArn, name: 'same', input });
    const again = engine.startExecution({ stateMachineArn: pingArn, name: 'same', input });

    expect(again.executionArn).toBe(first.executionArn);
    expect(() => engine.startExecution({ stateMachineArn: pingArn, name: 'same', input: '{"other":1}' })).toThrow(
      expect.objectContaining({ type: 'ExecutionAlreadyExists' }),
    );
    expect(engine.listExecutions({ stateMachineArn: pingArn }).executions).toHaveLength(1);
  });

  it('refuses bad names, bad input and unknown state machines with the AWS error codes', () => {
    const engine = engineWith([pingMachine()], async () => ({}));

    expect(() => engine.startExecution({ stateMachineArn: pingArn, name: 'has space', input })).toThrow(expect.objectContaining({ type: 'InvalidName' }));
    expect(() => engine.startExecution({ stateMachineArn: pingArn, name: 'ok', input: '{' })).toThrow(expect.objectContaining({ type: 'InvalidExecutionInput' }));
    expect(() => engine.startExecution({ stateMachineArn: `${pingArn}Nope`, input })).toThrow(expect.objectContaining({ type: 'StateMachineDoesNotExist' }));
    expect(() => engine.describeExecution({ executionArn: 'arn:aws:states:cn-north-1:000000000000:execution:Ping:none' })).toThrow(
      expect.objectContaining({ type: 'ExecutionDoesNotExist' }),
    );
  });

  it('returns the lambda:invoke result shape and lets Catch match a function error by its name', async () => {
    const definition = JSON.stringify({
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'arn:aws:lambda:cn-north-1:000000000000:function:Echo', 'Payload.$': '$' },
          Catch: [{ ErrorEquals: ['NotFoundError'], ResultPath: '$.error', Next: 'Missing' }],
          End: true,
        },
        Missing: { Type: 'Pass', End: true },
      },
    });
    const engine = engineWith([{ name: 'Echo', definition }], async (_fn, payload) => {
      if ((payload as { missing?: boolean }).missing) throw Object.assign(new Error('没有这个对象'), { name: 'NotFoundError' });
      return { echoed: payload };
    });
    const arn = 'arn:aws:states:cn-north-1:000000000000:stateMachine:Echo';

    const ok = engine.startExecution({ stateMachineArn: arn, name: 'ok', input: '{"a":1}' });
    const missing = engine.startExecution({ stateMachineArn: arn, name: 'missing', input: '{"missing":true}' });

    expect(JSON.parse((await engine.settled(ok.executionArn))?.output ?? 'null')).toMatchObject({
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      Payload: { echoed: { a: 1 } },
    });
    expect(JSON.parse((await engine.settled(missing.executionArn))?.output ?? 'null')).toMatchObject({
      error: { Error: 'NotFoundError', Cause: '没有这个对象' },
    });
  });

  it('issue-8 R8.1 keeps execution records on disk and, started again, resumes the ones in flight at their waiting state with a fresh token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-engine-'));
    const stateFile = join(dir, 'executions.json');
    const before = fakePingFunctions();
    const first = engineWith([pingMachine()], before.invoke, stateFile);
    const { executionArn } = first.startExecution({ stateMachineArn: pingArn, name: 'in-flight', input });
    const oldToken = await before.tokenSeen;
    // The state-entered record is written as the interpreter's event log is read (a turn of the event loop later).
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.close();
    const onDisk = JSON.parse(readFileSync(stateFile, 'utf8'))[0];

    const after = fakePingFunctions();
    const second = engineWith([pingMachine()], after.invoke, stateFile);
    const outcome = second.resumeInterrupted();
    const newToken = await after.tokenSeen;
    second.sendTaskSuccess({ taskToken: newToken, output: JSON.stringify({ ok: true }) });
    const done = await second.settled(executionArn);

    expect(onDisk).toMatchObject({ executionArn, status: 'RUNNING', resumeAt: { state: 'Wait For Acknowledgement' } });
    expect(outcome).toEqual({ resumed: ['in-flight → Wait For Acknowledgement'], failed: [] });
    expect(newToken).not.toBe(oldToken);
    expect(after.calls[0]).toMatchObject({ fn: 'PingWait', payload: { redriveCount: 1, pingId: 'p-1' } });
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(() => second.sendTaskSuccess({ taskToken: oldToken, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskDoesNotExist' }));
    expect(() => second.startExecution({ stateMachineArn: pingArn, name: 'in-flight', input })).toThrow(expect.objectContaining({ type: 'ExecutionAlreadyExists' }));
  });

  it('issue-8 R8.1 fails an interrupted execution whose state no longer exists, with cause "local cloud restarted"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-engine-'));
    const stateFile = join(dir, 'executions.json');
    const executionArn = 'arn:aws:states:cn-north-1:000000000000:execution:Ping:gone';
    writeFileSync(
      stateFile,
      JSON.stringify([{ executionArn, stateMachineArn: pingArn, name: 'gone', status: 'RUNNING', startDate: Date.now(), input, resumeAt: { state: 'No Such State', input } }]),
    );
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke, stateFile);

    const outcome = engine.resumeInterrupted();

    expect(outcome).toEqual({ resumed: [], failed: ['gone'] });
    expect(engine.describeExecution({ executionArn })).toMatchObject({ status: 'FAILED', cause: 'local cloud restarted' });
    expect(fns.calls).toEqual([]);
  });

  it('aborts a running execution on StopExecution and closes its task', async () => {
    const fns = fakePingFunctions();
    const engine = engineWith([pingMachine()], fns.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: pingArn, name: 'stop-me', input });
    const token = await fns.tokenSeen;

    engine.stopExecution({ executionArn, error: 'Operator.Stopped', cause: '人工停止' });

    expect((await engine.settled(executionArn))?.status).toBe('ABORTED');
    expect(() => engine.sendTaskSuccess({ taskToken: token, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
  });
});
