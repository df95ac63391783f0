/**
 * The upper level's acknowledgement of a catalogue report as its reviewer does
 * it: the emailed link in Debian's Chromium, sign-in, the report's entries
 * (read for the reviewer's clearance), the CSV download, 确认接收.
 */
import { readFile } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cataloguedValidResult, tokenOf } from '../integration/fixture-submission.ts';
import { api, eventually, waitForEmail } from '../integration/helpers.ts';

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
});

describe('R9.1 catalogue report acknowledged in the browser: the emailed link, the entries, the CSV, 确认接收', () => {
  it('zhao.min (自然资源部) opens the link, sees the entries and downloads the CSV, confirms receipt, and the report is acknowledged', async () => {
    const { resultNumber, name } = await cataloguedValidResult();
    const since = new Date();
    const sent = await api('POST', '/catalogue-reports', { token: await tokenOf('zhang.wei') });
    expect(sent.status).toBe(202);
    const reportId = String(sent.body.report.reportId);
    const mail = await waitForEmail({ to: 'zhao.min@example.gov.cn', subject: '成果目录上报确认', since, timeoutMs: 30_000 });
    const link = /https?:\/\/\S+\/human-tasks\/[A-Za-z0-9_-]{22}\/page/.exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    const context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });

    await page.goto(link!);
    await page.getByRole('link', { name: '登录（使用收到邮件的账号）' }).click();
    await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
    await page.locator('button[name="userId"][value="zhao.min"]').click();
    await page.waitForURL(link!);
    await page.getByText('已登录，任务如下。').waitFor();
    await page.getByRole('cell', { name: resultNumber }).waitFor();
    const shown = (await page.locator('#content').innerText()).replace(/\s+/g, ' ');

    expect(shown).toContain('成果目录上报');
    expect(shown).toContain(reportId);
    expect(shown).toContain('广东省自然资源技术中心');
    expect(shown).toContain(name);
    expect(shown).not.toContain('自动核验报告');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载表格（CSV）' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');

    expect(download.suggestedFilename()).toBe(`成果目录上报-${reportId}.csv`);
    expect(csv.startsWith('\uFEFF统一编号,成果名称')).toBe(true);
    expect(csv).toContain(resultNumber);

    await page.getByRole('button', { name: '退回', exact: true }).click();
    await page.getByText('退回时请填写理由（至少 5 个字）。').waitFor();

    expect(dialogs).toEqual([]);

    await page.getByRole('button', { name: '确认接收', exact: true }).click();
    await page.getByText('已提交：确认接收。').waitFor();
    const decidedText = (await page.locator('#content').innerText()).replace(/\s+/g, ' ');

    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toContain('将提交决定：“确认接收”（成果目录上报确认：广东省自然资源技术中心');
    expect(dialogs[0]).not.toContain('成果目录上报确认：成果目录上报确认');
    expect(decidedText).toContain('已决定：确认接收（zhao.min，');
    const report = await eventually(
      async () => {
        const r = await api('GET', `/catalogue-reports/${reportId}`, { token: await tokenOf('zhao.min') });
        return r.body.report?.status === 'acknowledged' ? r.body.report : undefined;
      },
      `report ${reportId} acknowledged`,
      30_000,
    );

    expect(report.acknowledgement).toMatchObject({ decision: 'approve', decidedBy: 'zhao.min' });
    // The page reads the task again once the workflow has moved on: the report's own status shows.
    await page.getByRole('cell', { name: '上级已确认', exact: true }).waitFor({ timeout: 15_000 });
    await context.close();
  }, 180_000);
});
