/**
 * The demo's bulletin as 周红 (the demo supervisor) meets it (issue 14): a
 * cloud of its own started with demo data writes a month of supervision
 * history and issues last month's bulletin for 广东省; the emailed link opens
 * in Chromium, she signs in, the page shows the 通报 with its SVG charts
 * drawn with data, the XLSX downloads and exceljs reads its sheets and totals.
 * A requester is refused (another province's 404: test/unit/supervision-bulletin.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, startLocalCloud, type LocalCloud } from '#infra/local/cloud.ts';
import { testPortBase } from '../integration/global-setup.ts';
import { api, listEmails, signIn, waitForEmail } from '../integration/helpers.ts';

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const portBase = testPortBase + 40;
const dataDir = join(projectRoot, '.test-data', `bulletin-${portBase}`);

let cloud: LocalCloud;
let browser: Browser;

beforeAll(async () => {
  cloud = await startLocalCloud({ portBase, dataDir, reset: true, log: () => undefined, handlerLogLevel: 'ERROR', runSchedules: false, demo: true });
  await cloud.demo;
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

describe('R21.1 R6.1 R9.1 R20.1 issue 14: 周红 opens the emailed bulletin, sees the charts, downloads the XLSX', () => {
  it('the demo bulletin of 广东省: link from MailDev, sign-in, SVG charts with data, XLSX sheets and totals equal to the clocks; a requester is refused', async () => {
    // prepare
    const apiUrl = cloud.urls.api;
    const mail = await waitForEmail({ to: 'zhou.hong@example.gov.cn', subject: '【通报】广东省自然资源厅', inboxUrl: cloud.urls.inbox, timeoutMs: 60_000 });
    const link = /https?:\/\/\S+\/supervision\/bulletins\/[^\s/]+\/page/.exec(mail.text ?? '')?.[0];
    const bulletinId = decodeURIComponent(/bulletins\/([^/]+)\/page/.exec(link ?? '')?.[1] ?? '');
    const period = bulletinId.split('.').pop()!;
    const token = await signIn('zhou.hong', apiUrl);
    const clocks = [
      ...(await api('GET', '/supervision/clocks?org=440000-NR&type=R6.1&state=met', { token, apiUrl })).body.items,
      ...(await api('GET', '/supervision/clocks?org=440000-NR&type=R6.1&state=open', { token, apiUrl })).body.items,
    ] as Array<{ due: string; late?: boolean; state: string }>;
    const dueInPeriod = clocks.filter((c) => c.due.startsWith(period));
    const context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();

    // act
    await page.goto(link!);
    await page.getByRole('link', { name: '登录后查看通报' }).click();
    // The OIDC authorization-code + PKCE flow (docs/sign-in.md): the local issuer's sign-in page, then back to the link.
    await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
    await page.locator('button[name="userId"][value="zhou.hong"]').click();
    await page.waitForURL(link!);
    await page.getByText('已登录。').waitFor();
    const frame = page.frameLocator('iframe.report');
    await frame.locator('h1').waitFor();
    const heading = await frame.locator('h1').innerText();
    const trendPaths = await frame.locator('#trend-chart svg path').count();
    const trendText = await frame.locator('#trend-chart svg').textContent();
    const lateBars = await frame.locator('#late-chart svg path').count();
    const lateText = await frame.locator('#late-chart svg').textContent();
    const ranking = await frame.locator('table').first().innerText();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 Excel 表格（XLSX）' }).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await download.path())!)) as never);
    const foreign = await api('GET', `/supervision/bulletins/${encodeURIComponent(bulletinId)}/files/html`, { token: await signIn('luo.xin', apiUrl), apiUrl });
    const incidents = await api('GET', '/supervision/incidents?org=440000-NR', { token, apiUrl });

    // assess
    expect(link).toBeDefined();
    expect(mail.text).toContain('汇交按期率（R6.1）');
    expect(heading.replace(/\s/g, '')).toBe('通报');
    expect(trendPaths).toBeGreaterThan(3);
    expect(trendText).toContain('%');
    expect(lateBars).toBeGreaterThan(0);
    expect(lateText).toMatch(/广东省|广州市/);
    expect(ranking).toContain('广东省地质测绘院');
    expect(download.suggestedFilename()).toBe(`通报-${period}.xlsx`);
    expect(wb.worksheets.map((s) => s.name)).toEqual(expect.arrayContaining(['概况', '成果汇交（R6.1）', '成果核验（R7）', '成果移交（R8.1）', '目录上报（R9.1）', '成果发布（R11–R12）', '逾期单位排名', '未办结期限']));
    const sheet = wb.getWorksheet('成果汇交（R6.1）')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const total = sheet.getRows(1, sheet.rowCount)!.find((r) => r.getCell(1).value === '合计')!;
    expect(dueInPeriod.length).toBeGreaterThan(0);
    expect(total.getCell(header.indexOf('本期应汇交') + 1).value).toBe(dueInPeriod.length);
    expect(total.getCell(header.indexOf('逾期办结') + 1).value).toBe(dueInPeriod.filter((c) => c.late === true).length);
    expect(String(wb.getWorksheet('成果发布（R11–R12）')!.getRow(2).getCell(1).value)).toContain('尚无数据');
    expect(wb.getWorksheet('未办结期限')!.rowCount).toBeGreaterThan(1);
    expect(foreign.status).toBe(403);
    // The demo incident (R20.1, a lost drive reported last month) is in the bulletin's security section.
    const security = wb.getWorksheet('安全保密（R20.1）')!;
    const securityHeader = (security.getRow(1).values as unknown[]).slice(1);
    const securityTotal = security.getRows(1, security.rowCount)!.find((r) => r.getCell(1).value === '合计')!;
    expect(securityTotal.getCell(securityHeader.indexOf('报告事件') + 1).value).toBe(1);
    expect(incidents.status).toBe(200);
    expect(incidents.body.items).toEqual([expect.objectContaining({ incidentId: 'INC-DEMO-440000-1', kind: 'loss', state: 'verified' })]);
  }, 180_000);

  it('R9.1 the morning watch on the local cloud: the overdue catalogue report emails its custodian and, once, 周红; firing twice sends nothing more', async () => {
    // prepare
    const apiUrl = cloud.urls.api;
    const overdue = (await api('GET', '/supervision/clocks?org=440000-NR&state=overdue&type=R9.1', { token: await signIn('zhou.hong', apiUrl), apiUrl })).body.items as Array<{ title: string }>;
    const count = async () => (await listEmails(cloud.urls.inbox)).filter((m) => m.subject.startsWith('【已逾期】')).length;

    // act
    const first = await api('POST', '/local/schedules/DailyDeadlineWatch/run', { apiUrl });
    const toSupervisor = await waitForEmail({ to: 'zhou.hong@example.gov.cn', subject: '【已逾期】广东省自然资源技术中心', inboxUrl: cloud.urls.inbox, timeoutMs: 30_000 });
    // The custodian's overdue R9.1 report (its overdue demo self-inspection, R20.1, is emailed too).
    const toCustodian = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: '（R9.1，', inboxUrl: cloud.urls.inbox, timeoutMs: 30_000 });
    const after = await count();
    const second = await api('POST', '/local/schedules/DailyDeadlineWatch/run', { apiUrl });
    await new Promise((r) => setTimeout(r, 2000));

    // assess
    expect(overdue.length).toBeGreaterThan(0);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(toSupervisor.text).toContain('监督提示');
    expect(toCustodian.subject.startsWith('【已逾期】')).toBe(true);
    expect(toCustodian.text).toContain('目录上报');
    expect(await count()).toBe(after);
  }, 120_000);
});
