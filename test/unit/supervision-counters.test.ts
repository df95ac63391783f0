import { describe, expect, it } from 'vitest';
import { DynamoIntegrityRunLog } from '#adapters/s3-custody.ts';
import { writeReport, type BatchResults } from '#shared/custody/integrity.ts';
import { integrityWorkKey } from '#shared/custody/keys.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { markVerified } from '#shared/submission/outcomes.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { recordCompletion, registerSurveyTask } from '#shared/submission/tasks.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { counterKey, replay, type CounterTable } from '#shared/supervision/rebuild.ts';
import { clockType } from '#shared/supervision/clock-types.ts';
import { forestryCopyWorkingDays, sendForestryCopy } from '#shared/transfer/forestry.ts';
import { forestryCopyAckKind } from '#shared/transfer/task-kinds.ts';
import { FakeDocuments } from './custody-fakes.ts';
import { InMemoryRegistryAccess, catalogue, standardFiles } from './submission-fakes.ts';
import { transferWorld, type TransferWorld } from './transfer-fakes.ts';

/** Every SUPCOUNT item of the in-memory registry (a test may scan its own table). */
function stored(t: TransferWorld): CounterTable {
  const out: CounterTable = new Map();
  for (const item of t.world.tables.scan('registry').filter((i) => String(i['pk']).startsWith('SUPCOUNT#'))) {
    const row = new Map<string, number>();
    for (const [k, v] of Object.entries(item)) if (k.startsWith('m:') && v !== 0) row.set(k.slice(2), v as number);
    out.set(counterKey(String(item['org']), String(item['month'])), row);
  }
  return out;
}
const counter = (t: TransferWorld, org: string, month: string, metric: string) => stored(t).get(counterKey(org, month))?.get(metric) ?? 0;
const rebuilt = (t: TransferWorld) => replay(t.world.identity.auditRecords() as unknown as AuditRecord[]).counters;

async function verifiedForestryResult(t: TransferWorld): Promise<string> {
  const { world } = t;
  const task = await registerSurveyTask(
    { actor: await world.user('lin.feng'), input: { name: '2026 年度广东省森林资源调查', theme: 'forest', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' }, requestId: 'task' },
    world.ports,
  );
  await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports);
  const opened = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: 'open' }, world.ports);
  const id = opened.submission.submissionId;
  for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
  await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'seal' }, world.ports);
  await markVerified(world.ports, { submissionId: id, n: 1, decidedBy: 'lin.feng' });
  return id;
}

describe('R8.2 R21.1 issue 14: forestry copies are counted in the same transaction as their timeline events', () => {
  it('counts the copy sent once (a retried step adds nothing) and the acknowledgement, and a rebuild from the audit trail gives the same counters; the R8.2 clock runs from verification until the acknowledgement', async () => {
    // prepare
    const t = await transferWorld();
    const id = await verifiedForestryResult(t);
    t.world.setNow('2026-10-20T02:00:00.000Z');
    const kind = forestryCopyAckKind({ store: t.world.store, catalogue: t.cat.store, identity: t.world.identity, now: () => t.world.now });
    const task = { id: 'task-ack', kind: 'forestryCopyAck', subject: { submissionId: id } } as unknown as HumanTask;

    // act
    await sendForestryCopy(t.ports, { submissionId: id, requestId: 'f1' });
    const sent = await sendForestryCopy(t.ports, { submissionId: id, requestId: 'f2' });
    const running = { ...t.world.tables.get('registry', { pk: `CLOCK#R8.2#${id}`, sk: 'META' }) };
    t.world.setNow('2026-11-03T02:00:00.000Z');
    await kind.record!(task, [{ type: 'reminderSent', detail: {} }], 'remind');
    await kind.record!(task, [{ type: 'decided', detail: { taskId: 'task-ack', decision: 'approve', decidedBy: 'chen.jing' } }], 'ack');

    // assess
    expect(counter(t, '440000-FG', '2026-10', 'R8.2.sent')).toBe(1);
    expect(counter(t, '440000-FG', '2026-11', 'R8.2.acknowledged')).toBe(1);
    expect(counter(t, '440000-FG', '2026-10', 'R8.2.acknowledged')).toBe(0);
    expect(rebuilt(t)).toEqual(stored(t));
    // the clock: owned by the forestry organiser, due on the copy's own due date (30 working days from verification), met by the acknowledgement
    expect(clockType('R8.2')).toMatchObject({ days: forestryCopyWorkingDays, context: 'transfer' });
    expect(running).toMatchObject({ type: 'R8.2', state: 'running', ownerOrg: '440000-FG', due: sent.due, gsi1pk: 'CLOCKS#open' });
    expect(t.world.tables.get('registry', { pk: `CLOCK#R8.2#${id}`, sk: 'META' })).toMatchObject({ state: 'met' });
  }, 60_000);

  it('does not count a returned copy as acknowledged', async () => {
    // prepare
    const t = await transferWorld();
    const id = await verifiedForestryResult(t);
    const kind = forestryCopyAckKind({ store: t.world.store, catalogue: t.cat.store, identity: t.world.identity, now: () => t.world.now });
    const task = { id: 'task-ack', kind: 'forestryCopyAck', subject: { submissionId: id } } as unknown as HumanTask;

    // act
    await kind.record!(task, [{ type: 'decided', detail: { taskId: 'task-ack', decision: 'return', reasons: '副本缺少元数据', decidedBy: 'chen.jing' } }], 'ret');

    // assess
    expect([...stored(t).values()].some((row) => row.has('R8.2.acknowledged'))).toBe(false);
    expect(rebuilt(t)).toEqual(stored(t));
  }, 60_000);
});

