import { describe, expect, it } from 'vitest';
import { handler as getAuditHandler } from '#functions/custody/get-integrity-audit.ts';
import { handler as listAuditsHandler } from '#functions/custody/list-integrity-audits.ts';
import { seedUsers } from '#infra/local/seed.ts';
import type { IntegrityRun, Problem } from '#shared/custody/integrity.ts';
import type { IntegrityRunReader } from '#shared/custody/integrity-reports.ts';
import { clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';
import { InMemoryDocuments } from './tasks-fakes.ts';

/** The runs as the registry holds them (newest first on gsi1 in the adapter; here, sorted the same way). */
class FakeRuns implements IntegrityRunReader {
  constructor(private readonly runs: IntegrityRun[]) {}
  async listRuns(limit: number) {
    return [...this.runs].sort((a, b) => (a.checkedAt < b.checkedAt ? 1 : -1)).slice(0, limit);
  }
  async getRun(date: string, executionName: string) {
    return this.runs.find((r) => r.date === date && r.executionName === executionName);
  }
}

const problem = (resultNumber: string, status: Problem['status'], custodianOrg: string, organiserOrg: string): Problem => ({
  key: `results/${resultNumber}/v1/data/landuse.gpkg`,
  resultNumber,
  n: 1,
  custodianOrg,
  organiserOrg,
  status,
  expectedSha256: 'a'.repeat(64),
  ...(status === 'mismatch' ? { actualSha256: 'b'.repeat(64) } : {}),
});

const internalResult = '440000-CUS-2026-GT-000001';
const secretResult = '440000-CUS-2026-GT-000002';
const forestResult = '440000-FG-2026-SL-000003';
const classificationOf: Record<string, Classification> = { [internalResult]: 'internal', [secretResult]: 'secret', [forestResult]: 'public' };

async function world() {
  const w = await submissionWorld();
  const documents = new InMemoryDocuments();
  const failed: IntegrityRun = { date: '2026-11-29', executionName: 'weekly-b', checkedAt: '2026-11-28T19:05:00.000Z', passed: false, objects: 40, problems: 3, reportKey: 'integrity/2026-11-29/weekly-b.json', htmlKey: 'integrity/2026-11-29/weekly-b.html' };
  const passed: IntegrityRun = { date: '2026-11-22', executionName: 'weekly-a', checkedAt: '2026-11-21T19:05:00.000Z', passed: true, objects: 38, problems: 0, reportKey: 'integrity/2026-11-22/weekly-a.json', htmlKey: 'integrity/2026-11-22/weekly-a.html' };
  await documents.putJson(failed.reportKey, {
    date: failed.date,
    executionName: failed.executionName,
    passed: false,
    problems: [
      problem(internalResult, 'missing', '440000-CUS', '440000-NR'),
      problem(secretResult, 'mismatch', '440000-CUS', '440000-NR'),
      // Another chain: 广东省林业局 (under 国家林草局), not under 广东省自然资源厅.
      problem(forestResult, 'manifestMissing', '440000-FG', '440000-FG'),
    ],
  });
  const catalogue = { getEntry: async (rn: string) => (classificationOf[rn] ? { resultNumber: rn, classification: classificationOf[rn] } : undefined) };
  const ports = { verifier: portsFor(w).verifier, identity: w.identity, runs: new FakeRuns([passed, failed]), documents, catalogue };
  return { list: listAuditsHandler.with(ports as never), get: getAuditHandler.with(ports as never) };
}

type Finding = { resultNumber: string; hidden: boolean; key?: string; actualSha256?: string; statusLabel: string };

describe('R10.1 R3.1 R5.1 issue 13: the integrity audit’s reports read back (GET /custody/integrity-audits), each finding to the organisations it concerns and within clearance', () => {
  it('lists the runs newest first, each with the findings that concern the reader’s organisation or those below it', async () => {
    // prepare
    const { list } = await world();

    // act
    const custodian = await call(list as never, 'GET', '/custody/integrity-audits', { user: 'zhang.wei' });
    const forestry = await call(list as never, 'GET', '/custody/integrity-audits', { user: 'lin.feng' });
    const national = await call(list as never, 'GET', '/custody/integrity-audits', { user: 'sun.yue' });
    const submitter = await call(list as never, 'GET', '/custody/integrity-audits', { user: 'li.na' });
    const badLimit = await call(list as never, 'GET', '/custody/integrity-audits', { user: 'zhang.wei', query: { limit: '500' } });

    // assess
    expect(custodian.status).toBe(200);
    expect(custodian.body.items.map((r: { runId: string; passed: boolean; problems: number; mine: number }) => [r.runId, r.passed, r.problems, r.mine])).toEqual([
      ['2026-11-29.weekly-b', false, 3, 2],
      ['2026-11-22.weekly-a', true, 0, 0],
    ]);
    expect(forestry.body.items[0].mine).toBe(1);
    expect(national.body.items[0].mine).toBe(2);
    expect(submitter.status).toBe(403);
    expect(badLimit.status).toBe(400);
    expect(JSON.stringify(badLimit.body)).toContain('query.limit');
  });

  it('opens a run: only the findings that concern the reader; a result above the reader’s clearance (or not catalogued) by its number and status only', async () => {
    // prepare
    const { get } = await world();
    const path = '/custody/integrity-audits/{runId}';
    const open = (user: string, runId = '2026-11-29.weekly-b') => call(get as never, 'GET', path, { user, pathParameters: { runId } });

    // act
    const custodian = await open('zhang.wei'); // secret clearance
    const supervisor = await open('zhou.hong'); // internal clearance, 广东省自然资源厅
    const forestry = await open('lin.feng');
    const missing = await open('zhang.wei', '2026-11-30.nothing');

    // assess
    expect(custodian.status).toBe(200);
    const seen = custodian.body.findings as Finding[];
    expect(seen.map((f) => [f.resultNumber, f.hidden])).toEqual([
      [internalResult, false],
      [secretResult, false],
    ]);
    expect(seen[1]).toMatchObject({ key: `results/${secretResult}/v1/data/landuse.gpkg`, actualSha256: 'b'.repeat(64), statusLabel: expect.stringContaining('校验值不符') });
    const hiddenForSupervisor = (supervisor.body.findings as Finding[]).find((f) => f.resultNumber === secretResult)!;
    expect(hiddenForSupervisor).toEqual({ resultNumber: secretResult, n: 1, status: 'mismatch', statusLabel: expect.any(String), custodianOrg: '440000-CUS', organiserOrg: '440000-NR', hidden: true });
    expect((supervisor.body.findings as Finding[]).find((f) => f.resultNumber === internalResult)).toMatchObject({ hidden: false, key: `results/${internalResult}/v1/data/landuse.gpkg` });
    expect((forestry.body.findings as Finding[]).map((f) => f.resultNumber)).toEqual([forestResult]);
    expect(missing.status).toBe(404);
  });

  it('answers every demo user by role: custodians, reviewers, supervisors and administrators read; the rest 403; each sees only findings in scope and within clearance', async () => {
    // prepare
    const { get } = await world();
    const readers = ['custodian', 'reviewer', 'supervisor', 'administrator'];
    const mismatches: string[] = [];

    // act
    for (const u of seedUsers) {
      const res = await call(get as never, 'GET', '/custody/integrity-audits/{runId}', { user: u.userId, pathParameters: { runId: '2026-11-29.weekly-b' } });
      const want = u.roles.some((r) => readers.includes(r)) ? 200 : 403;
      if (res.status !== want) mismatches.push(`${u.userId}: want ${want}, got ${res.status}`);
      for (const f of (res.body.findings ?? []) as Finding[]) {
        if (!f.hidden && !clearanceAllows(u.clearance, classificationOf[f.resultNumber]!)) mismatches.push(`${u.userId} sees ${f.resultNumber} above clearance`);
      }
    }

    // assess
    expect(mismatches).toEqual([]);
  });
});
