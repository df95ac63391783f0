import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { functionByName, manifest } from '#infra/manifest.ts';
import { verificationDefinition } from './verification-workflow-fakes.ts';

/** asl-validator ships with aws-local-stepfunctions (its validator); CommonJS without type declarations. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

type State = Record<string, unknown> & { Type: string };
const lambdaErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

function statesOf(definition: { States: Record<string, State> }): Array<[string, State]> {
  const out: Array<[string, State]> = [];
  for (const [name, state] of Object.entries(definition.States)) {
    out.push([name, state]);
    const processor = (state['ItemProcessor'] ?? state['Iterator']) as { States: Record<string, State> } | undefined;
    if (processor) out.push(...statesOf(processor));
  }
  return out;
}

const raw = readFileSync(join(projectRoot, 'statemachines', 'verification.asl.json'), 'utf8');
const definition = JSON.parse(raw) as { States: Record<string, State>; StartAt: string };
const tasks = statesOf(definition).filter(([, s]) => s.Type === 'Task');
const waits = tasks.filter(([, s]) => String(s['Resource']).endsWith('.waitForTaskToken'));
const machine = manifest.stateMachines.find((m) => m.name === 'Verification');

describe('R7.1 R7.2 R8.1 the Verification ASL (statemachines/verification.asl.json)', () => {
  it('is a valid state machine for asl-validator and for the local interpreter, once its placeholders are resolved', async () => {
    const resolved = JSON.parse(await verificationDefinition()) as unknown;

    const result = aslValidator(resolved, { checkArn: true, checkPaths: true });

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
    expect(() => new StateMachine(resolved as never, { validationOptions: { checkArn: true, checkPaths: true } })).not.toThrow();
  });

  it('names every function through a ${…FunctionArn} placeholder that the manifest maps to a declared function', () => {
    const placeholders = [...raw.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);

    expect(machine).toBeDefined();
    expect(new Set(placeholders)).toEqual(new Set(Object.keys(machine!.functions)));
    for (const fn of Object.values(machine!.functions)) expect(() => functionByName(fn)).not.toThrow();
  });

  it('retries every Task on the Lambda service errors and routes every failure but the recorder’s own to "Record Failure"', () => {
    for (const [name, state] of tasks) {
      const retried = ((state['Retry'] as Array<{ ErrorEquals: string[] }> | undefined) ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toEqual(expect.arrayContaining(lambdaErrors));
    }
    const topLevel = Object.entries(definition.States).filter(([name, s]) => (s.Type === 'Task' || s.Type === 'Map') && name !== 'Record Failure');
    for (const [name, state] of topLevel) {
      const catches = (state['Catch'] as Array<{ ErrorEquals: string[]; Next: string }> | undefined) ?? [];
      expect(catches.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next, name).toBe('Record Failure');
    }
    expect(definition.States['Record Failure']?.['Next']).toBe('Verification Failed');
    expect(definition.States['Verification Failed']?.Type).toBe('Fail');
  });

  it('waits for the review with the task token passed only to CreateHumanTask, a TimeoutSeconds the task knows, a Catch for the timeout and the input kept', () => {
    expect(waits.map(([name]) => name).sort()).toEqual(['Countersign Opinion', 'Countersign Opinion (Escalated)', 'Technical Review', 'Technical Review (Escalated)']);
    // R7.1: inside the Countersign Map, one wait per unit, escalating on timeout as the review does.
    for (const [name, state] of waits.filter(([n]) => n.startsWith('Countersign'))) {
      const payload = (state['Parameters'] as { Payload: Record<string, unknown> }).Payload;
      expect(payload['kind'], name).toBe('technicalCountersign');
      expect(payload['subject'], name).toEqual({ 'submissionId.$': '$.submissionId', 'n.$': '$.n', 'org.$': '$.org' });
      expect(payload['timeoutSeconds'], name).toBe(state['TimeoutSeconds']);
      expect((state['Catch'] as Array<{ ErrorEquals: string[]; Next: string }>)[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'Escalate Countersign' });
    }
    for (const [name, state] of waits.filter(([n]) => n.startsWith('Technical Review'))) {
      const payload = (state['Parameters'] as { FunctionName: string; Payload: Record<string, unknown> }).Payload;
      expect(payload['taskToken.$'], name).toBe('$$.Task.Token');
      expect(payload['kind'], name).toBe('technicalReview');
      expect(state['TimeoutSeconds'], name).toEqual(expect.any(Number));
      expect(payload['timeoutSeconds'], name).toBe(state['TimeoutSeconds']);
      expect(state['HeartbeatSeconds'], name).toBeUndefined();
      expect(state['ResultPath'], name).toBe('$.review');
      const timeout = (state['Catch'] as Array<{ ErrorEquals: string[]; Next: string }>).find((c) => c.ErrorEquals.includes('States.Timeout'));
      expect(timeout?.Next, name).toBe('Escalate Review');
      expect(state['Next'], name).toBe('Approved?');
    }
    expect(raw.match(/\$\$\.Task\.Token/g)).toHaveLength(waits.length);
  });

  it('retries the steps that send email on MailDeliveryError, so a mail outage delays the round instead of failing it', () => {
    const mailing = ['Technical Review', 'Technical Review (Escalated)', 'Escalate Review', 'Return To Submitter', 'Mark Verified'];

    for (const name of mailing) {
      const retry = (definition.States[name]?.['Retry'] as Array<{ ErrorEquals: string[]; MaxAttempts: number }>).find((r) => r.ErrorEquals.includes('MailDeliveryError'));
      expect(retry?.MaxAttempts, name).toBeGreaterThan(1);
    }
  });

  it('decides on an explicit Choice: errors → return without review; approve → Mark Verified; anything else → Return To Submitter', () => {
    const defects = definition.States['Defects Found?'] as unknown as { Choices: Array<Record<string, unknown>>; Default: string };
    const approved = definition.States['Approved?'] as unknown as { Choices: Array<Record<string, unknown>>; Default: string };

    expect(defects.Choices).toEqual([{ Variable: '$.report.passed', BooleanEquals: false, Next: 'Returned By Checks' }]);
    expect(defects.Default).toBe('Countersign');
    // R7.1: the countersigning units' opinions (a Map over the units AssembleReport names; none: no wait), then the review.
    expect(definition.States['Countersign']).toMatchObject({ Type: 'Map', ItemsPath: '$.report.countersign', Next: 'Technical Review' });
    expect(approved.Choices).toEqual([{ Variable: '$.review.decision', StringEquals: 'approve', Next: 'Mark Verified' }]);
    expect(approved.Default).toBe('Return To Submitter');
    expect(definition.States['Returned By Checks']?.['Next']).toBe('Return To Submitter');
  });

  it('checks files in a Map over batches with bounded concurrency, carrying keys and counts, not the package', () => {
    const map = definition.States['Check Files'] as Record<string, unknown>;

    expect(map['Type']).toBe('Map');
    expect(map['ItemsPath']).toBe('$.plan.batches');
    expect(map['MaxConcurrency']).toBeGreaterThan(0);
    expect(map['MaxConcurrency']).toBeLessThanOrEqual(10);
  });

  it('grants each step what it touches in the manifest: SendTask* only to DecideHumanTask, email only to the steps that send it', () => {
    const answerers = manifest.functions.filter((f) => f.answersStateMachines?.includes('Verification')).map((f) => f.name);
    const mailers = Object.values(machine!.functions).filter((f) => functionByName(f).sendsEmail);

    expect(answerers).toEqual(['DecideHumanTask']);
    expect(manifest.functions.filter((f) => f.startsStateMachines?.includes('Verification')).map((f) => f.name)).toEqual(['CompleteVersion']);
    expect(mailers.sort()).toEqual(['CreateHumanTask', 'EscalateReview', 'MarkVerified', 'ReturnToSubmitter']);
    expect(functionByName('CheckBatch').buckets).toMatchObject({ uploads: 'read', documents: 'readWrite' });
    expect(functionByName('CheckBatch').tables).toBeUndefined();
    expect(manifest.schedules.find((s) => s.name === 'HumanTaskReminders')?.target).toEqual({ function: 'HumanTaskReminders' });
    expect(manifest.routes.find((r) => r.path === '/human-tasks/{id}/page')?.auth).toBe('public');
  });
});
