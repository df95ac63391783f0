import { describe, expect, it } from 'vitest';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { tokenOf } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, getItem, waitForEmail } from './helpers.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

describe('R14.2 R16.3 public applications on the local cloud: no account → emailed code → received, on the clock → extended → answered by email', () => {
  it('runs a disclosure application through the real routes, DynamoDB and MailDev; every response matches the OpenAPI document', async () => {
    // prepare
    const email = `gongzhong.${Date.now()}@example.cn`;
    const since = new Date();
    const chen = await tokenOf('chen.jing');

    // act: bad input first — a 400 naming the field, nothing emailed
    const bad = await api('POST', '/public/applications', { body: { kind: 'reuse', name: '李华', phone: '13900139000', email, subject: '申请利用土地利用现状成果', purpose: '课题研究使用' } });
    const submitted = await api('POST', '/public/applications', {
      body: { kind: 'disclosure', name: '李华', phone: '13900139000', email, answeringOrg: '440000-NR', subject: '申请公开 2025 年全省自然资源调查监测成果目录的编制情况', purpose: '了解本省调查监测成果的公开情况' },
    });
    const applicationId = String(submitted.body.application.applicationId);
    const codeMail = await waitForEmail({ to: email, subject: '验证码', since, timeoutMs: 20_000 });
    const code = /验证码：(\d{6})/.exec(codeMail.text ?? '')![1]!;
    const stored = await getItem({ pk: `PUBAPP#${applicationId}`, sk: 'META' });
    const wrong = await api('POST', `/public/applications/${applicationId}/verification`, { body: { code: code === '000000' ? '000001' : '000000' } });
    const verified = await api('POST', `/public/applications/${applicationId}/verification`, { body: { code } });
    await waitForEmail({ to: email, subject: '申请已收到', since, timeoutMs: 20_000 });
    const listed = await api('GET', '/sharing/public-applications', { token: chen });
    const hidden = await api('GET', `/sharing/public-applications/${applicationId}`, { token: await tokenOf('luo.xin') });
    const clocks = await api('GET', '/supervision/clocks?type=R16.3', { token: chen });
    const extended = await api('POST', `/sharing/public-applications/${applicationId}/extension`, { token: chen, body: { reason: '需要征求保管单位意见' } });
    const refusedBare = await api('POST', `/sharing/public-applications/${applicationId}/answer`, { token: chen, body: { outcome: 'refused', text: '不属于本机关公开范围' } });
    const answered = await api('POST', `/sharing/public-applications/${applicationId}/answer`, {
      token: chen,
      body: { outcome: 'granted', text: '成果目录编制情况已在公开目录中发布，可在线查阅' },
    });
    const answerMail = await waitForEmail({ to: email, subject: '申请答复', since, timeoutMs: 20_000 });
    const met = await api('GET', '/supervision/clocks?type=R16.3&state=met', { token: chen });

    // assess
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('body.resultNumber');
    expect(submitted.status).toBe(202);
    expect(stored?.['status']).toBe('unverified');
    expect(JSON.stringify(stored)).not.toContain(`"${code}"`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].field).toBe('body.code');
    expect(verified.status).toBe(200);
    expect(verified.body.application).toMatchObject({ status: 'open', due: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(listed.body.items.map((a: { applicationId: string }) => a.applicationId)).toContain(applicationId);
    expect(hidden.status).toBe(404);
    expect(clocks.status).toBe(200);
    expect(clocks.body.items.find((c: { subject: string }) => c.subject === applicationId)).toMatchObject({ type: 'R16.3', ownerOrg: '440000-NR', due: verified.body.application.due });
    expect(extended.status).toBe(200);
    expect(extended.body.application.due > verified.body.application.due).toBe(true);
    expect(refusedBare.status).toBe(400);
    expect(refusedBare.body.error.details[0].field).toBe('body.legalGround');
    expect(answered.status).toBe(200);
    expect(answered.body.application).toMatchObject({ status: 'answered', answer: { outcome: 'granted' } });
    expect(answerMail.text).toContain('答复结果：予以提供（公开）');
    expect(met.body.items.find((c: { subject: string }) => c.subject === applicationId)).toMatchObject({ state: 'met', late: false, due: extended.body.application.due });
  }, 120_000);
});
