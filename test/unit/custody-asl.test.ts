import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifest } from '#infra/manifest.ts';

type State = { Type: string; ResultPath?: string | null; OutputPath?: string; ResultWriter?: unknown; ItemReader?: unknown; ItemsPath?: string; Parameters?: { Payload?: Record<string, unknown> }; Retry?: Array<{ ErrorEquals: string[] }>; Catch?: Array<{ Next: string }>; ItemProcessor?: { ProcessorConfig: { Mode: string }; States: Record<string, State> }; Next?: string; Choices?: Array<{ Next: string }>; Default?: string };
const asl = JSON.parse(readFileSync(new URL('../../statemachines/integrity-audit.asl.json', import.meta.url), 'utf8')) as { StartAt: string; States: Record<string, State> };

describe('R10.1 IntegrityAudit state machine', () => {
  it('runs List Results → Check Batches (a Distributed Map on AWS; the local interpreter runs it as batches) → Write Report → Problems? → Alert, as the weekly schedule’s target', () => {
    const schedule = manifest.schedules.find((s) => s.name === 'WeeklyIntegrityAudit');

    expect(asl.StartAt).toBe('List Results');
    expect(asl.States['List Results']?.Next).toBe('Check Batches');
    expect(asl.States['Check Batches']?.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(asl.States['Check Batches']?.Next).toBe('Write Report');
    expect(asl.States['Write Report']?.Next).toBe('Problems?');
    expect(asl.States['Problems?']?.Choices?.[0]?.Next).toBe('Alert');
    expect(schedule?.target).toEqual({ stateMachine: 'IntegrityAudit' });
  });

  it('retries every Lambda task on the Lambda service errors and catches every top-level step into Audit Failed, which records the failure before the execution fails', () => {
    const tasks = { ...asl.States, ...asl.States['Check Batches']?.ItemProcessor?.States };
    const lambdaErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

    for (const [name, state] of Object.entries(tasks).filter(([, s]) => s.Type === 'Task')) {
      expect(state.Retry?.[0]?.ErrorEquals, name).toEqual(expect.arrayContaining(lambdaErrors));
    }
    for (const name of ['List Results', 'Check Batches', 'Write Report', 'Alert']) expect(asl.States[name]?.Catch?.[0]?.Next, name).toBe('Audit Failed');
    expect(asl.States['Audit Failed']?.Type).toBe('Task');
    expect(asl.States[asl.States['Audit Failed']?.Next ?? '']?.Type).toBe('Fail');
  });

  it('keeps the state O(1) in the batch count: each child returns only its batch number, the map discards the results, Write Report gets the batch count', () => {
    const map = asl.States['Check Batches'];
    const check = map?.ItemProcessor?.States['Check Batch'];
    const payload = asl.States['Write Report']?.Parameters?.Payload;

    expect(map?.ResultPath).toBeNull();
    expect(map?.ResultWriter).toBeUndefined();
    expect(map?.ItemReader).toBeUndefined();
    expect(map?.ItemsPath).toBe('$.run.batches');
    expect(check?.OutputPath).toBe('$.Payload.batch');
    expect(payload?.['batches.$']).toBe('States.ArrayLength($.run.batches)');
    expect(JSON.stringify(payload)).not.toContain('$.checks');
  });
});
