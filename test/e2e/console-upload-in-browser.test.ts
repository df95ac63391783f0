/**
 * The console's browser upload (issue 13) in Debian's Chromium against the local cloud: li.na picks a
 * package folder of a few hundred MB (generated here: the `missing-report` fixture, its catalogue.json, and
 * a 280 MiB file that travels in 35 parts); the tab is reloaded mid-upload (tokens are in memory only, so
 * she signs in again); she picks the same folder again and the upload resumes from the server's account —
 * no part that had arrived is sent again — completes, and the verification's outcome is shown: returned,
 * with each defect and the R7.2 resubmission date.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { catalogue, registeredTask, submit, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { orderedToCorrect, responsibilityFinding, reviewed, timelineHas, transferred } from '../integration/fixture-correction.ts';
import { api, cloud, eventually, waitForEmail } from '../integration/helpers.ts';

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MiB = 1024 * 1024;
const bigFileBytes = 280 * MiB;

let browser: Browser;
let axeSource: string;
let dir: string;
let packageDir: string;

beforeAll(async () => {
  if (!existsSync(join(projectRoot, 'dist', 'console', 'index.html'))) throw new Error('dist/console is missing: npm run build:console (npm ci runs it)');
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'chengguo-browser-upload-'));
  await mkdir(join(projectRoot, '.test-results', 'console'), { recursive: true });
  packageDir = join(dir, 'browser-package');
  await cp(fileURLToPath(new URL('../fixtures/packages/missing-report/', import.meta.url)), packageDir, { recursive: true });
  await rm(join(packageDir, 'manifest.json'));
  const big = await open(join(packageDir, 'data', 'imagery-tiles.bin'), 'w');
  for (let written = 0; written < bigFileBytes; written += 8 * MiB) await big.write(randomBytes(8 * MiB));
  await big.close();
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const consoleUrl = (path = '') => `${cloud.urls.api}/console/${path}`;

/** The local issuer's page (a fresh page, or one that forgot its in-memory token): `userId` signs in, back at `path`. */
async function signInAs(page: Page, userId: string, path: string): Promise<void> {
  await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
  await page.locator(`button[name="userId"][value="${userId}"]`).click();
  await page.waitForURL((u) => u.pathname === `/console/${path}`);
  await page.getByTestId('who').getByText(userId).waitFor();
}

