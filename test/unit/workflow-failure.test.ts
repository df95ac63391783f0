import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as recordFailure } from '#functions/platform/record-workflow-failure.ts';
import { readWholeChain } from '#shared/audit/read-chain.ts';
import { auditTrail } from '#adapters/audited-write.ts';
import { maxCauseLength } from '#shared/platform/workflow-failure.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';

const context = { awsRequestId: 'aws-1' } as unknown as Context;
const execution = 'arn:aws:states:cn-north-1:000000000000:execution:Destruction:d-1';

describe('R10.1 issue 9 RecordWorkflowFailure: a failed workflow step leaves one audited record before the execution fails', () => {
  it('appends one workflow.failed record naming the machine, its subject, the error and the execution', async () => {
    const store = new InMemoryTables();
    const handler = recordFailure.with({ trail: auditTrail(store, () => new Date('2026-12-03T01:02:03Z')) });

    const out = await handler(
      { stateMachine: 'Destruction', subject: { resultNumber: 'CG-1', destructionId: 'D1' }, failure: { Error: 'CustodyDeleteError', Cause: '删除失败' }, execution },
      context,
    );
    const { records } = await readWholeChain(store);

    expect(out).toEqual({ recorded: true, seq: 1 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      actor: 'system:Destruction',
      orgCode: 'SYSTEM',
      action: 'workflow.failed',
      target: `EXECUTION#${execution}`,
      outcome: 'failed',
      requestId: 'aws-1',
      detail: { stateMachine: 'Destruction', subject: { resultNumber: 'CG-1', destructionId: 'D1' }, error: 'CustodyDeleteError', cause: '删除失败', execution },
    });
  });

  it('keeps the start of a long cause and takes a Catch output without Cause', async () => {
    const store = new InMemoryTables();
    const handler = recordFailure.with({ trail: auditTrail(store) });

    await handler({ stateMachine: 'IntegrityAudit', subject: { executionName: 'audit-1' }, failure: { Error: 'States.TaskFailed', Cause: 'x'.repeat(5000) } }, context);
    await handler({ stateMachine: 'CatalogueReport', failure: { Error: 'States.Timeout' } }, context);
    const { records } = await readWholeChain(store);

    expect((records[0]?.detail?.['cause'] as string).length).toBe(maxCauseLength);
    expect(records[1]).toMatchObject({ target: 'WORKFLOW#CatalogueReport', detail: { subject: {}, error: 'States.Timeout', cause: '' } });
  });

  it('refuses an input without the machine or the failure (ValidationError naming the field) and records nothing', async () => {
    const store = new InMemoryTables();
    const handler = recordFailure.with({ trail: auditTrail(store) });

    await expect(handler({ failure: { Error: 'X' } }, context)).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('stateMachine') });
    await expect(handler({ stateMachine: 'Destruction' }, context)).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('failure') });
    expect((await readWholeChain(store)).records).toEqual([]);
  });
});
