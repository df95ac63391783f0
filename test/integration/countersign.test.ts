/**
 * R7.1 on the local cloud: a survey task names its technical unit (广东省国土资源测绘院, 郭涛) to countersign; the
 * Verification machine (the real ASL) emails 郭涛 the countersign link, waits for his opinion, then emails 陈静 the
 * review, whose page shows the opinion; approving over the dissent needs reasons.
 */
import { describe, expect, it } from 'vitest';
import { registeredTask, submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { api, waitForEmail } from './helpers.ts';

describe('R7.1 countersign on the local cloud, through the emailed links', () => {
  it('the technical unit’s dissent is recorded once (409 again, 403 for another unit), shown to the organiser, and overridden only with reasons', async () => {
    // prepare
    const { submissionId, name, since } = await submit('valid', { review: { countersignOrgs: ['440000-TEC'] } });
    const countersignMail = await waitForEmail({ to: 'guo.tao@example.gov.cn', subject: `技术审核会签：${name}`, since, timeoutMs: 30_000 });
    const id = taskIdIn(countersignMail);
    const guo = await tokenOf('guo.tao');
    // act: the unit reads the task, the submission and the report, then dissents; others try
    const view = await api('GET', `/human-tasks/${id}`, { token: guo });
    const submission = await api('GET', `/submissions/${submissionId}`, { token: guo });
    const report = await api('GET', `/submissions/${submissionId}/versions/1/report`, { token: guo });
    const timeline = await api('GET', `/submissions/${submissionId}/timeline`, { token: guo });
    const outsider = await api('POST', `/human-tasks/${id}/decision`, { token: await tokenOf('lin.feng'), body: { decision: 'approve', reasons: '' } });
    const dissent = await api('POST', `/human-tasks/${id}/decision`, { token: guo, body: { decision: 'return', reasons: '图斑属性表缺少变化类型字段' } });
    const again = await api('POST', `/human-tasks/${id}/decision`, { token: guo, body: { decision: 'approve', reasons: '' } });
    const reviewMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
    const reviewId = taskIdIn(reviewMail);
    const chen = await tokenOf('chen.jing');
    const review = await api('GET', `/human-tasks/${reviewId}`, { token: chen });
    const reviewByUnit = await api('GET', `/human-tasks/${reviewId}`, { token: guo });
    const bare = await api('POST', `/human-tasks/${reviewId}/decision`, { token: chen, body: { decision: 'approve', reasons: '' } });
    const approved = await api('POST', `/human-tasks/${reviewId}/decision`, { token: chen, body: { decision: 'approve', reasons: '该字段不影响阶段成果使用，下季度补充' } });
    // assess
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ kind: 'technicalCountersign', canDecide: true, summary: { kind: 'technicalCountersign', unit: { org: '440000-TEC', capacity: '技术单位' }, report: { passed: true } } });
    expect([submission.status, report.status, timeline.status]).toEqual([200, 200, 403]);
    expect(outsider.status).toBe(403);
    expect(dissent.status).toBe(200);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TASK_ALREADY_DECIDED');
    expect(review.status).toBe(200);
    expect(review.body.summary.countersign).toEqual([
      expect.objectContaining({ org: '440000-TEC', orgName: '广东省国土资源测绘院', opinion: 'return', opinionLabel: '不同意', reasons: '图斑属性表缺少变化类型字段', decidedBy: 'guo.tao' }),
    ]);
    expect(reviewByUnit.status).toBe(200);
    expect(reviewByUnit.body.canDecide).toBe(false);
    expect(bare.status).toBe(400);
    expect(bare.body.error.details[0]).toMatchObject({ field: 'body.reasons', code: 'DISSENT_REASONS_REQUIRED' });
    expect(approved.status).toBe(200);
    expect((await versionStatus(submissionId, 1, ['verified']))['decidedBy']).toBe('chen.jing');
  });
});

describe('R7.1 the organiser changes the review arrangement after registration, on the local cloud', () => {
  it('PUT /survey-tasks/{taskId}/arrangement: 200 once, the same again changed=false, a stale rev 409, another unit 403; the task shows it', async () => {
    // prepare
    const taskId = await registeredTask();
    const chen = await tokenOf('chen.jing');
    const body = { reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], rev: 0 };
    // act
    const changed = await api('PUT', `/survey-tasks/${taskId}/arrangement`, { token: chen, body });
    const again = await api('PUT', `/survey-tasks/${taskId}/arrangement`, { token: chen, body: { ...body, rev: 1 } });
    const stale = await api('PUT', `/survey-tasks/${taskId}/arrangement`, { token: chen, body: { reviewOrg: null, countersignOrgs: [], rev: 0 } });
    const unit = await api('PUT', `/survey-tasks/${taskId}/arrangement`, { token: await tokenOf('guo.tao'), body: { ...body, rev: 1 } });
    const task = await api('GET', `/survey-tasks/${taskId}`, { token: chen });
    // assess
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ changed: true, task: { reviewOrg: '440000-TEC', countersignOrgs: ['440000-CUS'], arrangementRev: 1 } });
    expect(again.body.changed).toBe(false);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('ARRANGEMENT_CHANGED');
    expect(unit.status).toBe(403);
    expect(task.body.task).toMatchObject({ reviewOrg: '440000-TEC', arrangementRev: 1, earlierArrangements: [{ changedBy: 'chen.jing' }] });
  });
});
