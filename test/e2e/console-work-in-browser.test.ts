/**
 * Issue 13's pages for sharing, publication, quality feedback and self-inspections in Debian's Chromium against the
 * local cloud: each area's demo user signs in, does the job in the console and sees the result, checked against the
 * API. The API's Chinese message appears next to the field it names; axe-core and the layout at 1366×768 and
 * 1920×1080 on every page (console-page-checks.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { approvedAndPublished, registeredRelease } from '../integration/fixture-release.ts';
import { fixtureFiles, registeredTask, submit, taskIdIn, tokenOf, verifiedResult, versionStatus } from '../integration/fixture-submission.ts';
import { testPortBase } from '../integration/global-setup.ts';
import { api, cloud, eventually, listEmails, waitForEmail } from '../integration/helpers.ts';
import { checkPage, closeBrowser, navigate, openBrowser, signedIn, tableAt1366 } from './console-page-checks.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const fieldError = (page: Page, label: string) => page.locator('.el-form-item').filter({ has: page.getByLabel(label, { exact: true }) }).locator('.el-form-item__error');
/** A file path of the result's package (the custody copy holds the `valid` fixture). */
async function firstCustodyFile(): Promise<[string]> {
  return [[...(await fixtureFiles('valid')).keys()][0]!];
}
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

/** A verified 公开 result of the `valid` fixture, catalogued by zhang.wei and copied into custody as the transfer does. */
async function publicResultInCustody(): Promise<string> {
  const { submissionId, name, since } = await submit('valid', { classification: 'public' });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  const resultNumber = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `console-work-${submissionId}` });
  return resultNumber;
}

let resultNumber = '';
beforeAll(async () => {
  await openBrowser();
  resultNumber = await publicResultInCustody();
}, 240_000);
afterAll(closeBrowser);

