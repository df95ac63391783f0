import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { manifestMachines } from '#infra/local/sfn-endpoint.ts';
import { LocalStepFunctions } from '#infra/local/sfn-engine.ts';
import { localAccount, localRegion } from '#infra/local/ports.ts';
import { functionByName, manifest } from '#infra/manifest.ts';

/** asl-validator ships with aws-local-stepfunctions (its validator); CommonJS without type declarations. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

type State = Record<string, unknown> & { Type: string };

const machine = manifest.stateMachines.find((m) => m.name === 'Transfer');
const raw = readFileSync(join(projectRoot, 'statemachines', 'transfer.asl.json'), 'utf8');
const definition = JSON.parse(raw) as { StartAt: string; States: Record<string, State> };

function resolved(): unknown {
  let text = raw;
  for (const [placeholder, fn] of Object.entries(machine?.functions ?? {})) {
    text = text.replaceAll(`\${${placeholder}}`, `arn:aws:lambda:${localRegion}:${localAccount}:function:${fn}`);
  }
  return JSON.parse(text);
}

describe('R8.1 R8.2 the Transfer ASL (statemachines/transfer.asl.json)', () => {
  it('is a valid state machine for asl-validator and for the local interpreter, its placeholders all mapped to declared functions', () => {
    const placeholders = [...raw.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);

    const result = aslValidator(resolved(), { checkArn: true, checkPaths: true });

    expect(result.errorsText('\n')).toBe('');
    expect(() => new StateMachine(resolved() as never, { validationOptions: { checkArn: true, checkPaths: true } })).not.toThrow();
    expect(new Set(placeholders)).toEqual(new Set(Object.keys(machine!.functions)));
    for (const fn of Object.values(machine!.functions)) expect(() => functionByName(fn)).not.toThrow();
  });

  it('numbers before it copies, and sends every failure of a Lambda step to "Transfer Failed"', () => {
    const tasks = Object.entries(definition.States).filter(([name, s]) => s.Type === 'Task' && name !== 'Transfer Failed');

    expect(definition.StartAt).toBe('Assign Number');
    expect(definition.States['Assign Number']?.['Next']).toBe('Plan Custody Copy');
    for (const [name, state] of tasks) {
      const catches = (state['Catch'] as Array<{ ErrorEquals: string[]; Next: string }>).filter((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catches.map((c) => c.Next), name).toEqual(['Transfer Failed']);
    }
  });

  it('waits on the custodian\'s receipt and the forestry acknowledgement with a timeout that escalates, within the local timer range', () => {
    const waits = Object.entries(definition.States).filter(([, s]) => String(s['Resource']).endsWith('.waitForTaskToken'));

    expect(waits.map(([, s]) => (s['Parameters'] as { Payload: { kind: string } }).Payload.kind).sort()).toEqual(['custodyReceipt', 'custodyReceipt', 'forestryCopyAck', 'forestryCopyAck']);
    for (const [name, state] of waits) {
      // Node timers overflow above 2^31-1 ms (~24.8 days): a longer local timeout would fire at once.
      expect(state['TimeoutSeconds'] as number, name).toBeLessThanOrEqual(2_147_483);
      const timeout = (state['Catch'] as Array<{ ErrorEquals: string[]; Next: string }>).find((c) => c.ErrorEquals.includes('States.Timeout'));
      expect(timeout?.Next, name).toMatch(/^Escalate /);
    }
  });

  it('issue-11 copies the package in a Distributed Map of copy batches, then writes the manifest: no one function carries the whole package', () => {
    const map = definition.States['Copy Files'] as State & { ItemProcessor: { ProcessorConfig: Record<string, string>; States: Record<string, State> } };

    expect(definition.States['Plan Custody Copy']?.['Next']).toBe('Copy Files');
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map['ItemsPath']).toBe('$.plan.batches');
    expect(map['ToleratedFailurePercentage']).toBe(0);
    expect(map['ResultPath']).toBeNull();
    expect(map['Next']).toBe('Copy Into Custody');
    expect(JSON.stringify(map.ItemProcessor.States)).toContain('${CopyCustodyBatchFunctionArn}');
    expect(machine!.functions['PlanCustodyCopyFunctionArn']).toBe('PlanCustodyCopy');
  });
});

// ---- issue 11: a batch that does not finish in one invocation loops on the local engine (the real ASL, fake functions)

const engines: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

type Call = { fn: string; payload: Record<string, any> };

/**
 * Fake Transfer steps (same unit: no human task). CopyCustodyBatch answers from `copy(batch, invocation)`:
 * a number of parts still to go (> 0: continue:true) or an error name to throw (a killed Lambda).
 */