/** The results files of a run of `batches` batches, as Check Batch writes them. */
async function stagedRun(docs: FakeDocuments, run: { date: string; executionName: string }, batches: BatchResults[]): Promise<void> {
  for (const b of batches) await docs.putJson(integrityWorkKey(run.date, run.executionName, 'results', b.batch), b);
}
const batch = (n: number, byCustodian: Record<string, number>, problems: BatchResults['problems'] = []): BatchResults => {
  const manifests = Object.values(byCustodian).reduce((s, x) => s + x, 0);
  return { batch: n, manifests, objects: manifests, ok: manifests - problems.length, missing: problems.length, mismatched: 0, byStoredChecksum: 0, streamed: manifests, bytesStreamed: 0, problems, byCustodian };
};
const missingObject = (custodianOrg: string, i: number) => ({ resultNumber: `440000-CUS-2026-GT-00000${i}`, n: 1, custodianOrg, organiserOrg: '440000-NR', key: `custody/x/${i}`, status: 'missing' as const });

describe('R10.1 R21.1 issue 14: integrity audits and their findings are counted per custodian in the run record\'s transaction', () => {
  it('counts one audit for every custodian checked and its findings; a retried Write Report adds nothing; rebuild = incremental', async () => {
    // prepare
    const t = await transferWorld();
    const docs = new FakeDocuments();
    const run = { date: '2026-11-08', executionName: 'weekly-2026-11-08' };
    await stagedRun(docs, run, [batch(0, { '440000-CUS': 2, '440100-CUS': 1 }, [missingObject('440100-CUS', 1), missingObject('440100-CUS', 2)]), batch(1, { '440000-CUS': 1 })]);
    const runs = new DynamoIntegrityRunLog('registry', (items, entry) => new InMemoryRegistryAccess(t.world.tables).write(items, entry));
    const ports = { documents: docs, runs, now: () => new Date('2026-11-08T02:00:00.000Z') };

    // act
    await writeReport(ports, { ...run, manifests: 4, batches: 2, requestId: 'w1' });
    await writeReport(ports, { ...run, manifests: 4, batches: 2, requestId: 'w2' });

    // assess
    expect(counter(t, '440000-CUS', '2026-11', 'R10.1.audits')).toBe(1);
    expect(counter(t, '440000-CUS', '2026-11', 'R10.1.findings')).toBe(0);
    expect(counter(t, '440100-CUS', '2026-11', 'R10.1.audits')).toBe(1);
    expect(counter(t, '440100-CUS', '2026-11', 'R10.1.findings')).toBe(2);
    expect(t.world.identity.auditRecords().filter((r) => r.action === 'custody.integrity.audit')).toHaveLength(1);
    expect(rebuilt(t)).toEqual(stored(t));
  }, 60_000);

  it('a national run over more custodians than one transaction holds counts each once, in parts, and a retry adds nothing', async () => {
    // prepare
    const t = await transferWorld();
    const docs = new FakeDocuments();
    const run = { date: '2026-11-08', executionName: 'national' };
    const custodians = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`C${String(i).padStart(3, '0')}-CUS`, 1]));
    await stagedRun(docs, run, [batch(0, custodians, [missingObject('C149-CUS', 1)])]);
    const runs = new DynamoIntegrityRunLog('registry', (items, entry) => new InMemoryRegistryAccess(t.world.tables).write(items, entry));
    const ports = { documents: docs, runs, now: () => new Date('2026-11-08T02:00:00.000Z') };

    // act
    await writeReport(ports, { ...run, manifests: 150, batches: 1, requestId: 'n1' });
    await writeReport(ports, { ...run, manifests: 150, batches: 1, requestId: 'n2' });

    // assess
    const counts = [...stored(t).entries()].filter(([k]) => k.endsWith('\u00002026-11'));
    expect(counts).toHaveLength(150);
    expect(counts.every(([, row]) => row.get('R10.1.audits') === 1)).toBe(true);
    expect(counter(t, 'C149-CUS', '2026-11', 'R10.1.findings')).toBe(1);
    expect(t.world.identity.auditRecords().filter((r) => r.action === 'custody.integrity.audit').length).toBeGreaterThan(1);
    expect(rebuilt(t)).toEqual(stored(t));
  }, 60_000);
});
