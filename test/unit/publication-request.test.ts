import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { DynamoReleaseStore } from '#adapters/dynamo-release.ts';
import { DynamoHumanTaskStore } from '#adapters/dynamo-tasks.ts';
import { AesGcmTokenVault } from '#adapters/token-vault.ts';
import { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { createRelease, type DesensitisationRecord } from '#shared/publication/release.ts';
import {
  approvePublication,
  checkHold,
  recordApproval,
  recordReview,
  requestPublication,
  resubmitPublication,
  visibleRequest,
  type PublicationDecision,
  type PublicationRequest,
} from '#shared/publication/request.ts';
import { listPublicationRequests } from '#shared/publication/request-list.ts';
import type { PublicationListSide, PublicationStatus } from '#shared/publication/request-store.ts';
import { publicationApprovalKind, publicationReviewKind } from '#shared/publication/tasks.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { createHumanTask, decideHumanTask, getHumanTask } from '#shared/tasks/human-tasks.ts';
import { recordCompletion, registerSurveyTask } from '#shared/submission/tasks.ts';
import { ValidationError } from '#shared/errors.ts';
import { newTaskId } from '#shared/tasks/ids.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { bulletinRenderers } from '#adapters/bulletin-render.ts';
import { DynamoSupervisionStore, withSupervisionItems } from '#adapters/dynamo-supervision.ts';
import { issueBulletin, type BulletinPorts } from '#shared/supervision/bulletin.ts';
import { InMemoryRegistryAccess } from './submission-fakes.ts';
import { RecordingMailer } from './tasks-fakes.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { applyEffects, effectsOf, type Clock } from '#shared/supervision/clocks.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeMailer } from './custody-fakes.ts';
import { FakeAuthorityStore, FakePublicationStore } from './publication-fakes.ts';
import { submissionWorld } from './submission-fakes.ts';
import { InMemoryDocumentReader, InMemoryDocuments, RecordingWorkflow, appBaseUrl, fakeTaskToken } from './tasks-fakes.ts';

const record: DesensitisationRecord = {
  changes: [
    { action: 'shifted', target: 'coordinates', description: '全部要素坐标按国家规定的非线性偏移处理' },
    { action: 'removed', target: 'attributes', description: '删除权属人姓名与身份证号字段' },
  ],
  method: '坐标偏移插件 2.1，属性字段删除脚本',
  rule: '公开地图内容表示规定',
  basisDocument: '粤自然资发〔2026〕12 号',
  performedBy: '广东省国土资源测绘院 郭涛',
  performedOn: '2026-09-20',
};

/**
 * A registered 内部 source and its 公开 release version (-R1). `national`: the source made a national result of
 * the theme (organiser 自然资源部, region 100000), as a national wetland survey's would be.
 */
async function setup(opts: { theme?: ThemeId; national?: boolean; parentTask?: boolean } = {}) {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  // R11.1 level-by-level: a national task (自然资源部) and 广东省's part of it, whose task names it as its parent.
  let parentTaskId: string | undefined;
  let childTaskId: string | undefined;
  if (opts.parentTask) {
    const theme = opts.theme ?? 'landCover';
    const base = { theme, regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' } as const;
    parentTaskId = (await registerSurveyTask({ actor: await world.user('zhao.min'), input: { ...base, name: '2026 年度全国地表覆盖监测' }, requestId: 'pt' }, world.ports)).taskId;
    const child = await registerSurveyTask({ actor: await world.user('chen.jing'), input: { ...base, name: '2026 年度全国地表覆盖监测（广东省部分）', parentTaskId }, requestId: 'ct' }, world.ports);
    await recordCompletion({ actor: await world.user('li.na'), taskId: child.taskId, completionDate: '2026-09-18', requestId: 'done' }, world.ports);
    childTaskId = child.taskId;
  }
  const sourceSubmission = await verifiedSubmission(world, { classification: 'internal', name: '2026 年度广东省地表覆盖监测成果' }, childTaskId ? { taskId: childTaskId } : { theme: opts.theme ?? 'landCover' });
  let { entry: source } = await registerCatalogueEntry(cat.ports, { submissionId: sourceSubmission, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg' });
  if (opts.national) {
    const next: CatalogueEntry = { ...source, name: '2026 年度全国湿地资源调查成果', organiserOrg: '100000-NR', spatialScope: { regionCode: '100000' }, version: source.version + 1 };
    await cat.store.updateEntry(next, source, { actor: 'test', orgCode: '100000-NR', action: 'test.national', target: `CAT#${source.resultNumber}`, outcome: 'success', requestId: 'nat', detail: {} });
    source = next;
  }
  const releases = new DynamoReleaseStore(cat.table);
  const releasePorts = { catalogue: cat.store, submissions: world.store, identity: world.identity, releases, now: () => world.now };
  const preparer = opts.national ? 'zhao.min' : 'liu.yang';
  const newRelease = async (requestId: string, classification: 'public' | 'internal' = 'public') => {
    const pkg = await verifiedSubmission(world, { classification, name: '发布版成果包' }, { taskId: source.taskId });
    return (await createRelease(releasePorts, { actor: await world.user(preparer), resultNumber: source.resultNumber, body: { submissionId: pkg, classification, desensitisation: record }, requestId })).release.releaseNumber;
  };
  const releaseNumber = await newRelease('rel-1');
  const publications = new FakePublicationStore();
  const mailer = new FakeMailer();
  const humanTasks = new DynamoHumanTaskStore('registry', { client: new InMemoryDocumentReader(world.tables), auditStore: world.tables });
  const calendar = new WorkingDayCalendar();
  let n = 0;
  const ports = {
    catalogue: cat.store,
    identity: world.identity,
    authorities: new FakeAuthorityStore(),
    releases,
    submissions: world.store,
    publications,
    workflow: world.workflow,
    mailer,
    calendar: async () => calendar,
    humanTasks,
    now: () => world.now,
    newId: () => `00000000000${(n += 1).toString(16)}`.slice(-12),
  };
  return { world, cat, source, releaseNumber, newRelease, publications, mailer, ports, preparer, parentTaskId };
}

const decision = (d: 'approve' | 'return', by: string, reasons = ''): PublicationDecision => ({ taskId: `t-${by}`, decision: d, reasons, decidedBy: by, decidedAt: '2026-09-22T02:00:00.000Z' });

describe('R12.1 R12.3 a publication request finds its approver in the authority table and says which rule applied', () => {
  it('a 广东省 land-cover release: rule provincial-default (table version 0), approver 440000-NR 发布审批人, review first; audited; the machine started', async () => {
    const { world, releaseNumber, ports, publications } = await setup();

    const r = await requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber }, requestId: 'req-1' });

    expect(r).toMatchObject({ status: 'review', round: 1, releaseNumber, level: 'provincial', approvals: [{ orgCode: '440000-NR', role: 'publisher' }] });
    expect(r.resolution).toMatchObject({ ruleId: 'provincial-default', tableVersion: 0, joint: false });
    expect(r.resolution.explanation).toContain('provincial-default');
    expect(r.timeline[0]?.text).toContain('provincial-default');
    expect(publications.audits).toEqual([expect.objectContaining({ action: 'publication.request.create', detail: expect.objectContaining({ ruleId: 'provincial-default', tableVersion: 0 }) })]);
    expect(world.workflow.starts.at(-1)).toMatchObject({ stateMachine: 'Publication', name: `${r.requestId}-1`, input: { requestId: r.requestId, round: 1, joint: false } });
  });

  it('R12.2 a national wetland release needs 自然资源部 and 国家林业和草原局 (rule national-wetland-joint)', async () => {
    const { world, releaseNumber, ports } = await setup({ theme: 'wetland', national: true });

    const r = await requestPublication(ports, { actor: await world.user('zhao.min'), body: { releaseNumber }, requestId: 'req-1' });

    expect(r.resolution).toMatchObject({ ruleId: 'national-wetland-joint', joint: true });
    expect(r.approvals.map((a) => a.orgCode)).toEqual(['100000-NR', '100000-FG']);
    expect(world.workflow.starts.at(-1)?.input).toMatchObject({ joint: true });
  });

  it('bad requests change nothing: a source, not a release → 409; a second request → 409; someone who may not prepare it → 403; above the clearance → 404', async () => {
    const { world, source, releaseNumber, ports, publications } = await setup();
    await requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber }, requestId: 'req-1' });
    const audits = publications.audits.length;

    await expect(requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber: source.resultNumber }, requestId: 'x' })).rejects.toMatchObject({ code: 'NOT_A_RELEASE' });
    await expect(requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber }, requestId: 'x' })).rejects.toMatchObject({ code: 'PUBLICATION_REQUESTED' });
    await expect(requestPublication(ports, { actor: await world.user('huang.wei'), body: { releaseNumber }, requestId: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
    expect(publications.audits.length).toBe(audits);
  });
});

