/**
 * R7.1: the organiser changes who decides a survey task's technical review (`reviewOrg`) and who countersigns
 * first (`countersignOrgs`) after registration — PUT /survey-tasks/{taskId}/arrangement through the real handler,
 * and on the Verification machine (the real ASL on the local engine, real handlers on in-memory ports): a round
 * sealed before the change keeps its arrangement, the next round uses the new one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handler as changeArrangement } from '#functions/submission/change-review-arrangement.ts';
import type { HumanTaskDecisionValue } from '#shared/ports/tasks.ts';
import { arrangementAt } from '#shared/submission/arrangement.ts';
import { verificationParticipants } from '#shared/submission/access.ts';
import { decideHumanTask, getHumanTask } from '#shared/tasks/human-tasks.ts';
import { countersignKindId } from '#shared/verification/countersign.ts';
import { call, portsFor, registeredTask, submissionWorld } from './submission-fakes.ts';
import { resubmitFixture, submitFixture, until, verificationWorld, type VerificationWorld } from './verification-workflow-fakes.ts';

let world: VerificationWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const put = async (w: Awaited<ReturnType<typeof submissionWorld>>, user: string, taskId: string, body: unknown) =>
  call(changeArrangement.with(portsFor(w)), 'PUT', `/survey-tasks/${taskId}/arrangement`, { user, pathParameters: { taskId }, body });

describe('R7.1 PUT /survey-tasks/{taskId}/arrangement: the organiser changes who reviews and who countersigns', () => {
  it('changes the arrangement once, audited; the same again changes nothing; a stale rev is 409 and writes nothing', async () => {
    // prepare
    const w = await submissionWorld();
    const task = await registeredTask(w);
    // act
    const first = await put(w, 'chen.jing', task.taskId, { reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], rev: 0 });
    const before = w.snapshot();
    const again = await put(w, 'chen.jing', task.taskId, { reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], rev: 1 });
    const stale = await put(w, 'chen.jing', task.taskId, { reviewOrg: null, countersignOrgs: [], rev: 0 });
    const after = w.snapshot();
    // assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ changed: true, task: { reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], arrangementRev: 1, earlierArrangements: [{ until: w.now.toISOString(), changedBy: 'chen.jing' }] } });
    expect(await w.store.getTask(task.taskId)).toMatchObject({ reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], arrangementRev: 1 });
    const audit = w.identity.auditRecords().filter((r) => r['action'] === 'submission.task.arrangement');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'chen.jing', target: `TASK#${task.taskId}`, detail: { rev: 1, reviewOrg: '440000-TEC', previousReviewOrg: null } });
    expect(again).toMatchObject({ status: 200, body: { changed: false } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'ARRANGEMENT_CHANGED' });
    expect(after).toEqual(before);
  });

  it('back to the organiser’s own reviewers and no countersign: the attributes are removed, the earlier arrangements kept in order', async () => {
    // prepare
    const w = await submissionWorld();
    const task = await registeredTask(w, { countersignOrgs: ['440000-TEC'] });
    // act
    const res = await put(w, 'chen.jing', task.taskId, { reviewOrg: null, countersignOrgs: [], rev: 0 });
    // assess
    expect(res.status).toBe(200);
    const stored = await w.store.getTask(task.taskId);
    expect(stored?.reviewOrg).toBeUndefined();
    expect(stored?.countersignOrgs).toBeUndefined();
    expect(stored?.earlierArrangements).toEqual([{ countersignOrgs: ['440000-TEC'], until: w.now.toISOString(), changedBy: 'chen.jing' }]);
  });

  it('refuses a unit the organiser did not designate (400 naming the field) and anyone but the organiser’s reviewer or administrator (403), writing nothing', async () => {
    // prepare
    const w = await submissionWorld();
    const task = await registeredTask(w);
    const before = w.snapshot();
    // act
    const implementer = await put(w, 'chen.jing', task.taskId, { reviewOrg: null, countersignOrgs: ['440000-IMP'], rev: 0 });
    const reviewerCountersigns = await put(w, 'chen.jing', task.taskId, { reviewOrg: '440000-TEC', countersignOrgs: ['440000-TEC'], rev: 0 });
    const submitter = await put(w, 'li.na', task.taskId, { reviewOrg: '440000-TEC', countersignOrgs: [], rev: 0 });
    const unitReviewer = await put(w, 'guo.tao', task.taskId, { reviewOrg: '440000-TEC', countersignOrgs: [], rev: 0 });
    const unknown = await put(w, 'chen.jing', '00000000-0000-4000-8000-999999999999', { reviewOrg: null, countersignOrgs: [], rev: 0 });
    // assess
    expect(implementer.status).toBe(400);
    expect(implementer.body.error.details[0]).toMatchObject({ field: 'body.countersignOrgs.0', code: 'NOT_DESIGNATED' });
    expect(reviewerCountersigns.body.error.details[0]).toMatchObject({ field: 'body.countersignOrgs.0', code: 'REVIEWER_COUNTERSIGNS' });
    expect(submitter.status).toBe(403);
    expect(unitReviewer.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(w.snapshot()).toEqual(before);
  });

  it('the arrangement of a round is the one in force when it was sealed; the units of a replaced arrangement still take part in verifying', () => {
    // prepare
    const task = {
      technicalUnits: [],
      reviewOrg: 'B',
      countersignOrgs: ['C'],
      earlierArrangements: [
        { countersignOrgs: ['X'], until: '2026-09-01T00:00:00.000Z', changedBy: 'u' },
        { reviewOrg: 'A', until: '2026-09-10T00:00:00.000Z', changedBy: 'u' },
      ],
    };
    // act + assess
    expect(arrangementAt(task, '2026-08-31T23:59:59.000Z')).toEqual({ countersignOrgs: ['X'] });
    expect(arrangementAt(task, '2026-09-01T00:00:00.000Z')).toEqual({ reviewOrg: 'A', countersignOrgs: [] });
    expect(arrangementAt(task, '2026-09-10T00:00:00.000Z')).toEqual({ reviewOrg: 'B', countersignOrgs: ['C'] });
    expect(arrangementAt(task, undefined)).toEqual({ reviewOrg: 'B', countersignOrgs: ['C'] });
    expect(verificationParticipants(task).sort()).toEqual(['A', 'B', 'C', 'X']);
  });
});

async function decideAs(w: VerificationWorld, userId: string, id: string, decision: HumanTaskDecisionValue, reasons = '') {
  return decideHumanTask(w.humanPorts, { actor: await w.sub.user(userId), id, decision, reasons, requestId: `req-${userId}-${id}` });
}

describe('R7.1 Verification state machine: a changed arrangement applies to the next round, not to the round under way', () => {
  it('round 1 (sealed before the change) goes to the organiser without countersign; round 2 is countersigned by the custodian and reviewed by the technical unit', async () => {
    // prepare: round 1 sealed under the registration's arrangement (the organiser reviews, nobody countersigns)
    world = await verificationWorld();
    const w = world;
    const { submissionId, executionArn } = await submitFixture(w, 'valid');
    const taskId = (await w.sub.store.getSubmission(submissionId))!.taskId;
    w.sub.setNow('2026-09-21T03:00:00.000Z');
    // act: the organiser changes the arrangement while round 1 is under way
    const changed = await put(w.sub, 'chen.jing', taskId, { reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], rev: 0 });
    const review1 = await until(async () => {
      const v = await w.sub.store.getVersion(submissionId, 1);
      return v?.status === 'awaitingReview' ? v.reviewTaskId : undefined;
    }, 'the review task of round 1');
    const page1 = await getHumanTask(w.humanPorts, { actor: await w.sub.user('chen.jing'), id: review1 });
    await decideAs(w, 'chen.jing', review1, 'return', '图斑属性表缺少变化类型字段，请补充');
    await w.engine.settled(executionArn);
    const round2 = await resubmitFixture(w, submissionId, 'valid');
    const countersign2 = await until(
      async () => (await w.humanPorts.tasks.listBySubject(countersignKindId, { submissionId, n: round2.n, org: '440000-CUS' })).find((t) => t.status === 'open')?.id,
      'the custodian’s countersign task of round 2',
    );
    await decideAs(w, 'zhang.wei', countersign2, 'approve');
    const review2 = await until(async () => {
      const v = await w.sub.store.getVersion(submissionId, round2.n);
      return v?.status === 'awaitingReview' ? v.reviewTaskId : undefined;
    }, 'the review task of round 2');
    const organiserOnRound2 = await decideAs(w, 'chen.jing', review2, 'approve').catch((e: unknown) => e);
    await decideAs(w, 'guo.tao', review2, 'approve', '同意通过');
    const done = await w.engine.settled(round2.executionArn);
    // assess
    expect(changed.status).toBe(200);
    expect(await w.humanPorts.tasks.listBySubject(countersignKindId, { submissionId, n: 1, org: '440000-CUS' })).toEqual([]);
    expect(page1.summary).toMatchObject({ reviewOrg: '440000-NR', countersign: [] });
    expect((await w.humanPorts.tasks.get(review1))?.task.assigneeOrg).toBe('440000-NR');
    expect((await w.humanPorts.tasks.get(review2))?.task.assigneeOrg).toBe('440000-TEC');
    expect(organiserOnRound2).toBeInstanceOf(Error);
    expect(done?.status).toBe('SUCCEEDED');
    expect(await w.sub.store.getVersion(submissionId, round2.n)).toMatchObject({ status: 'verified', decidedBy: 'guo.tao' });
  });
});
