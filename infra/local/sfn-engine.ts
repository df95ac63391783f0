/**
 * The local Step Functions service: the manifest's ASL files executed by
 * aws-local-stepfunctions, with the service's own bookkeeping around it —
 * executions by name (idempotent StartExecution), task tokens and their
 * callbacks (SendTaskSuccess/Failure/Heartbeat), heartbeats, and execution
 * records kept on disk. sfn-endpoint.ts puts the AWS JSON protocol in front.
 *
 * How the interpreter is bent to AWS semantics:
 *  - every Task state is overridden (taskResourceLocalHandlers is keyed by
 *    state name) by one generic handler that reads the Resource: a
 *    `lambda:invoke` runs the manifest handler in-process and returns
 *    `{ StatusCode, Payload, ExecutedVersion }` as the optimised integration
 *    does; `.waitForTaskToken` runs it and then waits on a promise that the
 *    callbacks settle; a plain function ARN returns the handler's result;
 *  - `$$.Task.Token` is a getter on the context object: each read mints a
 *    fresh token, found again in the task's payload to bind it to the waiter;
 *  - a Task without TimeoutSeconds gets the largest timer Node allows
 *    (~24.8 days) instead of the interpreter's 60 s (AWS: 99999999 s);
 *  - HeartbeatSeconds, which the interpreter ignores, is enforced here
 *    (States.HeartbeatTimeout); TimeoutSeconds stays the interpreter's
 *    (States.Timeout), and a callback after the deadline gets TaskTimedOut.
 *
 * Crash and restart (AWS keeps executions; a laptop process does not):
 * every top-level state an execution enters is written to the record with
 * its input (`resumeAt`) before the state runs. When the local cloud starts
 * again (resumeInterrupted), each execution still RUNNING on disk is run
 * again from that state with that input — a waiting human task re-enters
 * its `.waitForTaskToken` state with a fresh token, and the step (the
 * project's steps are idempotent) finds its open task and seals the new token
 * into it (`redriveCount` in the payload says it is a resumed run). An
 * execution whose state no longer exists in the definition is failed with
 * cause "local cloud restarted". A resumed state starts its TimeoutSeconds
 * afresh.
 *
 * Known differences from AWS: no execution history API; Map/Parallel
 * branches see the branch input as $$.Execution.Input (interpreter quirk);
 * a state inside a Map/Parallel is resumed from its enclosing top-level state.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { localAccount, localRegion } from './ports.ts';

/** An error the Step Functions API returns; `type` is the AWS error code (the SDK's exception name). */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** epoch ms */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The last top-level state entered and its raw input (JSON): where a restart resumes. */
  resumeAt?: { state: string; input: string };
  /** How many times the execution was resumed after a restart of the local cloud. */
  redriveCount?: number;
}

export interface MachineSpec {
  readonly name: string;
  /** The ASL text after substitution. */
  readonly definition: string;
}

export interface SfnEngineOptions {
  readonly machines: readonly MachineSpec[];
  /** Runs a function by name; a failure must throw an Error whose `name` is the Lambda errorType. */
  readonly invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Where execution records are kept; omitted = memory only. */
  readonly stateFile?: string;
  readonly log?: (line: string) => void;
  readonly region?: string;
  readonly account?: string;
}

const maxTimerSeconds = Math.floor((2 ** 31 - 1) / 1000);
const maxPayloadBytes = 256 * 1024;
const tokenPrefix = 'AQCE';
const restartedCause = 'local cloud restarted';

interface Waiter {
  readonly token: string;
  readonly executionArn: string;
  state: 'minted' | 'waiting' | 'closed';
  stateName?: string;
  deadline?: number;
  heartbeatMs?: number;
  timer?: NodeJS.Timeout;
  resolve?: (value: unknown) => void;
  reject?: (error: Error) => void;
}

interface Running {
  readonly record: ExecutionRecord;
  /** Set while the first resumed state runs: its waitForTaskToken payload says so. */
  resuming?: string;
  readonly tokens: string[];
  abort?: () => void;
  done: Promise<void>;
}

