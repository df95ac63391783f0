import { describe, expect, it } from 'vitest';
import { DynamoProblemStore } from '#adapters/dynamo-feedback.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { handler as reportHandler } from '#functions/feedback/report-problem.ts';
import { handler as listHandler } from '#functions/feedback/list-problems.ts';
import { handler as decideHandler } from '#functions/feedback/decide-problem.ts';
import { handler as verifyHandler } from '#functions/feedback/verify-problem.ts';
import { handler as orgListHandler } from '#functions/feedback/list-org-problems.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { handler as declareHandler } from '#functions/feedback/declare-attachment.ts';
import { handler as attachmentHandler } from '#functions/feedback/get-attachment.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ProblemAttachments } from '#adapters/s3-feedback-attachments.ts';
import { S3SharingDocuments } from '#adapters/s3-sharing-documents.ts';
import { fileKnown, heldGrants, listOrgProblems, maxAttachments, type ResultFiles } from '#shared/feedback/problems.ts';
import { grantOn, StartsAndSuccesses } from './feedback-fakes.ts';
import { createHash, randomBytes } from 'node:crypto';
import { runQuarterlyEvaluations } from '#shared/supervision/evaluation.ts';
import { DynamoEvaluationStore } from '#adapters/dynamo-evaluations.ts';
import { periodOf } from '#shared/supervision/periods.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { DynamoHumanTaskStore } from '#adapters/dynamo-tasks.ts';
import { AesGcmTokenVault } from '#adapters/token-vault.ts';
import { problemVerificationKind, problemVerificationKindId, recordVerification, verificationDecisionSchema } from '#shared/feedback/verification-task.ts';
import { createHumanTask, decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { newTaskId } from '#shared/tasks/ids.ts';
import { registeredKinds } from '#shared/tasks/kinds.ts';
import { InMemoryDocumentReader } from './tasks-fakes.ts';
import { FakeSharingStore } from './sharing-fakes.ts';
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
async function feedbackWorld(opts: { granted?: boolean; grant?: Record<string, unknown> } = {}) {
  const w = await submissionWorld();
  const cat = catalogueWorld(w);
  const submissionId = await verifiedSubmission(w, { classification: 'internal', name: '质量反馈测试成果' });
  const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg' });
  const problems = new DynamoProblemStore(new InMemoryRegistryAccess(w.tables));
  let n = 0;
  const mailer = new RecordingMailer();
  // R19.2: huang.wei's organisation (440100-NR) holds a grant on the result, unless the test says otherwise.
  const sharing = new FakeSharingStore();
  if (opts.granted !== false) grantOn(sharing, entry.resultNumber, 'held', { requesterOrg: '440100-NR', users: ['huang.wei'], ...opts.grant });
  // The real presigner (a local computation: no request is sent) on the documents bucket.
  const s3 = new S3Client({ region: 'cn-north-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const workflow = new StartsAndSuccesses();
  const humanTasks = new DynamoHumanTaskStore('registry', { client: new InMemoryDocumentReader(w.tables), auditStore: w.tables });
  const vault = new AesGcmTokenVault(randomBytes(32));
  const ports = {
    mailer,
    workflow,
    humanTasks,
    vault,
    appBaseUrl: 'https://chengguo.example.gov.cn',
    verifier: portsFor(w).verifier,
    identity: w.identity,
    catalogue: cat.store,
    problems,
    files: new PackageFiles(),
    grants: heldGrants(sharing),
    attachments: new S3ProblemAttachments(new S3SharingDocuments(s3, 'chengguo-documents', () => w.now)),
    trail: w.identity.trail,
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
  const declare = (user: string, problemId: string, body: unknown) =>
    call(declareHandler.with(ports) as never, 'POST', `/feedback/problems/${problemId}/attachments`, { user, body, pathParameters: { problemId } });
  const attachment = (user: string, problemId: string, n: number | string) =>
    call(attachmentHandler.with(ports) as never, 'GET', `/feedback/problems/${problemId}/attachments/${n}`, { user, pathParameters: { problemId, n: String(n) } });
  const counters = async (org: string) => {
    const rows = await new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables)).read(org, '2026-01', '2026-12');
    const sum: Record<string, number> = {};
    for (const r of rows) for (const [k, v] of Object.entries(r.values)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  };
  const clocks = () => new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
  const orgList = (user: string, query: Record<string, string> = {}) => call(orgListHandler.with(ports) as never, 'GET', '/feedback/problems', { user, query });
  // The human-task facility with the verification kind alone (R19.3), on the same tables.
  const kind = problemVerificationKind({ problems, identity: w.identity });
  const taskPorts = { tasks: humanTasks, vault, identity: w.identity, mailer, workflow, calendar: ports.calendar, now: ports.now, newId: newTaskId, appBaseUrl: ports.appBaseUrl, kinds: registeredKinds([kind]) };
  const openTask = async (problemId: string) =>
    (await createHumanTask(taskPorts, { taskToken: `AQCE-token-${problemId}`, kind: problemVerificationKindId, subject: { problemId }, timeoutSeconds: 1_814_400, escalationLevel: 0, execution: `arn:x:verify-${problemId}`, requestId: 'c', fn: 'CreateHumanTask' })).task;
  const record = (problemId: string, approval: unknown) =>
    recordVerification({ problems, identity: w.identity, mailer, now: ports.now, appBaseUrl: ports.appBaseUrl }, { problemId, approval: verificationDecisionSchema.parse(approval), requestId: 'rv' });
  return { w, mailer, workflow, humanTasks, taskPorts, openTask, record, number: entry.resultNumber, report, list, decide, verify, declare, attachment, counters, clocks, orgList, ports };
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
    // how to submit the correction: the console's upload page for the submission, or the CLI's --correction
    const sub = String(upheld.body.problem.submissionId);
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(mailer.sent[0]!.text).toContain(`/console/survey-tasks/${upheld.body.problem.taskId}/upload?correction=${sub}`);
    expect(mailer.sent[0]!.text).toContain(`chengguo upload <更正后的成果包目录> --submission ${sub} --correction`);
    // The result's console page (成果详情), never the API route GET /feedback/results/{n}/problems (raw JSON in a browser).
    expect(mailer.sent[0]!.text).toContain(`在工作台查看成果详情：`);
    expect(mailer.sent[0]!.text).toContain(`/console/catalogue/${number}`);
    expect(mailer.sent[0]!.text).not.toMatch(/\/feedback\/results\/|GET \/|POST \//);
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

const png = (i: number) => ({ name: `现场照片-${i}.png`, contentType: 'image/png', size: 204_800 + i, sha256: String(i % 10).repeat(64) });

describe('R19.2 the grant check: a requester reports only on a result its organisation holds (or held) a grant for; a custodian on its own results', () => {
  it('huang.wei without a grant on the result: 403 NO_GRANT and nothing is written; zhang.wei (the custodian) needs none', async () => {
    // prepare
    const { w, number, report, list } = await feedbackWorld({ granted: false });
    const audit = w.identity.auditRecords().length;

    // act
    const refused = await report('huang.wei', problemOn(number));
    const listed = await list('zhang.wei');
    const custodian = await report('zhang.wei', problemOn(number));

    // assess
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'NO_GRANT' });
    expect(String(refused.body.error.message)).toContain('共享授权');
    expect(listed.body.problems).toEqual([]);
    expect(custodian.status).toBe(201);
    expect(w.identity.auditRecords().length).toBe(audit + 1);
  }, 60_000);

  it('a grant held earlier counts: a revoked grant of huang.wei’s organisation still lets it report (201)', async () => {
    // prepare
    const { number, report } = await feedbackWorld({ grant: { status: 'revoked' } });

    // act
    const out = await report('huang.wei', problemOn(number));

    // assess
    expect(out.status).toBe(201);
  }, 60_000);
});

describe('R19.2 attachments on a quality-problem report: presigned write-once PUT with SHA-256 into the documents bucket, listed with size and checksum, read through a 302 by the reporter, the custodian and the organiser, audited', () => {
  it('huang.wei declares a photo: 201 with a presigned PUT signing its SHA-256 and If-None-Match, listed on the problem, audited; the same SHA-256 again is 200 and changes nothing', async () => {
    // prepare
    const { w, number, report, declare, list } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    const audit = w.identity.auditRecords().length;

    // act
    const first = await declare('huang.wei', id, png(1));
    const again = await declare('huang.wei', id, png(1));
    const listed = await list('zhang.wei');

    // assess
    expect(first.status).toBe(201);
    expect(first.body.attachment).toMatchObject({ n: 1, name: '现场照片-1.png', contentType: 'image/png', size: 204_801, sha256: '1'.repeat(64), key: `feedback/${id}/1-${'1'.repeat(16)}.png` });
    expect(first.body.upload.headers).toMatchObject({ 'if-none-match': '*', 'content-length': '204801', 'x-amz-checksum-sha256': Buffer.from('1'.repeat(64), 'hex').toString('base64') });
    expect(String(first.body.upload.url)).toContain(`/chengguo-documents/feedback/${id}/1-`);
    expect(String(first.body.upload.url)).toContain('X-Amz-Signature=');
    expect(again.status).toBe(200);
    expect(again.body.changed).toBe(false);
    expect(listed.body.problems[0].attachments).toEqual([first.body.attachment]);
    const records = w.identity.auditRecords().slice(audit);
    expect(records.map((r) => r['action'])).toEqual(['feedback.problem.attachment']);
    expect(JSON.stringify(records[0])).toContain('1'.repeat(64));
  }, 60_000);

  it('only the reporter adds; at most five; an unknown type 400; a closed problem 409 — each changing nothing', async () => {
    // prepare
    const { w, number, report, declare, decide } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    const closed = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    await decide('zhang.wei', closed, { decision: 'reject', reasons: '经核查不存在该问题' });
    for (let i = 1; i <= maxAttachments; i += 1) expect((await declare('huang.wei', id, png(i))).status).toBe(201);
    const audit = w.identity.auditRecords().length;

    // act
    const sixth = await declare('huang.wei', id, png(6));
    const custodian = await declare('zhang.wei', id, png(7));
    const type = await declare('huang.wei', id, { ...png(8), contentType: 'application/zip' });
    const onClosed = await declare('huang.wei', closed, png(9));

    // assess
    expect(sixth.status).toBe(409);
    expect(sixth.body.error.code).toBe('TOO_MANY_ATTACHMENTS');
    expect(custodian.status).toBe(403);
    expect(type.status).toBe(400);
    expect(JSON.stringify(type.body)).toContain('contentType');
    expect(onClosed.status).toBe(409);
    expect(onClosed.body.error.code).toBe('PROBLEM_CLOSED');
    expect(w.identity.auditRecords().length).toBe(audit);
  }, 60_000);

  it('a GeoJSON over 2 MB is 400 naming body.size; a small one is accepted as the layer’s outline', async () => {
    // prepare
    const { number, report, declare } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);

    // act
    const big = await declare('huang.wei', id, { name: '范围.geojson', contentType: 'application/geo+json', size: 3 * 1024 * 1024, sha256: 'a'.repeat(64) });
    const small = await declare('huang.wei', id, { name: '范围.geojson', contentType: 'application/geo+json', size: 4096, sha256: 'b'.repeat(64) });

    // assess
    expect(big.status).toBe(400);
    expect(JSON.stringify(big.body)).toContain('body.size');
    expect(small.status).toBe(201);
    expect(small.body.attachment.key).toMatch(/\.geojson$/);
  }, 60_000);

  it('the reporter, the custodian and the organiser read an attachment through a 302 to a presigned GET, each link audited; the implementer 403, a missing one 404', async () => {
    // prepare
    const { w, number, report, declare, attachment } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    await declare('huang.wei', id, png(1));
    const audit = w.identity.auditRecords().length;

    // act
    const reads = await Promise.all(['huang.wei', 'zhang.wei', 'chen.jing'].map((u) => attachment(u, id, 1)));
    const implementer = await attachment('li.na', id, 1);
    const missing = await attachment('zhang.wei', id, 4);

    // assess
    for (const r of reads) {
      expect(r.status).toBe(302);
      expect(String(r.headers?.['location'])).toContain(`/chengguo-documents/feedback/${id}/1-`);
      expect(String(r.headers?.['location'])).toContain('X-Amz-Signature=');
      expect(String(r.headers?.['location'])).toContain(encodeURIComponent(encodeURIComponent('现场照片-1.png')));
    }
    expect(implementer.status).toBe(403);
    expect(missing.status).toBe(404);
    const records = w.identity.auditRecords().slice(audit);
    expect(records.map((r) => [r['actor'], r['action']])).toEqual(expect.arrayContaining([['huang.wei', 'feedback.problem.attachment.read'], ['zhang.wei', 'feedback.problem.attachment.read'], ['chen.jing', 'feedback.problem.attachment.read']]));
    expect(records).toHaveLength(3);
  }, 60_000);
});

const finding = { who: '实施单位 440000-IMP', what: '图斑 DLTB-0012 与 DLTB-0013 重叠', conclusion: '限期改正并重新汇交' };

describe('R19.3 the organiser’s verification of a major problem as an emailed human task (属实 with the finding / 不属实), reminded and escalated like every task', () => {
  it('confirming a 重大 problem starts ProblemVerification once per problem (a retried confirmation starts the same execution); a 一般 one starts nothing', async () => {
    // prepare
    const { number, report, decide, workflow } = await feedbackWorld();
    const major = String((await report('huang.wei', problemOn(number, { severity: '重大' }))).body.problem.problemId);
    const minor = String((await report('huang.wei', problemOn(number))).body.problem.problemId);

    // act
    await decide('zhang.wei', major, { decision: 'confirm', reasons: '核查属实' });
    const again = await decide('zhang.wei', major, { decision: 'confirm', reasons: '核查属实' });
    await decide('zhang.wei', minor, { decision: 'confirm', reasons: '核查属实' });

    // assess
    expect(again.body.changed).toBe(false);
    expect(workflow.starts).toEqual([
      { stateMachine: 'ProblemVerification', name: `verify-${major}`, input: { problemId: major } },
      { stateMachine: 'ProblemVerification', name: `verify-${major}`, input: { problemId: major } },
    ]);
  }, 60_000);

  it('chen.jing gets the emailed task; 属实 without the finding is 400 naming body.conditions.finding; with it the decision reaches the machine, Record Verification orders the correction once (li.na emailed, audited as chen.jing)', async () => {
    // prepare
    const { w, number, report, decide, openTask, taskPorts, workflow, record, mailer, list } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number, { severity: '重大' }))).body.problem.problemId);
    await decide('zhang.wei', id, { decision: 'confirm', reasons: '核查属实' });
    const task = await openTask(id);
    const chen = await w.user('chen.jing');

    // act
    const missing = await decideHumanTask(taskPorts, { actor: chen, id: task.id, decision: 'approve', reasons: '', requestId: 'd0' }).catch((e: unknown) => e);
    const view = await decideHumanTask(taskPorts, { actor: chen, id: task.id, decision: 'approve', reasons: '经核实属实', conditions: { finding }, requestId: 'd1' });
    const output = workflow.successes[0]?.output;
    const first = await record(id, output);
    const second = await record(id, output);
    const listed = await list('zhang.wei');

    // assess
    expect(task).toMatchObject({ assigneeOrg: '440000-NR', title: `重大质量问题核实：成果 ${number}（${id}）` });
    expect(task.assignees).toContain('chen.jing');
    expect(mailer.to('chen.jing@example.gov.cn').some((m) => m.subject.includes('重大质量问题核实'))).toBe(true);
    expect(JSON.stringify((missing as { details?: unknown }).details)).toContain('body.conditions.finding');
    expect(view.status).toBe('decided');
    expect(output).toMatchObject({ decision: 'approve', decidedBy: 'chen.jing', conditions: { finding } });
    expect(first).toMatchObject({ changed: true, ordered: ['li.na@example.gov.cn'], problem: { state: 'correcting', finding } });
    expect(second.changed).toBe(false);
    expect(mailer.to('li.na@example.gov.cn').filter((m) => m.subject.includes('责令改正'))).toHaveLength(1);
    expect(listed.body.qualityStatus).toBe('质量问题处理中');
    const order = w.identity.auditRecords().find((r) => r['action'] === 'feedback.problem.order-correction');
    expect(order).toMatchObject({ actor: 'chen.jing', orgCode: '440000-NR' });
  }, 60_000);

  it('不属实 with reasons dismisses the problem: no order, 质量问题处理中 cleared', async () => {
    // prepare
    const { w, number, report, decide, openTask, taskPorts, workflow, record, mailer, list } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number, { severity: '重大' }))).body.problem.problemId);
    await decide('zhang.wei', id, { decision: 'confirm', reasons: '核查属实' });
    const task = await openTask(id);

    // act
    await decideHumanTask(taskPorts, { actor: await w.user('chen.jing'), id: task.id, decision: 'return', reasons: '经组织单位复核，图斑划分符合规范', requestId: 'd1' });
    const out = await record(id, workflow.successes[0]?.output);
    const listed = await list('zhang.wei');

    // assess
    expect(out.problem.state).toBe('dismissed');
    expect(out.problem.timeline.at(-1)).toMatchObject({ state: 'dismissed', by: 'chen.jing', note: '经组织单位复核，图斑划分符合规范' });
    expect(mailer.to('li.na@example.gov.cn')).toHaveLength(0);
    expect(listed.body.qualityStatus).toBeUndefined();
  }, 60_000);

  it('the console’s route verifies and decides the open task with the same outcome (the machine ends); Record Verification then changes nothing', async () => {
    // prepare
    const { number, report, decide, openTask, verify, humanTasks, workflow, record, mailer } = await feedbackWorld();
    const id = String((await report('huang.wei', problemOn(number, { severity: '重大' }))).body.problem.problemId);
    await decide('zhang.wei', id, { decision: 'confirm', reasons: '核查属实' });
    const task = await openTask(id);

    // act
    const out = await verify('chen.jing', id, { upheld: true, note: '经核实属实', finding });
    const after = await humanTasks.get(task.id);
    const recorded = await record(id, workflow.successes[0]?.output);

    // assess
    expect(out.status).toBe(200);
    expect(out.body.problem.state).toBe('correcting');
    expect(after?.task).toMatchObject({ status: 'decided', decision: { decision: 'approve', decidedBy: 'chen.jing' } });
    expect(workflow.successes).toHaveLength(1);
    expect(workflow.successes[0]?.output).toMatchObject({ conditions: { finding } });
    expect(recorded.changed).toBe(false);
    expect(mailer.to('li.na@example.gov.cn').filter((m) => m.subject.includes('责令改正'))).toHaveLength(1);
  }, 60_000);
});

