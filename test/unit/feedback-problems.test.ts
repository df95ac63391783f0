import { describe, expect, it } from 'vitest';
import { DynamoProblemStore } from '#adapters/dynamo-feedback.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { handler as reportHandler } from '#functions/feedback/report-problem.ts';
import { handler as listHandler } from '#functions/feedback/list-problems.ts';
import { handler as decideHandler } from '#functions/feedback/decide-problem.ts';
import { handler as verifyHandler } from '#functions/feedback/verify-problem.ts';
import { handler as orgListHandler } from '#functions/feedback/list-org-problems.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { fileKnown, listOrgProblems, type ResultFiles } from '#shared/feedback/problems.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { InMemoryRegistryAccess, call, portsFor, standardFiles, submissionWorld } from './submission-fakes.ts';
import { RecordingMailer } from './tasks-fakes.ts';

/** The verified package's paths, as custody records hold them (the registry adapter is CustodyResultFiles). */
class PackageFiles implements ResultFiles {
  async list(): Promise<string[]> {
    return standardFiles.map((f) => f.path);
  }
}

/** One catalogued 内部 result of 广东 (custodian 440000-CUS, organiser 440000-NR, implementer 440000-IMP). */
async function feedbackWorld() {
  const w = await submissionWorld();
  const cat = catalogueWorld(w);
  const submissionId = await verifiedSubmission(w, { classification: 'internal', name: '质量反馈测试成果' });
  const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg' });
  const problems = new DynamoProblemStore(new InMemoryRegistryAccess(w.tables));
  let n = 0;
  const mailer = new RecordingMailer();
  const ports = {
    mailer,
    appBaseUrl: 'https://chengguo.example.gov.cn',
    verifier: portsFor(w).verifier,
    identity: w.identity,
    catalogue: cat.store,
    problems,
    files: new PackageFiles(),
    calendar: () => calendarFromStore({ list: async () => [] }),
    now: () => w.now,
    newId: () => `0000000${(n += 1)}`.slice(-8),
  };
  const report = (user: string, body: unknown) => call(reportHandler.with(ports) as never, 'POST', '/feedback/problems', { user, body });
  const list = (user: string, resultNumber = entry.resultNumber) =>
    call(listHandler.with(ports) as never, 'GET', `/feedback/results/${resultNumber}/problems`, { user, pathParameters: { resultNumber } });
  const decide = (user: string, problemId: string, body: unknown) =>
    call(decideHandler.with(ports) as never, 'POST', `/feedback/problems/${problemId}/decision`, { user, body, pathParameters: { problemId } });
  const verify = (user: string, problemId: string, body: unknown) =>
    call(verifyHandler.with(ports) as never, 'POST', `/feedback/problems/${problemId}/verification`, { user, body, pathParameters: { problemId } });
  const counters = async (org: string) => {
    const rows = await new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables)).read(org, '2026-01', '2026-12');
    const sum: Record<string, number> = {};
    for (const r of rows) for (const [k, v] of Object.entries(r.values)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  };
  const clocks = () => new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
  const orgList = (user: string, query: Record<string, string> = {}) => call(orgListHandler.with(ports) as never, 'GET', '/feedback/problems', { user, query });
  return { w, mailer, number: entry.resultNumber, report, list, decide, verify, counters, clocks, orgList, ports };
}

const problemOn = (resultNumber: string, over: Record<string, unknown> = {}) => ({
  resultNumber,
  file: 'data/landuse.gpkg',
  location: { featureIds: ['DLTB-0012', 'DLTB-0013'] },
  description: '图斑 DLTB-0012 与 DLTB-0013 重叠，面积重复计算',
  severity: '一般',
  ...over,
});