describe('R11.1 the confidentiality review: 审查通过 → approval; 退回修改 → the preparer is emailed, resubmits a new release version, every round kept', () => {
  it('a return records the reasons and emails them; the resubmission starts round 2 with the new release; 审查通过 then sends it to the approver', async () => {
    const { world, releaseNumber, newRelease, ports, publications, mailer } = await setup();
    const r = await requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber }, requestId: 'req-1' });

    const out = await recordReview(ports, { requestId: r.requestId, round: 1, decision: decision('return', 'liu.yang', '坐标偏移未覆盖注记图层'), requestIdOfCall: 'c1' });
    const again = await recordReview(ports, { requestId: r.requestId, round: 1, decision: decision('return', 'liu.yang', '坐标偏移未覆盖注记图层'), requestIdOfCall: 'c1' });

    expect(out).toEqual({ next: 'returned' });
    expect(again).toEqual({ next: 'returned' });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: ['liu.yang@example.gov.cn'], subject: expect.stringContaining('退回修改') });
    expect(mailer.sent[0]?.text).toContain('坐标偏移未覆盖注记图层');
    expect((await publications.get(r.requestId))?.status).toBe('returned');

    const second = await newRelease('rel-2');
    const resubmitted = await resubmitPublication(ports, { actor: await world.user('liu.yang'), id: r.requestId, releaseNumber: second, requestId: 'req-2' });
    expect(resubmitted).toMatchObject({ round: 2, status: 'review', releaseNumber: second });
    expect(resubmitted.rounds.map((x) => [x.round, x.releaseNumber, x.review?.decision])).toEqual([[1, releaseNumber, 'return'], [2, second, undefined]]);
    expect(world.workflow.starts.at(-1)).toMatchObject({ name: `${r.requestId}-2`, input: { round: 2 } });
    await expect(resubmitPublication(ports, { actor: await world.user('liu.yang'), id: r.requestId, releaseNumber: second, requestId: 'req-3' })).rejects.toMatchObject({ code: 'PUBLICATION_NOT_RETURNED' });

    expect(await recordReview(ports, { requestId: r.requestId, round: 2, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c2' })).toEqual({ next: 'approval' });
    const stored = await publications.get(r.requestId);
    expect(stored?.status).toBe('approval');
    expect(stored?.timeline.map((e) => e.type)).toEqual(['requested', 'reviewReturned', 'resubmitted', 'reviewPassed']);
  });
});

