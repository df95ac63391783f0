import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
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