describe('R19.2 quality feedback: a requester or the custodian reports a problem on a file or layer; the custodian confirms or rejects within R19.2’s clock', () => {
  it('huang.wei (requester) reports a problem on a file: 201, listed on the result, audited, R19.2 clock started for the custodian and R19.2.reported counted', async () => {
    // prepare
    const { w, number, report, list, counters, clocks } = await feedbackWorld();
    const audit = w.identity.auditRecords().length;

    // act
    const out = await report('huang.wei', problemOn(number));
    const listed = await list('zhang.wei');

    // assess
    expect(out.status).toBe(201);
    expect(out.body.problem).toMatchObject({ resultNumber: number, file: 'data/landuse.gpkg', severity: '一般', state: 'reported', stateLabel: '待保管单位确认', custodianOrg: '440000-CUS', reportedBy: 'huang.wei' });
    expect(out.body.problem.decisionDue > '2026').toBe(true);
    expect(listed.status).toBe(200);
    expect(listed.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([out.body.problem.problemId]);
    expect(listed.body.qualityStatus).toBeUndefined();
    expect(w.identity.auditRecords().slice(audit).map((r) => r.action)).toEqual(['feedback.problem.report']);
    expect((await counters('440000-CUS'))['R19.2.reported']).toBe(1);
    const running = await clocks().ownedBy('440000-CUS', 'running');
    expect(running.map((c) => `${c.type}#${c.subject}`)).toContain(`R19.2#${out.body.problem.problemId}`);
  }, 60_000);

  it('a layer (folder) of the package is accepted; an unknown file is 400 naming body.file, no location is 400 naming body.location, and nothing changes', async () => {
    // prepare
    const { w, number, report, list } = await feedbackWorld();
    const audit = w.identity.auditRecords().length;

    // act
    const unknown = await report('huang.wei', problemOn(number, { file: 'data/missing.shp' }));
    const nowhere = await report('huang.wei', problemOn(number, { location: {} }));
    const severity = await report('huang.wei', problemOn(number, { severity: '严重' }));
    const before = await list('zhang.wei');
    const layer = await report('huang.wei', problemOn(number, { file: 'maps', location: { bbox: [113.2, 23.0, 113.4, 23.2] } }));

    // assess
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('body.file');
    expect(JSON.stringify(unknown.body)).toContain('data/missing.shp');
    expect(nowhere.status).toBe(400);
    expect(JSON.stringify(nowhere.body)).toContain('body.location');
    expect(severity.status).toBe(400);
    expect(JSON.stringify(severity.body)).toContain('severity');
    expect(before.body.problems).toEqual([]);
    expect(w.identity.auditRecords().length).toBe(audit + 1);
    expect(layer.status).toBe(201);
    expect(fileKnown(['maps/overview.tif'], 'map')).toBe(false);
  }, 60_000);

  it('who may report and read: luo.xin (requester, 公开 clearance) gets 404 for an 内部 result; li.na (submitter) 403; zhang.wei (the custodian) may report', async () => {
    // prepare
    const { number, report, list } = await feedbackWorld();

    // act
    const hidden = await report('luo.xin', problemOn(number));
    const hiddenList = await list('luo.xin');
    const submitter = await report('li.na', problemOn(number));
    const custodian = await report('zhang.wei', problemOn(number));
    const unknownResult = await report('huang.wei', problemOn('440000-CUS-2026-GT-999999'));

    // assess
    expect(hidden.status).toBe(404);
    expect(hiddenList.status).toBe(404);
    expect(submitter.status).toBe(403);
    expect(custodian.status).toBe(201);
    expect(unknownResult.status).toBe(404);
  }, 60_000);

  it('zhang.wei confirms a 一般 problem with reasons: state confirmed, the R19.2 clock met, R19.2.confirmed counted; the same decision again changes nothing, a rejection afterwards is 409', async () => {
    // prepare
    const { w, number, report, decide, counters, clocks } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    const audit = w.identity.auditRecords().length;

    // act
    const confirmed = await decide('zhang.wei', id, { decision: 'confirm', reasons: '核查属实，两个图斑重叠' });
    const again = await decide('zhang.wei', id, { decision: 'confirm', reasons: '核查属实，两个图斑重叠' });
    const reject = await decide('zhang.wei', id, { decision: 'reject', reasons: '改为驳回' });
    const notCustodian = await decide('chen.jing', id, { decision: 'confirm', reasons: '确认' });

    // assess
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ changed: true, problem: { state: 'confirmed', stateLabel: '已确认' } });
    expect(again.body.changed).toBe(false);
    expect(reject.status).toBe(409);
    expect(notCustodian.status).toBe(403);
    expect(w.identity.auditRecords().slice(audit).map((r) => r.action)).toEqual(['feedback.problem.confirm']);
    expect((await counters('440000-CUS'))['R19.2.confirmed']).toBe(1);
    expect((await clocks().ownedBy('440000-CUS', 'met')).map((c) => c.subject)).toContain(id);
  }, 60_000);

  it('a rejection states its reasons and is not counted as confirmed', async () => {
    // prepare
    const { number, report, decide, counters } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);

    // act
    const noReasons = await decide('zhang.wei', id, { decision: 'reject', reasons: '' });
    const rejected = await decide('zhang.wei', id, { decision: 'reject', reasons: '两个图斑是上下层权属，不是重叠' });

    // assess
    expect(noReasons.status).toBe(400);
    expect(JSON.stringify(noReasons.body)).toContain('reasons');
    expect(rejected.body.problem.state).toBe('rejected');
    expect(rejected.body.problem.timeline.at(-1)).toMatchObject({ state: 'rejected', note: '两个图斑是上下层权属，不是重叠', by: 'zhang.wei' });
    expect((await counters('440000-CUS'))['R19.2.confirmed']).toBeUndefined();
  }, 60_000);
});

