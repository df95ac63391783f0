/**
 * R7.1 “the organiser, with the custodian and technical units, verifies”: the survey task names who countersigns
 * (its technical units, its custodian) and who decides; the Verification machine (the real ASL on the local engine,
 * the real handlers on in-memory ports) waits for every opinion before the review, and the review page shows them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import type { HumanTaskDecisionValue } from '#shared/ports/tasks.ts';
import { HumanTaskAlreadyDecidedError, NotAssigneeError } from '#shared/tasks/errors.ts';
import { decideHumanTask, getHumanTask } from '#shared/tasks/human-tasks.ts';
import { countersignKindId, countersignWaitingLabel } from '#shared/verification/countersign.ts';
import { registeredTask } from './submission-fakes.ts';
import { submitFixture, until, verificationWorld, type VerificationWorld } from './verification-workflow-fakes.ts';

let world: VerificationWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function decideAs(w: VerificationWorld, userId: string, id: string, decision: HumanTaskDecisionValue, reasons = '') {
  return decideHumanTask(w.humanPorts, { actor: await w.sub.user(userId), id, decision, reasons, requestId: `req-${userId}-${id}` });
}

/** The open countersign task of one unit on round n. */
async function countersignTask(w: VerificationWorld, submissionId: string, org: string): Promise<string> {
  return until(async () => (await w.humanPorts.tasks.listBySubject(countersignKindId, { submissionId, n: 1, org })).find((t) => t.status === 'open')?.id, `the countersign task of ${org}`);
}

async function reviewTask(w: VerificationWorld, submissionId: string): Promise<string> {
  return until(async () => {
    const v = await w.sub.store.getVersion(submissionId, 1);
    return v?.status === 'awaitingReview' ? v.reviewTaskId : undefined;
  }, 'the review task');
}

describe('R7.1 who takes part in the technical review: registration names only designated units', () => {
  it('refuses a review unit or a countersigning unit the organiser did not designate (400 NOT_DESIGNATED naming the field); accepts the technical unit and the custodian', async () => {
    // prepare
    world = await verificationWorld();
    // act
    const notDesignated = await registeredTask(world.sub, { countersignOrgs: ['440000-IMP'] }).catch((e: unknown) => e);
    const reviewElsewhere = await registeredTask(world.sub, { reviewOrg: '440000-CUS' }).catch((e: unknown) => e);
    const accepted = await registeredTask(world.sub, { countersignOrgs: ['440000-TEC', '440000-CUS'] });
    // assess
    expect(notDesignated).toBeInstanceOf(ValidationError);
    expect((notDesignated as ValidationError).details?.[0]).toMatchObject({ field: 'body.countersignOrgs.0', code: 'NOT_DESIGNATED' });
    expect((reviewElsewhere as ValidationError).details?.[0]).toMatchObject({ field: 'body.reviewOrg', code: 'NOT_DESIGNATED' });
    expect(accepted).toMatchObject({ technicalUnits: ['440000-TEC'], countersignOrgs: ['440000-TEC', '440000-CUS'] });
  });
});

