import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { manifestMachines } from '#infra/local/sfn-endpoint.ts';
import { LocalStepFunctions } from '#infra/local/sfn-engine.ts';
import { functionByName, manifest, type StateMachineDef } from '#infra/manifest.ts';

/**
 * The ASL conventions of docs/architecture.md, over every state machine of the manifest. A breach fails
 * naming `file › state`. The second half runs the real files on the local engine with fake functions.
 */

/** asl-validator ships with aws-local-stepfunctions (its validator); CommonJS without type declarations. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

// ---- the one Retry policy: the first block everywhere, and the only two others allowed
export const LAMBDA_SERVICE = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
};
/** On functions that send email (`sendsEmail`). */
export const MAIL_DELIVERY = { ErrorEquals: ['MailDeliveryError'], IntervalSeconds: 30, MaxAttempts: 4, BackoffRate: 2 };
/** On functions that write a table (an audited write can lose the chain-head race: ConflictError). */
export const CONFLICT = { ErrorEquals: ['ConflictError'], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2 };

/** On functions that resume their own work after a crash (`resumesAfterCrash`): a killed invocation is retried on the same input. */
export const CRASH_RESUME = { ErrorEquals: ['Sandbox.Timedout', 'Runtime.ExitError', 'Runtime.OutOfMemory', 'Lambda.Unknown'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2 };
/** Functions whose work survives a killed invocation (issue 11: the custody copy finds its multipart upload and its parts again). */
const resumesAfterCrash = ['CopyCustodyBatch'];

/** Waits answered by a machine, not a person: they need no escalation (the ping fixture). */
const machineAnswered = ['PingWait'];
/** The Tasks a Fail state may follow: they record what failed. */
const recorder = /^(Record\w*Failure|PingDone)$/;

type Catcher = { ErrorEquals: string[]; ResultPath?: string | null; Next: string };
type State = {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: Record<string, unknown>; 'Payload.$'?: string };
  TimeoutSeconds?: number;
  Retry?: unknown[];
  Catch?: Catcher[];
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Error?: string;
  Cause?: string;
  ItemProcessor?: { States: Record<string, State> };
  Branches?: Array<{ States: Record<string, State> }>;
};
type Asl = { StartAt: string; States: Record<string, State> };
type Found = { machine: StateMachineDef; file: string; text: string; asl: Asl };

const machines: Found[] = manifest.stateMachines.map((machine) => {
  const text = readFileSync(join(projectRoot, machine.file), 'utf8');
  return { machine, file: machine.file, text, asl: JSON.parse(text) as Asl };
});

/** Every state with where it sits: `inMap` for the states of a Map's item processor. */
function statesOf(asl: Asl): Array<{ name: string; state: State; inMap: boolean; scope: Record<string, State> }> {
  const out: Array<{ name: string; state: State; inMap: boolean; scope: Record<string, State> }> = [];
  const walk = (states: Record<string, State>, inMap: boolean) => {
    for (const [name, state] of Object.entries(states)) {
      out.push({ name, state, inMap, scope: states });
      if (state.ItemProcessor) walk(state.ItemProcessor.States, true);
      // A Parallel state's branches (R12.2: the joint approval) follow the same conventions; they see $$.Execution.Id.
      for (const branch of state.Branches ?? []) walk(branch.States, inMap);
    }
  };
  walk(asl.States, false);
  return out;
}