interface TaskState {
  Type: 'Task';
  Resource: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  [k: string]: unknown;
}

interface Machine {
  readonly name: string;
  readonly arn: string;
  readonly definitionText: string;
  readonly definition: StateMachineDefinition;
  readonly topStates: ReadonlySet<string>;
  readonly machine: StateMachine;
  readonly tasks: ReadonlyMap<string, TaskState>;
  readonly createdAt: number;
}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Every Task state, including those inside Parallel branches and Map processors. */
function collectTasks(states: Record<string, unknown>, out: Map<string, TaskState>): void {
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as Record<string, unknown>;
    if (state['Type'] === 'Task') {
      const task = state as TaskState;
      if (task.TimeoutSeconds === undefined && task.TimeoutSecondsPath === undefined) task.TimeoutSeconds = maxTimerSeconds;
      out.set(name, task);
    }
    for (const branch of (state['Branches'] as Array<{ States: Record<string, unknown> }> | undefined) ?? []) collectTasks(branch.States, out);
    for (const key of ['Iterator', 'ItemProcessor']) {
      const sub = state[key] as { States?: Record<string, unknown> } | undefined;
      if (sub?.States) collectTasks(sub.States, out);
    }
  }
}

function validName(name: string): boolean {
  // AWS: 1–80 characters, no whitespace, brackets, wildcards, listed punctuation or control characters.
  return name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

function parseJson(text: string, errorType: string, what: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > maxPayloadBytes) throw new SfnApiError(errorType, `${what} exceeds the maximum size of 256 KiB`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SfnApiError(errorType, `Invalid ${what}: not valid JSON`);
  }
}