describe('R19.2 the custodian’s quarterly use-and-quality evaluation: figures from the counters the problem transactions write, write-once, emailed once', () => {
  it('two problems reported and one confirmed count eval:<organiser> on the custodian’s counters; the quarter’s document carries them, the organiser’s reviewers are emailed, a re-run writes and sends nothing', async () => {
    // prepare
    const { w, number, report, decide, counters } = await feedbackWorld();
    const first = String((await report('huang.wei', problemOn(number))).body.problem.problemId);
    await report('huang.wei', problemOn(number, { description: '图层 DLTB 缺少属性字段 QSDWMC' }));
    await decide('zhang.wei', first, { decision: 'confirm', reasons: '核实属实' });
    const c = await counters('440000-CUS');
    const organiser = Object.keys(c).find((k) => k.startsWith('eval:'))!.split(':')[1]!;
    const files = new Map<string, string>();
    const mailer = new RecordingMailer();
    const ports = {
      identity: w.identity,
      counters: () => new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables)),
      files: {
        putOnce: async (key: string, body: Uint8Array | string) => (files.has(key) ? false : (files.set(key, String(body)), true)),
        get: async (key: string) => (files.has(key) ? new TextEncoder().encode(files.get(key)!) : undefined),
      },
      evaluations: new DynamoEvaluationStore(new InMemoryRegistryAccess(w.tables)),
      workflow: { start: async (_m: string, name: string) => (starts.push(name), `arn:${name}`) },
      mailer,
      now: () => w.now,
    };
    const starts: string[] = [];
    const quarter = periodOf(chinaDate(w.now), 'quarter');

    // act
    const out = await runQuarterlyEvaluations(ports, { scheduledTime: w.now, quarter });
    const again = await runQuarterlyEvaluations(ports, { scheduledTime: w.now, quarter });

    // assess
    expect(c[`eval:${organiser}:R19.2.reported`]).toBe(2);
    expect(c[`eval:${organiser}:R19.2.confirmed`]).toBe(1);
    expect(out.written).toHaveLength(1);
    const [doc] = out.written;
    expect(doc!.key).toBe(`evaluations/440000-CUS/${quarter.id}/利用与质量评价-${organiser}-${quarter.id}.html`);
    const html = files.get(doc!.key)!;
    expect(html).toMatch(/<th scope="row">报告质量问题<\/th><td>2<\/td>/);
    expect(html).toMatch(/<th scope="row">确认质量问题<\/th><td>1<\/td>/);
    expect(html).toContain('质量问题确认率：50%');
    expect(doc!.sha256).toBe(createHash('sha256').update(html, 'utf8').digest('hex'));
    const reviewers = (await w.identity.listUsers(organiser)).filter((u) => u.roles.includes('reviewer')).map((u) => u.email);
    expect(reviewers.length).toBeGreaterThan(0);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.to).toEqual(reviewers);
    expect(mailer.sent[0]!.subject).toContain('成果利用与质量评价');
    expect(mailer.sent[0]!.text).toContain(doc!.sha256);
    expect(out.started).toHaveLength(1);
    expect(starts).toHaveLength(1);
    expect(again).toEqual({ quarter: quarter.id, written: [], existing: [doc!.key], started: [] });
    expect(files.size).toBe(1);
  }, 60_000);
});