const isLambda = (s: State) => s.Type === 'Task' && /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(s.Resource ?? '');
const isWait = (s: State) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** `${NameFunctionArn}` → Name */
const functionOf = (s: State) => /^\$\{(\w+)FunctionArn\}$/.exec(s.Parameters?.FunctionName ?? '')?.[1];
function successors(s: State): string[] {
  return [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter((n): n is string => typeof n === 'string');
}
const writesATable = (fn: string) => Object.values(functionByName(fn).tables ?? {}).includes('readWrite');

describe('issue 9 ASL conventions (docs/architecture.md) over every state machine of the manifest', () => {
  it('covers the eight machines, each a valid ASL document once its placeholders are resolved', () => {
    const resolved = manifestMachines(projectRoot);

    expect(machines.map((m) => m.machine.name).sort()).toEqual(['Bulletin', 'CatalogueReport', 'DerivedProductReview', 'Destruction', 'EvaluationAcknowledgement', 'IntegrityAudit', 'Ping', 'ProblemVerification', 'Publication', 'SharingReview', 'Transfer', 'Verification', 'Withdrawal']);
    for (const { name, definition } of resolved) {
      const result = aslValidator(JSON.parse(definition), { checkArn: true, checkPaths: true });
      expect(result.isValid, `${name}: ${result.errorsText()}`).toBe(true);
    }
  }, 30_000); // asl-validator compiles its JSON schemas on first use: ~1 s alone, ~5 s under a loaded full run

  it('1. names one placeholder per function, ${<FunctionName>FunctionArn}, exactly the functions its manifest entry lists', () => {
    for (const { machine, file, text } of machines) {
      const used = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();

      expect(used, file).toEqual(Object.keys(machine.functions).sort());
      for (const [placeholder, fn] of Object.entries(machine.functions)) expect(placeholder, `${file} › ${fn}`).toBe(`${fn}FunctionArn`);
    }
  });

  it('2. every Lambda Task names a placeholder; outside a Map it passes the execution id; every Fail state has Error and Cause', () => {
    for (const { file, asl } of machines) {
      for (const { name, state, inMap } of statesOf(asl)) {
        const where = `${file} › ${name}`;
        if (state.Type === 'Task') {
          expect(isLambda(state), where).toBe(true);
          expect(functionOf(state), where).toBeDefined();
          if (!inMap) expect(state.Parameters?.Payload?.['execution.$'], where).toBe('$$.Execution.Id');
        }
        if (state.Type === 'Fail') {
          expect(state.Error, where).toMatch(/\S/);
          expect(state.Cause, where).toMatch(/\S/);
        }
      }
    }
  });

  it('3. one Retry policy: LAMBDA_SERVICE first on every Task; MAIL_DELIVERY only on mailing functions, CONFLICT only on table writers, CRASH_RESUME only on functions that resume after a crash', () => {
    for (const { file, asl } of machines) {
      for (const { name, state } of statesOf(asl).filter((s) => s.state.Type === 'Task')) {
        const where = `${file} › ${name}`;
        const fn = functionOf(state) ?? '';
        const [first, ...others] = state.Retry ?? [];

        expect(first, where).toEqual(LAMBDA_SERVICE);
        for (const block of others) {
          expect([MAIL_DELIVERY, CONFLICT, CRASH_RESUME], where).toContainEqual(block);
          if (JSON.stringify(block) === JSON.stringify(CRASH_RESUME)) expect(resumesAfterCrash, `${where}: a crash retried on a function that does not resume its work`).toContain(fn);
          if (JSON.stringify(block) === JSON.stringify(MAIL_DELIVERY)) expect(functionByName(fn).sendsEmail, `${where}: MailDeliveryError retried on a function that sends no email`).toBe(true);
          if (JSON.stringify(block) === JSON.stringify(CONFLICT)) expect(writesATable(fn), `${where}: ConflictError retried on a function that writes no table`).toBe(true);
        }
      }
    }
  });

  it('4. every human wait has a timeout that escalates one level up, into an "(Escalated)" wait whose timeout escalates again', () => {
    let waits = 0;
    for (const { file, asl } of machines) {
      for (const { name, state, scope } of statesOf(asl).filter((s) => isWait(s.state))) {
        const where = `${file} › ${name}`;
        if (machineAnswered.includes(functionOf(state) ?? '')) continue;
        waits += 1;
        const [onTimeout] = state.Catch ?? [];
        const escalation = scope[onTimeout?.Next ?? ''];
        const base = name.replace(/ \(Escalated\)$/, '');
        const escalated = scope[`${base} (Escalated)`];

        expect(functionOf(state), where).toBe('CreateHumanTask');
        expect(state.TimeoutSeconds, where).toBeGreaterThan(0);
        expect(onTimeout?.ErrorEquals, where).toEqual(['States.Timeout']);
        expect(escalation && functionOf(escalation), `${where}: its timeout goes to the escalation`).toBe('EscalateReview');
        expect(escalation?.Parameters?.Payload?.['kind'], where).toBe(state.Parameters?.Payload?.['kind']);
        expect(escalation?.Next, where).toBe(`${base} (Escalated)`);
        expect(escalated && isWait(escalated), `${where}: the escalated wait exists`).toBe(true);
        expect(escalated?.Parameters?.Payload?.['escalationLevel.$'], where).toBe('$.escalation.level');
        expect(escalated?.Next, `${where}: the escalated wait goes on as the first one does`).toBe(scope[base]?.Next);
      }
    }
    // + SharingReview (2) and Publication: the review, the single approval and the two joint branches, each with its escalated wait (8);
    // + DerivedProductReview (2, issue 17 R18.2); + ProblemVerification (2, issue 17 R19.3); + Withdrawal (issue 15);
    // + EvaluationAcknowledgement (2, issue 17 R19.2).
    expect(waits).toBe(34);
  });

  it('5. every failure path records what failed before it fails: no Catch reaches a Fail state; a Fail state follows only a recording Task', () => {
    for (const { file, asl } of machines) {
      const all = statesOf(asl);
      for (const { name, state, scope } of all) {
        for (const c of state.Catch ?? []) expect(scope[c.Next]?.Type, `${file} › ${name} catches into ${c.Next}`).not.toBe('Fail');
      }
      for (const { name: fail, scope } of all.filter((s) => s.state.Type === 'Fail')) {
        const before = Object.entries(scope).filter(([, s]) => successors(s).includes(fail));

        expect(before.length, `${file} › ${fail} is reached`).toBeGreaterThan(0);
        for (const [name, s] of before) {
          expect(s.Type, `${file} › ${name} → ${fail}`).toBe('Task');
          expect(functionOf(s), `${file} › ${name} → ${fail}: a recorder`).toMatch(recorder);
        }
      }
    }
  });

  it('6. writes each Retry and Catch block on one line', () => {
    for (const { file, text } of machines) {
      const lines = text.split('\n');
      const broken = lines.filter((l) => /^\s*"(IntervalSeconds|MaxAttempts|BackoffRate|ErrorEquals)"/.test(l));

      expect(broken, file).toEqual([]);
    }
  });
});

// ---- the same files on the local engine (fake functions): the behaviour the conventions promise
type Call = { fn: string; payload: Record<string, unknown> };

const engines: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** The manifest's machine with its waits' TimeoutSeconds cut to one second. */
function machineWithShortWaits(name: string) {
  const spec = manifestMachines(projectRoot).find((m) => m.name === name);
  if (!spec) throw new Error(`no ${name} machine in the manifest`);
  const def = JSON.parse(spec.definition) as Asl;
  for (const s of Object.values(def.States)) if (isWait(s)) s.TimeoutSeconds = 1;
  return { name, definition: JSON.stringify(def) };
}

/** Fake functions: CreateHumanTask announces each token; `fail` names functions that throw (error name = Lambda errorType). */
function fakes(fail: Record<string, string> = {}) {
  const calls: Call[] = [];
  const tokens: string[] = [];
  let waiting: ((t: string) => void) | undefined;
  const invoke = async (fn: string, payload: unknown) => {
    const p = payload as Record<string, unknown>;
    calls.push({ fn, payload: p });
    if (fail[fn]) throw Object.assign(new Error(`${fn} broke`), { name: fail[fn] });
    if (fn === 'CreateHumanTask') {
      tokens.push(String(p['taskToken']));
      waiting?.(String(p['taskToken']));
      return { taskId: `t-${tokens.length}` };
    }
    if (fn === 'EscalateReview') return { level: 1, previousTaskId: 't-1', orgs: ['440000'] };
    if (fn === 'DestroyCustodyObjects') return { removed: 3 };
    return { ok: fn };
  };
  const nextToken = (n: number) =>
    new Promise<string>((resolve) => {
      if (tokens.length >= n) return resolve(tokens[n - 1] ?? '');
      waiting = (t) => tokens.length >= n && resolve(t);
    });
  return { calls, invoke, nextToken };
}

function engineWith(name: string, invoke: (fn: string, payload: unknown) => Promise<unknown>) {
  const engine = new LocalStepFunctions({ machines: [machineWithShortWaits(name)], invoke });
  engines.push(engine);
  return { engine, arn: engine.stateMachineArn(name) };
}

describe('R10.1 R9.1 R19.2 issue 9 the conventions on the local engine: escalation on timeout, a record before a failure', () => {
  it('escalates an unanswered destruction approval one level up, and destroys on the escalated round’s approval', async () => {
    const f = fakes();
    const { engine, arn } = engineWith('Destruction', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'd-1', input: JSON.stringify({ resultNumber: 'CG-1', destructionId: 'D1' }) });

    const second = await f.nextToken(2);
    engine.sendTaskSuccess({ taskToken: second, output: JSON.stringify({ decision: 'approve', reasons: '同意', decidedBy: 'wang.fang' }) });
    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.calls.map((c) => c.fn)).toEqual(['CreateHumanTask', 'EscalateReview', 'CreateHumanTask', 'DestroyCustodyObjects', 'MarkDestroyed']);
    expect(f.calls[1]?.payload).toMatchObject({ kind: 'destructionApproval', subject: { resultNumber: 'CG-1', destructionId: 'D1' } });
    expect(f.calls[2]?.payload).toMatchObject({ kind: 'destructionApproval', escalationLevel: 1, replaces: 't-1' });
  });

  it('records a failed destruction step (workflow.failed) before the execution fails', async () => {
    const f = fakes({ DestroyCustodyObjects: 'CustodyDeleteError' });
    const { engine, arn } = engineWith('Destruction', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'd-2', input: JSON.stringify({ resultNumber: 'CG-2', destructionId: 'D2' }) });

    engine.sendTaskSuccess({ taskToken: await f.nextToken(1), output: JSON.stringify({ decision: 'approve', reasons: '同意', decidedBy: 'wang.fang' }) });
    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'DestructionFailed' });
    expect(f.calls.map((c) => c.fn)).toEqual(['CreateHumanTask', 'DestroyCustodyObjects', 'RecordWorkflowFailure']);
    expect(f.calls[2]?.payload).toMatchObject({
      stateMachine: 'Destruction',
      subject: { resultNumber: 'CG-2', destructionId: 'D2' },
      failure: { Error: 'CustodyDeleteError' },
      execution: executionArn,
    });
  });

  it('escalates an unacknowledged catalogue report instead of failing, and records a failure of its escalation before failing', async () => {
    const f = fakes({ EscalateReview: 'NotFoundError' });
    const { engine, arn } = engineWith('CatalogueReport', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'r-1', input: JSON.stringify({ reportId: 'R1' }) });

    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'AcknowledgementFailed' });
    expect(f.calls.map((c) => c.fn)).toEqual(['CreateHumanTask', 'EscalateReview', 'RecordWorkflowFailure']);
    expect(f.calls[1]?.payload).toMatchObject({ kind: 'catalogueReportAck', subject: { reportId: 'R1' } });
    expect(f.calls[2]?.payload).toMatchObject({ stateMachine: 'CatalogueReport', subject: { reportId: 'R1' }, failure: { Error: 'NotFoundError' } });
  });

  it('R19.2 the organiser’s 有异议 on a quarterly evaluation is recorded with its note; an unanswered one escalates, and a failure of the recording is recorded before failing', async () => {
    const f = fakes();
    const { engine, arn } = engineWith('EvaluationAcknowledgement', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'evaluation-440000-CUS_440000-NR_2026-Q4', input: JSON.stringify({ evaluationId: '440000-CUS.440000-NR.2026-Q4' }) });
    const acknowledgement = { taskId: 't-1', decision: 'return', reasons: '下载次数与台账不符', decidedBy: 'chen.jing', decidedAt: '2027-01-02T01:00:00.000Z' };
    engine.sendTaskSuccess({ taskToken: await f.nextToken(1), output: JSON.stringify(acknowledgement) });
    const done = await engine.settled(executionArn);

    const g = fakes({ RecordEvaluationAcknowledgement: 'NotFoundError' });
    const b = engineWith('EvaluationAcknowledgement', g.invoke);
    const failed = b.engine.startExecution({ stateMachineArn: b.arn, name: 'evaluation-x', input: JSON.stringify({ evaluationId: '440000-CUS.440000-NR.2026-Q3' }) });
    const second = await g.nextToken(2);
    b.engine.sendTaskSuccess({ taskToken: second, output: JSON.stringify(acknowledgement) });
    const doneFailed = await b.engine.settled(failed.executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.calls.map((c) => c.fn)).toEqual(['CreateHumanTask', 'RecordEvaluationAcknowledgement']);
    expect(f.calls[0]?.payload).toMatchObject({ kind: 'evaluationAck', subject: { evaluationId: '440000-CUS.440000-NR.2026-Q4' }, escalationLevel: 0 });
    expect(f.calls[1]?.payload).toMatchObject({ evaluationId: '440000-CUS.440000-NR.2026-Q4', acknowledgement, execution: executionArn });
    expect(doneFailed).toMatchObject({ status: 'FAILED', error: 'AcknowledgementFailed' });
    expect(g.calls.map((c) => c.fn)).toEqual(['CreateHumanTask', 'EscalateReview', 'CreateHumanTask', 'RecordEvaluationAcknowledgement', 'RecordWorkflowFailure']);
    expect(g.calls[1]?.payload).toMatchObject({ kind: 'evaluationAck', subject: { evaluationId: '440000-CUS.440000-NR.2026-Q3' } });
    expect(g.calls[4]?.payload).toMatchObject({ stateMachine: 'EvaluationAcknowledgement', subject: { evaluationId: '440000-CUS.440000-NR.2026-Q3' }, failure: { Error: 'NotFoundError' } });
  });

  it('records a failed integrity audit before the execution fails', async () => {
    const f = fakes({ ListCustodyResults: 'IntegrityTooManyBatches' });
    const { engine, arn } = engineWith('IntegrityAudit', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'audit-1', input: '{}' });

    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'IntegrityAuditFailed' });
    expect(f.calls.map((c) => c.fn)).toEqual(['ListCustodyResults', 'RecordWorkflowFailure']);
    expect(f.calls[1]?.payload).toMatchObject({ stateMachine: 'IntegrityAudit', subject: { executionName: 'audit-1' }, failure: { Error: 'IntegrityTooManyBatches' } });
  });
});

