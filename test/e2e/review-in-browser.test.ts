/**
 * The technical review as a reviewer does it: the emailed link opened in a
 * real browser (Debian's Chromium, driven by playwright-core), signing in on
 * the local sign-in page, reading the package and report, pressing 通过.
 * Everything before the browser (task, submission, upload, verification run)
 * goes through the HTTP API as in the verification integration tests.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submit, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { api, cloud, waitForEmail, type Email } from '../integration/helpers.ts';

// Headless, and nothing that reaches for the internet (the laptops have none).
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const chinaTime = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/;
const isoUtc = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
});

/** The task link exactly as the reviewer's email gives it. */
function taskLinkIn(mail: Email): string {
  const m = /https?:\/\/\S+\/human-tasks\/[A-Za-z0-9_-]{22}\/page/.exec(mail.text ?? '');
  if (!m) throw new Error(`no task link in “${mail.subject}”`);
  return m[0];
}

/** A review task waiting for chen.jing: the valid fixture submitted, checked, awaiting review. */
async function awaitingReview() {
  const { submissionId, name, since } = await submit('valid');
  const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  return { submissionId, name, since, mail, link: taskLinkIn(mail) };
}

/** A fresh browser profile (no token stored) with every confirm() accepted. */
async function anonymousPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  return page;
}

/** From a page showing the sign-in link: follow it (/auth/sign-in → the issuer's sign-in page), pick the user, come back to `link`. */
async function signInThroughPage(page: Page, linkText: string, userId: string, link: string): Promise<void> {
  await page.getByRole('link', { name: linkText }).click();
  await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
  await page.locator(`button[name="userId"][value="${userId}"]`).click();
  await page.waitForURL(link);
}

describe('R7.1 technical review in the browser: the emailed link, sign-in, the package and report, approval', () => {
  it('shows an anonymous visitor only a sign-in link; the signed-in reviewer sees the summary and report, approves, and the submission is verified', async () => {
    const { submissionId, name, since, mail, link } = await awaitingReview();
    const page = await anonymousPage();
    expect(mail.text).toMatch(new RegExp(`封存时间：${chinaTime.source}`));
    expect(mail.text).not.toMatch(isoUtc);

    await page.goto(link);
    await page.getByText('请先登录：此任务只有指派的审核人员可以查看和处理。').waitFor();

    expect(await page.locator('#content').textContent()).toBe('');
    expect(await page.content()).not.toContain(name);
    expect(await page.getByRole('button', { name: '通过' }).count()).toBe(0);

    await signInThroughPage(page, '登录（使用收到邮件的账号）', 'chen.jing', link);
    await page.getByText('已登录，任务如下。').waitFor();
    const shown = (await page.locator('#content').innerText()).replace(/\s+/g, ' ');

    expect(shown).toContain(name);
    expect(shown).toContain(submissionId);
    expect(shown).toContain('2026 年度国土变更调查（核验集成测试）');
    expect(shown).toContain('成果包概况');
    expect(shown).toContain('自动核验报告');
    expect(shown).toMatch(/结论： ?通过/);
    expect(shown).toMatch(new RegExp(`封存时间 ?${chinaTime.source}`));
    expect(shown).toMatch(new RegExp(`核验时间：${chinaTime.source}`));
    expect(shown).not.toMatch(isoUtc);
    // Issue 13: the report's map drawn as SVG on the emailed page — the province's box and the layers inside it.
    const map = page.getByTestId('task-map').locator('svg');
    expect(await map.getAttribute('role')).toBe('img');
    expect(await map.locator('[data-role="region"]').count()).toBe(1);
    expect(await map.locator('[data-placement="inside"]').count()).toBeGreaterThan(0);
    expect(await map.locator('[data-placement="outside"]').count()).toBe(0);

    await page.getByRole('button', { name: '通过', exact: true }).click();
    await page.getByText('已提交：通过。').waitFor();
    const decided = (await page.locator('#content').innerText()).replace(/\s+/g, ' ');

    expect(decided).toMatch(new RegExp(`已决定：通过（chen\\.jing，${chinaTime.source}）`));
    expect(await page.getByRole('button', { name: '通过', exact: true }).count()).toBe(0);
    expect((await versionStatus(submissionId, 1, ['verified']))['decidedBy']).toBe('chen.jing');
    const sub = (await api('GET', `/submissions/${submissionId}`, { token: await tokenOf('li.na') })).body.submission;
    expect(sub.status).toBe('verified');
    const verifiedMail = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【核验通过】${name}`, since, timeoutMs: 15_000 });
    const reportLink = `${cloud.urls.api}/submissions/${submissionId}/versions/1/report/page`;
    expect(verifiedMail.text).toContain(reportLink);
    expect(verifiedMail.text).toMatch(new RegExp(`通过时间：${chinaTime.source}`));
    expect(verifiedMail.text).not.toMatch(isoUtc);

    // The report link from the submitter's email, in the browser already signed in (chen.jing, the organiser's reviewer).
    await page.goto(reportLink);
    await page.getByText('技术核验报告如下').waitFor();
    const report = page.frameLocator('iframe.report');
    await report.getByText('核验结论：通过').waitFor();
    const reportText = (await report.locator('body').innerText()).replace(/\s+/g, ' ');

    expect(reportText).toContain(name);
    expect(reportText).toMatch(new RegExp(`核验时间 ?${chinaTime.source}`));
    expect(await report.locator('figure.map svg [data-placement="inside"]').count()).toBeGreaterThan(0);
    // The frame is as tall as the report (the page scrolls, not a fixed box inside it): neither cut nor padded.
    const fitted = await page.waitForFunction(`(() => {
      const frame = document.querySelector('iframe.report');
      const doc = frame && frame.contentDocument;
      if (!doc || !doc.body || doc.readyState !== 'complete') return false;
      const content = Math.ceil(doc.body.getBoundingClientRect().bottom + parseFloat(doc.defaultView.getComputedStyle(doc.body).marginBottom || '0'));
      return content <= frame.clientHeight && frame.clientHeight <= content + 24;
    })()`);
    expect(await fitted.jsonValue()).toBe(true);
    await page.context().close();
  });

  it('asks an anonymous visitor of the report link to sign in and shows nothing of the report', async () => {
    const { submissionId, name } = await awaitingReview();
    const page = await anonymousPage();
    const reportLink = `${cloud.urls.api}/submissions/${submissionId}/versions/1/report/page`;

    await page.goto(reportLink);
    await page.getByText('请先登录：核验报告仅组织、实施、保管单位及其上级单位的人员可以查看。').waitFor();

    expect(await page.locator('iframe').count()).toBe(0);
    expect(await page.content()).not.toContain(name);

    await signInThroughPage(page, '登录后查看核验报告', 'li.na', reportLink);
    await page.frameLocator('iframe.report').getByText('核验结论：通过').waitFor();

    expect(await page.frameLocator('iframe.report').locator('body').innerText()).toContain(name);
    await page.context().close();
  });

  it('refuses another signed-in user opening the same link: a refusal, nothing of the task, no decision buttons', async () => {
    const { name, link } = await awaitingReview();
    const page = await anonymousPage();
    await page.goto(link);

    await signInThroughPage(page, '登录（使用收到邮件的账号）', 'lin.feng', link);
    await page.getByText('无权处理此任务').waitFor();

    expect(await page.locator('#status').innerText()).toContain('lin.feng');
    expect(await page.locator('#content').textContent()).toBe('');
    expect(await page.content()).not.toContain(name);
    expect(await page.getByRole('button', { name: '通过' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: '退回' }).count()).toBe(0);
    await page.context().close();
  });
});