describe('R19.3 escalation of a major problem: confirmed 重大 → the organiser verifies and records the responsibility finding → the implementer is ordered to correct by email; the result shows 质量问题处理中', () => {
  it('a confirmed 重大 problem is escalated; chen.jing (organiser reviewer) upholds it with the finding (who, what, conclusion); the list shows 质量问题处理中', async () => {
    // prepare
    const { w, mailer, number, report, decide, verify, list, counters } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number, { severity: '重大' }))).body.problem.problemId);

    // act
    const escalated = await decide('zhang.wei', id, { decision: 'confirm', reasons: '核查属实，影响面积汇总' });
    const early = await verify('zhang.wei', id, { upheld: true, note: '属实', finding: { who: '440000-IMP', what: '图斑重叠', conclusion: '实施单位负责改正' } });
    const noFinding = await verify('chen.jing', id, { upheld: true, note: '属实' });
    const audit = w.identity.auditRecords().length;
    const upheld = await verify('chen.jing', id, { upheld: true, note: '经核实属实', finding: { who: '广东省国土调查实施单位（440000-IMP）', what: '图斑 DLTB-0012/0013 重叠', conclusion: '实施单位负责，限期改正并重新汇交' } });
    const again = await verify('chen.jing', id, { upheld: true, note: '经核实属实', finding: { who: '实施单位', what: '重叠', conclusion: '改正' } });
    const dismiss = await verify('chen.jing', id, { upheld: false, note: '不予责令改正' });
    const listed = await list('huang.wei');

    // assess
    expect(escalated.body.problem.state).toBe('escalated');
    expect(escalated.body.problem.timeline.map((s: { state: string }) => s.state)).toEqual(['reported', 'confirmed', 'escalated']);
    expect(early.status).toBe(403);
    expect(noFinding.status).toBe(400);
    expect(JSON.stringify(noFinding.body)).toContain('body.finding');
    expect(upheld.status).toBe(200);
    expect(upheld.body.problem).toMatchObject({ state: 'correcting', stateLabel: '已责令实施单位改正', implementerOrg: '440000-IMP', finding: { conclusion: '实施单位负责，限期改正并重新汇交' } });
    expect(upheld.body.ordered).toEqual(['li.na@example.gov.cn']);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.to).toEqual(['li.na@example.gov.cn']);
    expect(mailer.sent[0]!.subject).toBe(`【责令改正】成果 ${number} 的重大质量问题（${id}）`);
    expect(mailer.sent[0]!.text).toContain('实施单位负责，限期改正并重新汇交');
    expect(mailer.sent[0]!.text).not.toContain('质量反馈测试成果');
    expect(again.body.changed).toBe(false);
    expect(dismiss.status).toBe(409);
    expect(w.identity.auditRecords().slice(audit).map((r) => r.action)).toEqual(['feedback.problem.order-correction']);
    expect(listed.body.qualityStatus).toBe('质量问题处理中');
    expect((await counters('440000-NR'))['R19.3.escalated']).toBe(1);
  }, 60_000);

  it('a 一般 confirmed problem is not escalated: verification is 409 and the result does not show 质量问题处理中', async () => {
    // prepare
    const { number, report, decide, verify, list } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    await decide('zhang.wei', id, { decision: 'confirm', reasons: '属实' });

    // act
    const out = await verify('chen.jing', id, { upheld: true, note: '属实', finding: { who: '实施单位', what: '重叠', conclusion: '改正' } });
    const listed = await list('huang.wei');

    // assess
    expect(out.status).toBe(409);
    expect(listed.body.qualityStatus).toBeUndefined();
  }, 60_000);
});

