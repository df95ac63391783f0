import { describe, expect, it } from 'vitest';
import { counterRepair } from '#adapters/dynamo-supervision.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { markVerified, returnVersion } from '#shared/submission/outcomes.ts';
import { createNextVersion, openSubmission } from '#shared/submission/submissions.ts';
import { recordCompletion } from '#shared/submission/tasks.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { assignNumber, recordReceipt } from '#shared/transfer/transfer.ts';
import { counterKey, replay, type CounterTable } from '#shared/supervision/rebuild.ts';
import { rebuildCounters } from '#shared/supervision/rebuild-run.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { InMemoryRegistryAccess, catalogue, registeredTask, standardFiles } from './submission-fakes.ts';
import { transferWorld, type TransferWorld } from './transfer-fakes.ts';

/** The counters as the events' transactions left them: every SUPCOUNT item (a test may scan its own in-memory table). */
function stored(t: TransferWorld): CounterTable {
  const out: CounterTable = new Map();
  for (const item of t.world.tables.scan('registry').filter((i) => String(i['pk']).startsWith('SUPCOUNT#'))) {
    const row = new Map<string, number>();
    for (const [k, v] of Object.entries(item)) if (k.startsWith('m:')) row.set(k.slice(2), v as number);
    out.set(counterKey(String(item['org']), String(item['month'])), row);
  }
  return out;
}

/** A month of workflow: completions (one corrected), seals on time and late, a return and a resubmission, verifications, a transfer received. */
async function history(t: TransferWorld) {
  const w = t.world;
  const seal = async (id: string, n: number) => {
    for (const f of standardFiles) w.objects.putObject(objectKey(id, n, f.path), f.size);
    await completeVersion({ actor: await w.user('li.na'), submissionId: id, n, requestId: `s-${id}-${n}` }, w.ports);
  };
  const ids: string[] = [];
  for (const [i, completion] of ['2026-07-20', '2026-08-03', '2026-09-01'].entries()) {
    w.setNow('2026-09-02T02:00:00.000Z');
    const task = await registeredTask(w, { completed: false });
    await recordCompletion({ actor: await w.user('li.na'), taskId: task.taskId, completionDate: '2026-06-30', requestId: `first-${i}` }, w.ports);
    await recordCompletion({ actor: await w.user('li.na'), taskId: task.taskId, completionDate: completion, requestId: `moved-${i}` }, w.ports);
    const opened = await openSubmission({ actor: await w.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: `o-${i}` }, w.ports);
    w.setNow(`2026-09-${String(10 + i * 5).padStart(2, '0')}T02:00:00.000Z`);
    await seal(opened.submission.submissionId, 1);
    ids.push(opened.submission.submissionId);
  }
  await returnVersion(w.ports, { submissionId: ids[0]!, n: 1, reasons: ['坐标系不符合要求'], defects: [{ file: 'a.prj', rule: 'crs.not-cgcs2000', message: '坐标系', severity: 'error' }], decidedBy: 'chen.jing' });
  w.setNow('2026-10-12T02:00:00.000Z');
  await createNextVersion({ actor: await w.user('li.na'), submissionId: ids[0]!, files: standardFiles, requestId: 'v2' }, w.ports);
  await seal(ids[0]!, 2);
  await markVerified(w.ports, { submissionId: ids[0]!, n: 2, decidedBy: 'chen.jing' });
  await markVerified(w.ports, { submissionId: ids[1]!, n: 1, decidedBy: 'chen.jing' });
  const { resultNumber } = await assignNumber(t.ports, { submissionId: ids[1]!, requestId: 'a' });
  w.setNow('2026-11-20T02:00:00.000Z');
  await recordReceipt(t.ports, { submissionId: ids[1]!, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt: w.now.toISOString() }, requestId: 'r' });
}

describe('R21.1 issue 14: counters rebuilt from the audit trail equal the incremental ones', () => {
  it('replaying every audit record gives exactly the counters the events’ transactions wrote', async () => {
    // prepare
    const t = await transferWorld();
    await history(t);
    const incremental = stored(t);

    // act
    const rebuilt = replay(t.world.identity.auditRecords() as unknown as AuditRecord[]).counters;

    // assess
    expect(incremental.size).toBeGreaterThan(3);
    expect(rebuilt).toEqual(incremental);
  }, 60_000);

  it('names a counter changed outside the events and repairs it with --write (audited)', async () => {
    // prepare
    const t = await transferWorld();
    await history(t);
    const [key] = [...stored(t).keys()];
    const [org, month] = key!.split('\u0000') as [string, string];
    const item = t.world.tables.get('registry', { pk: `SUPCOUNT#${org}`, sk: month })!;
    t.world.tables.put('registry', { ...item, 'm:clock.R6.1.due': 99 });
    const records = t.world.identity.auditRecords() as unknown as AuditRecord[];
    const chain = { readHead: async () => undefined, readRecords: async () => ({ records }) };
    const counters = counterRepair(new InMemoryRegistryAccess(t.world.tables));

    // act
    const check = await rebuildCounters({ chain, counters }, { write: false, requestId: 'check' });
    const repair = await rebuildCounters({ chain, counters }, { write: true, requestId: 'repair' });
    const after = await rebuildCounters({ chain, counters }, { write: false, requestId: 'after' });

    // assess
    expect(check.differences).toEqual([expect.objectContaining({ org, month, metric: 'clock.R6.1.due', stored: 99 })]);
    expect(repair.repaired).toBe(1);
    expect(after.differences).toEqual([]);
    expect(t.world.identity.auditRecords().at(-1)).toMatchObject({ action: 'supervision.counters.rebuild' });
  }, 60_000);
});