describe('R12.2 joint approval outcomes: both approve → released for the hold; one refusal ends it with that department\'s reasons', () => {
  it('自然资源部 approves (waiting), 国家林业和草原局 approves → hold; the release becomes approved, audited, once', async () => {
    const { world, releaseNumber, ports, publications, cat } = await setup({ theme: 'wetland', national: true });
    const r = await requestPublication(ports, { actor: await world.user('zhao.min'), body: { releaseNumber }, requestId: 'req-1' });
    await recordReview(ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c1' });

    expect(await recordApproval(ports, { requestId: r.requestId, round: 1, approver: 0, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c2' })).toEqual({ next: 'waiting' });
    expect(await recordApproval(ports, { requestId: r.requestId, round: 1, approver: 1, decision: decision('approve', 'wu.jing'), requestIdOfCall: 'c3' })).toEqual({ next: 'hold' });
    expect(await checkHold(ports, { requestId: r.requestId, requestIdOfCall: 'c4' })).toMatchObject({ held: false });
    const before = world.identity.auditRecords().length;
    await approvePublication(ports, { requestId: r.requestId, requestIdOfCall: 'c5' });
    await approvePublication(ports, { requestId: r.requestId, requestIdOfCall: 'c5' });

    expect((await cat.store.getEntry(releaseNumber))?.release).toMatchObject({ sourceNumber: r.sourceNumber, state: 'approved', approval: { approvers: [{ userId: 'zhao.min', orgCode: '100000-NR' }, { userId: 'wu.jing', orgCode: '100000-FG' }], ruleId: 'national-wetland-joint', tableVersion: 0 } });
    expect(world.identity.auditRecords().slice(before).filter((a) => a.action === 'publication.release.approve')).toHaveLength(1);
    expect((await publications.get(r.requestId))?.status).toBe('approved');
  });

  it('国家林业和草原局 refuses: PublicationRefused ends the joint approval, the request is refused with its reasons, the preparer emailed; nothing approved', async () => {
    const { world, releaseNumber, ports, publications, mailer, cat } = await setup({ theme: 'wetland', national: true });
    const r = await requestPublication(ports, { actor: await world.user('zhao.min'), body: { releaseNumber }, requestId: 'req-1' });
    await recordReview(ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c1' });
    await recordApproval(ports, { requestId: r.requestId, round: 1, approver: 0, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c2' });

    await expect(recordApproval(ports, { requestId: r.requestId, round: 1, approver: 1, decision: decision('return', 'wu.jing', '湿地边界与林草湿数据未对接'), requestIdOfCall: 'c3' })).rejects.toMatchObject({ name: 'PublicationRefused' });

    const stored = await publications.get(r.requestId);
    expect(stored?.status).toBe('refused');
    expect(stored?.approvals[1]?.decision?.reasons).toBe('湿地边界与林草湿数据未对接');
    expect(mailer.sent.at(-1)?.subject).toContain('不予发布');
    expect(mailer.sent.at(-1)?.text).toContain('国家林业和草原局');
    expect(mailer.sent.at(-1)?.text).toContain('湿地边界与林草湿数据未对接');
    await expect(approvePublication(ports, { requestId: r.requestId, requestIdOfCall: 'c4' })).rejects.toBeInstanceOf(ConflictError);
    expect((await cat.store.getEntry(releaseNumber))?.release?.state).toBe('pending');
  });
});

describe('R11.1 level-by-level release and embargo: the hold and what it waits for are on the request', () => {
  it('a provincial release of programme P waits for the national release of P; released once the national one is published', async () => {
    const national = await setup({ theme: 'wetland', national: true });
    const provincial = await setup({ theme: 'landCover' });
    // One registry of requests for both (a programme spans organisations).
    const publications = new FakePublicationStore();
    const natPorts = { ...national.ports, publications };
    const provPorts = { ...provincial.ports, publications, catalogue: provincial.cat.store };
    const top = await requestPublication(natPorts, { actor: await national.world.user('zhao.min'), body: { releaseNumber: national.releaseNumber, programme: 'NWS-2026' }, requestId: 'n' });
    const low = await requestPublication(provPorts, { actor: await provincial.world.user('liu.yang'), body: { releaseNumber: provincial.releaseNumber, programme: 'NWS-2026' }, requestId: 'p' });
    await recordReview(provPorts, { requestId: low.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c' });
    await recordApproval(provPorts, { requestId: low.requestId, round: 1, approver: 0, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c' });
    // The national entry, seen from the provincial check, lives in the national world's catalogue.
    const both = { ...provPorts, catalogue: { ...provincial.cat.store, getEntry: async (n: string) => (await provincial.cat.store.getEntry(n)) ?? national.cat.store.getEntry(n), updateEntry: provincial.cat.store.updateEntry.bind(provincial.cat.store), indexEntry: provincial.cat.store.indexEntry.bind(provincial.cat.store) } };

    const held = await checkHold(both, { requestId: low.requestId, requestIdOfCall: 'h1' });
    expect(held.held).toBe(true);
    expect(held.waitingFor[0]).toContain('国家级');
    expect(held.waitingFor[0]).toContain(top.requestId);
    const stored = await publications.get(low.requestId);
    expect(stored?.status).toBe('held');
    expect(stored?.hold).toMatchObject({ parentLevel: 'national', waitingFor: held.waitingFor });
    expect(stored?.timeline.at(-1)).toMatchObject({ type: 'held' });
    await checkHold(both, { requestId: low.requestId, requestIdOfCall: 'h2' });
    expect((await publications.get(low.requestId))?.timeline.filter((e) => e.type === 'held')).toHaveLength(1);

    const entry = (await national.cat.store.getEntry(national.releaseNumber))!;
    await national.cat.store.updateEntry({ ...entry, release: { ...entry.release!, state: 'released' }, version: entry.version + 1 }, entry, { actor: 'test', orgCode: '100000-NR', action: 'test.release', target: 'x', outcome: 'success', requestId: 'r', detail: {} });

    expect(await checkHold(both, { requestId: low.requestId, requestIdOfCall: 'h3' })).toMatchObject({ held: false, waitingFor: [] });
    const after = await publications.get(low.requestId);
    expect(after?.hold).toBeUndefined();
    expect(after?.timeline.at(-1)).toMatchObject({ type: 'holdReleased' });
  });

  it('an embargo date holds until midnight China time of that date; the wait is no longer than that', async () => {
    const { world, releaseNumber, ports } = await setup();
    const r = await requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber, embargoUntil: '2026-10-01' }, requestId: 'req' });
    await recordReview(ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c' });
    await recordApproval(ports, { requestId: r.requestId, round: 1, approver: 0, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c' });
    world.setNow('2026-09-30T15:00:00.000Z'); // 23:00 in China on 30 September

    const held = await checkHold(ports, { requestId: r.requestId, requestIdOfCall: 'h' });

    expect(held).toEqual({ held: true, waitSeconds: 3600, waitingFor: ['解禁日期 2026-10-01'] });
    world.setNow('2026-09-30T16:00:00.000Z');
    expect((await checkHold(ports, { requestId: r.requestId, requestIdOfCall: 'h2' })).held).toBe(false);
  });
});

/** The human-task facility with the two publication kinds over the same registry. */
async function facility(s: Awaited<ReturnType<typeof setup>>) {
  const store = s.ports.humanTasks;
  const kindPorts = { ...s.world.ports, identity: s.world.identity, documents: new InMemoryDocuments(), catalogue: s.cat.store, publications: s.publications };
  const kinds = new Map<string, HumanTaskKind>([publicationReviewKind(kindPorts), publicationApprovalKind(kindPorts)].map((k) => [k.kind, k]));
  const workflow = new RecordingWorkflow();
  const calendar = new WorkingDayCalendar();
  const ports = {
    tasks: store,
    vault: new AesGcmTokenVault(randomBytes(32)),
    identity: s.world.identity,
    mailer: new FakeMailer(),
    workflow,
    calendar: async () => calendar,
    now: () => s.world.now,
    newId: newTaskId,
    appBaseUrl,
    kinds: (k: string) => kinds.get(k),
  };
  return { ports, workflow };
}

describe('R12.1 R12.2 the approval tasks: assignees from the table (an approver outside it → 403), one decision (→ 409), the other department\'s decision shown', () => {
  it('the review goes to 广东省自然资源厅\'s 发布审批人 (刘洋) with the desensitisation record and the release\'s files', async () => {
    const s = await setup();
    const r = await requestPublication(s.ports, { actor: await s.world.user('liu.yang'), body: { releaseNumber: s.releaseNumber }, requestId: 'req' });
    const f = await facility(s);

    const { task, emailed } = await createHumanTask(f.ports, { taskToken: fakeTaskToken(), kind: 'publicationReview', subject: { requestId: r.requestId, round: 1 }, timeoutSeconds: 86400, escalationLevel: 0, requestId: 'ct', fn: 'CreateHumanTask' });
    const view = await getHumanTask(f.ports, { actor: await s.world.user('liu.yang'), id: task.id });

    expect(emailed).toEqual(['liu.yang']);
    expect(view.summary).toMatchObject({ kind: 'publicationReview', desensitisation: record, release: { releaseNumber: s.releaseNumber }, files: { count: expect.any(Number) } });
    expect((view.summary as { files: { listed: unknown[] } }).files.listed.length).toBeGreaterThan(0);
    await expect(getHumanTask(f.ports, { actor: await s.world.user('chen.jing'), id: task.id })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('each joint approver decides once (409 the second time); a publisher of another organisation → 403; each page shows the other department\'s decision', async () => {
    const s = await setup({ theme: 'wetland', national: true });
    const r = await requestPublication(s.ports, { actor: await s.world.user('zhao.min'), body: { releaseNumber: s.releaseNumber }, requestId: 'req' });
    await recordReview(s.ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c' });
    const f = await facility(s);
    const open = async (approver: number) =>
      (await createHumanTask(f.ports, { taskToken: fakeTaskToken(), kind: 'publicationApproval', subject: { requestId: r.requestId, round: 1, approver }, timeoutSeconds: 86400, escalationLevel: 0, requestId: `ct${approver}`, fn: 'CreateHumanTask' })).task;
    const mnr = await open(0);
    const nfga = await open(1);

    expect(mnr.assignees).toEqual(['zhao.min']);
    expect(nfga.assignees).toEqual(['wu.jing']);
    await expect(decideHumanTask(f.ports, { actor: await s.world.user('liu.yang'), id: nfga.id, decision: 'approve', reasons: '', requestId: 'd0' })).rejects.toBeInstanceOf(ForbiddenError);
    await decideHumanTask(f.ports, { actor: await s.world.user('zhao.min'), id: mnr.id, decision: 'approve', reasons: '', requestId: 'd1' });
    const decided = f.workflow.successes.at(-1)?.output as PublicationDecision;
    await recordApproval(s.ports, { requestId: r.requestId, round: 1, approver: 0, decision: decided, requestIdOfCall: 'c' });
    await expect(decideHumanTask(f.ports, { actor: await s.world.user('zhao.min'), id: mnr.id, decision: 'return', reasons: '改变主意了吗', requestId: 'd2' })).rejects.toBeInstanceOf(ConflictError);

    const page = await getHumanTask(f.ports, { actor: await s.world.user('wu.jing'), id: nfga.id });
    expect(page.summary).toMatchObject({ otherDecisions: [{ orgCode: '100000-NR', decided: true, decisionLabel: '同意发布', decidedBy: 'zhao.min' }] });
    expect(page.details.join('\n')).toContain('联合审批');
  });
});

describe('R5.1 the request is read through the release version\'s access rule', () => {
  it('above the reader\'s clearance it does not exist (404); an unconcerned organisation gets 403', async () => {
    const s = await setup();
    const r = await requestPublication(s.ports, { actor: await s.world.user('liu.yang'), body: { releaseNumber: s.releaseNumber }, requestId: 'req' });

    expect((await visibleRequest(s.ports, await s.world.user('liu.yang'), r.requestId)).requestId).toBe(r.requestId);
    await expect(visibleRequest(s.ports, await s.world.user('luo.xin'), r.requestId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(visibleRequest(s.ports, await s.world.user('liu.yang'), `${s.releaseNumber}-ffffffffffff`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

/** The clocks and counters the request's audit trail moves, folded as the adapter and the rebuild do (applyEffects). */
function supervisionOf(audits: readonly AuditEntry[]) {
  const clocks = new Map<string, Clock>();
  const counters: Record<string, number> = {};
  for (const a of audits) {
    const effects = effectsOf(a);
    if (!effects) continue;
    const out = applyEffects(effects, (id) => clocks.get(id));
    for (const c of out.clocks) clocks.set(c.after.clockId, c.after);
    for (const d of out.counters) counters[`${d.org} ${d.metric}`] = (counters[`${d.org} ${d.metric}`] ?? 0) + d.delta;
  }
  return { clocks, counters };
}

describe('R11.1 R12.1 the review and approval clocks start in the transaction that opens the step and are met in the decision\'s', () => {
  it('the request starts R11.1 for the organiser (due in 5 working days); 审查通过 meets it and starts R12.1 for the approver; 同意发布 meets R12.1; the bulletin counts', async () => {
    const { world, releaseNumber, ports, publications } = await setup();
    const r = await requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber }, requestId: 'req-1' });
    const opened = supervisionOf(publications.audits);
    const review = opened.clocks.get(`R11.1#${r.requestId}#r1`);
    expect(review).toMatchObject({ state: 'running', ownerOrg: '440000-NR', start: '2026-09-21', due: new WorkingDayCalendar().deadline('2026-09-21', 5).due });
    expect(opened.counters).toEqual({ '440000-NR R11.requests': 1, '440000-NR clock.R11.1.due': 1 });

    await recordReview(ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c1' });
    const reviewed = supervisionOf(publications.audits);
    expect(reviewed.clocks.get(`R11.1#${r.requestId}#r1`)).toMatchObject({ state: 'met', late: false });
    expect(reviewed.clocks.get(`R12.1#${r.requestId}#r1#a0`)).toMatchObject({ state: 'running', ownerOrg: '440000-NR', start: '2026-09-22' });

    world.setNow('2026-09-24T02:00:00.000Z');
    await recordApproval(ports, { requestId: r.requestId, round: 1, approver: 0, decision: { ...decision('approve', 'liu.yang'), decidedAt: '2026-09-24T02:00:00.000Z' }, requestIdOfCall: 'c2' });
    const decided = supervisionOf(publications.audits);
    expect(decided.clocks.get(`R12.1#${r.requestId}#r1#a0`)).toMatchObject({ state: 'met', late: false, metOn: '2026-09-24' });
    // Requested 2026-09-21 (Monday), approved 2026-09-24 (Thursday): 3 working days.
    expect(decided.counters).toMatchObject({ '440000-NR R12.granted': 1, '440000-NR R12.grantDays': 3, '440000-NR clock.R12.1.onTime': 1, '440000-NR clock.R11.1.onTime': 1 });
    // A retry of the same decision moves nothing.
    const audits = publications.audits.length;
    await recordApproval(ports, { requestId: r.requestId, round: 1, approver: 0, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c2' });
    expect(publications.audits.length).toBe(audits);
  });

  it('退回修改 meets R11.1 (late when after the due date) and is counted; the resubmission starts the next round\'s R11.1', async () => {
    const { world, releaseNumber, newRelease, ports, publications } = await setup();
    const r = await requestPublication(ports, { actor: await world.user('liu.yang'), body: { releaseNumber }, requestId: 'req-1' });
    await recordReview(ports, { requestId: r.requestId, round: 1, decision: { ...decision('return', 'liu.yang', '注记图层未偏移处理'), decidedAt: '2026-10-09T02:00:00.000Z' }, requestIdOfCall: 'c1' });
    const second = await newRelease('rel-2');
    await resubmitPublication(ports, { actor: await world.user('liu.yang'), id: r.requestId, releaseNumber: second, requestId: 'req-2' });

    const { clocks, counters } = supervisionOf(publications.audits);
    expect(clocks.get(`R11.1#${r.requestId}#r1`)).toMatchObject({ state: 'met', late: true });
    expect(clocks.get(`R11.1#${r.requestId}#r2`)).toMatchObject({ state: 'running' });
    expect(clocks.has(`R12.1#${r.requestId}#r1#a0`)).toBe(false);
    expect(counters).toMatchObject({ '440000-NR R11.requests': 1, '440000-NR R11.returns': 1, '440000-NR clock.R11.1.late': 1, '440000-NR clock.R11.1.due': 2 });
  });
});

describe('R12.2 R21.1 a refusal in the joint approval closes the other department\'s open task: its page says why, it cannot be decided (409), its clock is cancelled (neither met nor late)', () => {
  it('国家林业和草原局 refuses while 自然资源部\'s task is open: that task is recorded expired, its assignee emailed, its page shows the reason; deciding it → 409', async () => {
    const s = await setup({ theme: 'wetland', national: true });
    const r = await requestPublication(s.ports, { actor: await s.world.user('zhao.min'), body: { releaseNumber: s.releaseNumber }, requestId: 'req' });
    await recordReview(s.ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c' });
    const f = await facility(s);
    const open = async (approver: number) =>
      (await createHumanTask(f.ports, { taskToken: fakeTaskToken(), kind: 'publicationApproval', subject: { requestId: r.requestId, round: 1, approver }, timeoutSeconds: 86400, escalationLevel: 0, requestId: `ct${approver}`, fn: 'CreateHumanTask' })).task;
    const mnr = await open(0);
    const nfga = await open(1);
    await decideHumanTask(f.ports, { actor: await s.world.user('wu.jing'), id: nfga.id, decision: 'return', reasons: '湿地边界与林草湿数据未对接', requestId: 'd1' });
    const refusal = f.workflow.successes.at(-1)?.output as PublicationDecision;

    await expect(recordApproval(s.ports, { requestId: r.requestId, round: 1, approver: 1, decision: refusal, requestIdOfCall: 'c2' })).rejects.toMatchObject({ name: 'PublicationRefused' });

    const stored = await s.publications.get(r.requestId);
    expect(stored?.approvals[0]?.closed?.reason).toContain('100000-FG 已决定不予发布');
    const page = await getHumanTask(f.ports, { actor: await s.world.user('zhao.min'), id: mnr.id });
    expect(page).toMatchObject({ status: 'expired', canDecide: false });
    expect(page.details.join('\n')).toContain('此审批已关闭');
    expect(page.summary).toMatchObject({ closed: { reason: expect.stringContaining('不予发布') }, otherDecisions: [{ orgCode: '100000-FG', decisionLabel: '不予发布', reasons: '湿地边界与林草湿数据未对接' }] });
    await expect(decideHumanTask(f.ports, { actor: await s.world.user('zhao.min'), id: mnr.id, decision: 'approve', reasons: '', requestId: 'd2' })).rejects.toBeInstanceOf(ConflictError);
    const told = s.mailer.sent.find((m) => m.subject.startsWith('发布审批已关闭'));
    expect(told?.to).toEqual(['zhao.min@example.gov.cn']);
    expect(told?.text).toContain('湿地边界与林草湿数据未对接');
    // The refused department's page shows 自然资源部 as not having decided because the request ended.
    const theirs = await getHumanTask(f.ports, { actor: await s.world.user('wu.jing'), id: nfga.id });
    expect(theirs.summary).toMatchObject({ otherDecisions: [{ orgCode: '100000-NR', decided: false, decisionLabel: '未作决定（申请已结束）' }] });

    const { clocks, counters } = supervisionOf(s.publications.audits);
    expect(clocks.get(`R12.1#${r.requestId}#r1#a0`)).toMatchObject({ state: 'cancelled', cancelReason: expect.stringContaining('100000-FG 不予发布') });
    expect(clocks.get(`R12.1#${r.requestId}#r1#a0`)?.metOn).toBeUndefined();
    expect(clocks.get(`R12.1#${r.requestId}#r1#a1`)?.state).toBe('met');
    expect(counters).toMatchObject({ '100000-NR R12.refusals': 1, '100000-NR clock.R12.1.due': 0, '100000-NR clock.R12.1.cancelled': 1, '100000-FG clock.R12.1.due': 1, '100000-FG clock.R12.1.onTime': 1 });
    expect(counters['100000-NR clock.R12.1.onTime'] ?? 0).toBe(0);
    expect(counters['100000-NR clock.R12.1.late'] ?? 0).toBe(0);
    // A retry of the refusal's step closes nothing twice and sends no second mail.
    const mails = s.mailer.sent.length;
    await expect(recordApproval(s.ports, { requestId: r.requestId, round: 1, approver: 1, decision: refusal, requestIdOfCall: 'c2' })).rejects.toMatchObject({ name: 'PublicationRefused' });
    expect(s.mailer.sent.length).toBe(mails);
  });
});

describe('R12.2 the closing survives a step that stopped between the refusal\'s write and the closing', () => {
  it('the first attempt fails after recording the refusal; the retried step still closes 自然资源部\'s open task', async () => {
    const s = await setup({ theme: 'wetland', national: true });
    const r = await requestPublication(s.ports, { actor: await s.world.user('zhao.min'), body: { releaseNumber: s.releaseNumber }, requestId: 'req' });
    await recordReview(s.ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c' });
    const f = await facility(s);
    const mnr = (await createHumanTask(f.ports, { taskToken: fakeTaskToken(), kind: 'publicationApproval', subject: { requestId: r.requestId, round: 1, approver: 0 }, timeoutSeconds: 86400, escalationLevel: 0, requestId: 'ct0', fn: 'CreateHumanTask' })).task;
    const broken = { ...s.ports, humanTasks: { listBySubject: async () => Promise.reject(new Error('throttled')), expire: s.ports.humanTasks.expire.bind(s.ports.humanTasks) } };

    await expect(recordApproval(broken, { requestId: r.requestId, round: 1, approver: 1, decision: decision('return', 'wu.jing', '湿地边界未对接'), requestIdOfCall: 'c2' })).rejects.toThrow('throttled');
    expect((await s.ports.humanTasks.get(mnr.id))?.task.status).toBe('open');
    await expect(recordApproval(s.ports, { requestId: r.requestId, round: 1, approver: 1, decision: decision('return', 'wu.jing', '湿地边界未对接'), requestIdOfCall: 'c2' })).rejects.toMatchObject({ name: 'PublicationRefused' });

    expect((await s.ports.humanTasks.get(mnr.id))?.task.status).toBe('expired');
  });
});

describe('R21.1 R11.1 R12.1 the bulletin\'s publication section reads the counters the publication transactions wrote (never a scan)', () => {
  it('广东省\'s September bulletin: 2 requests, 1 approved in 3 working days, 1 refused — in the HTML and the XLSX sheet', async () => {
    // prepare: one request approved (Monday → Thursday), one refused; the audit trail replayed through the adapter's
    // supervision items (what DynamoPublicationRequestStore writes in each request transaction).
    const s = await setup();
    const liu = await s.world.user('liu.yang');
    const first = await requestPublication(s.ports, { actor: liu, body: { releaseNumber: s.releaseNumber }, requestId: 'r1' });
    await recordReview(s.ports, { requestId: first.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c1' });
    await recordApproval(s.ports, { requestId: first.requestId, round: 1, approver: 0, decision: { ...decision('approve', 'liu.yang'), decidedAt: '2026-09-24T02:00:00.000Z' }, requestIdOfCall: 'c2' });
    const secondRelease = await s.newRelease('rel-2');
    const second = await requestPublication(s.ports, { actor: liu, body: { releaseNumber: secondRelease }, requestId: 'r2' });
    await recordReview(s.ports, { requestId: second.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c3' });
    await recordApproval(s.ports, { requestId: second.requestId, round: 1, approver: 0, decision: decision('return', 'liu.yang', '涉及未公开的规划边界'), requestIdOfCall: 'c4' });
    const db = withSupervisionItems(new InMemoryRegistryAccess(s.world.tables));
    for (const a of s.publications.audits) await db.write([], a);
    s.world.setNow('2026-10-09T01:00:00.000Z');
    const objects = new Map<string, Uint8Array>();
    const supervision = new DynamoSupervisionStore(new InMemoryRegistryAccess(s.world.tables));
    const ports: BulletinPorts = {
      identity: s.world.identity,
      counters: () => new DynamoSupervisionStore(new InMemoryRegistryAccess(s.world.tables)),
      clocks: supervision,
      renderers: bulletinRenderers,
      files: {
        putOnce: async (key, body) => (objects.has(key) ? false : (objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body), true)),
        get: async (key) => objects.get(key),
      },
      bulletins: supervision,
      mailer: new RecordingMailer(),
      now: () => s.world.now,
      appBaseUrl,
    };

    // act
    const issued = await issueBulletin(ports, { actor: await s.world.user('zhou.hong'), org: '440000-NR', period: '2026-09', requestId: 'b1' });

    // assess
    const html = new TextDecoder().decode(objects.get(issued.bulletin.keys.html));
    expect(html).not.toMatch(/成果发布（R11–R12）<\/h2><p class="nodata">/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(objects.get(issued.bulletin.keys.xlsx)!) as never);
    const sheet = wb.getWorksheet('成果发布（R11–R12）')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const total = sheet.getRows(1, sheet.rowCount)!.find((r) => r.getCell(1).value === '合计')!;
    const cell = (label: string) => total.getCell(header.indexOf(label) + 1).value;
    expect([cell('发布申请'), cell('审批同意'), cell('不予发布'), cell('平均审批用时（工作日）'), cell('逾期审批')]).toEqual([2, 1, 1, 3, 0]);
  }, 60_000);
});

describe('R11.1 level-by-level release through the programme: a survey task names the task of the level above; the hold waits for that task\'s release', () => {
  it('a task names its parent: stored with the programme (the top task); an unknown parent, another theme or a parent not above → 400 naming body.parentTaskId', async () => {
    const world = await submissionWorld();
    const base = { theme: 'landCover', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' } as const;
    const top = await registerSurveyTask({ actor: await world.user('zhao.min'), input: { ...base, name: '全国地表覆盖监测' }, requestId: 't1' }, world.ports);

    const part = await registerSurveyTask({ actor: await world.user('chen.jing'), input: { ...base, name: '全国地表覆盖监测（广东省部分）', parentTaskId: top.taskId }, requestId: 't2' }, world.ports);

    expect(part).toMatchObject({ parentTaskId: top.taskId, programmeTaskId: top.taskId });
    expect(top.parentTaskId).toBeUndefined();
    const bad = async (parentTaskId: string, theme: ThemeId = 'landCover') =>
      registerSurveyTask({ actor: await world.user('chen.jing'), input: { ...base, theme, name: '广东省部分', parentTaskId }, requestId: 'x' }, world.ports).then(
        () => undefined,
        (e: unknown) => e,
      );
    for (const error of [await bad('no-such-task'), await bad(top.taskId, 'forest'), await bad(part.taskId)]) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details?.[0]).toMatchObject({ field: 'body.parentTaskId', code: 'PARENT_TASK' });
    }
  });

  it('广东省\'s release is held (what it waits for on the request) until a release of the national task is published; then the hold ends', async () => {
    const s = await setup({ parentTask: true });
    const r = await requestPublication(s.ports, { actor: await s.world.user('liu.yang'), body: { releaseNumber: s.releaseNumber }, requestId: 'req' });
    expect(r).toMatchObject({ parentTaskId: s.parentTaskId, programme: s.parentTaskId });
    await recordReview(s.ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c' });
    await recordApproval(s.ports, { requestId: r.requestId, round: 1, approver: 0, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c' });

    const before = await checkHold(s.ports, { requestId: r.requestId, requestIdOfCall: 'h1' });
    expect(before.held).toBe(true);
    expect(before.waitingFor[0]).toContain(`上一级调查监测任务（${s.parentTaskId}）`);
    expect(before.waitingFor[0]).toContain('尚未申请发布');
    expect((await s.publications.get(r.requestId))?.hold).toMatchObject({ parentTaskId: s.parentTaskId, waitingFor: before.waitingFor });

    // The national task's own request joins the programme (as requestPublication stores it); its release's state decides.
    let state: 'approved' | 'released' = 'approved';
    const national = { ...r, requestId: 'NAT-1', releaseNumber: 'NAT-RELEASE', level: 'national', taskId: s.parentTaskId!, programme: s.parentTaskId!, requestedAt: r.requestedAt } as PublicationRequest;
    const { parentTaskId: _p, ...top } = national;
    await s.publications.create(top as PublicationRequest, { actor: 'zhao.min', orgCode: '100000-NR', action: 'publication.request.create', target: 'PUBREQ#NAT-1', outcome: 'success', requestId: 'n', detail: {} });
    const ports = { ...s.ports, catalogue: { ...s.cat.store, getEntry: async (n: string) => (n === 'NAT-RELEASE' ? ({ release: { state } } as CatalogueEntry) : s.cat.store.getEntry(n)), updateEntry: s.cat.store.updateEntry.bind(s.cat.store), indexEntry: s.cat.store.indexEntry.bind(s.cat.store) } };
    const waiting = await checkHold(ports, { requestId: r.requestId, requestIdOfCall: 'h2' });
    expect(waiting.held).toBe(true);
    expect(waiting.waitingFor[0]).toContain('NAT-1');

    state = 'released';
    expect(await checkHold(ports, { requestId: r.requestId, requestIdOfCall: 'h3' })).toMatchObject({ held: false, waitingFor: [] });
    expect((await s.publications.get(r.requestId))?.timeline.at(-1)).toMatchObject({ type: 'holdReleased' });
  });
});

describe('R11.1 R12.1 issue 13 the console\'s request list (GET /publication/requests): my organisation\'s requests on each side, with their step, hold and deadline', () => {
  type Actor = Awaited<ReturnType<Awaited<ReturnType<typeof setup>>['world']['user']>>;
  const lister = (s: Awaited<ReturnType<typeof setup>>) => (actor: Actor, side: PublicationListSide, extra: { status?: PublicationStatus; limit?: number; cursor?: string } = {}) =>
    listPublicationRequests(s.ports, { actor, side, limit: extra.limit ?? 20, ...(extra.status ? { status: extra.status } : {}), ...(extra.cursor ? { cursor: extra.cursor } : {}) });

  it('a national wetland request: 自然资源部 sees it prepared and to review (R11.1 due = the clock\'s, awaiting it); 国家林业和草原局 only to approve, awaiting it once the review passed (R12.1 due = the clock\'s); status filters', async () => {
    const s = await setup({ theme: 'wetland', national: true });
    const list = lister(s);
    const zhao = await s.world.user('zhao.min');
    const wu = await s.world.user('wu.jing');
    const r = await requestPublication(s.ports, { actor: zhao, body: { releaseNumber: s.releaseNumber }, requestId: 'req-1' });
    const reviewClock = supervisionOf(s.publications.audits).clocks.get(`R11.1#${r.requestId}#r1`)!;

    expect((await list(zhao, 'prepared')).items.map((i) => i.requestId)).toEqual([r.requestId]);
    const toReview = await list(zhao, 'review');
    expect(toReview).toMatchObject({ org: '100000-NR', side: 'review' });
    expect(toReview.items[0]).toMatchObject({ status: 'review', statusLabel: '保密审查中', awaitingMe: true, deadline: { type: 'R11.1', due: reviewClock.due, overdue: false } });
    expect(toReview.items[0]!.deadline!.workingDaysLeft).toBe(new WorkingDayCalendar().workingDaysLeft(reviewClock.due, '2026-09-21'));
    expect(toReview.items[0]!.step).toContain('保密审查');
    expect((await list(wu, 'prepared')).items).toEqual([]);
    expect((await list(wu, 'review')).items).toEqual([]);
    expect((await list(wu, 'approval')).items[0]).toMatchObject({ requestId: r.requestId, awaitingMe: false });

    await recordReview(s.ports, { requestId: r.requestId, round: 1, decision: decision('approve', 'zhao.min'), requestIdOfCall: 'c1' });
    const approvalClock = supervisionOf(s.publications.audits).clocks.get(`R12.1#${r.requestId}#r1#a1`)!;
    const toApprove = (await list(wu, 'approval')).items[0]!;
    expect(toApprove).toMatchObject({ status: 'approval', awaitingMe: true, deadline: { type: 'R12.1', due: approvalClock.due }, approvers: [{ orgCode: '100000-NR' }, { orgCode: '100000-FG' }] });
    expect(toApprove.step).toContain('100000-FG');
    // 自然资源部 reviewed it (nothing left on that side) and is itself the first approver (awaiting there).
    expect((await list(zhao, 'review')).items[0]).toMatchObject({ awaitingMe: false });
    expect((await list(zhao, 'approval')).items[0]).toMatchObject({ awaitingMe: true });

    expect((await list(zhao, 'review', { status: 'review' })).items).toEqual([]);
    expect((await list(zhao, 'review', { status: 'approval' })).items.map((i) => i.requestId)).toEqual([r.requestId]);
  });

  it('pages newest first with a cursor; a held request says what it waits for; a release above the reader\'s clearance is not listed', async () => {
    const s = await setup();
    const list = lister(s);
    const liu = await s.world.user('liu.yang');
    const first = await requestPublication(s.ports, { actor: liu, body: { releaseNumber: s.releaseNumber, embargoUntil: '2026-12-31' }, requestId: 'req-1' });
    s.world.setNow('2026-09-22T02:00:00.000Z');
    const internal = await s.newRelease('rel-2', 'internal');
    const second = await requestPublication(s.ports, { actor: liu, body: { releaseNumber: internal }, requestId: 'req-2' });

    const one = await list(liu, 'prepared', { limit: 1 });
    expect(one.items.map((i) => i.requestId)).toEqual([second.requestId]);
    expect(one.cursor).toBeDefined();
    const two = await list(liu, 'prepared', { limit: 1, cursor: one.cursor! });
    expect(two.items.map((i) => i.requestId)).toEqual([first.requestId]);

    await recordReview(s.ports, { requestId: first.requestId, round: 1, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c1' });
    await recordApproval(s.ports, { requestId: first.requestId, round: 1, approver: 0, decision: decision('approve', 'liu.yang'), requestIdOfCall: 'c2' });
    await checkHold(s.ports, { requestId: first.requestId, requestIdOfCall: 'c3' });
    const held = (await list(liu, 'prepared', { status: 'held' })).items[0]!;
    expect(held).toMatchObject({ status: 'held', hold: { embargoUntil: '2026-12-31' } });
    expect(held.hold!.waitingFor.join('')).toContain('2026-12-31');
    expect(held.deadline).toBeUndefined();

    // R5.1: cleared for 公开 only, the 内部 release's request is not listed (GET of it answers 404).
    const publicOnly = { ...liu, clearance: 'public' as const };
    expect((await list(publicOnly, 'prepared')).items.map((i) => i.requestId)).toEqual([first.requestId]);
    await expect(visibleRequest(s.ports, publicOnly, second.requestId)).rejects.toBeInstanceOf(NotFoundError);
  });
});