describe('R7.1 Verification state machine: the technical unit and the custodian countersign before the organiser decides', () => {
  it('waits for both opinions (emailed links), shows them on the review task, and needs reasons to approve over a dissent', async () => {
    // prepare
    world = await verificationWorld();
    const { submissionId, executionArn } = await submitFixture(world, 'valid', { countersignOrgs: ['440000-TEC', '440000-CUS'] });
    const tec = await countersignTask(world, submissionId, '440000-TEC');
    const cus = await countersignTask(world, submissionId, '440000-CUS');
    // act: a person of another unit, then the two units, then the same unit again
    const unitPage = await getHumanTask(world.humanPorts, { actor: await world.sub.user('guo.tao'), id: tec });
    const outsider = await decideAs(world, 'chen.jing', tec, 'approve').catch((e: unknown) => e);
    const noReasons = await decideAs(world, 'guo.tao', tec, 'return').catch((e: unknown) => e);
    await decideAs(world, 'guo.tao', tec, 'return', '图斑属性表缺少变化类型字段，建议补充后通过');
    const twice = await decideAs(world, 'guo.tao', tec, 'approve').catch((e: unknown) => e);
    const reviewBeforeAll = await world.sub.store.getVersion(submissionId, 1);
    await decideAs(world, 'zhang.wei', cus, 'approve');
    const reviewId = await reviewTask(world, submissionId);
    const seen = await getHumanTask(world.humanPorts, { actor: await world.sub.user('chen.jing'), id: reviewId });
    const seenByUnit = await getHumanTask(world.humanPorts, { actor: await world.sub.user('guo.tao'), id: reviewId });
    const unitDecides = await decideAs(world, 'guo.tao', reviewId, 'approve', '同意通过').catch((e: unknown) => e);
    const overDissent = await decideAs(world, 'chen.jing', reviewId, 'approve').catch((e: unknown) => e);
    await decideAs(world, 'chen.jing', reviewId, 'approve', '缺少的字段不影响本阶段成果使用，下一季度补充');
    const done = await world.engine.settled(executionArn);
    // assess
    expect(world.mailer.to('guo.tao@example.gov.cn')[0]?.text).toContain(`/human-tasks/${tec}/page`);
    expect(world.mailer.to('zhang.wei@example.gov.cn')[0]?.text).toContain(`/human-tasks/${cus}/page`);
    expect(outsider).toBeInstanceOf(NotAssigneeError);
    expect((noReasons as ValidationError).details?.[0]).toMatchObject({ field: 'body.reasons', code: 'REASONS_REQUIRED' });
    expect(twice).toBeInstanceOf(HumanTaskAlreadyDecidedError);
    expect(reviewBeforeAll?.status).toBe('verifying');
    expect(unitPage.summary).toMatchObject({ kind: 'technicalCountersign', version: { status: 'verifying', statusLabel: countersignWaitingLabel }, report: { passed: expect.any(Boolean) } });
    expect(seen.summary).toMatchObject({
      kind: 'technicalReview',
      reviewOrg: '440000-NR',
      countersign: [
        { org: '440000-TEC', capacity: '技术单位', status: 'decided', opinion: 'return', opinionLabel: '不同意', reasons: expect.stringContaining('变化类型'), decidedBy: 'guo.tao' },
        { org: '440000-CUS', capacity: '保管单位', status: 'decided', opinion: 'approve', opinionLabel: '同意', decidedBy: 'zhang.wei' },
      ],
    });
    expect(seen.canDecide).toBe(true);
    expect(seenByUnit.canDecide).toBe(false);
    expect(unitDecides).toBeInstanceOf(NotAssigneeError);
    expect(overDissent).toBeInstanceOf(ValidationError);
    expect((overDissent as ValidationError).details?.[0]).toMatchObject({ field: 'body.reasons', code: 'DISSENT_REASONS_REQUIRED', message: expect.stringContaining('广东省国土资源测绘院') });
    expect(done?.status).toBe('SUCCEEDED');
    expect(await world.sub.store.getVersion(submissionId, 1)).toMatchObject({ status: 'verified', decidedBy: 'chen.jing' });
    const events = await world.sub.store.listEvents(submissionId);
    expect(events.filter((e) => e.type === 'countersignRequested')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'countersigned').map((e) => `${String(e.detail['org'])} ${String(e.detail['opinion'])}`).sort()).toEqual(['440000-CUS 同意', '440000-TEC 不同意']);
  });

  it('assigns the review itself to the designated technical unit when the organiser says so', async () => {
    // prepare
    world = await verificationWorld();
    const { submissionId, executionArn } = await submitFixture(world, 'valid', { reviewOrg: '440000-TEC' });
    // act
    const reviewId = await reviewTask(world, submissionId);
    const organiser = await decideAs(world, 'chen.jing', reviewId, 'approve').catch((e: unknown) => e);
    await decideAs(world, 'guo.tao', reviewId, 'approve');
    const done = await world.engine.settled(executionArn);
    // assess
    expect(world.invoked.filter((f) => f === 'CreateHumanTask')).toHaveLength(1);
    expect(world.mailer.to('guo.tao@example.gov.cn')[0]?.text).toContain(`/human-tasks/${reviewId}/page`);
    expect(organiser).toBeInstanceOf(NotAssigneeError);
    expect(done?.status).toBe('SUCCEEDED');
    expect(await world.sub.store.getVersion(submissionId, 1)).toMatchObject({ status: 'verified', decidedBy: 'guo.tao' });
  });
});
