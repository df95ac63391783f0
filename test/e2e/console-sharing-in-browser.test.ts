/**
 * Issue 13's pages for what follows a sharing approval, in Debian's Chromium against the local cloud: 罗欣 files a use
 * report (R19.1) and registers a derived product (R18.2); the custodian records an offline hand-over with each file's
 * SHA-256 checked against the approved list (R16.2, R17.1); the organiser answers a public application on its R16.3
 * clock. The API's Chinese message appears next to the field it names; axe-core and the layout at 1366×768 and
 * 1920×1080 on every page (console-page-checks.ts); each outcome checked against the API.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { submit, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { testPortBase } from '../integration/global-setup.ts';
import { api, eventually, listEmails, waitForEmail } from '../integration/helpers.ts';
import { checkPage, closeBrowser, navigate, openBrowser, signedIn, tableAt1366 } from './console-page-checks.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const fieldError = (page: Page, label: string) => page.locator('.el-form-item').filter({ has: page.getByLabel(label, { exact: true }) }).locator('.el-form-item__error');
const chinaDay = (plusDays = 0) => new Date(Date.now() + plusDays * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/** A verified result of the `valid` fixture, catalogued by zhang.wei (440000-CUS) and copied into custody as the transfer does. */
async function resultInCustody(classification: 'public' | 'internal'): Promise<string> {
  const { submissionId, name, since } = await submit('valid', { classification });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  const resultNumber = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `console-sharing-${submissionId}` });
  return resultNumber;
}

