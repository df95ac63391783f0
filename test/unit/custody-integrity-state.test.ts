import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as writeReportStep } from '#functions/custody/write-report.ts';
import { batchListBudgetBytes, checkBatch, listResults, manifestsPerBatch, writeReport } from '#shared/custody/integrity.ts';
import { custodyManifestKey, custodyObjectKey, integrityWorkKey } from '#shared/custody/keys.ts';
import type { CustodyCopyRecord, CustodyRecords } from '#shared/ports/custody.ts';
import { FakeCustodyRecords, FakeCustodyStore, FakeDocuments, FakeMailer, FakeRuns, fakeIdentity, putResult, sha } from './custody-fakes.ts';

const run = { date: '2026-11-08', executionName: 'weekly-1' };
const lambdaContext = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;
const number = (i: number) => `440000-CUS-2026-GT-${String(i).padStart(6, '0')}`;

/** `count` result versions of one file each, recorded in the registry; `bad` of them with changed bytes (same size). */
function custodyOf(count: number, bad: readonly number[] = []): { custody: FakeCustodyStore; records: FakeCustodyRecords } {
  const custody = new FakeCustodyStore();
  const records = new FakeCustodyRecords({ pageSize: 37 });
  for (let i = 1; i <= count; i += 1) {
    putResult([custody], records, number(i), { 'a.txt': `file-${i}` });
    if (bad.includes(i)) custody.tamper(custodyObjectKey(number(i), 1, 'a.txt'), `FILE-${i}`);
  }
  return { custody, records };
}

/** Registry records only, `count` of them (List Results reads nothing else). */
function recordsOnly(count: number): CustodyRecords {
  const copy = (i: number): CustodyCopyRecord => ({
    resultNumber: number(i),
    n: 1,
    submissionId: `sub-${i}`,
    custodianOrg: '440000-CUS',
    organiserOrg: '440000-NR',
    manifestKey: custodyManifestKey(number(i), 1),
    manifestSha256: sha(`m${i}`),
    rootHash: sha(`r${i}`),
    files: 1,
    bytes: 1,
  });
  return {
    listCopies: async (cursor) => {
      const start = Number(cursor ?? 0);
      const end = Math.min(start + 1000, count);
      return { copies: Array.from({ length: end - start }, (_, j) => copy(start + j + 1)), ...(end < count ? { cursor: String(end) } : {}) };
    },
    findCopy: async () => undefined,
    isDestroyed: async () => false,
    listVersionFiles: async () => [],
  };
}

/** List Results and every Check Batch, as the state machine runs them; only what the state keeps comes back. */
async function listAndCheck(world: { custody: FakeCustodyStore; records: FakeCustodyRecords }, documents: FakeDocuments): Promise<{ manifests: number; batches: number }> {
  const listed = await listResults({ records: world.records, documents }, run);
  for (const b of listed.batches) await checkBatch({ ...world, documents, trustStoredChecksums: false }, run, b);
  return { manifests: listed.manifests, batches: listed.batches.length };
}

describe('R10.1 integrity audit review: the state carries no per-batch results (Write Report reads them from the documents bucket)', () => {
  it('writes the report from the results files alone: the Write Report task input holds only the run, the manifest count and the batch count', async () => {
    const world = custodyOf(manifestsPerBatch * 2 + 5, [3, manifestsPerBatch + 7, manifestsPerBatch * 2 + 5]);
    const documents = new FakeDocuments({ pageSize: 2 });
    const state = await listAndCheck(world, documents);
    const runs = new FakeRuns();
    const ports = { ...world, documents, trustStoredChecksums: false, runs, identity: fakeIdentity([]), mailer: new FakeMailer(), now: () => new Date('2026-11-08T19:00:00Z') };

    const out = await writeReportStep.with(ports)({ ...run, manifests: state.manifests, batches: state.batches, execution: 'arn:aws:states:local:000000000000:execution:IntegrityAudit:weekly-1' }, lambdaContext);

    expect(state.batches).toBe(3);
    expect(out).toEqual({ passed: false, problems: 3, reportKey: 'integrity/2026-11-08/weekly-1.json', htmlKey: 'integrity/2026-11-08/weekly-1.html' });
    const report = (await documents.getJson(out.reportKey)) as { manifests: number; objects: number; ok: number; mismatched: number; streamed: number; problems: Array<{ resultNumber: string }> };
    expect(report).toMatchObject({ manifests: 105, objects: 105, ok: 102, mismatched: 3, streamed: 105 });
    expect(report.problems.map((p) => p.resultNumber)).toEqual([number(3), number(manifestsPerBatch + 7), number(manifestsPerBatch * 2 + 5)]);
    expect(await documents.getText(out.htmlKey)).toContain('未通过（3 个对象异常）');
    expect(runs.runs[0]?.run).toMatchObject({ passed: false, objects: 105, problems: 3 });
  });

  it('refuses to report when a batch has no results file, so unchecked objects never pass', async () => {
    const documents = new FakeDocuments();
    const state = await listAndCheck(custodyOf(manifestsPerBatch + 1), documents);
    documents.objects.delete(integrityWorkKey(run.date, run.executionName, 'results', 1));
    const runs = new FakeRuns();

    const attempt = writeReport({ documents, runs, now: () => new Date() }, { ...run, ...state, requestId: 'r' });

    await expect(attempt).rejects.toMatchObject({ code: 'INTEGRITY_RESULTS_INCOMPLETE', missingBatches: [1] });
    expect(documents.objects.has('integrity/2026-11-08/weekly-1.json')).toBe(false);
    expect(runs.runs).toHaveLength(0);
  });

  it('refuses to report when the batches checked fewer manifests than List Results found', async () => {
    const documents = new FakeDocuments();
    const state = await listAndCheck(custodyOf(3), documents);

    const attempt = writeReport({ documents, runs: new FakeRuns(), now: () => new Date() }, { ...run, manifests: state.manifests + 1, batches: state.batches, requestId: 'r' });

    await expect(attempt).rejects.toMatchObject({ code: 'INTEGRITY_RESULTS_INCOMPLETE' });
  });

  it('reads only its own run’s results: another execution on the same day does not leak into the report', async () => {
    const documents = new FakeDocuments();
    const other = { date: run.date, executionName: 'weekly-10' };
    const otherWorld = custodyOf(1, [1]);
    const otherListed = await listResults({ records: otherWorld.records, documents }, other);
    for (const b of otherListed.batches) await checkBatch({ ...otherWorld, documents, trustStoredChecksums: false }, other, b);
    const state = await listAndCheck(custodyOf(2), documents);

    const out = await writeReport({ documents, runs: new FakeRuns(), now: () => new Date() }, { ...run, ...state, requestId: 'r' });

    expect(out).toMatchObject({ passed: true, problems: 0 });
  });

  it('lists 1,596 batches (79,800 result versions) under the longest execution name and refuses 1,597 with INTEGRITY_TOO_MANY_BATCHES, the cap docs/custody.md states', async () => {
    const longRun = { date: run.date, executionName: 'x'.repeat(80) };

    const listed = await listResults({ records: recordsOnly(1596 * manifestsPerBatch), documents: new FakeDocuments() }, longRun);
    const refused = listResults({ records: recordsOnly(1597 * manifestsPerBatch), documents: new FakeDocuments() }, longRun);

    expect(listed.batches).toHaveLength(1596);
    expect(Buffer.byteLength(JSON.stringify(listed.batches))).toBeLessThanOrEqual(batchListBudgetBytes);
    await expect(refused).rejects.toMatchObject({ code: 'INTEGRITY_TOO_MANY_BATCHES', batches: 1597 });
  });
});