describe('R19.2 R19.3 issue 13 a custodian\'s quality problems across results, and the organiser\'s escalated ones (GET /feedback/problems)', () => {
  it('zhang.wei (custodian) lists every problem of its results, newest first, with the R19.2 due date and working days left; filters by state and severity; pages with a cursor', async () => {
    // prepare
    const { w, number, report, orgList, clocks } = await feedbackWorld();
    const a = (await report('huang.wei', problemOn(number))).body.problem;
    w.setNow('2026-09-22T02:00:00.000Z');
    const b = (await report('huang.wei', problemOn(number, { severity: '重大', description: '地类图斑 DLTB-0020 编码错误，影响汇总面积' }))).body.problem;

    // act
    const all = await orgList('zhang.wei');
    const major = await orgList('zhang.wei', { severity: '重大' });
    const first = await orgList('zhang.wei', { limit: '1' });
    const second = await orgList('zhang.wei', { limit: '1', cursor: first.body.cursor });

    // assess
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ org: '440000-CUS', side: 'custodian' });
    expect(all.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([b.problemId, a.problemId]);
    const clock = (await clocks().ownedBy('440000-CUS', 'running')).find((c) => c.subject === b.problemId)!;
    expect(all.body.problems[0]).toMatchObject({ state: 'reported', stateLabel: '待保管单位确认', decisionDue: clock.due, overdue: false });
    expect(all.body.problems[0].workingDaysLeft).toBeGreaterThan(0);
    expect(major.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([b.problemId]);
    expect(first.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([b.problemId]);
    expect(second.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([a.problemId]);
    expect(second.body.cursor).toBeUndefined();
  }, 60_000);

  it('a confirmed 重大 problem reaches chen.jing\'s list (organiser\'s reviewer) as escalated; the state filter; who may not list (403); above the clearance nothing is listed', async () => {
    // prepare
    const { w, number, report, decide, orgList, ports } = await feedbackWorld();
    const minor = (await report('huang.wei', problemOn(number))).body.problem;
    const major = (await report('huang.wei', problemOn(number, { severity: '重大' }))).body.problem;
    const before = await orgList('chen.jing');
    await decide('zhang.wei', major.problemId, { decision: 'confirm', reasons: '核对原始调查底图，问题属实' });

    // act
    const toVerify = await orgList('chen.jing');
    const escalated = await orgList('zhang.wei', { state: 'escalated' });
    const requester = await orgList('luo.xin');
    const wrongSide = await orgList('zhang.wei', { side: 'organiser' });
    const badCursor = await orgList('zhang.wei', { cursor: 'next' });
    const publicOnly = await listOrgProblems(ports, { actor: { ...(await w.user('zhang.wei')), clearance: 'public' }, limit: 20 });

    // assess
    expect(before.body.problems).toEqual([]);
    expect(toVerify.status).toBe(200);
    expect(toVerify.body.side).toBe('organiser');
    expect(toVerify.body.problems.map((p: { problemId: string; state: string }) => [p.problemId, p.state])).toEqual([[major.problemId, 'escalated']]);
    expect(escalated.body.problems.map((p: { problemId: string }) => p.problemId)).toEqual([major.problemId]);
    expect(escalated.body.problems.map((p: { problemId: string }) => p.problemId)).not.toContain(minor.problemId);
    expect(requester.status).toBe(403);
    expect(wrongSide.status).toBe(403);
    expect(badCursor.status).toBe(400);
    expect(JSON.stringify(badCursor.body)).toContain('cursor');
    expect(publicOnly.problems).toEqual([]);
  }, 60_000);
});