describe('R14.1 R15.1 R16.1 R18.1 issue 13 sharing in the console: 罗欣 applies from a result page, the organiser approves, 罗欣 signs the agreement and downloads', () => {
  it('requester luo.xin: a missing purpose is refused next to 用途; the application’s timeline; 陈静 sees it addressed to 广东省自然资源厅; after approval 罗欣 signs (SHA-256 computed in the page), downloads a file through the 302 whose bytes match, and reads the BagIt manifest; the 用途声明 is a row of 授权文件 and downloads with its SHA-256; a second application refused by 陈静 shows 不予共享 in 我的申请', async () => {
    const page = await signedIn('luo.xin', `catalogue/${resultNumber}`);
    for (const item of ['申请共享', '我的申请', '我的授权', '保密自查填报']) await page.getByRole('menuitem', { name: item, exact: true }).waitFor();
    expect(await page.getByRole('menuitem', { name: '发布申请' }).count()).toBe(0);
    await page.getByTestId('entry-actions').getByRole('link', { name: '申请共享' }).click();
    await page.getByRole('heading', { name: '申请共享' }).waitFor();

    expect(await page.getByLabel('申请的成果').inputValue()).toBe(resultNumber);
    await page.getByLabel('使用范围').fill('广东省水利厅规划计划处内部使用');
    await page.getByLabel('联系电话').fill('020-83331234');
    await page.getByRole('button', { name: '提交申请' }).click();
    const purposeError = fieldError(page, '用途');
    await purposeError.waitFor();

    expect(await purposeError.innerText()).toBe('用途至少 5 个字');
    expect((await api('GET', '/sharing/applications', { token: await tokenOf('luo.xin') })).body.items.some((a: { items: { resultNumber: string }[] }) => a.items.some((i) => i.resultNumber === resultNumber))).toBe(false);
    await checkPage(page, 'sharing-apply');

    const since = new Date();
    await page.getByLabel('用途').fill('编制全省水资源综合规划，需叠加土地利用现状');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByTestId('sharing-applied').waitFor();
    await page.getByRole('link', { name: '查看申请与办理记录' }).click();
    await page.getByTestId('sharing-timeline').waitFor();
    const applicationId = page.url().split('/').at(-1)!;

    expect(await page.getByTestId('sharing-reviews').innerText()).toMatch(/440000-NR[\s\S]*待审核/);
    expect(await page.getByTestId('sharing-timeline').locator('.el-timeline-item').count()).toBeGreaterThan(0);
    await checkPage(page, 'sharing-application');

    // The organiser's reviewer sees it addressed to its organisation; the review itself is the emailed human task (待办).
    const chen = await signedIn('chen.jing', 'sharing/addressed');
    const addressed = chen.getByTestId('sharing-applications').getByRole('row').filter({ hasText: resultNumber });
    await addressed.waitFor();
    expect(await addressed.innerText()).toContain('440000-WR');
    await checkPage(chen, 'sharing-addressed');
    await chen.context().close();
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
    const taskId = taskIdIn(mail);
    await eventually(async () => ((await api('GET', `/human-tasks/${taskId}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'the sharing review task open', 30_000);
    expect((await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意共享' } })).status).toBe(200);
    const grantId = await eventually(
      async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: await tokenOf('luo.xin') })).body.application?.reviews?.[0]?.grantId as string | undefined,
      'the grant',
      30_000,
    );

    await navigate(page, '/console/sharing/grants');
    const grantRow = page.getByTestId('sharing-grants').getByRole('row').filter({ hasText: grantId });
    await grantRow.waitFor();
    await checkPage(page, 'sharing-grants');
    await grantRow.getByRole('link', { name: grantId }).click();
    await page.getByTestId('agreement-text').waitFor();

    expect(await page.getByTestId('grant-status').innerText()).toBe('待签署使用协议');
    expect(await page.getByTestId('grant-files').getByRole('button', { name: /^下载 / }).first().isDisabled()).toBe(true);
    await checkPage(page, 'sharing-grant-unsigned');
    await page.getByRole('button', { name: '我已阅读并签署使用协议' }).click();
    await page.getByTestId('grant-note').getByText('已签署使用协议').waitFor();
    expect(await page.getByTestId('grant-status').innerText()).toBe('有效');

    const grant = (await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') })).body.grant;
    const file = grant.files[0];
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `下载 ${file.path}` }).click()]);
    const bytes = await readFile((await download.path())!);
    await page.getByTestId('grant-note').getByText(`已下载 ${file.path}`).waitFor();
    await page.getByRole('button', { name: '查看 BagIt 清单' }).click();
    await page.getByTestId('grant-manifest').waitFor();
    const usage = await api('GET', `/sharing/usage/${resultNumber}`, { token: await tokenOf('zhang.wei') });

    expect(grant).toMatchObject({ status: 'active', signature: expect.objectContaining({ by: 'luo.xin' }) });
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    expect(await page.getByTestId('grant-manifest').innerText()).toContain(`${file.sha256}  data/${resultNumber}/${file.path}`);
    expect(usage.body.usage.rows).toEqual([expect.objectContaining({ requesterOrg: '440000-WR', downloads: 1, bytes: file.size })]);
    await checkPage(page, 'sharing-grant-signed');

    // R18.1 the 用途声明 the API lists as grant.notice is a row of 授权文件 (序号 files+1), downloaded through the same route.
    const noticeRow = page.getByTestId('grant-files').getByRole('row').filter({ has: page.getByTestId('grant-notice') });
    const noticeText = await noticeRow.innerText();
    const [noticeDownload] = await Promise.all([page.waitForEvent('download'), noticeRow.getByRole('button', { name: `下载 ${grant.notice.path}` }).click()]);
    const noticeBytes = await readFile((await noticeDownload.path())!);
    expect(grant.notice).toMatchObject({ fileNo: grant.files.length + 1 });
    expect(noticeText).toContain(grant.notice.path);
    expect(noticeText).toMatch(new RegExp(`^${grant.notice.fileNo}\\s`));
    expect(createHash('sha256').update(noticeBytes).digest('hex')).toBe(grant.notice.sha256);

    // R15.1 a second application refused by 陈静: 我的申请 shows 不予共享 on it and 已同意 on the approved one, not 已审核 on both.
    const refusedSince = new Date();
    const refused = await api('POST', '/sharing/applications', {
      token: await tokenOf('luo.xin'),
      body: { results: [{ resultNumber }], purpose: '补充全省河湖岸线规划底图', scope: '广东省水利厅河湖处内部使用', period: { from: inDays(0), to: inDays(30) }, contact: { name: '罗欣', phone: '020-83331234' } },
    });
    expect(refused.status).toBe(201);
    const refusedId = String(refused.body.application.applicationId);
    const refusedMail = await eventually(
      async () => (await listEmails()).find((e) => e.subject.includes('成果共享审核') && e.to.some((t) => t.address === 'chen.jing@example.gov.cn') && new Date(e.time) >= new Date(refusedSince.getTime() - 1000) && (e.text ?? '').includes(refusedId)),
      'the refused application’s review task',
      30_000,
    );
    const refusedTask = taskIdIn(refusedMail);
    await eventually(async () => ((await api('GET', `/human-tasks/${refusedTask}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'the second review task open', 30_000);
    expect((await api('POST', `/human-tasks/${refusedTask}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'return', reasons: '用途与已授权的重复，不予共享' } })).status).toBe(200);
    await eventually(async () => ((await api('GET', `/sharing/applications/${refusedId}`, { token: await tokenOf('luo.xin') })).body.application?.status === 'decided' ? true : undefined), 'the refusal recorded', 30_000);
    await navigate(page, '/console/sharing/applications');
    const refusedRow = page.getByTestId('sharing-applications').getByRole('row').filter({ has: page.locator(`a[href$="${refusedId}"]`) });
    const approvedRow = page.getByTestId('sharing-applications').getByRole('row').filter({ has: page.locator(`a[href$="${applicationId}"]`) });
    await refusedRow.getByText('不予共享').waitFor();
    expect(await approvedRow.innerText()).toContain('已同意');
    expect(await page.getByTestId('sharing-applications').innerText()).not.toContain('已审核');
    await checkPage(page, 'sharing-applications-mine');
    await page.context().close();
  }, 300_000);
});

describe('R19.2 R19.3 issue 13 quality feedback in the console: reported on a result page, confirmed by the custodian, verified by the organiser', () => {
  it('luo.xin reports a 重大 problem (an empty file refused next to 文件或图层; the package’s files offered; a photo attached, a PDF refused) and follows it on the result page; zhang.wei is told the reasons are missing, then confirms; chen.jing verifies with the finding → 已责令改正, and luo.xin’s result page shows 质量问题处理中 with the finding', async () => {
    const page = await signedIn('luo.xin', `catalogue/${resultNumber}`);
    await page.getByTestId('entry-actions').getByRole('link', { name: '报告质量问题' }).click();
    await page.getByRole('heading', { name: '报告质量问题' }).waitFor();
    await page.getByLabel('要素编号').fill('F-1');
    await page.getByLabel('问题说明').fill('要素 F-1 的属性与实地不符');
    await page.locator('label.el-radio', { hasText: '重大' }).click();
    await page.getByRole('button', { name: '提交' }).click();
    const fileError = fieldError(page, '文件或图层');
    await fileError.waitFor();

    expect(await fileError.innerText()).toMatch(/^请填写文件或图层/);
    await checkPage(page, 'feedback-report');
    const [path] = await firstCustodyFile();
    // The verified package's files (and its folders) to pick from: luo.xin reads them from her grant's list.
    const choices = await page.getByTestId('file-choices').locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(choices).toContain(path);
    await page.getByLabel('文件或图层').fill(path);
    // R19.2 attachments: a PDF is refused in the page with its name; a photo is kept, uploaded once the problem exists.
    const photo = Buffer.from(`\x89PNG\r\n\x1a\n 现场核查照片 ${randomBytes(4).toString('hex')}`);
    await page.locator('#q-attachments').setInputFiles([
      { name: '说明.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') },
      { name: '现场照片.png', mimeType: 'image/png', buffer: photo },
    ]);
    await page.getByTestId('picked-attachments').getByText('现场照片.png').waitFor();
    expect(await page.getByRole('alert').filter({ hasText: '说明.pdf' }).innerText()).toBe('说明.pdf：附件应为 JPEG、PNG 照片或截图，或 GeoJSON（.geojson）');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('problem-reported').waitFor();
    const problemId = /QP-\d{8}-[0-9a-f]+/.exec(await page.getByTestId('problem-reported').innerText())?.[0];
    expect(problemId).toBeDefined();
    await page.getByTestId('problem-attachments').getByText('已上传附件 现场照片.png').waitFor();
    await checkPage(page, 'feedback-reported');
    const redirect = await fetch(`${cloud.urls.api}/feedback/problems/${problemId}/attachments/1`, { headers: { authorization: `Bearer ${await tokenOf('luo.xin')}` }, redirect: 'manual' });
    const stored = Buffer.from(await (await fetch(String(redirect.headers.get('location')))).arrayBuffer());
    expect(redirect.status).toBe(302);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(photo).digest('hex'));

    // The link after reporting: the result page's list of its problems, this one waiting for the custodian.
    await page.getByTestId('problem-list-link').click();
    const listed = page.getByTestId('entry-problems').getByRole('row').filter({ hasText: problemId! });
    await listed.waitFor();
    expect(await listed.innerText()).toContain('待保管单位确认');
    expect(await page.getByTestId('quality-status').count()).toBe(0);
    await checkPage(page, 'entry-problems-reported');
    await page.context().close();

    const custodian = await signedIn('zhang.wei', `feedback/problems?result=${resultNumber}`);
    const row = custodian.getByTestId('problems-table').getByRole('row').filter({ hasText: problemId! });
    await row.waitFor();
    expect(await row.innerText()).toContain('待保管单位确认');
    await checkPage(custodian, 'feedback-problems');
    // At 1366 px the 办理 button is in view without scrolling the table sideways.
    const handling = await tableAt1366(custodian, 'problems-table', row.getByRole('button', { name: `办理 ${problemId}` }));
    expect(handling.overflow).toBeLessThanOrEqual(1);
    expect(handling.actionInView).toBe(true);
    await row.getByRole('button', { name: `办理 ${problemId}` }).click();
    await custodian.getByRole('button', { name: '确认', exact: true }).click();
    const reasonsError = fieldError(custodian, '理由');
    await reasonsError.waitFor();

    expect(await reasonsError.innerText()).toMatch(/^请填写理由/);
    await checkPage(custodian, 'feedback-decide');
    await custodian.getByLabel('理由').fill('经核对，要素 F-1 属性确与实地不符');
    await custodian.getByRole('button', { name: '确认', exact: true }).click();
    await custodian.getByTestId('problem-done').waitFor();
    await custodian.context().close();

    const organiser = await signedIn('chen.jing', `feedback/problems?result=${resultNumber}`);
    await organiser.getByTestId('quality-status').waitFor();
    await organiser.getByRole('button', { name: `办理 ${problemId}` }).click();
    await organiser.getByLabel('核实意见').fill('经核实属实');
    await organiser.getByLabel('认定结论').fill('限期改正并重新汇交');
    await checkPage(organiser, 'feedback-verify');
    await organiser.getByRole('button', { name: '提交核实结果' }).click();
    await organiser.getByTestId('problem-done').waitFor();
    const verified = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('chen.jing') });

    expect(await organiser.getByTestId('problem-done').innerText()).toMatch(/已责令改正|责令改正/);
    expect(verified.body.problems.find((p: { problemId: string }) => p.problemId === problemId)).toMatchObject({ state: 'correcting', finding: { conclusion: '限期改正并重新汇交' } });
    await organiser.context().close();

    // 罗欣 follows it: the result page says 质量问题处理中 (as the API does) and shows the organiser's finding.
    const requester = await signedIn('luo.xin', `catalogue/${resultNumber}`);
    const followed = requester.getByTestId('entry-problems').getByRole('row').filter({ hasText: problemId! });
    await followed.waitFor();
    const followedText = await followed.innerText();
    const statusText = await requester.getByTestId('quality-status').innerText();
    const fieldsText = await requester.getByTestId('entry-fields').innerText();
    await checkPage(requester, 'entry-problems-correcting');
    const seen = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('luo.xin') });

    expect(seen.body.qualityStatus).toBe('质量问题处理中');
    expect(statusText).toContain('质量问题处理中');
    expect(fieldsText).toMatch(/质量状态\s*质量问题处理中/);
    expect(followedText).toContain('已责令实施单位改正');
    expect(followedText).toContain('限期改正并重新汇交');
    await requester.context().close();
  }, 240_000);
});


describe('R20.1 issue 13 self-inspections in the console: the custodian files and closes a rectification, the supervisor sees the filing', () => {
  it('zhang.wei files a past quarter (a rectification without its owner refused next to 整改事项), closes the item (an empty note refused), and 周红 sees 440000-CUS filed late with the item closed', async () => {
    const period = `20${10 + Math.floor(Math.random() * 10)}-Q${1 + Math.floor(Math.random() * 4)}`;
    const page = await signedIn('zhang.wei', 'self-inspections/file');
    await page.getByLabel('自查期间').fill(period);
    await page.locator('label.el-radio', { hasText: '发现问题' }).nth(1).click();
    await page.getByLabel('访问控制（账号、密级权限、访问记录） 情况说明').fill('1 个离职人员账号未注销');
    await page.getByLabel('发现的问题').fill('1 个离职人员账号未注销');
    await page.getByRole('button', { name: '添加整改事项' }).click();
    await page.getByLabel('整改事项 1', { exact: true }).fill('注销离职人员账号');
    await page.getByLabel('整改期限 1').fill(inDays(30));
    await page.getByRole('button', { name: '提交自查报告' }).click();
    const itemsError = page.locator('.el-form-item').filter({ has: page.getByRole('button', { name: '添加整改事项' }) }).locator('.el-form-item__error');
    await itemsError.waitFor();

    expect(await itemsError.innerText()).toBe('请填写责任人');
    await checkPage(page, 'self-inspection-file');
    await page.getByLabel('责任人 1').fill('张伟');
    await page.getByRole('button', { name: '提交自查报告' }).click();
    await page.getByTestId('self-inspection-filed').waitFor();
    expect(await page.getByTestId('self-inspection-filed').innerText()).toContain('已填报');
    await page.getByRole('button', { name: '关闭整改事项 注销离职人员账号' }).click();
    const noteError = page.getByTestId('rectifications').locator('.el-form-item__error');
    await noteError.waitFor();

    expect(await noteError.innerText()).toBe('请说明整改情况');
    await page.getByLabel('整改情况 注销离职人员账号').fill('账号已注销');
    await page.getByRole('button', { name: '关闭整改事项 注销离职人员账号' }).click();
    await page.getByTestId('rectifications').getByText('已整改：账号已注销').waitFor();
    await checkPage(page, 'self-inspection-filed');
    await page.context().close();

    const supervisor = await signedIn('zhou.hong', 'self-inspections');
    await supervisor.getByLabel('期间').fill(period);
    await supervisor.getByRole('button', { name: '查询' }).click();
    const unit = supervisor.getByTestId('self-inspection-units').getByRole('row').filter({ hasText: '440000-CUS' });
    await unit.getByText('逾期填报').waitFor();
    await unit.getByRole('button', { name: /^查看 / }).click();
    await supervisor.getByTestId('rectifications').getByText('已整改：账号已注销').waitFor();
    const listed = await api('GET', `/supervision/self-inspections?period=${period}`, { token: await tokenOf('zhou.hong') });

    expect(listed.body.units.find((u: { org: string }) => u.org === '440000-CUS')).toMatchObject({ status: 'filedLate', inspection: { rectifications: [expect.objectContaining({ state: 'closed', closedBy: 'zhang.wei' })] } });
    await checkPage(supervisor, 'self-inspections');
    await supervisor.context().close();
  }, 180_000);
});

describe('R11.1 R12.1 issue 13 publication in the console: 刘洋 requests publication of a release version, sees the resolved rule, and asks for its withdrawal once released', () => {
  it('publisher liu.yang: a malformed number refused next to 发布版本; the request opens with its status and rule; once released it is listed under 已发布, 申请撤回 (a short reason refused next to 撤回原因) shows 撤回审批中, then 已同意撤回 after the emailed task', async () => {
    const tag = randomBytes(3).toString('hex');
    const taskId = await registeredTask();
    const sourceSubmission = await verifiedResult({ name: `广东省地表覆盖监测成果 ${tag}`, classification: 'internal', taskId });
    const source = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: sourceSubmission } });
    expect(source.status).toBe(201);
    const pkg = await verifiedResult({ name: `广东省地表覆盖监测成果（公开版）${tag}`, classification: 'public', taskId });
    const releaseNumber = await registeredRelease(String(source.body.entry.resultNumber), pkg);

    const page = await signedIn('liu.yang', 'publication/requests');
    for (const item of ['发布申请', '已发布']) await page.getByRole('menuitem', { name: item, exact: true }).waitFor();
    await page.getByTestId('releases-table').getByRole('row').filter({ hasText: releaseNumber }).waitFor();
    await page.getByLabel('发布版本').fill('ABC-123');
    await page.getByRole('button', { name: '提交发布申请' }).click();
    const numberError = fieldError(page, '发布版本');
    await numberError.waitFor();

    expect(await numberError.innerText()).toMatch(/^统一编号格式应为/);
    await checkPage(page, 'publication-requests');
    // At 1366 px the release versions' 申请发布 and the requests' columns are in view without scrolling the table.
    const releases = await tableAt1366(page, 'releases-table', page.getByRole('button', { name: `申请发布 ${releaseNumber}` }));
    expect(releases.overflow).toBeLessThanOrEqual(1);
    expect(releases.actionInView).toBe(true);
    expect((await tableAt1366(page, 'publication-requests')).overflow).toBeLessThanOrEqual(1);
    await page.getByRole('button', { name: `申请发布 ${releaseNumber}` }).click();
    expect(await page.getByLabel('发布版本').inputValue()).toBe(releaseNumber);
    await page.getByRole('button', { name: '提交发布申请' }).click();
    await page.getByTestId('publication-request').waitFor();
    const requestId = page.url().split('/').at(-1)!;
    const stored = await api('GET', `/publication/requests/${requestId}`, { token: await tokenOf('liu.yang') });

    expect(stored.status).toBe(200);
    expect(await page.getByTestId('publication-status').innerText()).toBe(stored.body.request.statusLabel);
    expect(await page.getByTestId('publication-rule').innerText()).toContain(stored.body.request.resolution.ruleId);
    await checkPage(page, 'publication-request');

    // Approved and published as the approval machine's last steps record it (test/integration/fixture-release.ts).
    await approvedAndPublished(releaseNumber);
    await navigate(page, '/console/publication/released');
    const row = page.getByTestId('released-table').getByRole('row').filter({ hasText: releaseNumber });
    await row.waitFor();
    await checkPage(page, 'publication-released');
    const released = await tableAt1366(page, 'released-table', row.getByRole('link', { name: `申请撤回 ${releaseNumber}` }));
    expect(released.overflow).toBeLessThanOrEqual(1);
    expect(released.actionInView).toBe(true);
    await row.getByRole('link', { name: `申请撤回 ${releaseNumber}` }).click();
    await page.getByLabel('撤回原因').fill('错');
    await page.getByRole('button', { name: '申请撤回' }).click();
    const reasonError = fieldError(page, '撤回原因');
    await reasonError.waitFor();

    expect(await reasonError.innerText()).toBe('撤回原因至少 4 个字');
    await checkPage(page, 'publication-withdrawal');
    const since = new Date();
    await page.getByLabel('撤回原因').fill('发现脱密处理遗漏一处注记，撤回后重新处理');
    await page.getByRole('button', { name: '申请撤回' }).click();
    await page.getByTestId('withdrawal-asked').waitFor();
    const asked = await api('GET', `/catalogue/${releaseNumber}`, { token: await tokenOf('liu.yang') });

    // The request is pending until the approving authority (刘洋 himself here) decides 同意撤回 on the emailed task page.
    expect(asked.body.entry.release).toMatchObject({ state: 'released', withdrawalRequests: [expect.objectContaining({ status: 'pending', requestedBy: 'liu.yang' })] });
    await navigate(page, '/console/publication/released');
    await page.getByTestId(`withdrawal-${releaseNumber}`).filter({ hasText: '撤回审批中' }).waitFor();
    const mail = await waitForEmail({ to: 'liu.yang@example.gov.cn', subject: `撤回审批：`, since, timeoutMs: 60_000 });
    const decided = await api('POST', `/human-tasks/${taskIdIn(mail)}/decision`, { token: await tokenOf('liu.yang'), body: { decision: 'approve', reasons: '' } });
    expect(decided.status).toBe(200);
    const entry = await eventually(async () => {
      const e = await api('GET', `/catalogue/${releaseNumber}`, { token: await tokenOf('liu.yang') });
      return e.body.entry.release.state === 'withdrawn' ? e : undefined;
    }, 'the release withdrawn', 30_000);
    // Through another page, so that 已发布 loads again.
    await navigate(page, '/console/publication/requests');
    await page.getByTestId('releases-table').waitFor();
    await navigate(page, '/console/publication/released');
    await page.getByTestId(`withdrawal-${releaseNumber}`).filter({ hasText: '已同意撤回' }).waitFor();

    expect(entry.body.entry.release).toMatchObject({ state: 'withdrawn', withdrawal: expect.objectContaining({ by: 'liu.yang', reason: '发现脱密处理遗漏一处注记，撤回后重新处理' }) });
    await page.context().close();
  }, 360_000);
});