describe('R21.1 issue 14 the Bulletin machine on the local engine: gather → render → record → email, write-once, a record before a failure', () => {
  const job = { org: '440000-NR', period: '2026-11', trigger: 'request', createdBy: 'zhou.hong' };
  const record = { bulletinId: '440000-NR.2026-11', keys: { html: 'h', xlsx: 'x', json: 'j' } };
  /** The fakes above, with the bulletin steps' answers: `exists` for Gather Counters, `created` for Record. */
  function bulletinFakes(opts: { exists?: boolean; created?: boolean; fail?: Record<string, string> } = {}) {
    const f = fakes(opts.fail);
    const invoke = async (fn: string, payload: unknown) => {
      const out = await f.invoke(fn, payload);
      if (fn === 'GatherBulletin') return { exists: opts.exists ?? false, record };
      if (fn === 'RecordBulletin') return { created: opts.created ?? true };
      if (fn === 'EmailBulletin') return { emailed: ['zhou.hong@example.gov.cn'] };
      return out;
    };
    return { calls: f.calls, invoke };
  }

  it('runs the four steps in order, passing the stored record on; the email step gets the bulletin id', async () => {
    const f = bulletinFakes();
    const { engine, arn } = engineWith('Bulletin', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'b-1', input: JSON.stringify(job) });

    const done = await engine.settled(executionArn);

    expect(done?.status).toBe('SUCCEEDED');
    expect(f.calls.map((c) => c.fn)).toEqual(['GatherBulletin', 'RenderBulletin', 'RecordBulletin', 'EmailBulletin']);
    expect(f.calls[0]?.payload).toMatchObject({ ...job, execution: executionArn });
    expect(f.calls[1]?.payload).toMatchObject({ record });
    expect(f.calls[2]?.payload).toMatchObject({ record });
    expect(f.calls[3]?.payload).toMatchObject({ bulletinId: '440000-NR.2026-11' });
  });

  it('stops after Gather Counters when the bulletin exists, and emails nobody when another execution recorded it first', async () => {
    const existing = bulletinFakes({ exists: true });
    const lost = bulletinFakes({ created: false });
    const a = engineWith('Bulletin', existing.invoke);
    const b = engineWith('Bulletin', lost.invoke);

    const first = await a.engine.settled(a.engine.startExecution({ stateMachineArn: a.arn, name: 'b-2', input: JSON.stringify(job) }).executionArn);
    const second = await b.engine.settled(b.engine.startExecution({ stateMachineArn: b.arn, name: 'b-3', input: JSON.stringify(job) }).executionArn);

    expect(first?.status).toBe('SUCCEEDED');
    expect(existing.calls.map((c) => c.fn)).toEqual(['GatherBulletin']);
    expect(second?.status).toBe('SUCCEEDED');
    expect(lost.calls.map((c) => c.fn)).toEqual(['GatherBulletin', 'RenderBulletin', 'RecordBulletin']);
  });

  it('records a failed render (workflow.failed with the organisation and period) before the execution fails', async () => {
    const f = bulletinFakes({ fail: { RenderBulletin: 'TypeError' } });
    const { engine, arn } = engineWith('Bulletin', f.invoke);
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: 'b-4', input: JSON.stringify(job) });

    const done = await engine.settled(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'BulletinFailed' });
    expect(f.calls.map((c) => c.fn)).toEqual(['GatherBulletin', 'RenderBulletin', 'RecordWorkflowFailure']);
    expect(f.calls[2]?.payload).toMatchObject({ stateMachine: 'Bulletin', subject: { org: '440000-NR', period: '2026-11' }, failure: { Error: 'TypeError' }, execution: executionArn });
  });
});