function transferFakes(copy: (batch: number, call: number) => number | string) {
  const calls: Call[] = [];
  const perBatch = new Map<number, number>();
  const invoke = async (fn: string, payload: unknown) => {
    const p = payload as Record<string, any>;
    calls.push({ fn, payload: p });
    switch (fn) {
      case 'AssignNumber':
        return { n: 1, resultNumber: 'N1', transferRequired: false, custodianOrg: '440000-CUS' };
      case 'PlanCustodyCopy':
        return { batches: [{ batch: 1, limit: 1, bytes: 5 * 1024 ** 4 }, { batch: 2, after: 'a.tif', limit: 3, bytes: 30 }], files: 4, bytes: 5 * 1024 ** 4 + 30 };
      case 'CopyCustodyBatch': {
        const batch = Number(p['batch']['batch']);
        const call = (perBatch.get(batch) ?? 0) + 1;
        perBatch.set(batch, call);
        const left = copy(batch, call);
        if (typeof left === 'string') throw Object.assign(new Error(`${fn} killed`), { name: left });
        const invocation = Number(p['resume']?.['invocation'] ?? 0) + 1;
        const uploads = left > 0 ? [{ bucket: 'custody', key: 'results/N1/v1/a.tif', uploadId: 'u1', sourceEtag: '"e-10000"', partsDone: 10_000 - left, parts: 10_000 }] : [];
        return { batch, files: left > 0 ? 0 : 1, bytes: 0, written: 0, continue: left > 0, resume: { invocation, uploads } };
      }
      case 'CopyIntoCustody':
        return { manifestKey: 'manifests/N1/v1.json', files: 4, bytes: 30, copiedAt: '2026-12-01T08:00:00Z' };
      case 'RecordReceipt':
        return { receivedAt: '2026-12-01T08:00:00Z', catalogueReportDue: '2027-01-13' };
      case 'RecordCorrection':
        return { correction: false, problemIds: [], notified: [] };
      case 'SendForestryCopy':
        return { required: false };
      default:
        return {};
    }
  };
  return { calls, invoke };
}

async function runTransfer(f: ReturnType<typeof transferFakes>) {
  const spec = manifestMachines(projectRoot).find((m) => m.name === 'Transfer')!;
  const engine = new LocalStepFunctions({ machines: [spec], invoke: f.invoke });
  engines.push(engine);
  const { executionArn } = engine.startExecution({ stateMachineArn: engine.stateMachineArn('Transfer'), name: 't-1', input: JSON.stringify({ submissionId: 'S1' }) });
  return engine.settled(executionArn);
}

describe('R8.1 R10.1 issue-11 the Transfer machine copies one big file over several invocations (local engine)', () => {
  it('calls Copy Batch again with the state it returned until continue is false, then writes the manifest once', async () => {
    // prepare: batch 1 (a 5 TiB file) needs three invocations, batch 2 one
    const f = transferFakes((batch, call) => (batch === 1 ? [6000, 2500, 0][call - 1]! : 0));
    // act
    const done = await runTransfer(f);
    // assess
    expect(done?.status, done?.cause).toBe('SUCCEEDED');
    const copies = f.calls.filter((c) => c.fn === 'CopyCustodyBatch' && c.payload['batch']['batch'] === 1);
    expect(copies.map((c) => c.payload['resume'])).toEqual([
      { invocation: 0, uploads: [] },
      { invocation: 1, uploads: [{ bucket: 'custody', key: 'results/N1/v1/a.tif', uploadId: 'u1', sourceEtag: '"e-10000"', partsDone: 4000, parts: 10_000 }] },
      { invocation: 2, uploads: [{ bucket: 'custody', key: 'results/N1/v1/a.tif', uploadId: 'u1', sourceEtag: '"e-10000"', partsDone: 7500, parts: 10_000 }] },
    ]);
    for (const c of copies) expect(c.payload).toMatchObject({ submissionId: 'S1', n: 1, resultNumber: 'N1', batch: { batch: 1, limit: 1 } });
    expect(f.calls.filter((c) => c.fn === 'CopyCustodyBatch' && c.payload['batch']['batch'] === 2)).toHaveLength(1);
    const order = f.calls.map((c) => c.fn);
    expect(order.filter((fn) => fn === 'CopyIntoCustody')).toHaveLength(1);
    expect(order.lastIndexOf('CopyCustodyBatch')).toBeLessThan(order.indexOf('CopyIntoCustody'));
  });

  it('retries a killed invocation (Sandbox.Timedout) on the same input, so the copy resumes from what S3 holds', async () => {
    // prepare: batch 1's second invocation is killed once
    const f = transferFakes((batch, call) => (batch === 1 ? [5000, 'Sandbox.Timedout', 0][call - 1]! : 0));
    // act
    const done = await runTransfer(f);
    // assess
    expect(done?.status, done?.cause).toBe('SUCCEEDED');
    const copies = f.calls.filter((c) => c.fn === 'CopyCustodyBatch' && c.payload['batch']['batch'] === 1);
    expect(copies).toHaveLength(3);
    expect(copies[2]!.payload).toEqual(copies[1]!.payload);
    expect(copies[1]!.payload['resume']).toMatchObject({ invocation: 1, uploads: [{ uploadId: 'u1', partsDone: 5000 }] });
  }, 30_000);

  it('fails the transfer (recorded) when a batch’s copy fails for a reason a retry cannot mend', async () => {
    // prepare
    const f = transferFakes((batch, call) => (batch === 1 && call === 2 ? 'CustodySourceChangedError' : batch === 1 && call === 1 ? 100 : 0));
    // act
    const done = await runTransfer(f);
    // assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'TransferFailed' });
    expect(f.calls.filter((c) => c.fn === 'CopyCustodyBatch' && c.payload['batch']['batch'] === 1)).toHaveLength(2);
    expect(f.calls.some((c) => c.fn === 'CopyIntoCustody')).toBe(false);
    expect(f.calls.at(-1)?.fn).toBe('RecordTransferFailure');
  });
});