async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`window.axe.run(document, { resultTypes: ['violations'] })`)) as { violations: { id: string; impact: string; nodes: { target: string[]; html: string }[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${n.html.slice(0, 160)}`));
}

describe('R6.1 R7.1 R7.2 R9.2 the console’s browser upload, maps and kept forms (issue 13)', () => {
  it('li.na uploads a 280 MiB package folder, reloads mid-upload, re-picks the folder: it resumes without re-sending arrived parts, completes, and shows the defects and the R7.2 date', async () => {
    const taskId = await registeredTask();
    const name = `浏览器上传成果 ${randomBytes(3).toString('hex')}`;
    await writeFile(join(packageDir, 'catalogue.json'), JSON.stringify(catalogue(name)));
    const path = `survey-tasks/${taskId}/upload`;
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    /** Part PUTs to the uploads bucket: "partNumber" of each one the store answered 200, before and after the reload. */
    const arrived: { before: Set<number>; after: Set<number> } = { before: new Set(), after: new Set() };
    let phase: 'before' | 'after' = 'before';
    const partSent: number[] = [];
    context.on('requestfinished', async (req) => {
      const url = new URL(req.url());
      if (req.method() !== 'PUT' || !req.url().startsWith(cloud.urls.s3) || !url.searchParams.has('partNumber')) return;
      const n = Number(url.searchParams.get('partNumber'));
      if (phase === 'after') partSent.push(n);
      if ((await req.response())?.status() === 200) arrived[phase].add(n);
    });

    await page.goto(consoleUrl(path));
    await signInAs(page, 'li.na', path);
    await page.getByTestId('upload-task').waitFor();
    await page.locator('#package-folder').setInputFiles(packageDir);
    await page.getByTestId('picked').getByText('含 catalogue.json').waitFor();
    expect(await page.getByLabel('成果名称').inputValue()).toBe(name);
    expect(await accessibilityProblems(page), 'axe-core serious/critical on the upload page').toEqual([]);
    await page.getByTestId('start-upload').click();
    await eventually(async () => (arrived.before.size >= 8 ? true : undefined), '8 parts to arrive', 120_000);

    // The tab goes away mid-upload: the in-memory token with it.
    await page.reload();
    phase = 'after';
    await signInAs(page, 'li.na', path);
    const banner = page.getByTestId('resume-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('browser-package');
    await page.locator('#package-folder').setInputFiles(packageDir);
    await page.getByTestId('start-upload').click();
    const outcome = page.getByTestId('outcome');
    await outcome.waitFor({ timeout: 240_000 });

    const submissions = await api('GET', `/survey-tasks/${taskId}`, { token: await tokenOf('li.na') });
    const submissionId = String(submissions.body.submissions[0].submissionId);
    const sub = (await api('GET', `/submissions/${submissionId}`, { token: await tokenOf('li.na') })).body.submission;
    const sentAgain = partSent.filter((n) => arrived.before.has(n));
    expect(sentAgain, 'parts that had arrived before the reload were sent again').toEqual([]);
    // The server's account after the reload: every part seen arriving before it, and any whose answer the reload cut off.
    const already = Number(/其中分片 (\d+) 个，不再发送/.exec(await page.getByTestId('upload-counts').innerText())?.[1]);
    expect(already).toBeGreaterThanOrEqual(arrived.before.size);
    expect(already + arrived.after.size).toBe(35);
    expect(partSent.length).toBe(arrived.after.size);
    expect(sub.versions[0]).toMatchObject({ status: 'returned', fileCount: 9 });
    expect(await outcome.innerText()).toContain('已退回');
    expect(await page.getByTestId('defects').innerText()).toContain('profile.missing-role');
    // The hashes the page computed are the files' own: the verifier, streaming every byte, finds no checksum defect.
    const report = await api('GET', `/submissions/${submissionId}/versions/1/report`, { token: await tokenOf('li.na') });
    expect(report.body.defects.map((d: { rule: string }) => d.rule)).not.toContain('manifest.checksum-mismatch');
    expect(report.body.summary.checksumsStreamed + report.body.summary.checksumsFromStore).toBe(9);
    expect(await page.getByTestId('resubmission-due').innerText()).toContain(sub.resubmissionDue);
    expect(await accessibilityProblems(page), 'axe-core serious/critical on the outcome').toEqual([]);
    for (const v of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(v);
      await page.screenshot({ path: join(projectRoot, '.test-results', 'console', `upload-outcome-${v.width}x${v.height}.png`), fullPage: true });
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), `horizontal overflow at ${v.width}`).toBeLessThanOrEqual(1);
    }
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toMatch(/eyJ|chengguo\.upload\./);
    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);

  it('R19.3 the order to correct links to the upload page: li.na opens it from the email, sees the correction banner (no catalogue form), uploads the corrected folder and v2 is the correction under verification', async () => {
    // prepare: a result in custody, the custodian's 重大 problem confirmed and verified 属实 by the organiser (the order to correct)
    const { submissionId, name, since } = await submit('valid', { classification: 'public' });
    await reviewed(submissionId, name, 1, since);
    // R8.1 the organiser starts the hand-over from the console's 待移交成果 (the verified result's running clock)
    const organiser = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const transfers = await organiser.newPage();
    await transfers.goto(consoleUrl('custody/transfers'));
    await signInAs(transfers, 'chen.jing', 'custody/transfers');
    const transferRow = transfers.getByTestId('transfers-table').getByRole('row').filter({ hasText: submissionId });
    await transferRow.waitFor();
    const transferRowText = await transferRow.innerText();
    const transfersA11y = await accessibilityProblems(transfers);
    const transferOverflow = (await transfers.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    const startedAt = new Date();
    await transfers.getByTestId(`start-transfer-${submissionId}`).click();
    const transferOutcome = await transfers.getByTestId(`transfer-outcome-${submissionId}`).innerText();
    await organiser.close();
    await transferred(submissionId, name, 1, 60_000, startedAt);
    expect(transferRowText).toContain(name);
    expect(transferRowText).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(transferRowText).toMatch(/\d+ 个工作日/);
    expect(transfersA11y, 'axe-core serious/critical on 待移交成果').toEqual([]);
    expect(transferOverflow).toBeLessThanOrEqual(1);
    expect(transferOutcome).toContain('已发起移交（第 1 次）');
    const resultNumber = String((await timelineHas(submissionId, 'numberAssigned', 1)).detail?.['resultNumber']);
    const reported = await api('POST', '/feedback/problems', { token: await tokenOf('zhang.wei'), body: { resultNumber, file: 'maps/overview.tif', location: { bbox: [113.2, 23.0, 113.4, 23.2] }, description: '影像镶嵌线处地物错位', severity: '重大' } });
    const problemId = String(reported.body.problem.problemId);
    expect((await api('POST', `/feedback/problems/${problemId}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'confirm', reasons: '核查属实' } })).status).toBe(200);
    const orderedAt = new Date();
    expect((await api('POST', `/feedback/problems/${problemId}/verification`, { token: await tokenOf('chen.jing'), body: { upheld: true, note: '经核实属实', finding: responsibilityFinding } })).status).toBe(200);
    await orderedToCorrect(resultNumber, problemId);
    const order = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【责令改正】成果 ${resultNumber} 的重大质量问题（${problemId}）`, since: orderedAt, timeoutMs: 60_000 });
    const link = /https?:\/\/\S+?\/upload\?correction=[0-9a-f-]+/.exec(order.text ?? '')?.[0];
    const corrected = join(dir, 'corrected-package');
    await cp(fileURLToPath(new URL('../fixtures/packages/valid/', import.meta.url)), corrected, { recursive: true });
    await rm(join(corrected, 'manifest.json'));
    await writeFile(join(corrected, 'report', 'survey-report.pdf'), Buffer.concat([await readFile(join(corrected, 'report', 'survey-report.pdf')), Buffer.from('\n% corrected: mosaic seam fixed\n')]));

    // act: from the email's link, sign in, pick the corrected folder, upload
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(String(link));
    await signInAs(page, 'li.na', new URL(String(link)).pathname.replace(/^\/console\//, ''));
    const banner = page.getByTestId('correction-banner');
    await banner.waitFor();
    const bannerText = await banner.innerText();
    const catalogueForm = await page.getByLabel('成果名称').count();
    const a11y = await accessibilityProblems(page);
    await page.locator('#package-folder').setInputFiles(corrected);
    await page.getByTestId('start-upload').click();
    const outcome = page.getByTestId('outcome');
    await outcome.waitFor({ timeout: 240_000 });
    const v2 = await versionStatus(submissionId, 2, ['awaitingReview', 'verified', 'returned'], 120_000);
    const outcomeText = await outcome.innerText();
    const problem = (await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('chen.jing') })).body.problems.find((x: { problemId: string }) => x.problemId === problemId);
    await page.screenshot({ path: join(projectRoot, '.test-results', 'console', 'upload-correction-1366x768.png'), fullPage: true });

    // assess
    expect(link).toContain(`/console/survey-tasks/`);
    expect(link).toContain(`upload?correction=${submissionId}`);
    expect(bannerText).toContain(`更正版本：本次上传将作为汇交 ${submissionId} 的第 2 版`);
    expect(catalogueForm).toBe(0);
    expect(a11y, 'axe-core serious/critical on the correction upload page').toEqual([]);
    expect(v2, outcomeText).toMatchObject({ n: 2, status: 'awaitingReview', correctionOf: [problemId] });
    expect(outcomeText).toContain('第 2 版');
    expect(problem).toMatchObject({ state: 'correctionSubmitted', correction: { submissionId, n: 2 } });
    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);

  it('R7.1 R9.2 the maps in the console: the review task shows the region’s box with the layers inside; the result page draws the verified layers; the search draws its hits’ region', async () => {
    const { submissionId, name, since } = await submit('valid');
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
    await versionStatus(submissionId, 1, ['awaitingReview']);
    const taskId = taskIdIn(mail);
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();

    await page.goto(consoleUrl(`tasks/${taskId}`));
    await signInAs(page, 'chen.jing', `tasks/${taskId}`);
    const taskMap = page.getByTestId('region-map').locator('svg');
    await taskMap.waitFor();

    expect(await taskMap.locator('[data-role="region"]').count()).toBe(1);
    expect(await taskMap.locator('[data-placement="inside"]').count()).toBeGreaterThan(0);
    expect(await taskMap.locator('[data-placement="outside"]').count()).toBe(0);
    expect(await accessibilityProblems(page), 'axe-core on the task page with its map').toEqual([]);

    const decided = await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });
    expect(decided.status).toBe(200);
    await versionStatus(submissionId, 1, ['verified']);
    const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
    expect(entry.status).toBe(201);
    const resultNumber = String(entry.body.entry.resultNumber);
    await context.close();

    const custodian = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const p2 = await custodian.newPage();
    await p2.goto(consoleUrl(`catalogue/${resultNumber}`));
    await signInAs(p2, 'zhang.wei', `catalogue/${resultNumber}`);
    const entryMap = p2.getByTestId('region-map');
    await entryMap.getByText('核验报告读出的').waitFor();

    expect(await entryMap.locator('svg [data-placement="inside"]').count()).toBeGreaterThan(0);
    expect(await entryMap.locator('svg').innerHTML()).toContain('广东省（440000）省级外包框');
    expect(await accessibilityProblems(p2), 'axe-core on the result page with its map').toEqual([]);

    await p2.evaluate(`history.pushState({}, '', '/console/catalogue'); dispatchEvent(new PopStateEvent('popstate'));`);
    await p2.getByLabel('关键词').fill(name.split(' ').slice(-1)[0]!);
    await p2.getByRole('button', { name: '检索' }).click();
    await p2.getByTestId('catalogue-table').getByText(resultNumber).waitFor();
    const searchMap = p2.getByTestId('region-map');

    expect(await searchMap.innerText()).toMatch(/本页 1 条结果，0 条按登记的外包矩形画出，1 条未登记外包矩形、未画出/);
    expect(await searchMap.locator('svg').innerHTML()).toContain('全国外包框');
    await custodian.close();
  }, 240_000);

  it('R13.2 the session runs out mid-form: the silent renew fails, the person signs in again and is back at the form with what they had typed; a 403 and a 404 each show the one error panel', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const path = 'survey-tasks/new';
    await page.goto(consoleUrl(path));
    await signInAs(page, 'chen.jing', path);
    const taskName = `过期后恢复的任务 ${randomBytes(3).toString('hex')}`;
    await page.getByLabel('任务名称').fill(taskName);
    await page.getByRole('combobox', { name: '专题' }).click({ force: true });
    await page.getByRole('option', { name: '森林资源' }).click();
    await page.getByLabel('调查区域').click();
    await page.getByLabel('调查区域').pressSequentially('广东省');
    await page.locator('.el-cascader__suggestion-item').filter({ hasText: /^广东省$/ }).click();
    await page.getByLabel('实施单位').fill('440000-IMP');
    await page.getByLabel('保管单位').fill('440000-CUS');
    await page.getByLabel('说明').fill('会话过期前填写的说明');
    // The ID token has expired (the API says 401) and so has the refresh token (the issuer refuses it).
    const expired = async (route: import('playwright-core').Route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: '身份令牌已过期' } }) });
    };
    const refused = async (route: import('playwright-core').Route) => {
      if (!(route.request().postData() ?? '').includes('grant_type=refresh_token')) return route.fallback();
      return route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_grant', error_description: 'refresh token expired' }) });
    };
    await page.route(`${cloud.urls.api}/survey-tasks`, expired);
    await page.route(`${cloud.urls.api}/local-auth/oauth2/token`, refused);

    await page.getByRole('button', { name: '登记' }).click();
    await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
    await page.unroute(`${cloud.urls.api}/survey-tasks`, expired);
    await page.unroute(`${cloud.urls.api}/local-auth/oauth2/token`, refused);
    await signInAs(page, 'chen.jing', path);
    await page.getByTestId('form-restored').waitFor();

    expect(await page.getByLabel('任务名称').inputValue()).toBe(taskName);
    expect(await page.getByLabel('实施单位').inputValue()).toBe('440000-IMP');
    expect(await page.getByLabel('保管单位').inputValue()).toBe('440000-CUS');
    expect(await page.getByLabel('说明').inputValue()).toBe('会话过期前填写的说明');
    expect(await page.locator('.el-form-item').filter({ hasText: '专题' }).innerText()).toContain('森林资源');
    expect(await page.getByLabel('调查区域').inputValue()).toContain('广东省');
    // Kept for the way back only: nothing of the form (nor any token) stays in the tab's storage.
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(taskName);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toMatch(/eyJ/);

    await page.getByRole('button', { name: '登记' }).click();
    await page.getByTestId('registered').waitFor();
    expect(await page.getByTestId('registered').innerText()).toContain(taskName);
    await context.close();

    // The one error panel: a page the roles may not open, a page that does not exist, a read refused by the API.
    const submitter = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    const p2 = await submitter.newPage();
    await p2.goto(consoleUrl(path));
    await signInAs(p2, 'li.na', 'forbidden');
    const forbidden = p2.getByTestId('forbidden');
    await forbidden.waitFor();
    expect(await forbidden.innerText()).toContain('审核人（reviewer）');
    await p2.evaluate(`history.pushState({}, '', '/console/no-such-page'); dispatchEvent(new PopStateEvent('popstate'));`);
    await p2.getByTestId('not-found').getByText('工作台中没有 “/console/no-such-page” 这个页面').waitFor();
    await p2.evaluate(`history.pushState({}, '', '/console/survey-tasks/00000000-0000-4000-8000-000000000000/upload'); dispatchEvent(new PopStateEvent('popstate'));`);
    const problem = p2.getByTestId('api-problem');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('未找到调查监测任务');
    expect(await p2.locator('.el-result').count()).toBe(1);
    expect(await p2.locator('.el-result').getByRole('link', { name: '返回待办' }).count()).toBe(1);
    await submitter.close();
  }, 240_000);
});