/** Strings inside the payload that are tokens this execution minted. */
function tokensIn(value: unknown, minted: ReadonlySet<string>, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (minted.has(value)) found.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) tokensIn(v, minted, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) tokensIn(v, minted, found);
  }
  return found;
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Map<string, Waiter>();
  /** RUNNING on disk when this process started: resumeInterrupted() runs them again. */
  private readonly interrupted: ExecutionRecord[] = [];
  private readonly log: (line: string) => void;
  private readonly region: string;
  private readonly account: string;
  private closed = false;

  constructor(private readonly opts: SfnEngineOptions) {
    this.log = opts.log ?? (() => undefined);
    this.region = opts.region ?? localRegion;
    this.account = opts.account ?? localAccount;
    const now = Date.now();
    for (const spec of opts.machines) {
      const leftover = /\$\{[A-Za-z0-9_]+\}/.exec(spec.definition);
      if (leftover) throw new Error(`state machine ${spec.name}: unresolved placeholder ${leftover[0]}`);
      const definition = JSON.parse(spec.definition) as StateMachineDefinition;
      const tasks = new Map<string, TaskState>();
      collectTasks(definition.States as Record<string, unknown>, tasks);
      const arn = this.stateMachineArn(spec.name);
      this.machines.set(arn, {
        name: spec.name,
        arn,
        definitionText: spec.definition,
        definition,
        topStates: new Set(Object.keys(definition.States)),
        machine: new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } }),
        tasks,
        createdAt: now,
      });
    }
    this.load();
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.account}:stateMachine:${name}`;
  }

  private executionArn(machine: string, name: string): string {
    return `arn:aws:states:${this.region}:${this.account}:execution:${machine}:${name}`;
  }

  // ---- persistence ------------------------------------------------------

  private load(): void {
    const file = this.opts.stateFile;
    if (!file || !existsSync(file)) return;
    const records = JSON.parse(readFileSync(file, 'utf8')) as ExecutionRecord[];
    for (const r of records) {
      this.executions.set(r.executionArn, r);
      if (r.status === 'RUNNING') this.interrupted.push(r);
    }
  }

  /**
   * Runs again every execution the last process left RUNNING, from the last
   * top-level state it entered (see the module comment). Call once the
   * functions can be invoked. Returns what was resumed and what was failed.
   */
  resumeInterrupted(): { resumed: string[]; failed: string[] } {
    const resumed: string[] = [];
    const failed: string[] = [];
    for (const r of this.interrupted.splice(0)) {
      const m = this.machines.get(r.stateMachineArn);
      const at = r.resumeAt ?? (m ? { state: String(m.definition.StartAt), input: r.input } : undefined);
      if (!m || !at || !m.topStates.has(at.state)) {
        Object.assign(r, { status: 'FAILED', error: 'States.Runtime', cause: restartedCause, stopDate: Date.now() });
        failed.push(r.name);
        continue;
      }
      try {
        r.redriveCount = (r.redriveCount ?? 0) + 1;
        this.run(m, r, JSON.parse(at.input) as unknown, at.state);
        resumed.push(`${r.name} → ${at.state}`);
      } catch (error) {
        Object.assign(r, { status: 'FAILED', error: 'States.Runtime', cause: `${restartedCause}: ${error instanceof Error ? error.message : String(error)}`, stopDate: Date.now() });
        failed.push(r.name);
      }
    }
    if (resumed.length + failed.length > 0) {
      this.persist();
      if (resumed.length > 0) this.log(`Step Functions: 本地云重启，已从中断处恢复 ${resumed.length} 个执行 (resumed after a restart): ${resumed.join('; ')}`);
      if (failed.length > 0) this.log(`Step Functions: ${failed.length} 个执行无法恢复，已标记为失败 (could not be resumed, marked FAILED: ${restartedCause}): ${failed.join(', ')}`);
    }
    return { resumed, failed };
  }

  /** Synchronous and atomic (write, then rename): records are small, and a crash never leaves half a file. */
  private persist(): void {
    const file = this.opts.stateFile;
    if (!file) return;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.executions.values()], null, 1));
      renameSync(tmp, file);
    } catch (error) {
      this.log(`Step Functions: 执行记录保存失败 (could not save execution records): ${String(error)}`);
    }
  }

  // ---- state machines ---------------------------------------------------

  private machineOf(arn: string | undefined): Machine {
    if (!arn || !/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn ?? ''}'`);
    const m = this.machines.get(arn);
    if (!m) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  describeStateMachine(input: { stateMachineArn?: string }) {
    const m = this.machineOf(input.stateMachineArn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definitionText,
      roleArn: `arn:aws:iam::${this.account}:role/local-stepfunctions`,
      type: 'STANDARD',
      creationDate: m.createdAt / 1000,
    };
  }

  listStateMachines() {
    return {
      stateMachines: [...this.machines.values()].map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: 'STANDARD',
        creationDate: m.createdAt / 1000,
      })),
    };
  }

  // ---- executions -------------------------------------------------------

  startExecution(input: { stateMachineArn?: string; name?: string; input?: string }) {
    if (this.closed) throw new SfnApiError('ServiceUnavailable', 'the local Step Functions endpoint is shutting down');
    const m = this.machineOf(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!validName(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = input.input ?? '{}';
    const parsed = parseJson(inputText, 'InvalidExecutionInput', 'execution input');
    const executionArn = this.executionArn(m.name, name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      // AWS: the same name and input while RUNNING is the same start (a retry); anything else is a conflict.
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn, startDate: existing.startDate / 1000 };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: m.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input: inputText,
    };
    this.executions.set(executionArn, record);
    this.persist();
    this.run(m, record, parsed);
    return { executionArn, startDate: record.startDate / 1000 };
  }

  private run(m: Machine, record: ExecutionRecord, input: unknown, startAt?: string): void {
    const resumedAt = startAt !== undefined && startAt !== m.definition.StartAt ? startAt : undefined;
    const running: Running = { record, tokens: [], done: Promise.resolve(), ...(startAt !== undefined ? { resuming: startAt } : {}) };
    const minted = new Set<string>();
    const mint = () => {
      const token = `${tokenPrefix}${randomBytes(96).toString('base64url')}`;
      this.waiters.set(token, { token, executionArn: record.executionArn, state: 'minted' });
      running.tokens.push(token);
      minted.add(token);
      return token;
    };
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of m.tasks) {
      handlers[stateName] = (taskInput: unknown) => this.runTask(stateName, task, taskInput, running, minted);
    }
    const context = {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: `arn:aws:iam::${this.account}:role/local-stepfunctions`,
        StartTime: new Date(record.startDate).toISOString(),
        RedriveCount: record.redriveCount ?? 0,
      },
      StateMachine: { Id: m.arn, Name: m.name },
      Task: {
        get Token() {
          return mint();
        },
      },
    };
    // A resumed run is the same definition entered at another state.
    const machine = resumedAt
      ? // Validated whole at construction; entered elsewhere, the states before it are unreachable, which the validator refuses.
        new StateMachine({ ...m.definition, StartAt: resumedAt }, { validationOptions: { noValidate: true } })
      : m.machine;
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context,
    });
    running.abort = execution.abort;
    this.running.set(record.executionArn, running);
    this.log(`Step Functions: ${m.name} 执行开始 (execution started) ${record.name}`);
    void this.followEvents(m, running, execution.eventLogs);
    running.done = execution.result.then(
      (output) => this.finish(running, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }),
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return this.finish(running, { status: 'ABORTED' });
        if (error instanceof ExecutionTimeoutError) return this.finish(running, { status: 'TIMED_OUT', error: 'States.Timeout' });
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
        return this.finish(running, { status: 'FAILED', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(error) });
      },
    );
  }

  private async followEvents(m: Machine, running: Running, events: AsyncGenerator<{ type: string; index?: number; state?: { name: string; input?: unknown } }>): Promise<void> {
    const r = running.record;
    try {
      for await (const event of events) {
        if (event.type !== 'StateEntered' || !event.state) continue;
        this.log(`Step Functions: ${m.name}/${r.name} → ${event.state.name}`);
        // Only top-level states are resume points (a state inside a Map resumes from its Map).
        if (event.index === undefined && m.topStates.has(event.state.name) && r.status === 'RUNNING' && !this.closed) {
          r.resumeAt = { state: event.state.name, input: JSON.stringify(event.state.input ?? {}) };
          this.persist();
        }
      }
    } catch {
      // the log of a failed run ends with the failure; nothing to add
    }
  }

  private finish(running: Running, end: Partial<ExecutionRecord> & { status: ExecutionStatus }): void {
    const r = running.record;
    if (r.status === 'RUNNING') {
      Object.assign(r, end, { stopDate: Date.now() });
      if (end.status !== 'SUCCEEDED' && end.status !== 'ABORTED') delete r.output;
      delete r.resumeAt;
    }
    for (const token of running.tokens) {
      // A task still waiting when its run ended (stopped, failed): settle it, or the
      // interpreter's TimeoutSeconds timer for it would hold the process open.
      this.waiters.get(token)?.reject?.(namedError('States.Runtime', 'execution ended'));
      this.closeWaiter(token);
    }
    this.running.delete(r.executionArn);
    if (!this.closed) {
      this.persist();
      this.log(`Step Functions: ${r.name} 执行结束 (execution ended) ${r.status}${r.error ? ` ${r.error}` : ''}`);
    }
  }

  private async runTask(stateName: string, task: TaskState, input: unknown, running: Running, minted: Set<string>): Promise<unknown> {
    const resource = task.Resource;
    const integration = /^arn:aws[\w-]*:states:::lambda:invoke(\.waitForTaskToken)?$/.exec(resource);
    if (integration) {
      const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      const fn = functionNameOf(FunctionName);
      if (integration[1]) {
        // The first state of a resumed run: tell the step it is re-entered (it reuses its open task).
        const resumed = running.resuming === stateName && Payload && typeof Payload === 'object' ? { ...(Payload as object), redriveCount: running.record.redriveCount ?? 1 } : Payload;
        delete running.resuming;
        return this.waitForToken(stateName, task, fn, resumed, running, minted);
      }
      delete running.resuming;
      const payload = await this.opts.invoke(fn, Payload ?? {});
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } };
    }
    const direct = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.exec(resource);
    if (direct) return this.opts.invoke(functionNameOf(resource), input);
    throw namedError('States.Runtime', `The local Step Functions endpoint does not run resource ${resource} (state "${stateName}")`);
  }

  private async waitForToken(stateName: string, task: TaskState, fn: string, payload: unknown, running: Running, minted: Set<string>): Promise<unknown> {
    const found = tokensIn(payload, minted);
    const token = found.at(-1) ?? running.tokens.filter((t) => this.waiters.get(t)?.state === 'minted').at(-1);
    if (!token) throw namedError('States.Runtime', `state "${stateName}": .waitForTaskToken but $$.Task.Token is not passed to the task`);
    minted.delete(token);
    const waiter = this.waiters.get(token);
    if (!waiter) throw namedError('States.Runtime', `state "${stateName}": lost task token`);
    const timeoutSeconds = task.TimeoutSeconds ?? maxTimerSeconds;
    waiter.state = 'waiting';
    waiter.stateName = stateName;
    waiter.deadline = Date.now() + timeoutSeconds * 1000;
    const settled = new Promise<unknown>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    // Settled by a callback, a heartbeat timeout, or never (the interpreter's TimeoutSeconds wins then).
    settled.catch(() => undefined);
    if (task.HeartbeatSeconds) {
      waiter.heartbeatMs = task.HeartbeatSeconds * 1000;
      this.armHeartbeat(waiter);
    } else {
      this.armDeadline(waiter);
    }
    try {
      await this.opts.invoke(fn, payload ?? {});
    } catch (error) {
      this.closeWaiter(token);
      throw error;
    }
    return settled;
  }

  private armHeartbeat(w: Waiter): void {
    clearTimeout(w.timer);
    const ms = Math.min(w.heartbeatMs ?? 0, Math.max(0, (w.deadline ?? 0) - Date.now()) + 1000);
    w.timer = setTimeout(() => {
      if (w.state !== 'waiting') return;
      if (Date.now() >= (w.deadline ?? 0)) return this.closeWaiter(w.token);
      const reject = w.reject;
      this.closeWaiter(w.token);
      reject?.(namedError('States.HeartbeatTimeout', `No heartbeat within ${(w.heartbeatMs ?? 0) / 1000} seconds (state "${w.stateName}")`));
    }, ms);
  }

  /** Past the deadline the interpreter has already failed the state; this only tidies up. */
  private armDeadline(w: Waiter): void {
    clearTimeout(w.timer);
    w.timer = setTimeout(() => this.closeWaiter(w.token), Math.min(2 ** 31 - 1, Math.max(0, (w.deadline ?? 0) - Date.now()) + 1000));
  }

  private closeWaiter(token: string): void {
    const w = this.waiters.get(token);
    if (!w) return;
    clearTimeout(w.timer);
    // Kept (closed) so that a late or repeated callback gets TaskTimedOut, as AWS answers.
    w.state = 'closed';
    delete w.resolve;
    delete w.reject;
  }

  private openWaiter(token: string | undefined): Waiter {
    if (typeof token !== 'string' || token.length < 1 || token.length > 2048) throw new SfnApiError('InvalidToken', 'Invalid Token: the task token is missing or too long');
    const w = this.waiters.get(token);
    if (!w) {
      if (!token.startsWith(tokenPrefix)) throw new SfnApiError('InvalidToken', 'Invalid Token: not a task token');
      throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist: the task token is unknown (tokens do not survive a restart of the local cloud)');
    }
    if (w.state === 'minted') throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist: the task is not waiting for a callback');
    if (w.state === 'closed' || Date.now() >= (w.deadline ?? 0)) {
      this.closeWaiter(token);
      throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return w;
  }

  sendTaskSuccess(input: { taskToken?: string; output?: string }) {
    const w = this.openWaiter(input.taskToken);
    const output = parseJson(input.output ?? '', 'InvalidOutput', 'output');
    const resolve = w.resolve;
    this.closeWaiter(w.token);
    resolve?.(output);
    return {};
  }

  sendTaskFailure(input: { taskToken?: string; error?: string; cause?: string }) {
    const w = this.openWaiter(input.taskToken);
    const reject = w.reject;
    this.closeWaiter(w.token);
    reject?.(namedError(input.error ?? '', input.cause ?? ''));
    return {};
  }

  sendTaskHeartbeat(input: { taskToken?: string }) {
    const w = this.openWaiter(input.taskToken);
    if (w.heartbeatMs) this.armHeartbeat(w);
    return {};
  }

  private recordOf(arn: string | undefined): ExecutionRecord {
    if (!arn || !/^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:[\w-]+:.+$/.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn ?? ''}'`);
    const r = this.executions.get(arn);
    if (!r) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return r;
  }

  describeExecution(input: { executionArn?: string }) {
    const r = this.recordOf(input.executionArn);
    return {
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: r.startDate / 1000,
      ...(r.stopDate !== undefined ? { stopDate: r.stopDate / 1000 } : {}),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  listExecutions(input: { stateMachineArn?: string; statusFilter?: string; maxResults?: number; nextToken?: string }) {
    const m = this.machineOf(input.stateMachineArn);
    const all = [...this.executions.values()]
      .filter((r) => r.stateMachineArn === m.arn && (!input.statusFilter || r.status === input.statusFilter))
      .sort((a, b) => b.startDate - a.startDate);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    if (!Number.isInteger(start) || start < 0) throw new SfnApiError('InvalidToken', 'Invalid Token: bad nextToken');
    const size = Math.min(Math.max(input.maxResults || 100, 1), 1000);
    const page = all.slice(start, start + size);
    return {
      executions: page.map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: r.startDate / 1000,
        ...(r.stopDate !== undefined ? { stopDate: r.stopDate / 1000 } : {}),
      })),
      ...(start + size < all.length ? { nextToken: String(start + size) } : {}),
    };
  }

  stopExecution(input: { executionArn?: string; error?: string; cause?: string }) {
    const r = this.recordOf(input.executionArn);
    const running = this.running.get(r.executionArn);
    if (r.status === 'RUNNING') {
      Object.assign(r, {
        status: 'ABORTED' as const,
        stopDate: Date.now(),
        ...(input.error !== undefined ? { error: input.error } : {}),
        ...(input.cause !== undefined ? { cause: input.cause } : {}),
      });
      this.persist();
      running?.abort?.();
    }
    return { stopDate: (r.stopDate ?? Date.now()) / 1000 };
  }

  /** Resolves when the execution has ended (for tests and shutdown). */
  async settled(executionArn: string): Promise<ExecutionRecord | undefined> {
    await this.running.get(executionArn)?.done;
    return this.executions.get(executionArn);
  }

  /**
   * Stops the timers and abandons the runs in flight without recording an end:
   * their records stay RUNNING on disk, and the next start resumes them (resumeInterrupted).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const running of this.running.values()) running.abort?.();
    // Settle every waiting task too: the interpreter's own TimeoutSeconds timer is
    // only cleared when the task settles, and would otherwise hold the process open.
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      const reject = w.reject;
      delete w.resolve;
      delete w.reject;
      reject?.(namedError('States.Runtime', 'local cloud stopped'));
    }
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}

function functionNameOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw namedError('States.Runtime', 'lambda:invoke without FunctionName');
  // name, partial ARN or full ARN (with an optional version/alias qualifier)
  const m = /(?:^|:function:)([\w-]+)(?::[\w$-]+)?$/.exec(value);
  if (!m?.[1]) throw namedError('States.Runtime', `unrecognised FunctionName ${value}`);
  return m[1];
}