/** 罗欣 (or `user`) applies (online or offline) for the result; 陈静 approves through the emailed task (the one naming this application), with `conditions` if given. */
async function approvedApplication(resultNumber: string, channel: 'online' | 'offline', user = 'luo.xin', conditions?: { useReportDue?: string }): Promise<string> {
  const since = new Date();
  const applied = await api('POST', '/sharing/applications', {
    token: await tokenOf(user),
    body: {
      results: [{ resultNumber }],
      purpose: '编制全省水资源综合规划，需叠加土地利用现状',
      scope: '广东省水利厅规划计划处内部使用',
      period: { from: chinaDay(), to: chinaDay(60) },
      contact: { name: '罗欣', phone: '020-83331234' },
      channel,
      ...(channel === 'offline' ? { offlineReason: '规划编制在内网开展，须以光盘离线接收' } : {}),
    },
  });
  expect(applied.status).toBe(201);
  const applicationId = String(applied.body.application.applicationId);
  const mail = await eventually(
    async () => (await listEmails()).find((e) => e.subject.includes('成果共享审核') && e.to.some((t) => t.address === 'chen.jing@example.gov.cn') && new Date(e.time) >= new Date(since.getTime() - 1000) && (e.text ?? '').includes(applicationId)),
    `the review task of ${applicationId}`,
    30_000,
  );
  const taskId = taskIdIn(mail);
  await eventually(async () => ((await api('GET', `/human-tasks/${taskId}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'the sharing review task open', 30_000);
  expect((await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意共享', ...(conditions ? { conditions } : {}) } })).status).toBe(200);
  return applicationId;
}

let resultNumber = '';
beforeAll(async () => {
  await openBrowser();
  resultNumber = await resultInCustody('public');
}, 240_000);
afterAll(closeBrowser);

describe('R19.1 R18.2 issue 13/17 use reports and derived products in the console: 罗欣 files a use report of her grant, the organiser sees it in', () => {
  it('luo.xin sees the report due on the organiser’s date labelled 组织单位确定 (not 期满) with its working days left; an empty 应用项目 is refused next to the field; filed → 已提交 (API agrees) and the form no longer says 待提交; 陈静 sees it under 收到的利用情况报告; a derived product registered from the grant is listed with its source’s review', async () => {
    // prepare: an approved online grant to chinaDay(60) whose organiser set the report for chinaDay(30), signed by 罗欣 (the agreement's SHA-256 as the grant page sends it)
    const applicationId = await approvedApplication(resultNumber, 'online', 'luo.xin', { useReportDue: chinaDay(30) });
    const luo = await tokenOf('luo.xin');
    const grantId = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: luo })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
    const agreement = (await api('GET', `/sharing/grants/${grantId}`, { token: luo })).body.agreement;
    expect((await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: luo, body: { sha256: agreement.sha256 } })).status).toBe(200);

    // act: the list, then the form with a missing project, then the report
    const page = await signedIn('luo.xin', 'sharing/use-reports');
    for (const item of ['利用情况报告', '衍生产品']) await page.getByRole('menuitem', { name: item, exact: true }).waitFor();
    // The row of this grant (its link; grant ids of the same organisation share their ending).
    const row = page.getByTestId('use-reports').getByRole('row').filter({ has: page.locator(`a[href$="${grantId}"]`) });
    await row.waitFor();
    const rowText = await row.innerText();
    const kindText = await row.getByTestId('use-report-kind').innerText();
    await checkPage(page, 'sharing-use-reports');
    await row.getByRole('link', { name: '填报' }).click();
    await page.getByRole('heading', { name: '报送利用情况报告' }).waitFor();
    const dueText = await page.getByTestId('use-report-this').innerText();
    await page.getByLabel('应用情况').fill('叠加土地利用现状，测算各流域农业和生活用水需求');
    await page.getByLabel('应用成效').fill('形成分流域用水需求测算成果，纳入规划送审稿');
    await page.getByRole('button', { name: '报送' }).click();
    const projectsError = fieldError(page, '应用项目');
    await projectsError.waitFor();
    const refusedText = await projectsError.innerText();
    const beforeFiling = (await api('GET', '/sharing/use-reports', { token: luo })).body.items.find((r: { grantId: string }) => r.grantId === grantId);
    await checkPage(page, 'sharing-file-use-report');
    await page.getByLabel('应用项目').fill('广东省水资源综合规划（2026—2035年）\n珠江三角洲水资源配置工程');
    await page.getByRole('button', { name: '报送' }).click();
    await page.getByTestId('use-report-filed').waitFor();
    const filedText = await page.getByTestId('use-report-filed').innerText();
    const thisReportText = await page.getByTestId('use-report-grant').innerText();
    await checkPage(page, 'sharing-use-report-filed');
    const afterFiling = (await api('GET', '/sharing/use-reports', { token: luo })).body.items.find((r: { grantId: string }) => r.grantId === grantId);

    // assess: what the page said matches the API
    expect(rowText).toContain(chinaDay(30));
    expect(rowText).toMatch(/\d+ 个工作日/);
    expect(rowText).toContain('待提交');
    expect(kindText).toBe('组织单位确定');
    expect(rowText).not.toContain('期满');
    expect(dueText).toBe(`应于 ${chinaDay(30)}（组织单位确定）提交（待提交）`);
    expect(beforeFiling).toMatchObject({ status: 'due', due: chinaDay(30), kind: 'end', to: chinaDay(60) });
    expect(rowText).toContain(`${beforeFiling.workingDaysLeft} 个工作日`);
    expect(refusedText).toBe('至少列出 1 个应用项目');
    expect(filedText).toContain('已提交');
    expect(thisReportText).toContain(`已报送（应交日期 ${chinaDay(30)}，组织单位确定；已提交）`);
    expect(thisReportText).not.toContain('待提交');
    expect(afterFiling).toMatchObject({ status: 'in', report: { by: 'luo.xin', projects: ['广东省水资源综合规划（2026—2035年）', '珠江三角洲水资源配置工程'], late: false } });

    // the organiser sees the report in
    const chen = await signedIn('chen.jing', 'sharing/use-reports/addressed');
    const report = chen.getByTestId(`use-report-${grantId}`);
    await report.waitFor();
    expect(await report.innerText()).toContain('珠江三角洲水资源配置工程');
    expect(await chen.getByTestId('use-reports').getByRole('row').filter({ has: chen.locator(`a[href$="${grantId}"]`) }).innerText()).toContain('已提交');
    await checkPage(chen, 'sharing-use-reports-addressed');
    await chen.context().close();

    // a derived product registered from the grant's page, listed with its source's review (公开 source: no review needed)
    await navigate(page, `/console/sharing/grants/${grantId}`);
    await page.getByTestId('grant-actions').getByRole('link', { name: '登记衍生产品' }).click();
    await page.getByRole('heading', { name: '登记衍生产品' }).waitFor();
    await page.getByLabel('名称').fill('广东省主要流域用水需求分布图');
    await page.getByLabel('说明').fill('以共享成果为底图编制的专题图，拟在厅网站公开');
    await page.getByLabel('加工处理').fill('叠加流域界线，综合概括至 1:250000');
    await page.getByRole('button', { name: '登记' }).click();
    const sourcesError = fieldError(page, '来源成果');
    await sourcesError.waitFor();
    const sourcesText = await sourcesError.innerText();
    await checkPage(page, 'sharing-register-derived-refused');
    await page.locator('label.el-checkbox', { hasText: resultNumber }).click();
    await page.getByRole('button', { name: '登记' }).click();
    await page.getByTestId('derived-registered').waitFor();
    await page.getByRole('link', { name: '查看我的衍生产品' }).click();
    const product = page.getByTestId('derived-products').getByRole('row').filter({ hasText: '广东省主要流域用水需求分布图' });
    await product.waitFor();
    expect(sourcesText).toBe('至少 1 项来源成果');
    expect(await product.innerText()).toMatch(/公开成果，无需审查[\s\S]*可以发布/);
    await checkPage(page, 'sharing-derived-products');
    await page.context().close();
  }, 300_000);
});

describe('R16.2 R17.1 issue 13/16 the offline chain in the console: the custodian records the hand-over against the approved list', () => {
  it('zhang.wei opens the approval letter (its SHA-256 checked in the page), records the collector with the ID number masked, and a file whose SHA-256 differs is named on its row before anything is sent; the right SHA-256s → recorded (API agrees, no full ID number stored)', async () => {
    // prepare: an approved offline application (公开 result: an approval letter or task order, no 保密协议)
    const applicationId = await approvedApplication(resultNumber, 'offline');
    const zhang = await tokenOf('zhang.wei');
    const offline = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: zhang })).body.application?.reviews?.[0]?.offline, 'the offline documents', 30_000);
    const files = offline.files as Array<{ path: string; sha256: string }>;
    const fullId = '440104199001015678';

    // act
    const page = await signedIn('zhang.wei', `sharing/applications/${applicationId}`);
    const chain = page.getByTestId('offline-440000-NR');
    await chain.getByTestId('offline-documents').waitFor();
    const doc = offline.documents[0];
    const [popup] = await Promise.all([page.waitForEvent('popup'), chain.getByTestId('offline-documents').getByRole('row').filter({ hasText: doc.number }).getByRole('button', { name: 'A4 打印版' }).click()]);
    await popup.waitForLoadState();
    const printed = await popup.content();
    await popup.close();
    const docNote = await chain.getByTestId('document-note').innerText();
    await chain.getByTestId('handover-clock').getByText('前交接').waitFor();
    const clockText = await chain.getByTestId('handover-clock').innerText();
    await chain.getByLabel('领取人姓名').fill('罗欣');
    await chain.getByLabel('领取人单位').fill('广东省水利厅');
    await chain.getByLabel('证件号码').fill(fullId);
    await chain.getByLabel('介质编号').fill('GD-GP-0007');
    await chain.getByLabel('介质编号').focus();
    for (const [i, f] of files.entries()) await chain.getByLabel(`${f.path} 写入介质后的 SHA-256`).fill(i === 0 ? sha256('bit rot') : f.sha256);
    const mismatchTag = await chain.getByTestId(`check-${files[0]!.path}`).innerText();
    await chain.getByRole('button', { name: '登记交接' }).click();
    const problem = await chain.getByTestId('handover-problem').innerText();
    const beforeFix = (await api('GET', `/sharing/applications/${applicationId}`, { token: zhang })).body.application.reviews[0].offline.handovers;
    await checkPage(page, 'sharing-handover-mismatch');
    await chain.getByLabel(`${files[0]!.path} 写入介质后的 SHA-256`).fill(files[0]!.sha256);
    await chain.getByRole('button', { name: '登记交接' }).click();
    await chain.getByTestId('handover-saved').waitFor();
    const handoverRow = await chain.getByTestId('handovers').getByRole('row').filter({ hasText: '广东省水利厅' }).innerText();
    await checkPage(page, 'sharing-handover-recorded');
    const app = (await api('GET', `/sharing/applications/${applicationId}`, { token: zhang })).body.application;
    await page.context().close();

    // assess
    expect(printed).toContain(doc.number);
    expect(docNote).toContain('SHA-256 与登记的一致');
    expect(clockText).toMatch(/440000-CUS 应于 \d{4}-\d{2}-\d{2} 前交接\s*\d+ 个工作日/);
    expect(mismatchTag).toBe('不一致');
    expect(problem).toContain(`${resultNumber}/${files[0]!.path}`);
    expect(beforeFix).toEqual([]);
    expect(handoverRow).toContain('4401**********5678');
    expect(handoverRow).not.toContain(fullId);
    expect(app.status).toBe('handedOver');
    expect(app.reviews[0].offline.handovers[0]).toMatchObject({ custodianOrg: '440000-CUS', date: chinaDay(), collector: { name: '罗欣', idNumberMasked: '4401**********5678' }, media: { type: 'opticalDisc', serial: 'GD-GP-0007' } });
    expect(app.reviews[0].offline.handovers[0].files).toHaveLength(files.length);
    expect(JSON.stringify(app)).not.toContain(fullId);
  }, 300_000);
});

describe('R17.1 issue 13/16 the signed confidentiality agreement in the console: uploaded from the browser, checked at the hand-over', () => {
  it('huang.wei picks the signed scan: its SHA-256 is computed in the page, the presigned PUT stores it, the application shows it declared; zhang.wei’s hand-over then verifies the stored bytes against it', async () => {
    // prepare: an approved offline application for a 内部 result (a 保密协议 is required)
    const internal = await resultInCustody('internal');
    const applicationId = await approvedApplication(internal, 'offline', 'huang.wei');
    const huang = await tokenOf('huang.wei');
    const offline = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: huang })).body.application?.reviews?.[0]?.offline, 'the offline documents', 30_000);
    const scan = Buffer.from('%PDF-1.7\n% 双方签字盖章的保密协议扫描件（浏览器上传）\n%%EOF\n');

    // act
    const page = await signedIn('huang.wei', `sharing/applications/${applicationId}`);
    const chain = page.getByTestId('offline-440000-NR');
    await chain.getByTestId('scan-state').waitFor();
    const before = await chain.getByTestId('scan-state').innerText();
    await chain.getByLabel('选择扫描件（PDF、JPEG、PNG，不超过 20 MB）').setInputFiles({ name: '保密协议签署件.pdf', mimeType: 'application/pdf', buffer: scan });
    await chain.getByTestId('scan-sha256').waitFor();
    const shown = await chain.getByTestId('scan-sha256').innerText();
    await chain.getByRole('button', { name: '上传扫描件' }).click();
    await chain.getByTestId('scan-done').waitFor();
    await chain.getByTestId('scan-state').getByText('已申报').waitFor();
    const after = await chain.getByTestId('scan-state').innerText();
    await checkPage(page, 'sharing-confidentiality-scan');
    await page.context().close();
    const files = (offline.files as Array<{ resultNumber: string; path: string; sha256: string }>).map((f) => ({ resultNumber: f.resultNumber, path: f.path, sha256: f.sha256 }));
    const handover = await api('POST', `/sharing/applications/${applicationId}/handover`, {
      token: await tokenOf('zhang.wei'),
      body: { collector: { name: '黄伟', organisation: '广州市规划和自然资源局', idType: 'residentIdCard', idNumberMasked: '4401**********5678' }, date: chinaDay(), media: { type: 'classifiedUsb', serial: 'GZ-SM-U-0043' }, files },
    });

    // assess
    expect(offline.confidentialityRequired).toBe(true);
    expect(before).toContain('尚未上传');
    expect(shown).toContain(sha256(scan));
    expect(after).toContain(sha256(scan));
    expect(handover.status).toBe(200);
    expect(handover.body.application.reviews[0].offline.scan).toMatchObject({ sha256: sha256(scan), size: scan.byteLength, contentType: 'application/pdf', requestedBy: 'huang.wei', verified: true });
  }, 300_000);
});

describe('R14.2 R16.3 issue 13/16 public applications in the console: the organiser answers on the R16.3 clock', () => {
  it('chen.jing sees a received disclosure application with its working days left; extends once (an empty reason refused next to the field); 不予提供 without a legal ground is refused next to 法律依据; answered → 已答复, emailed (API agrees)', async () => {
    // prepare: a public application, verified with the emailed code
    const email = `citizen-${Date.now()}@example.com`;
    const since = new Date();
    const submitted = await api('POST', '/public/applications', {
      body: { kind: 'disclosure', name: '王小明', phone: '13800138000', email, answeringOrg: '440000-NR', subject: '广州市2025年度土地利用现状调查成果的公开情况', purpose: '研究城市土地利用变化' },
    });
    expect(submitted.status).toBe(202);
    const applicationId = String(submitted.body.application.applicationId);
    const codeMail = await waitForEmail({ to: email, subject: '验证码', since, timeoutMs: 20_000 });
    const code = /验证码：(\d{6})/.exec(codeMail.text ?? '')![1]!;
    expect((await api('POST', `/public/applications/${applicationId}/verification`, { body: { code } })).status).toBe(200);
    const chenToken = await tokenOf('chen.jing');
    const received = (await api('GET', `/sharing/public-applications/${applicationId}`, { token: chenToken })).body.application;
    const clock = await eventually(
      async () => ((await api('GET', '/supervision/clocks?type=R16.3&state=open&subordinates=false', { token: chenToken })).body.items as Array<{ subject: string; workingDaysLeft: number }>).find((c) => c.subject === applicationId),
      'the R16.3 clock',
      10_000,
    );

    // act
    const page = await signedIn('chen.jing', 'sharing/public-applications');
    const row = page.getByTestId('public-applications').getByRole('row').filter({ hasText: '王小明' }).filter({ hasText: received.due });
    await row.waitFor();
    const rowText = await row.innerText();
    await checkPage(page, 'sharing-public-applications');
    // At 1366 px every column (状态 the last) is in view without scrolling the table sideways.
    const publicTable = await tableAt1366(page, 'public-applications', row.getByRole('cell').last());
    expect(publicTable.overflow).toBeLessThanOrEqual(1);
    expect(publicTable.actionInView).toBe(true);
    await row.getByRole('link').first().click();
    await page.getByTestId('public-application').waitFor();
    await page.getByRole('button', { name: '延长 20 个工作日' }).click();
    const reasonError = fieldError(page, '延长理由');
    await reasonError.waitFor();
    const reasonText = await reasonError.innerText();
    await page.getByLabel('延长理由').fill('需向区分局调取 2025 年度变更调查资料，核实后答复');
    await page.getByRole('button', { name: '延长 20 个工作日' }).click();
    await page.getByTestId('public-done').getByText('答复期限已延长').waitFor();
    const extended = (await api('GET', `/sharing/public-applications/${applicationId}`, { token: chenToken })).body.application;
    await page.locator('label.el-radio', { hasText: '不予提供' }).click();
    await page.getByLabel('答复内容').fill('经审查，所申请信息属于内部事务信息，不予公开。');
    await page.getByRole('button', { name: '答复', exact: true }).click();
    const groundError = fieldError(page, '法律依据');
    await groundError.waitFor();
    const groundText = await groundError.innerText();
    await checkPage(page, 'sharing-public-application');
    const beforeAnswer = (await api('GET', `/sharing/public-applications/${applicationId}`, { token: chenToken })).body.application;
    await page.getByLabel('法律依据').fill('《中华人民共和国政府信息公开条例》第十六条');
    await page.getByRole('button', { name: '答复', exact: true }).click();
    await page.getByTestId('public-answer').waitFor();
    const answerText = await page.getByTestId('public-answer').innerText();
    await checkPage(page, 'sharing-public-answered');
    await page.context().close();
    const answered = (await api('GET', `/sharing/public-applications/${applicationId}`, { token: chenToken })).body.application;
    const answerMail = await waitForEmail({ to: email, subject: '【申请答复】', since, timeoutMs: 20_000 });

    // assess
    expect(rowText).toContain(`${clock.workingDaysLeft} 个工作日`);
    expect(clock.workingDaysLeft).toBeGreaterThan(10);
    expect(reasonText).toBe('延长理由至少 5 个字');
    expect(extended.extension).toMatchObject({ previousDue: received.due, reason: '需向区分局调取 2025 年度变更调查资料，核实后答复' });
    expect(extended.due > received.due).toBe(true);
    expect(groundText).toContain('法律依据');
    expect(beforeAnswer.status).toBe('open');
    expect(answerText).toContain('不予提供');
    expect(answerText).toContain('第十六条');
    expect(answered).toMatchObject({ status: 'answered', answer: { outcome: 'refused', legalGround: '《中华人民共和国政府信息公开条例》第十六条', by: 'chen.jing' } });
    expect(answerMail.text).toContain('第十六条');
  }, 240_000);
});
